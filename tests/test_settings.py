"""Every setting is declared once (``forecasting.settings``), read at call time, listed by ``salescast settings``
and in the README's table, and a bad value fails with the variable's name."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.loop import Limits
from forecasting import paths, threads
from forecasting.settings import Settings, SettingsError, markdown_table, settings, variable
from ui.cli import app

README = Path(__file__).resolve().parents[1] / "README.md"
ROOTS = ("agent", "tools", "forecasting", "ui")


def test_the_readme_lists_every_setting_as_declared() -> None:
    assert markdown_table() in README.read_text()


def test_no_module_reads_a_salescast_variable_itself() -> None:
    """Only the settings module and the embedded server process (it imports nothing of salescast) read them."""
    base = README.parent
    allowed = {base / "forecasting" / "settings.py", base / "agent" / "local_server.py"}
    pattern = re.compile(r"(environ(\.get)?\(|getenv\()\s*[\"']SALESCAST_")
    readers = [p for root in ROOTS for p in (base / root).rglob("*.py") if pattern.search(p.read_text())]
    assert set(readers) <= allowed


def test_settings_are_read_when_asked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SALESCAST_HOME", str(tmp_path))
    monkeypatch.setenv("SALESCAST_AGENT_STEPS", "3")
    monkeypatch.setenv("SALESCAST_THREADS", "2")
    assert paths.home() == tmp_path and Limits().max_steps == 3 and threads.threads_for() == 2
    monkeypatch.setenv("SALESCAST_TOOL_MODE", "")  # empty is unset
    assert settings().tool_mode is None


@pytest.mark.parametrize(("name", "value"), [("SALESCAST_AGENT_STEPS", "many"), ("SALESCAST_TOOL_MODE", "clever"),
                                             ("SALESCAST_LLM_IDLE_S", "-5")])  # fmt: skip
def test_a_bad_value_names_the_variable(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=rf"{name}='{re.escape(value)}'"):
        settings()
    result = CliRunner().invoke(app, ["settings"])
    assert result.exit_code == 2 and name in result.output


def test_salescast_settings_lists_values_and_hides_secrets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SALESCAST_HOME", str(tmp_path))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret")
    result = CliRunner().invoke(app, ["settings", "--json"])
    assert result.exit_code == 0
    listed = json.loads(result.output)
    assert set(listed) == {variable(f) for f in Settings.model_fields}
    assert listed["SALESCAST_HOME"] == str(tmp_path) and listed["OPENAI_API_KEY"] == "(set)"
    assert "sk-secret" not in CliRunner().invoke(app, ["settings"]).output
