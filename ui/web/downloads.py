"""Report downloads that only the merchant who asked for them can fetch.

A file a tool made is never handed to Gradio (whose file route serves anything in its cache to any signed-in user,
so another merchant could fetch a report by URL). Instead it is registered here under a random token together with
the merchant it was made for, and ``/downloads/<token>/<name>`` serves it only to a session whose user acts for that
merchant; anyone else gets the same 404 as for a token that never existed. Nothing is copied: the registry points at
the report the tool wrote, and entries expire after ``TTL_S`` (a restart forgets them all).
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel

from ui.users import UserError, merchant_of
from ui.web.sessions import Sessions

TTL_S = 24 * 3600.0
PREFIX = "downloads"


class Download(BaseModel):
    """What the page shows for an offered file: its name and the link; never the server path."""

    name: str
    url: str


@dataclass(frozen=True)
class _Entry:
    path: Path
    name: str
    merchant: str
    expires: float


class Offers:
    def __init__(self, ttl_s: float = TTL_S) -> None:
        self.ttl_s = ttl_s
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def offer(self, path: str | Path, merchant: str) -> Download:
        source = Path(path).resolve()
        token = secrets.token_urlsafe(24)
        with self._lock:
            self.purge()
            self._entries[token] = _Entry(source, source.name, merchant, time.monotonic() + self.ttl_s)
        return Download(name=source.name, url=f"{PREFIX}/{token}/{quote(source.name)}")

    def find(self, token: str, name: str, merchant: str) -> Path | None:
        """The file behind a link, if it was offered to ``merchant``, has not expired and still exists."""
        entry = self._entries.get(token)
        if entry is None or entry.merchant != merchant or entry.name != name or entry.expires < time.monotonic():
            return None
        return entry.path if entry.path.is_file() else None

    def purge(self) -> int:
        """Forget expired offers; returns how many."""
        now = time.monotonic()
        expired = [t for t, e in self._entries.items() if e.expires < now]
        for token in expired:
            del self._entries[token]
        return len(expired)

    def __len__(self) -> int:
        return len(self._entries)


OFFERS = Offers()


def offer(path: str | Path, merchant: str) -> Download:
    """Register a file a tool made for ``merchant`` and return the link to show."""
    return OFFERS.offer(path, merchant)


def remove_legacy_copies() -> None:
    """Earlier versions copied each report into ``$TMPDIR/salescast-dl-*`` and never removed it."""
    for folder in Path(tempfile.gettempdir()).glob("salescast-dl-*"):
        shutil.rmtree(folder, ignore_errors=True)


def downloads_router(sessions: Sessions, offers: Offers = OFFERS) -> APIRouter:
    router = APIRouter()

    @router.get(f"/{PREFIX}/{{token}}/{{name}}", include_in_schema=False)
    def download(token: str, name: str, request: Request) -> FileResponse:
        user = sessions.user_of(request)
        if user is None:
            raise HTTPException(status_code=401, detail="Sign in first.")
        try:
            merchant = merchant_of(user)
        except UserError as exc:
            raise HTTPException(status_code=401, detail=str(exc)) from None
        path = offers.find(token, name, merchant)
        if path is None:
            raise HTTPException(status_code=404, detail="No such download (links expire after a day).")
        headers = {"Content-Security-Policy": "sandbox", "X-Content-Type-Options": "nosniff"}
        return FileResponse(path, filename=name, headers=headers, content_disposition_type="attachment")

    return router
