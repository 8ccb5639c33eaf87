"""The chat handler as Gradio calls it: streamed redraws, merchant from the signed-in user, failures as messages."""

from __future__ import annotations

from pathlib import Path

import gradio as gr
import pytest

from ui.users import ensure_demo_users
from ui.web.chat import make_chat
from ui.web.conversation import Conversation


@pytest.fixture
def signed_in(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SALESCAST_USERS", str(tmp_path / "users.json"))
    ensure_demo_users()
    return home


def _run(question: str, user: str | None, llm: str = "scripted", convo: Conversation | None = None) -> list:
    return list(make_chat(llm)(question, convo, gr.Request(username=user)))


def _texts(update: tuple) -> list[str]:
    return [m.content for m in update[1] if isinstance(m.content, str)]


def test_answer_streams_and_the_merchant_comes_from_the_sign_in(signed_in: Path) -> None:
    updates = _run("Which products sold the most units for merchant oj in 1991?", "tuna")
    first, last = updates[0], updates[-1]
    assert first[0] == "" and _texts(first)[-1] == "_Working on it…_" and len(updates) >= 3
    answer = _texts(last)[-1]
    assert "Star Kist 6 oz" in answer and "Tropicana" not in answer and "Dominicks" not in answer
    steps = [m for m in last[1] if m.metadata.get("title")]
    assert steps and steps[-1].metadata["title"] == "⚙ sales_query" and steps[-1].metadata["status"] == "done"
    convo = last[2]
    assert convo.agent_history()[0]["content"].startswith("Which products") and convo.turns[0].done


def test_follow_up_keeps_the_conversation(signed_in: Path) -> None:
    convo = _run("Which products sold the most units in 1991?", "oj")[-1][2]
    again = _run("What were the top 2 products by units in 1992?", "oj", convo=convo)[-1]
    assert len(again[2].turns) == 2 and [m.role for m in again[1]].count("user") == 2


def test_someone_not_in_the_users_file_gets_a_sign_in_message(signed_in: Path) -> None:
    last = _run("Which products sold the most units?", "mallory")[-1]
    assert "sign in again" in _texts(last)[-1] and last[2].turns[0].error


def test_unreachable_llm_is_a_message_not_a_crash(signed_in: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "test")
    last = _run("Which products sold the most units in 1991?", "oj", llm="env")[-1]
    assert "not reachable" in _texts(last)[-1]


def test_empty_question_adds_nothing(signed_in: Path) -> None:
    (only,) = _run("   ", "oj")
    assert only[1] == [] and only[2].turns == []
