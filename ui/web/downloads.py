"""Files the app hands to the browser: reports are copied out of ``SALESCAST_HOME`` before Gradio sees them.

Gradio serves only files it copied into its own cache, and copies only from the working directory, the temp
folder, or ``allowed_paths``. Naming ``SALESCAST_HOME`` there would make every tenant database downloadable by URL, so
each offered file is copied alone into a fresh private temp folder instead, keeping its name.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path


def offer(path: str | Path) -> Path:
    """A private copy of ``path`` under the system temp folder, safe to give to a Gradio component."""
    source = Path(path)
    folder = Path(tempfile.mkdtemp(prefix="salescast-dl-"))
    return Path(shutil.copy2(source, folder / source.name))
