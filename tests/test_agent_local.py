"""The real embedded LLM (structured mode: one grammar-constrained routing call per question) on three questions.

Skipped where the runtime or weights are missing. One session and one server for all three; the session warms the
server's prompt cache when it starts, so each question costs its routing call only (seconds on a quiet 2-core box;
the bound below leaves room for a machine shared with other work)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.llm import local_available
from agent.render import OUT_OF_SCOPE

pytestmark = [
    pytest.mark.skipif(not local_available(), reason="embedded LLM runtime or weights not installed"),
    pytest.mark.timeout(900),
]
TURN_SECONDS = 120


@pytest.fixture(scope="module")
def local_session(trained_home: Path):
    from agent import llm_shared
    from agent.session import ChatSession

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SALESCAST_HOME", str(trained_home))
        mp.delenv("OPENAI_BASE_URL", raising=False)
        mp.delenv("OPENAI_API_KEY", raising=False)
        mp.delenv("SALESCAST_LLM", raising=False)
        session = ChatSession("oj", llm="embedded")
        session.wait_ready()
        yield session
    llm_shared.stop_local_llm()


def test_embedded_routes_a_ranking_question(local_session, trained: Path) -> None:
    result = local_session.ask("What sold best last month?")
    assert result.mode == "structured" and result.error is None and result.grounded
    assert [s.name for s in result.tool_calls] == ["sales_query"] and "September 1992" in result.answer
    assert result.seconds < TURN_SECONDS


def test_embedded_forecast_fills_the_horizon(local_session, trained: Path) -> None:
    result = local_session.ask("Forecast Tropicana 64 oz in store 12 for the next 2 weeks.")
    (step,) = result.tool_calls
    assert step.name == "forecast" and step.ok and step.args["horizon"] == 2 and step.args["store"] == "12"
    assert result.grounded and "next 2 weeks" in result.answer and result.seconds < TURN_SECONDS


def test_embedded_out_of_scope_is_the_fixed_reply(local_session, trained: Path) -> None:
    result = local_session.ask("Write a poem about the sea.")
    assert result.tool_calls == [] and result.answer == OUT_OF_SCOPE and result.seconds < TURN_SECONDS


def test_a_routing_reply_cut_at_its_length_limit_is_a_message_not_a_crash(trained: Path) -> None:
    """``ask`` used to die with openai's LengthFinishReasonError when the routing reply hit its token cap."""
    from tests.test_cli import salescast

    small = {"SALESCAST_LOCAL_MODEL": "qwen-0.5b"} if _installed("qwen-0.5b") else {}
    env = {"SALESCAST_ROUTE_MAX_TOKENS": "4", "SALESCAST_LLM": "embedded", **small}
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        done = salescast("ask", "--merchant", "oj", "--json", "What sold best last month?", home=trained)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert "cut off at its length limit (4 tokens)" in result["error"]
    assert "SALESCAST_ROUTE_MAX_TOKENS" in result["answer"] and result["tool_calls"] == []


def _installed(key: str) -> bool:
    from agent import local_llm

    try:
        local_llm.part_paths(local_llm.MODELS[key])
    except local_llm.LocalLLMError:
        return False
    return True
