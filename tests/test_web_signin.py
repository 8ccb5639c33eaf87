"""Sign-in against a real ``salescast serve``: demo sign-ins only in demo mode, and throttled guessing.

The attack run found the demo passwords re-added to every users file and printed on every sign-in page and 401, and
30 wrong passwords in 1.4 s followed by the right one accepted. Each app here is the real command in a child process.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from gradio_client import Client

from ui.users import DEMO_USERS, make_record
from ui.web.child import AppProcess
from ui.web.throttle import LIMITS

HTML = {"accept": "text/html"}


def _login(url: str, user: str, password: str, **kw: object) -> httpx.Response:
    return httpx.post(f"{url}/login", data={"username": user, "password": password}, timeout=60, **kw)


@pytest.fixture(scope="module")
def demo_url(built_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh install: no users file yet, so demo mode is on by default."""
    users = tmp_path_factory.mktemp("demo-users") / "users.json"
    with AppProcess(built_home, llm="scripted", users=users) as app:
        yield app.url


@pytest.fixture(scope="module")
def deployment(built_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A real deployment: its own users beside the demo ones (still with their published passwords)."""
    users = tmp_path_factory.mktemp("real-users") / "users.json"
    records = {"alice": make_record("oj", "alice-s3cret"), "bob": make_record("tuna", "bob-s3cret")}
    records |= {name: make_record(name, password) for name, password in DEMO_USERS.items()}
    users.write_text(json.dumps({"users": {name: rec.model_dump() for name, rec in records.items()}}))
    os.chmod(users, 0o600)
    with AppProcess(built_home, llm="scripted", users=users) as app:
        yield app.url, users


def test_a_fresh_install_shows_and_accepts_the_demo_sign_ins(demo_url: str) -> None:
    page = httpx.get(demo_url + "/", follow_redirects=True)
    assert page.url.path == "/login" and "oj-demo" in page.text and "tuna-demo" in page.text
    assert _login(demo_url, "oj", "oj-demo").json() == {"success": True}
    client = Client(demo_url, auth=("tuna", "tuna-demo"), verbose=False)
    assert "Star Kist" in str(client.predict("Which products sold the most units last year?", api_name="/chat"))


def test_a_deployment_neither_advertises_nor_accepts_the_demo_passwords(deployment: tuple[str, Path]) -> None:
    url, users = deployment
    page = httpx.get(url + "/login")
    assert page.status_code == 200 and "oj-demo" not in page.text and "tuna-demo" not in page.text
    unauthorized = httpx.get(url + "/config")
    assert unauthorized.status_code == 401 and "demo" not in unauthorized.text
    refused = _login(url, "oj", "oj-demo", headers=HTML)
    assert refused.status_code == 403 and "demo sign-ins are turned off" in refused.text
    assert "oj-demo" not in refused.text and "salescast-session" not in refused.cookies
    assert set(json.loads(users.read_text())["users"]) == {"alice", "bob", *DEMO_USERS}  # nothing re-added
    signed_in = _login(url, "alice", "alice-s3cret", headers=HTML)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "./"
    app_page = httpx.get(url + "/", cookies=signed_in.cookies)
    assert app_page.status_code == 200 and "oj-demo" not in app_page.text


def test_no_demo_flag_creates_no_demo_sign_ins(built_home: Path, tmp_path: Path) -> None:
    users = tmp_path / "users.json"
    with AppProcess(built_home, llm="scripted", users=users, args=["--no-demo"]) as app:
        assert "oj-demo" not in httpx.get(app.url + "/login").text
        assert _login(app.url, "oj", "oj-demo").status_code == 400
        assert "Demo sign-ins are off" in app.log_tail()
    assert not users.exists() or "oj" not in json.loads(users.read_text())["users"]


def test_guessing_one_account_locks_it_even_for_the_right_password(deployment: tuple[str, Path]) -> None:
    url, _ = deployment
    with ThreadPoolExecutor(12) as pool:  # a parallel burst is counted in full, not raced past the limit
        statuses = [r.status_code for r in pool.map(lambda i: _login(url, "bob", f"guess-{i}"), range(12))]
    assert statuses.count(400) == LIMITS["user"] - 1 and statuses.count(429) == 12 - LIMITS["user"] + 1
    right = _login(url, "bob", "bob-s3cret", headers=HTML)
    assert right.status_code == 429 and "salescast-session" not in right.cookies
    assert "Too many sign-in attempts; try again in" in right.text and "username" in right.text  # the form again
    assert _login(url, "alice", "alice-s3cret").status_code == 200  # other accounts are not locked


def test_guessing_from_one_address_locks_the_address(deployment: tuple[str, Path]) -> None:
    """Last in this module: it locks 127.0.0.1 out of this app."""
    url, _ = deployment
    for i in range(LIMITS["address"] + 2):
        if _login(url, f"nobody-{i % 3}-{i}", "guess").status_code == 429:
            break
    refused = _login(url, "alice", "alice-s3cret")
    assert refused.status_code == 429 and "try again in" in refused.json()["detail"]
