"""``salescast start`` and ``serve`` up to the point of serving: what they prepare and what they refuse."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ui.cli import app
from ui.users import DEMO_USERS, load_users


@pytest.fixture
def users_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "users.json"
    monkeypatch.setenv("SALESCAST_USERS", str(path))
    return path


def test_start_with_trained_models_trains_nothing_and_creates_demo_sign_ins(trained: Path, users_file: Path) -> None:
    metas = {m: (trained / "models" / m / "meta.json").stat().st_mtime_ns for m in DEMO_USERS}
    done = CliRunner().invoke(app, ["start", "--no-serve"])
    assert done.exit_code == 0, done.output
    assert "106,139" in done.output and "2,366" in done.output and "Training" not in done.output
    assert {m: (trained / "models" / m / "meta.json").stat().st_mtime_ns for m in DEMO_USERS} == metas
    assert set(load_users()) == set(DEMO_USERS)


def test_start_builds_a_missing_warehouse(tmp_path: Path, users_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESCAST_HOME", str(tmp_path / "home"))
    done = CliRunner().invoke(app, ["start", "--no-train", "--no-serve"])
    assert done.exit_code == 0, done.output
    assert "Building the demo warehouse" in done.output and "106,139" in done.output
    assert (tmp_path / "home" / "warehouse.duckdb").is_file()


def test_serve_without_a_warehouse_says_what_to_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESCAST_HOME", str(tmp_path / "empty"))
    done = CliRunner().invoke(app, ["serve", "--port", "7999"])
    assert done.exit_code == 2 and "salescast data build" in done.output
