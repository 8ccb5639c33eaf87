"""Several merchants at once through the real web API: every answer reaches the session that asked, from its own data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from gradio_client import Client

from benchmarks.bench_concurrency import run_load
from ui.web.child import AppProcess


@pytest.fixture(scope="module")
def app_url(trained_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    users = tmp_path_factory.mktemp("users") / "users.json"
    with AppProcess(trained_home, llm="scripted", users=users) as app:
        yield app.url


def test_five_simultaneous_sessions_get_their_own_answers(trained: Path, app_url: str) -> None:
    summary = run_load(app_url, sessions=5, kinds=["top", "forecast"])
    assert summary["errors"] == 0, summary["failures"]
    assert summary["questions"] == 10 and summary["latency_s"]["p95"] >= summary["latency_s"]["p50"] > 0


def test_api_refuses_a_wrong_password(app_url: str) -> None:
    with pytest.raises(ValueError, match="Could not login"):
        Client(app_url, auth=("oj", "wrong-password"), verbose=False)
