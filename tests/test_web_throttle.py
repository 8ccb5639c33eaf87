"""The sign-in check itself: throttled per account and per address, hashed in worker threads, never on the loop."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from pathlib import Path

import pytest

from ui import users
from ui.users import add_user
from ui.web import signin as signin_module
from ui.web.sessions import Sessions
from ui.web.signin import SignIn
from ui.web.throttle import Throttle


@pytest.fixture
def alice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESCAST_USERS", str(tmp_path / "users.json"))
    add_user("alice", "alice-s3cret", "oj")


def _run(coroutine):
    """Run a coroutine on a loop of its own thread: earlier tests (Playwright's sync API) may hold this thread's loop."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _signin(first_wait_s: float = 30.0) -> SignIn:
    return SignIn(Sessions(), {}, False, Throttle({"user": 3, "address": 5}, first_wait_s=first_wait_s))


def test_waits_double_and_a_right_password_clears_the_account(alice: None) -> None:
    signin = _signin(first_wait_s=0.2)

    async def run() -> list[int]:
        statuses = [(await signin.attempt("alice", "wrong", "10.0.0.1"))[0] for _ in range(3)]
        statuses.append((await signin.attempt("alice", "alice-s3cret", "10.0.0.1"))[0])  # locked: refused
        await asyncio.sleep(0.25)
        statuses.append((await signin.attempt("alice", "wrong", "10.0.0.1"))[0])  # 4th failure: 0.4 s now
        wait = signin.throttle.wait_s([("user", "alice")])
        await asyncio.sleep(wait + 0.05)
        statuses.append((await signin.attempt("alice", "alice-s3cret", "10.0.0.2"))[0])
        statuses.append((await signin.attempt("alice", "wrong", "10.0.0.2"))[0])  # the count starts again
        return [*statuses, round(wait, 1)]

    assert _run(run()) == [400, 400, 429, 429, 429, 200, 400, 0.4]


def test_a_parallel_burst_is_counted_in_full_and_hashed_off_the_loop(
    alice: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    hashed_in: list[threading.Thread] = []
    real_verify = users.verify

    def verify(username: str, password: str) -> bool:
        hashed_in.append(threading.current_thread())
        return real_verify(username, password)

    monkeypatch.setattr(signin_module, "verify", verify)
    signin = _signin()

    async def run() -> tuple[list[int], threading.Thread]:
        results = await asyncio.gather(*(signin.attempt("alice", f"guess-{i}", "10.0.0.1") for i in range(20)))
        return [status for status, _ in results], threading.current_thread()

    statuses, loop_thread = _run(run())
    assert len(hashed_in) == 3 and loop_thread not in hashed_in  # only the attempts before the lock cost a hash
    assert statuses.count(400) == 2 and statuses.count(429) == 18


def test_an_address_spraying_many_accounts_is_locked(alice: None) -> None:
    signin = _signin()

    async def run() -> tuple[int, str]:
        for i in range(5):
            await signin.attempt(f"user-{i}", "guess", "10.0.0.9")
        return await signin.attempt("alice", "alice-s3cret", "10.0.0.9")

    status, message = _run(run())
    assert status == 429 and message == "Too many sign-in attempts; try again in 30 s."
    assert _run(signin.attempt("alice", "alice-s3cret", "10.0.0.10"))[0] == 200  # another address is fine


def test_a_session_ends_when_its_user_is_removed_or_gets_a_new_password(alice: None) -> None:
    sessions = Sessions()
    token = sessions.open("alice")
    assert sessions.user(token) == "alice" and sessions.user("forged") is None
    add_user("alice", "a-new-s3cret", "oj")
    assert sessions.user(token) is None
    token = sessions.open("alice")
    users.remove_user("alice")
    assert sessions.user(token) is None
