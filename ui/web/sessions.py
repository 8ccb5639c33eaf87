"""Who is signed in: one random token per sign-in, held in memory, re-checked against the users file on every request.

The app keeps its own sessions rather than Gradio's so that sign-in can be throttled and hashed off the event loop
(``signin.py``); Gradio learns the user through ``auth_dependency``. A session ends at sign-out, after ``IDLE_S``
without a request, or as soon as its user is removed or given a new password (the session remembers the hash it
was opened with), so ``salescast users remove`` takes effect without restarting the app.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass

from starlette.requests import HTTPConnection

from ui.users import load_users

COOKIE = "salescast-session"
IDLE_S = 12 * 3600.0


@dataclass
class _Session:
    username: str
    fingerprint: str  # the user's password hash when the session was opened
    last_seen: float


class Sessions:
    def __init__(self, idle_s: float = IDLE_S) -> None:
        self.idle_s = idle_s
        self._by_token: dict[str, _Session] = {}
        self._lock = threading.Lock()

    def open(self, username: str) -> str:
        """A new session for a user whose password was just checked; returns the cookie value."""
        record = load_users()[username]
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._drop_idle(time.monotonic())
            self._by_token[token] = _Session(username, record.hash, time.monotonic())
        return token

    def user(self, token: str | None) -> str | None:
        """The signed-in username for a cookie value, or None (unknown, idle too long, removed, password changed)."""
        if not token:
            return None
        with self._lock:
            session = self._by_token.get(token)
        if session is None or time.monotonic() - session.last_seen > self.idle_s:
            return None
        record = load_users().get(session.username)
        if record is None or record.hash != session.fingerprint:
            self.close_user(session.username)
            return None
        session.last_seen = time.monotonic()
        return session.username

    def user_of(self, request: HTTPConnection) -> str | None:
        """Gradio's ``auth_dependency``: the user behind a request's session cookie."""
        return self.user(request.cookies.get(COOKIE))

    def close_user(self, username: str) -> None:
        """Sign a user out everywhere (every browser and API client of theirs)."""
        with self._lock:
            for token in [t for t, s in self._by_token.items() if s.username == username]:
                del self._by_token[token]

    def _drop_idle(self, now: float) -> None:
        for token in [t for t, s in self._by_token.items() if now - s.last_seen > self.idle_s]:
            del self._by_token[token]
