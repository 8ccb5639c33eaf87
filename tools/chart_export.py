"""Static PNG images of plotly figures, for the PDF report.

Plotly's static export (kaleido >= 1) drives a headless Chrome/Chromium. Starting the browser costs about two seconds
and each figure then takes a fraction of one, so all of a report's figures go through one browser session. The session
runs on its own thread with its own event loop: ``render_pdf`` is then safe to call from async code (the chat agent)
as well as from plain scripts. Kaleido loads plotly.js from the installed plotly package and MathJax is switched off,
so nothing is fetched from the network.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import kaleido
import plotly.graph_objects as go
from kaleido.errors import ChromeNotFoundError

TIMEOUT_S = 60.0
CHROME_HINT = (
    "Static chart export needs Chrome or Chromium: install Debian's `chromium` package (apt-get install chromium) "
    "or point the BROWSER_PATH environment variable at a Chrome binary."
)


class ChartExportError(RuntimeError):
    """Raised when figures cannot be turned into images; the message says what to install or change."""


def figures_to_png(figures: Sequence[go.Figure], scale: float = 2.0) -> list[bytes]:
    """PNG bytes per figure, at each figure's own layout width and height (times ``scale`` for print sharpness)."""
    if not figures:
        return []
    specs = [(fig.to_dict(), _opts(fig, scale)) for fig in figures]
    with ThreadPoolExecutor(max_workers=1) as pool:
        try:
            return pool.submit(asyncio.run, _render_all(specs)).result()
        except ChromeNotFoundError as exc:
            raise ChartExportError(CHROME_HINT) from exc
        except Exception as exc:  # kaleido surfaces browser crashes and timeouts as assorted exception types
            raise ChartExportError(f"static chart export failed: {type(exc).__name__}: {exc}") from exc


def _opts(fig: go.Figure, scale: float) -> dict:
    layout = fig.layout
    return {"format": "png", "width": layout.width or 900, "height": layout.height or 420, "scale": scale}


async def _render_all(specs: list[tuple[dict, dict]]) -> list[bytes]:
    async with kaleido.Kaleido(n=1, timeout=TIMEOUT_S, mathjax=False) as session:
        return [await session.calc_fig(fig, opts=opts) for fig, opts in specs]
