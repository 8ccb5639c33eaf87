"""Structured mode on the semantic design: the linker reads the question, one constrained routing call picks the
tool and the query's shape, the plan fills every name and period from the linker, the answer is rendered.

A recording fake model plays the router (its replies are given here); tools, tenant files and models are real.
"""

from __future__ import annotations

import json
from pathlib import Path

from agent.render import OUT_OF_SCOPE
from agent.routing.prompt import GENERIC
from agent.routing.schema import NONE, reply_schema
from agent.session import session_for
from tests.agent_fakes import RecordingModel, step
from tools.agent_tools_base import number
from tools.guarded_sql import run_sql
from tools.semantic.model import semantic_model


def _session(merchant: str, *replies: dict) -> tuple:
    model = RecordingModel(replies=[step(r) for r in replies])
    return session_for(merchant, model, "fake-structured", mode="structured"), model


def _sales(measure: str = "units", by: str = NONE, rank: str = NONE, limit: int | None = None) -> dict:
    return {"tool": "sales_query", "measure": measure, "by": by, "rank": rank, "limit": limit}


def _one(sql: str, merchant: str = "oj") -> object:
    return run_sql(merchant, sql).rows[0][0]


def test_reply_schema_offers_only_the_merchants_terms(home: Path) -> None:
    oj, tuna = semantic_model("oj"), semantic_model("tuna")
    sales = reply_schema([m.name for m in tuna.measures], [d.name for d in tuna.dimensions])["schema"]["anyOf"][0]
    measures = sales["properties"]["measure"]["enum"]
    assert "weeks_on_display" in measures and "weeks_on_deal" not in measures  # tuna records display only
    assert "price_tier" in [d.name for d in oj.dimensions] and "price_tier" not in sales["properties"]["by"]["enum"]
    assert sales["required"] == ["tool", "measure", "by", "rank", "limit"] and sales["additionalProperties"] is False


def test_prompt_is_stable_and_the_question_brings_examples_and_what_was_found(home: Path) -> None:
    session, model = _session("oj", _sales(), _sales())
    session.ask("In how many weeks was Tropicana 64 oz on deal at store 5 in 1992?")
    session.ask("What share of revenue came from store 12 last year?")
    first, second = model.seen
    assert first[0].content == second[0].content and first[0].content.startswith(GENERIC)
    user = first[-1].content
    assert "Found: store 5; Tropicana 64 oz; 1992; with deal" in user and user.endswith("Question: In how many weeks was "
                                                                              "Tropicana 64 oz on deal at store 5 in 1992?")  # fmt: skip
    examples = user.split("Found:")[0].strip().splitlines()
    assert '"weeks_on_deal"' in examples[-1]  # the nearest example is the last one, next to the question
    assert '"share_revenue"' in second[-1].content.split("Found:")[0].strip().splitlines()[-1]


def test_brand_ranking_is_one_call_answered_with_the_datas_numbers(home: Path) -> None:
    session, model = _session("oj", _sales(by="brand", rank="top", limit=1))
    result = session.ask("Which brand sells the most juice?")
    top = run_sql("oj", "SELECT p.brand, sum(s.units) FROM sales s JOIN products p USING (product) "
                  "GROUP BY 1 ORDER BY 2 DESC LIMIT 1").rows[0]  # fmt: skip
    assert len(model.seen) == 1 and [s.name for s in result.tool_calls] == ["sales_query"]
    assert result.tool_calls[0].args["filters"] == {}  # "juice" is everything oj sells, not a product
    assert top[0] in result.answer and number(top[1]) in result.answer and result.grounded


def test_share_divides_by_the_scope_without_the_named_product(home: Path) -> None:
    session, _ = _session("oj", _sales("share_units"))
    result = session.ask("What share of our units was Tropicana Premium 64 oz in 1992?")
    share = _one("SELECT round(100.0 * sum(units) FILTER (WHERE product = 'Tropicana Premium 64 oz') / sum(units), 2) "
                 "FROM sales WHERE year(week_start) = 1992")  # fmt: skip
    assert f"{share:.2f}%" in result.answer and result.grounded


def test_holiday_week_against_the_week_before(home: Path) -> None:
    session, _ = _session("oj", _sales())
    result = session.ask("Did Easter week 1992 beat the week before it?")
    args = result.tool_calls[0].args
    week = _one("SELECT week_start FROM calendar WHERE event = 'Easter' AND year(week_start) = 1992")
    assert args["period"]["start"] == str(week) and args["compare_to"]["end"] < args["period"]["start"]
    easter = _one(f"SELECT sum(units) FROM sales WHERE week_start = DATE '{week}'")
    before = _one(f"SELECT sum(units) FROM sales WHERE week_start = DATE '{week}' - INTERVAL 7 DAY")
    assert number(easter) in result.answer and number(before) in result.answer


def test_a_count_of_deal_weeks_at_one_store(home: Path) -> None:
    session, _ = _session("oj", _sales("weeks_on_deal", by="store"))
    result = session.ask("In how many weeks was Tropicana 64 oz on deal at store 5 in 1992?")
    weeks = _one("SELECT count(*) FROM sales WHERE product = 'Tropicana 64 oz' AND store = '5' AND deal > 0 "
                 "AND year(week_start) = 1992")  # fmt: skip
    assert result.tool_calls[0].args["by"] == []  # a breakdown by the one store asked about is dropped
    assert f"{weeks} weeks on deal" in result.answer


