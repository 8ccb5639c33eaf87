"""Sign-ins for the web app: salted scrypt hashes in a private file, demo users only for the demo, the users CLI."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ui import users
from ui.cli import app
from ui.users import (
    DEMO_USERS,
    UserError,
    add_user,
    demo_mode,
    ensure_demo_users,
    is_demo_password,
    load_users,
    merchant_of,
    remove_user,
    users_path,
    verify,
    working_demo_users,
)


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
    assert set(load_users()) == {"alice"} and users.users_path() == fresh_home / "users.json"  # no demo users added


def test_data_build_on_a_fresh_install_creates_the_demo_sign_ins(fresh_home: Path, users_file: Path) -> None:
    built = CliRunner().invoke(app, ["data", "build", "--json"])
    assert built.exit_code == 0, built.output
    assert set(load_users()) == set(DEMO_USERS) and working_demo_users() == DEMO_USERS


def test_demo_users_are_not_added_beside_real_users_unless_forced(users_file: Path) -> None:
    add_user("alice", "s3cret-pw", "oj")
    assert ensure_demo_users() == [] and set(load_users()) == {"alice"}
    assert ensure_demo_users(["tuna"], force=True) == ["tuna"] and set(load_users()) == {"alice", "tuna"}


def test_demo_mode_is_on_only_for_a_fresh_install_unless_asked(users_file: Path) -> None:
    assert demo_mode(None, ["oj", "tuna"]) and not demo_mode(None, ["acme"])  # no demo merchant served
    ensure_demo_users()
    assert demo_mode(None, ["oj", "tuna"])  # only the demo users exist
    add_user("alice", "s3cret-pw", "oj")
    assert not demo_mode(None, ["oj", "tuna"]) and demo_mode(True, ["oj"]) and not demo_mode(False, ["oj"])
    assert (
        is_demo_password("OJ ", "oj-demo")
        and not is_demo_password("oj", "oj-dem")
        and not is_demo_password("alice", "oj-demo")
    )


def test_changed_demo_passwords_are_not_advertised(users_file: Path) -> None:
    ensure_demo_users()
    add_user("oj", "a-new-password", "oj")
    assert working_demo_users() == {"tuna": "tuna-demo"}


def test_users_remove_and_list(home: Path, users_file: Path) -> None:
    ensure_demo_users()
    add_user("alice", "s3cret-pw", "tuna")
    runner = CliRunner()
    listed = runner.invoke(app, ["users", "list"])
    assert listed.exit_code == 0 and "alice: merchant tuna" in listed.output and "oj: merchant oj" in listed.output
    assert "s3cret" not in listed.output and "demo" not in listed.output
    for name in DEMO_USERS:
        removed = runner.invoke(app, ["users", "remove", name])
        assert removed.exit_code == 0 and "can no longer sign in" in removed.output
    assert set(load_users()) == {"alice"} and not verify("oj", "oj-demo")
    missing = runner.invoke(app, ["users", "remove", "oj"])
    assert missing.exit_code == 2 and "There is no user 'oj'" in missing.output and "alice" in missing.output
    with pytest.raises(UserError, match="no user"):
        remove_user("mallory")
