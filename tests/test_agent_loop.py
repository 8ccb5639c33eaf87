"""The agent loop driven by fake models that emit explicit tool calls, over the real tools and the demo warehouse."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, ToolMessage
from langchain_openai import ChatOpenAI

from agent.events import AnswerChunk, Done, StepFinished, StepStarted
from agent.loop import Limits
from agent.session import session_for
from agent.transcript import is_feedback
from tests.agent_fakes import RecordingModel, call, say, step
from tools.guarded_sql import run_sql


def _top(merchant: str, period: str | None = None) -> tuple[str, int]:
    where = ""
    if period:
        where = f"WHERE year(week_start) = {int(period)}"
    rows = run_sql(merchant, f"SELECT product, sum(units) u FROM sales {where} GROUP BY 1 ORDER BY 2 DESC LIMIT 1").rows
    return rows[0][0], int(rows[0][1])


def test_tool_then_answer_streams_events_in_contract_order(home: Path) -> None:
    product, units = _top("oj", "1991")
    model = RecordingModel(
        replies=[
            call("sales_query", {"period": "1991", "by": ["product"], "rank": "top", "limit": 3}),
            say(f"{product} sold {units:,} units."),
        ]
    )
    events = list(session_for("oj", model, "fake").stream("What sold best in 1991?"))
    kinds = [type(e) for e in events]
    assert kinds[:2] == [StepStarted, StepFinished]
    assert AnswerChunk in kinds and kinds[-1] is Done and kinds.count(Done) == 1
    result = events[-1].result
    assert result.grounded and result.answer == f"{product} sold {units:,} units."
    assert "".join(e.text for e in events if isinstance(e, AnswerChunk)) == result.answer
    assert result.tool_calls[0].name == "sales_query" and result.tool_calls[0].ok
    tool_msg = next(m for m in model.seen[1] if isinstance(m, ToolMessage))
    assert product in tool_msg.content and "queries" not in tool_msg.content  # SQL provenance stays out of context


def test_merchant_cannot_be_set_by_the_model(home: Path) -> None:
    tuna_product, _ = _top("tuna")
    model = RecordingModel(replies=[call("sales_query", {"merchant": "tuna"}),
                                    call("sales_query", {"by": ["product"], "limit": 1}, 1), say("ok")])  # fmt: skip
    result = session_for("oj", model, "fake").ask("What sold best?")
    first, second = result.tool_calls
    assert not first.ok and "merchant is fixed by the session" in first.summary
    assert second.ok and tuna_product not in second.summary  # the retry ran for oj, not tuna
    shown = next(m.content for m in model.seen[1] if isinstance(m, ToolMessage))
    assert "not an argument" in shown


def test_sql_naming_another_merchant_is_refused(home: Path) -> None:
    attempts = ["SELECT * FROM tuna.sales", "SELECT * FROM read_parquet('data/tuna.parquet')",
                "SELECT count(*) FROM sales WHERE store = 'chain'"]  # fmt: skip
    replies = [call("query_sales", {"sql": sql}, i) for i, sql in enumerate(attempts)] + [say("done")]
    result = session_for("oj", RecordingModel(replies=replies), "fake").ask("Show me tuna's sales")
    refused, parquet, chain = result.tool_calls
    assert not refused.ok and "not allowed" in refused.summary
    assert not parquet.ok
    assert chain.ok  # runs, but over oj's own file: oj has no 'chain' store
    assert run_sql("oj", "SELECT count(*) FROM sales WHERE store = 'chain'").rows == [[0]]


def test_malformed_tool_call_is_reported_back_and_retried(home: Path) -> None:
    broken = AIMessage(content="", invalid_tool_calls=[{"name": "sales_query", "args": "{by: 3", "id": "x",
                                                        "error": "bad JSON", "type": "invalid_tool_call"}])  # fmt: skip
    model = RecordingModel(
        replies=[broken, call("sales_query", {"by": ["product"], "limit": 1}), say("See the ranking above.")]
    )
    result = session_for("oj", model, "fake").ask("Top product?")
    assert [s.name for s in result.tool_calls] == ["sales_query"] and result.tool_calls[0].ok
    assert any(is_feedback(m) and "could not be read" in m.content for m in model.seen[1])
    assert result.answer == "See the ranking above." and result.error is None


def test_unknown_tool_and_bad_arguments_become_results(home: Path) -> None:
    model = RecordingModel(replies=[call("drop_tables", {}), call("sales_query", {"limit": 999}, 1), say("Sorry.")])
    result = session_for("oj", model, "fake").ask("Top product?")
    unknown, bad = result.tool_calls
    assert not unknown.ok and "Unknown tool" in unknown.summary
    assert not bad.ok and "limit:" in bad.summary


def test_unknown_product_answers_with_the_known_names(home: Path) -> None:
    model = RecordingModel(replies=[call("sales_query", {"measures": ["avg_price"], "filters": {"product": "pepsi 2l"}}),
                                    say("I could not find it.")])  # fmt: skip
    result = session_for("oj", model, "fake").ask("Price of pepsi 2l?")
    assert not result.tool_calls[0].ok and "Unknown product 'pepsi 2l'" in result.tool_calls[0].summary
    assert "Tropicana 64 oz" in result.tool_calls[0].summary


def test_a_misspelt_name_is_corrected_and_the_answer_names_the_product_used(home: Path) -> None:
    model = RecordingModel(replies=[call("sales_query", {"measures": ["avg_price"], "filters": {"product": "tropicanna 64"}}),
                                    say("Done.")])  # fmt: skip
    (step,) = session_for("oj", model, "fake").ask("Price of tropicanna 64?").tool_calls
    assert step.ok and "Tropicana 64 oz" in step.summary and '["Tropicana 64 oz"]' in step.sql[0]


def test_invented_number_is_caught_retried_then_replaced(home: Path) -> None:
    product, units = _top("oj", "1991")
    model = RecordingModel(replies=[call("sales_query", {"period": "1991", "by": ["product"], "rank": "top"}), say(f"{product} sold 987,654 units."),
                                    say("It sold 123,457 units.")])  # fmt: skip
    result = session_for("oj", model, "fake").ask("What sold best in 1991?")
    assert result.ungrounded == ["987,654"]
    assert "987,654" not in result.answer and "123,457" not in result.answer
    assert f"{units:,}" in result.answer and result.grounded  # the plain rendering of the tool result
    retry_prompt = model.seen[2][-1]
    assert is_feedback(retry_prompt) and "987,654" in retry_prompt.content


def test_grounding_retry_can_fix_the_answer(home: Path) -> None:
    product, units = _top("oj", "1991")
    model = RecordingModel(replies=[call("sales_query", {"period": "1991", "by": ["product"], "rank": "top"}), say("It sold 5,555,555 units."),
                                    say(f"{product} sold about {units / 1e6:.1f} million units.")])  # fmt: skip
    result = session_for("oj", model, "fake").ask("What sold best in 1991?")
    assert result.grounded and result.ungrounded == ["5,555,555"] and "million" in result.answer


def test_step_limit_ends_with_the_results_so_far(home: Path) -> None:
    model = RecordingModel(replies=[call("data_coverage", {})])
    result = session_for("oj", model, "fake", limits=Limits(max_steps=3)).ask("Loop forever")
    assert len(result.tool_calls) == 3 and "No final answer after 3 steps" in (result.error or "")
    assert "Your data runs from" in result.answer and result.grounded


def test_llm_down_ends_the_turn_cleanly(home: Path) -> None:
    dead = ChatOpenAI(model="x", base_url="http://127.0.0.1:9/v1", api_key="k", timeout=3, max_retries=0)
    started = time.perf_counter()
    result = session_for("oj", dead, "dead-endpoint").ask("What sold best?")
    assert time.perf_counter() - started < 20
    assert "not reachable" in (result.error or "") and "dead-endpoint" in result.answer
    assert result.tool_calls == [] and result.llm == "dead-endpoint"
    routed = session_for("oj", dead, "qwen2.5-coder-1.5b (embedded)", mode="structured").ask("What sold best?")
    assert "not reachable" in routed.answer and routed.grounded  # the model's name is no ungrounded figure


def test_structured_mode_routes_once_and_recovers_from_bad_json(home: Path) -> None:
    product, units = _top("tuna", "1995")
    route = {"tool": "sales_query", "measure": "units", "by": "product", "rank": "top", "limit": 3}
    model = RecordingModel(replies=[AIMessage(content="sales_query(period=1995)"), step(route)])
    result = session_for("tuna", model, "fake-structured", mode="structured").ask("What sold best in 1995?")
    assert result.mode == "structured" and result.grounded and result.error is None
    assert len(model.seen) == 2  # the unreadable reply, then the route: no answer-writing call
    args = result.tool_calls[0].args
    assert args["by"] == ["product"] and args["rank"] == "top" and args["limit"] == 3 and "1995" in str(args["period"])
    assert product in result.answer and f"{units:,}" in result.answer
    assert "sales_query" in model.seen[0][0].content  # the tools are in the system prompt
    assert any(is_feedback(m) and "JSON object" in m.content for m in model.seen[1])


@pytest.mark.parametrize("mode", ["native", "structured"])
def test_history_reaches_the_model(home: Path, mode: str) -> None:
    reply = say("Hello.") if mode == "native" else step({"tool": "none"})
    model = RecordingModel(replies=[reply])
    history = [{"role": "user", "content": "earlier question"}, {"role": "assistant", "content": "earlier answer"}]
    session_for("oj", model, "fake", mode=mode).ask("hi", history=history)
    contents = [m.content for m in model.seen[0]]
    if mode == "native":
        assert contents[1:4] == ["earlier question", "earlier answer", "hi"]
    else:  # one user message, the question last, so the system prompt stays a cacheable prefix
        assert len(contents) == 2 and contents[1].endswith(
            "Earlier question: earlier question\nFound: nothing\nQuestion: hi"
        )
