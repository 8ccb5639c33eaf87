"""Sign-ins for the web app: salted scrypt hashes in a private file, demo users, and the users/data CLI."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ui import users
from ui.cli import app
from ui.users import DEMO_USERS, UserError, add_user, ensure_demo_users, load_users, merchant_of, users_path, verify


@pytest.fixture
def users_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "users.json"
    monkeypatch.setenv("SALESCAST_USERS", str(path))
    return path


def test_password_is_checked_against_a_salted_hash_never_stored(users_file: Path) -> None:
    add_user("Alice", "correct horse", "oj")
    add_user("bob", "correct horse", "tuna")
    assert verify("alice", "correct horse") and verify(" ALICE ", "correct horse")
    assert not verify("alice", "correct hors") and not verify("alice", "") and not verify("carol", "correct horse")
    text = users_file.read_text()
    assert "correct horse" not in text
    stored = load_users()
    assert stored["alice"].salt != stored["bob"].salt and stored["alice"].hash != stored["bob"].hash
    assert stat.S_IMODE(users_file.stat().st_mode) == 0o600
    assert json.loads(text)["users"]["alice"]["merchant"] == "oj"


def test_merchant_comes_from_the_user_record(users_file: Path) -> None:
    add_user("alice", "secret-1", "tuna")
    assert merchant_of("alice") == "tuna"
    with pytest.raises(UserError, match="sign in again"):
        merchant_of("mallory")
    with pytest.raises(UserError, match="sign in again"):
        merchant_of(None)


def test_bad_names_and_short_passwords_are_refused(users_file: Path) -> None:
    with pytest.raises(UserError, match="lowercase"):
        add_user("../etc", "secret-1", "oj")
    with pytest.raises(UserError, match="at least"):
        add_user("alice", "123", "oj")
    assert not users_file.exists()


def test_demo_users_are_added_once_and_keep_changed_passwords(users_file: Path) -> None:
    assert ensure_demo_users() == list(DEMO_USERS)
    assert all(verify(name, password) for name, password in DEMO_USERS.items())
    add_user("oj", "a-new-password", "oj")
    assert ensure_demo_users() == []
    assert verify("oj", "a-new-password") and not verify("oj", DEMO_USERS["oj"])


def test_users_file_defaults_to_the_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SALESCAST_USERS", raising=False)
    monkeypatch.setenv("SALESCAST_HOME", str(tmp_path))
    assert users_path() == tmp_path / "users.json"


def test_cli_users_add_and_data_build_create_sign_ins(fresh_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SALESCAST_USERS", raising=False)
    runner = CliRunner()
    added = runner.invoke(app, ["users", "add", "alice", "--merchant", "oj", "--password", "s3cret-pw"])
    assert added.exit_code == 0, added.output
    assert "alice" in added.output and merchant_of("alice") == "oj" and verify("alice", "s3cret-pw")
    unknown = runner.invoke(app, ["users", "add", "eve", "--merchant", "acme", "--password", "s3cret-pw"])
    assert unknown.exit_code == 2 and "Unknown merchant 'acme'" in unknown.output
    built = runner.invoke(app, ["data", "build", "--json"])
    assert built.exit_code == 0, built.output
    assert set(load_users()) == {"alice", *DEMO_USERS} and users.users_path() == fresh_home / "users.json"
