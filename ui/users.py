"""Who may sign in to the web app, and which merchant's data each sign-in is allowed to see.

The users file (``$SALESCAST_HOME/users.json`` or ``$SALESCAST_USERS``, mode 0600) maps a username to its merchant and a salted scrypt hash
of its password; no password is ever stored. The merchant a chat acts for is looked up here from the signed-in
username, so nothing typed in the chat can change whose data a tool reads.

Demo sign-ins ``oj`` / ``oj-demo`` and ``tuna`` / ``tuna-demo`` exist for the demo only: they are created on a fresh
install (no other users), and the web app accepts them only in demo mode (``demo_mode``), so a real deployment that
adds its own users runs without them; ``salescast users remove`` deletes them for good.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel

from forecasting import paths
from forecasting.settings import settings

DEMO_USERS: dict[str, str] = {"oj": "oj-demo", "tuna": "tuna-demo"}
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}  # ~16 MiB, ~50 ms per check: slow for guessing, fine for a sign-in
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
MIN_PASSWORD = 6


class UserError(ValueError):
    """A user cannot be added as asked; the message says why."""


class UserRecord(BaseModel):
    merchant: str
    salt: str  # hex
    hash: str  # hex scrypt(password, salt)
    n: int = _SCRYPT["n"]
    r: int = _SCRYPT["r"]
    p: int = _SCRYPT["p"]


def users_path() -> Path:
    """``$SALESCAST_USERS`` if set (tests keep sign-ins out of a shared home), else ``$SALESCAST_HOME/users.json``."""
    override = settings().users
    return override.expanduser().resolve() if override else paths.home() / "users.json"


def _hash(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=64 << 20, dklen=32)


def make_record(merchant: str, password: str) -> UserRecord:
    salt = secrets.token_bytes(16)
    return UserRecord(merchant=merchant, salt=salt.hex(), hash=_hash(password, salt, **_SCRYPT).hex())


def load_users() -> dict[str, UserRecord]:
    path = users_path()
    if not path.is_file():
        return {}
    raw = json.loads(path.read_text())
    return {name: UserRecord.model_validate(rec) for name, rec in raw.get("users", {}).items()}


def _save(users: dict[str, UserRecord]) -> None:
    """Write beside the target and rename, so a reader (the running app) never sees half a file."""
    path = users_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"users": {name: rec.model_dump() for name, rec in sorted(users.items())}}
    fd, tmp = tempfile.mkstemp(prefix=".users.", dir=path.parent)
    with os.fdopen(fd, "w") as f:
        json.dump(payload, f, indent=1)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def add_user(username: str, password: str, merchant: str) -> None:
    """Create or replace a sign-in for ``merchant``."""
    username = username.strip().lower()
    if not _NAME.match(username):
        raise UserError(f"Username {username!r}: use 1-64 lowercase letters, digits, '.', '_' or '-'.")
    if len(password) < MIN_PASSWORD:
        raise UserError(f"The password needs at least {MIN_PASSWORD} characters.")
    users = load_users()
    users[username] = make_record(merchant, password)
    _save(users)


def remove_user(username: str) -> None:
    """Delete a sign-in; its open sessions stop working on their next request."""
    username = username.strip().lower()
    users = load_users()
    if username not in users:
        raise UserError(f"There is no user {username!r}; users: {', '.join(sorted(users)) or 'none'}.")
    del users[username]
    _save(users)


def _other_users(users: dict[str, UserRecord]) -> set[str]:
    return set(users) - set(DEMO_USERS)


def ensure_demo_users(merchants: Iterable[str] = DEMO_USERS, force: bool = False) -> list[str]:
    """Add the missing demo sign-ins for the demo ``merchants`` that exist, but only on an install with no other
    users (or with ``force``: ``--demo``); existing ones keep their passwords. Returns the usernames added."""
    users = load_users()
    if _other_users(users) and not force:
        return []
    served = set(merchants)
    added = [name for name in DEMO_USERS if name not in users and name in served]
    for name in added:
        users[name] = make_record(name, DEMO_USERS[name])
    if added:
        _save(users)
    return added


def demo_mode(requested: bool | None, merchants: Iterable[str]) -> bool:
    """``--demo`` / ``--no-demo`` as asked; when unset, demo only where a demo merchant is served and nobody but the
    demo users can sign in (a fresh install). Outside demo mode the demo passwords are refused at sign-in."""
    if requested is not None:
        return requested
    return bool(set(DEMO_USERS) & set(merchants)) and not _other_users(load_users())


def is_demo_password(username: str, password: str) -> bool:
    """Whether this is a demo sign-in with its published password (refused outside demo mode)."""
    demo = DEMO_USERS.get(username.strip().lower())
    return demo is not None and hmac.compare_digest(password.encode(), demo.encode())


def working_demo_users() -> dict[str, str]:
    """The demo sign-ins that still have their published password: the only ones worth advertising."""
    users = load_users()
    return {name: pw for name, pw in DEMO_USERS.items() if name in users and verify(name, pw)}


def verify(username: str, password: str) -> bool:
    """Constant-time check of a sign-in; unknown users cost the same as wrong passwords."""
    record = load_users().get(username.strip().lower())
    if record is None:
        _hash(password, b"0" * 16, **_SCRYPT)
        return False
    actual = _hash(password, bytes.fromhex(record.salt), record.n, record.r, record.p)
    return hmac.compare_digest(actual.hex(), record.hash)


def merchant_of(username: str | None) -> str:
    """The merchant a signed-in user acts for; raises ``UserError`` for anyone not (or no longer) in the file."""
    record = load_users().get((username or "").strip().lower())
    if record is None:
        raise UserError("You are not signed in (or your account was removed); please sign in again.")
    return record.merchant
