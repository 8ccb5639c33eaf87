"""Text bound for the browser: no server paths, and no cell or message too big to draw.

Errors and tool summaries may quote where the server keeps things (``/srv/salescast/var/tenants/oj.duckdb``); the
merchant gets the file's name instead. A query can return a 20 MB cell, and each streamed redraw would send it
again: any run of text without a space longer than ``RUN_MAX`` (one cell, in practice) and any message longer than
``MESSAGE_MAX`` is cut, saying how much was left out.
"""

from __future__ import annotations

import re

RUN_MAX = 400
MESSAGE_MAX = 20_000
# An absolute path of two or more parts, not inside a URL (``http://host/v1``) or a relative path (``a/b``).
_PATH = re.compile(r"(?<![\w.:/~-])~?/(?:[\w.@%+=,~-]+/)+([\w.@%+=,~-]*)")
_LONG_RUN = re.compile(rf"\S{{{RUN_MAX + 1},}}")


def cut_note(hidden: int) -> str:
    return f"… (truncated, {hidden:,} characters)"


def redact_paths(text: str) -> str:
    """``/home/x/var/tenants/oj.duckdb`` → ``…/oj.duckdb``."""
    return _PATH.sub(lambda m: f"…/{m.group(1)}" if m.group(1) else "…/", text)


def cap(text: str) -> str:
    """Shorten over-long runs, then the whole text, each with a visible note of what was cut."""
    text = _LONG_RUN.sub(lambda m: m.group(0)[:RUN_MAX] + cut_note(len(m.group(0)) - RUN_MAX), text)
    if len(text) > MESSAGE_MAX:
        text = text[:MESSAGE_MAX] + "\n\n" + cut_note(len(text) - MESSAGE_MAX)
    return text


def shown(text: str) -> str:
    """What the page may show of a text from the server."""
    return cap(redact_paths(text))