def test_a_brand_with_two_sizes_is_forecast_for_each(trained: Path) -> None:
    session, _ = _session("oj", {"tool": "forecast"})
    result = session.ask("How many Minute Maid will store 12 sell next week?")
    assert [(s.name, s.args["product"], s.args["horizon"]) for s in result.tool_calls] == [
        ("forecast", "Minute Maid 64 oz", 1), ("forecast", "Minute Maid 96 oz", 1)]  # fmt: skip
    assert "Minute Maid 64 oz" in result.answer and "Minute Maid 96 oz" in result.answer and result.grounded


def test_an_absolute_price_and_a_long_horizon_come_from_the_question(trained: Path) -> None:
    session, _ = _session("oj", {"tool": "what_if"})
    result = session.ask("What happens to Tropicana 64 oz at store 5 if we drop the price to $1.99?")
    assert result.tool_calls[0].args == {"product": "Tropicana 64 oz", "store": "5", "price": "1.99", "weeks": "1"}
    assert "1.99" in result.answer
    session, _ = _session("oj", {"tool": "forecast"})
    result = session.ask("Forecast Tropicana 64 oz at store 5 over the next quarter.")
    assert result.tool_calls[0].args["horizon"] == 8 and result.answer.startswith("Forecasts reach 8 weeks ahead")


def test_none_is_out_of_scope_without_a_tool(home: Path) -> None:
    session, _ = _session("oj", {"tool": NONE})
    result = session.ask("Write a poem about oranges.")
    assert result.answer == OUT_OF_SCOPE and result.tool_calls == []


def test_free_sql_is_not_a_choice_and_the_semantic_query_answers(home: Path) -> None:
    bad = {"tool": "query_sales", "sql": "SELECT nope FROM stores"}
    assert "query_sales" not in json.dumps(reply_schema(["units"], ["store"]))  # the grammar never offers it
    session, model = _session("oj", bad, _sales(measure="stores_selling"))  # a model not held by a grammar
    result = session.ask("How many stores are in Glenview?")
    assert len(model.seen) == 2 and "sales_query" in model.seen[1][-1].content
    assert [(s.name, s.ok) for s in result.tool_calls] == [("sales_query", True)]
    assert result.tool_calls[0].args["filters"] == {"city": ["Glenview"]}
    assert str(_one("SELECT count(*) FROM stores WHERE city = 'Glenview'")) in result.answer


def test_a_forecast_chosen_for_a_past_period_is_routed_again_without_the_future_tools(home: Path) -> None:
    forecast = {"tool": "forecast"}
    session, model = _session("oj", forecast, _sales(measure="weeks_on_feature"))
    result = session.ask("How many weeks was Minute Maid 64 oz in the ad at store 12 during 1991?")
    assert len(model.seen) == 2 and "past period" in model.seen[1][-1].content
    (step,) = result.tool_calls
    expected = _one("SELECT count(DISTINCT week_start) FROM sales WHERE product = 'Minute Maid 64 oz' AND store = '12' "
                    "AND feature > 0 AND year(week_start) = 1991")  # fmt: skip
    assert step.name == "sales_query" and f"{expected} weeks in the ad" in result.answer


def test_a_forecast_with_a_price_cut_is_a_what_if(home: Path) -> None:
    session, _ = _session("tuna", {"tool": "forecast"})
    result = session.ask(
        "If we cut the price of Star Kist 6 oz by 15% for the next 3 weeks, how many more would we sell?"
    )
    (step,) = result.tool_calls
    assert step.name == "what_if" and step.args["price"] == "-15%" and step.args["weeks"] == "1-3"


def test_an_unreadable_reply_is_asked_again(home: Path) -> None:
    model = RecordingModel(replies=[step({"tool": "dance"}), step(_sales(by="store", rank="top", limit=3))])
    session = session_for("oj", model, "fake-structured", mode="structured")
    result = session.ask("top 3 stores by units?")
    assert len(model.seen) == 2 and result.tool_calls[0].args["limit"] == 3 and result.grounded


def test_a_short_follow_up_borrows_the_product_and_store(trained: Path) -> None:
    session, _ = _session("oj", {"tool": "explain_forecast"})
    history = [{"role": "user", "content": "Forecast Tropicana 64 oz in store 12 next week"},
               {"role": "assistant", "content": "About 1,000 units."}]  # fmt: skip
    result = session.ask("Why?", history)
    assert result.tool_calls[0].args["product"] == "Tropicana 64 oz" and result.tool_calls[0].args["store"] == "12"


def test_a_forecast_without_a_product_is_made_for_the_best_sellers(trained: Path) -> None:
    session, _ = _session("oj", {"tool": "forecast"})
    result = session.ask("What will store 5 sell next week?")
    top = run_sql("oj", "SELECT product FROM sales WHERE store = '5' AND week_start > (SELECT max(week_start) FROM "
                        "sales) - INTERVAL 56 DAY GROUP BY 1 ORDER BY sum(units) DESC LIMIT 3").rows  # fmt: skip
    assert [c.args["product"] for c in result.tool_calls] == [r[0] for r in top]
    assert result.answer.startswith("You named no product, so this is for your best sellers at store 5 lately:")
    assert result.grounded
    session, _ = _session("oj", {"tool": "generate_report"})
    result = session.ask("Put together a PDF report on the juice forecasts for store 5.")
    assert [c.args["product"] for c in result.tool_calls] == [top[0][0]] and result.tool_calls[0].args[
        "format"
    ] == "pdf"
