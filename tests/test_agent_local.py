"""The real embedded LLM (structured mode, grammar-constrained) on a few questions; skipped where it cannot run.

Slow on 2 CPU cores (a minute or more per question), so only a few, sharing one session and one server."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.llm import local_available

pytestmark = [
    pytest.mark.skipif(not local_available(), reason="embedded LLM runtime or weights not installed"),
    pytest.mark.timeout(1800),
]


@pytest.fixture(scope="module")
def local_session(trained_home: Path):
    from agent import local_llm
    from agent.session import ChatSession

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SALESCAST_HOME", str(trained_home))
        mp.delenv("OPENAI_BASE_URL", raising=False)
        mp.delenv("OPENAI_API_KEY", raising=False)
        mp.delenv("SALESCAST_LLM", raising=False)
        yield ChatSession("oj", llm="embedded")
    local_llm.stop_local_llm()


def test_embedded_picks_tools_and_answers_grounded(local_session, trained: Path) -> None:
    result = local_session.ask("What sold best last month?")
    assert result.mode == "structured" and result.error is None
    assert [s.name for s in result.tool_calls][:1] in (["top_items"], ["query_sales"])
    assert result.grounded


def test_embedded_forecast(local_session, trained: Path) -> None:
    result = local_session.ask("Forecast Tropicana 64 oz in store 12 for the next 2 weeks.")
    assert "forecast" in [s.name for s in result.tool_calls] and result.grounded


def test_embedded_out_of_scope_uses_no_numbers(local_session, trained: Path) -> None:
    result = local_session.ask("Write a poem about the sea.")
    assert result.grounded and result.error is None
