"""Structured mode for small models: one constrained routing call per turn, the answer rendered from the tool."""

from __future__ import annotations

from pathlib import Path

from agent.render import ERROR_LEAD, OUT_OF_SCOPE
from agent.route_prompt import GENERIC, route_system
from agent.route_schema import NONE, route_schema
from agent.session import session_for
from tests.agent_fakes import RecordingModel, step
from tools.agent_tools import build_tools
from tools.guarded_sql import run_sql


def _session(merchant: str, *replies: dict) -> tuple:
    model = RecordingModel(replies=[step(r) for r in replies])
    return session_for(merchant, model, "fake-structured", mode="structured"), model


def test_schema_has_one_branch_per_tool_with_required_args_and_none(home: Path) -> None:
    tools = build_tools("oj")
    branches = route_schema(tools)["schema"]["anyOf"]
    by_tool = {b["properties"]["tool"]["enum"][0]: b for b in branches}
    assert set(by_tool) == {t.name for t in tools} | {NONE}
    forecast = by_tool["forecast"]["properties"]["args"]
    assert forecast["required"] == ["product", "store", "horizon"] and forecast["additionalProperties"] is False
    assert forecast["properties"]["horizon"] == {"type": "integer"}  # the model must write it: "next week" = 1
    assert {"type": "null"} in forecast["properties"]["store"]["anyOf"]
    assert "start" not in by_tool["top_items"]["properties"]["args"]["properties"]  # periods are phrases


def test_prompt_is_stable_and_shares_its_start_across_merchants(home: Path) -> None:
    oj, tuna = route_system("oj"), route_system("tuna")
    assert oj.startswith(GENERIC) and tuna.startswith(GENERIC) and oj != tuna
    assert "week of 1992-10-01" in oj and "last month = September 1992" in oj and "83 stores" in oj
    assert "store is always null" in tuna
    last = run_sql("oj", "SELECT product FROM products LIMIT 1").rows[0][0]
    assert last not in oj  # data values never enter the prompt
    session, model = _session("oj", {"tool": NONE})
    session.ask("first?")
    session.ask("second?")
    first, second = model.seen
    assert first[0].content == second[0].content == oj and second[-1].content == "Question: second?"


def test_forecast_is_one_call_and_a_rendered_grounded_answer(trained: Path) -> None:
    route = {"tool": "forecast", "args": {"product": "Tropicana 64 oz", "store": "12", "horizon": 2}}
    session, model = _session("oj", route)
    result = session.ask("Forecast Tropicana 64 oz in store 12 for the next 2 weeks.")
    assert len(model.seen) == 1 and [s.name for s in result.tool_calls] == ["forecast"]
    assert result.grounded and result.error is None and result.artifacts[0].kind == "chart"
    assert "Tropicana 64 oz in store 12 should sell about" in result.answer and "next 2 weeks" in result.answer


def test_unknown_name_is_answered_with_suggestions_without_a_retry(trained: Path) -> None:
    route = {"tool": "forecast", "args": {"product": "tropicanna 64", "store": "12", "horizon": 4}}
    session, model = _session("oj", route)
    result = session.ask("Forecast tropicanna 64 in store 12")
    assert len(model.seen) == 1 and not result.tool_calls[0].ok
    assert result.answer.startswith(ERROR_LEAD) and "Unknown product 'tropicanna 64'" in result.answer
    assert "Did you mean" in result.answer and "Tropicana 64 oz" in result.answer


def test_bad_sql_gets_one_retry_with_the_error(home: Path) -> None:
    bad = {"tool": "query_sales", "args": {"sql": "SELECT city FROM shops"}}
    good = {"tool": "query_sales", "args": {"sql": "SELECT count(*) AS n FROM stores WHERE price_tier = 'High'"}}
    session, model = _session("oj", bad, good)
    result = session.ask("How many of my stores are in the High price tier?")
    expected = run_sql("oj", good["args"]["sql"]).rows[0][0]
    assert len(model.seen) == 2 and [s.ok for s in result.tool_calls] == [False, True]
    assert "That failed" in model.seen[1][-1].content and result.answer == f"Result: n = {expected}."


def test_routing_stops_after_three_calls(home: Path) -> None:
    session, model = _session("oj", {"tool": "top_items", "args": {"n": 999}})
    result = session.ask("Top product?")
    assert len(model.seen) == 3 and len(result.tool_calls) == 3 and not result.tool_calls[-1].ok
    assert "Invalid arguments" in result.answer


def test_out_of_scope_is_a_fixed_reply(home: Path) -> None:
    session, model = _session("oj", {"tool": NONE})
    result = session.ask("Write me a poem about orange juice.")
    assert result.answer == OUT_OF_SCOPE and result.tool_calls == [] and result.grounded and len(model.seen) == 1


def test_report_answer_names_the_file_not_the_server_path(trained: Path) -> None:
    route = {"tool": "generate_report", "args": {"product": "Tropicana 64 oz", "store": "12", "format": "html"}}
    session, _ = _session("oj", route)
    result = session.ask("Give me a report on Tropicana 64 oz in store 12.")
    (artifact,) = result.artifacts
    assert result.tool_calls[0].args["question"] == "Give me a report on Tropicana 64 oz in store 12."
    assert Path(artifact.path).name in result.answer and str(trained) not in result.answer
    assert result.answer.startswith("Your report is ready")


def test_sql_that_finds_nothing_gets_one_retry_with_the_questions_dates(home: Path) -> None:
    empty = {
        "tool": "query_sales",
        "args": {"sql": "SELECT sum(units) FROM sales WHERE week_start = DATE '1992-08-01'"},
    }
    good = {"tool": "query_sales", "args": {"sql": "SELECT sum(units) AS n FROM sales WHERE week_start BETWEEN "
                                                   "DATE '1992-08-01' AND DATE '1992-08-31'"}}  # fmt: skip
    session, model = _session("oj", empty, good)
    result = session.ask("How many units did I sell in August 1992?")
    expected = run_sql("oj", good["args"]["sql"]).rows[0][0]
    assert len(model.seen) == 2 and "found no data" in model.seen[1][-1].content
    assert "August 1992 = 1992-08-01 to 1992-08-31" in model.seen[1][-1].content
    assert result.answer == f"Result: n = {expected}."


def test_sql_rows_are_counted_in_the_answer(home: Path) -> None:
    route = {"tool": "query_sales", "args": {"sql": "SELECT store FROM stores WHERE price_tier = 'Low' ORDER BY 1"}}
    session, _ = _session("oj", route)
    result = session.ask("How many Low price tier stores are there?")
    expected = run_sql("oj", "SELECT count(*) FROM stores WHERE price_tier = 'Low'").rows[0][0]
    assert result.answer.startswith(f"Result ({expected} rows):")
