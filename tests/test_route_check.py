"""The routed call keeps only what the merchant's words support (``agent.route_check``)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from agent.drivers import Call
from agent.render import NOT_ROUTED, OUT_OF_SCOPE
from agent.route_check import CallChecker, Checked, Vocabulary, vocabulary
from agent.route_cues import mentioned
from agent.route_periods import period_spans
from agent.route_schema import NONE, route_schema
from agent.router import parse_route
from agent.session import session_for
from tests.agent_fakes import RecordingModel, step
from tools.analytics_core import DataRange

OJ_RANGE = DataRange(first_week=date(1990, 6, 14), last_week=date(1992, 10, 1), last_day=date(1992, 10, 7))
PRODUCTS = ("Florida's Natural 64 oz", "Minute Maid 64 oz", "Tropicana 64 oz", "Tropicana Premium 64 oz")
STORES = tuple(str(i) for i in range(1, 84))  # 83 stores, like oj
CHECKER = CallChecker(Vocabulary(OJ_RANGE, PRODUCTS, ("city", "price_tier", "zone"), ("Chicago", "High"), STORES))
CHAIN = CallChecker(Vocabulary(OJ_RANGE, PRODUCTS, (), (), ("chain",)))


def _check(question: str, name: str, args: dict, context: str | None = None) -> Checked:
    return CHECKER.check(Call(name, args, "c1"), question, context or f"Question: {question}")


def _args(question: str, name: str, args: dict) -> dict:
    call = _check(question, name, args).call
    assert call is not None, question
    return call.args


def test_a_period_the_question_never_hints_at_is_dropped() -> None:
    args = _args(
        "Do deals work for Tropicana 64 oz?", "promotion_effect", {"product": "Tropicana 64 oz", "period": "last month"}
    )
    assert args == {"product": "Tropicana 64 oz"}


@pytest.mark.parametrize(
    ("question", "model_wrote", "runs"),
    [
        ("Top sellers last month?", "last month", "last month"),
        ("What were my 3 weakest stores by units in 1992?", "1992-06-14", "1992"),
        ("Sales from June to August 1992 please", "1992-06-01", "June to August 1992"),
        ("What sold best in September?", "September 1992", "September 1992"),  # same dates: the model's words stay
        ("Best stores over the past two weeks", "last 2 weeks", "last 2 weeks"),
    ],
)
def test_the_period_run_is_the_one_the_question_names(question: str, model_wrote: str, runs: str) -> None:
    assert _args(question, "top_items", {"by": "store", "period": model_wrote})["period"] == runs


def test_compare_periods_takes_both_periods_from_the_question_earlier_first() -> None:
    args = _args("How did sales in July 1992 compare with July 1991?", "compare_periods",
                 {"period_a": "now", "period_b": "1992-07-01"})  # fmt: skip
    assert (args["period_a"], args["period_b"]) == ("July 1991", "July 1992")
    kept = _args("Compare 1991 with 1992", "compare_periods", {"period_a": "1991", "period_b": "1992"})
    assert (kept["period_a"], kept["period_b"]) == ("1991", "1992")
    missing = _check(
        "Do displays help Geisha 6 oz?", "compare_periods", {"period_a": "last month", "period_b": "this year"}
    )
    assert missing.call is None and "two periods" in (missing.problem or "")


def test_a_follow_up_keeps_the_period_of_the_earlier_exchange() -> None:
    context = "Earlier user: What sold best last month?\nEarlier assistant: ...\nQuestion: And by revenue?"
    checked = _check("And by revenue?", "top_items", {"metric": "revenue", "period": "last month"}, context)
    assert checked.call is not None and checked.call.args["period"] == "last month"


def test_period_spans_skip_verbs_and_prefer_the_longest_reading() -> None:
    spans = period_spans("May I see top sellers in May 1992 and since March?", OJ_RANGE)
    assert [s.phrase for s in spans] == ["May 1992", "since March"]
    assert period_spans("Forecast Tropicana 64 oz in store 12 next week", OJ_RANGE) == []


@pytest.mark.parametrize(
    ("question", "kept"),
    [
        ("What if I run a deal on Tropicana 64 oz in store 5 next week?", {"deal"}),
        ("What happens if I feature Tropicana 64 oz in the weekly ad?", {"feature"}),
        ("What if I cut the price of Tropicana 64 oz by 10%?", {"price"}),
        ("What if I put Tropicana 64 oz on deal and in the flyer at 10% off?", {"price", "deal", "feature"}),
    ],
)
def test_what_if_keeps_only_the_levers_named(question: str, kept: set[str]) -> None:
    args = _args(question, "what_if", {"product": "Tropicana 64 oz", "price": "-10%", "deal": True, "feature": True})
    assert {k for k in ("price", "deal", "feature") if k in args} == kept


def test_what_if_switches_on_the_named_lever_when_the_model_chose_another() -> None:
    args = _args("How much extra would Tropicana 64 oz sell in the weekly ad?", "what_if",
                 {"product": "Tropicana 64 oz", "price": "-10%", "weeks": "1"})  # fmt: skip
    assert args["feature"] is True and "price" not in args
    cut = _args("What if Tropicana 64 oz were 15% cheaper?", "what_if", {"product": "Tropicana 64 oz", "deal": True})
    assert cut["price"] == "-15%" and "deal" not in cut


def test_a_chart_of_past_weeks_is_a_sales_trend() -> None:
    route = {"kind": "forecast", "product": "Tropicana 64 oz", "period": "last 8 weeks"}
    assert (
        _args("Plot weekly Tropicana 64 oz sales for the past 8 weeks.", "make_chart", route)["kind"] == "sales_trend"
    )
    assert _args("Chart the Tropicana 64 oz forecast", "make_chart", route)["kind"] == "forecast"


def test_what_if_with_no_lever_named_keeps_the_models_choice() -> None:
    assert _args("What if I push Tropicana 64 oz next week?", "what_if", {"product": "Tropicana 64 oz", "deal": True})[
        "deal"
    ]


def test_report_format_follows_the_question() -> None:
    route = {"product": "Tropicana 64 oz", "format": "pdf"}
    assert _args("Give me a report on Tropicana 64 oz", "generate_report", route)["format"] == "html"
    assert _args("A PDF report on Tropicana 64 oz please", "generate_report", route)["format"] == "pdf"


@pytest.mark.parametrize(
    ("question", "name", "args", "reason"),
    [
        (
            "Write a poem about orange juice.",
            "generate_report",
            {"product": "orange juice"},
            "does not ask for a report",
        ),
        ("How many units next week?", "make_chart", {"kind": "forecast"}, "a chart"),
        (
            "Who won the World Series in 1992?",
            "compare_periods",
            {"period_a": "1991", "period_b": "1992"},
            "not compare",
        ),
        (
            "Who won the World Series in 1992?",
            "forecast",
            {"product": "baseball", "horizon": 4},
            "'baseball'",
        ),
        (
            "If I drop the price of Tropicana 64 oz by 15% next week?",
            "compare_periods",
            {"period_a": "now", "period_b": "next week"},
            "coming weeks",
        ),
        ("Which zone has the most stores?", "data_coverage", {}, "query_sales"),
        ("How many of my stores are in Chicago?", "data_coverage", {}, "Chicago"),
        ("Do deals work at store 12?", "data_coverage", {}, "what data there is"),
        ("List my products.", "top_items", {"by": "product"}, "a ranking or a total"),
        ("How much do displays add for Tropicana 64 oz?", "price_history", {"product": "Tropicana 64 oz"}, "prices"),
        ("What did Tropicana 64 oz cost in 1991?", "promotion_effect", {"product": "Tropicana 64 oz"}, "promotions"),
        (
            "If I put Tropicana 64 oz in the weekly flyer next week, how would sales change?",
            "forecast",
            {"product": "Tropicana 64 oz", "horizon": 1},
            "use what_if",
        ),
        ("Show yearly totals of my sales.", "top_items", {"by": "store", "period": "this year"}, "sales_trend"),
        ("How many stores are in the High price tier?", "data_coverage", {}, "price tier"),
    ],
)
def test_calls_that_do_not_fit_the_question_go_back_with_a_reason(
    question: str, name: str, args: dict, reason: str
) -> None:
    checked = _check(question, name, args)
    assert checked.call is None and reason in (checked.problem or "")


def test_names_come_from_the_question() -> None:
    args = _args("How much Florida's Natural 64 oz will store 8 sell?", "forecast",
                 {"product": "Natural 64 oz", "store": "Florida", "horizon": 4})  # fmt: skip
    assert args == {"product": "Florida's Natural 64 oz", "store": "8", "horizon": 4}
    longer = _args("Monthly Tropicana 64 oz sales in 1991?", "sales_trend", {"product": "Monthly Tropicana 64 oz"})
    assert longer["product"] == "Tropicana 64 oz"
    assert "store" not in _args("Forecast Tropicana 64 oz", "forecast", {"product": "Tropicana 64 oz", "store": "5"})
    assert "store" not in _args(
        "Price of Tropicana 64 oz", "price_history", {"product": "Tropicana 64 oz", "store": "null"}
    )
    assert mentioned("Tropicana 64 oz", "how is tropicanna 64 doing") and not mentioned(
        "Tropicana 64 oz", "64 oz juice"
    )


def test_a_chain_level_merchant_ranks_products_not_its_one_store() -> None:
    call = CHAIN.check(Call("top_items", {"by": "store", "metric": "revenue"}, "c"), "What made the most money?", "")
    assert call.call is not None and call.call.args["by"] == "product"


@pytest.mark.parametrize(
    ("question", "by"),
    [
        ("Which store sells the most Tropicana 64 oz?", "store"),
        ("Where does Tropicana 64 oz sell best?", "store"),
        ("Name my two biggest sellers in August 1992.", "product"),
        ("Top 10 stores by revenue this year?", "store"),
        ("Which products sold best in store 12?", "product"),
        ("What sold best last month?", "model's"),
    ],
)
def test_the_ranking_is_of_what_the_question_names(question: str, by: str) -> None:
    args = _args(
        question, "top_items", {"by": "model's", "product": "Tropicana 64 oz" if "Tropicana" in question else None}
    )
    assert args["by"] == by


def test_worst_words_rank_the_weakest_first() -> None:
    assert _args("Bottom 5 stores by revenue in 1991?", "top_items", {"by": "store", "rank": "best"})["rank"] == "worst"
    assert _args("Top 5 stores by revenue in 1991?", "top_items", {"by": "store", "rank": "best"})["rank"] == "best"


def test_a_store_the_question_names_is_filled_in() -> None:
    args = _args("How much Tropicana 64 oz should store 21 order for next week?", "forecast",
                 {"product": "Tropicana 64 oz", "store": None, "horizon": 1})  # fmt: skip
    assert args["store"] == "21"
    question = "Tropicana 64 oz at store 3?"
    chain = CHAIN.check(Call("forecast", {"product": "Tropicana 64 oz"}, "c"), question, question)
    assert chain.call is not None and "store" not in chain.call.args  # one store: nothing to choose


@pytest.mark.parametrize(
    ("question", "price"),
    [
        ("What if I cut Tropicana 64 oz by 20% at store 12 next week?", "-20%"),
        ("What happens if I raise the price of Tropicana 64 oz by 5 percent?", "+5%"),
        ("What if Tropicana 64 oz cost 2.49?", "-0.2"),  # no percentage: the model's value stands
    ],
)
def test_a_price_change_is_taken_as_written(question: str, price: str) -> None:
    assert _args(question, "what_if", {"product": "Tropicana 64 oz", "price": "-0.2"})["price"] == price


def test_grain_words_are_not_periods() -> None:
    args = _args("Show yearly totals of my sales.", "sales_trend", {"grain": "year", "period": "this year"})
    assert "period" not in args and args["grain"] == "year"


@pytest.mark.parametrize(
    ("question", "doubt"),
    [
        ("Do feature ads help Tropicana 64 oz?", "Tropicana 64 oz"),
        ("How far off are your predictions usually?", "merchant's data"),
        ("Which stores are in Chicago?", "merchant's data"),
        ("What's the weather in Chicago tomorrow?", None),
        ("Is feature advertising worth it for my juice?", "merchant's data"),
        ("Write an email to my landlord about the rent.", None),
        ("What is Apple's stock price?", None),
        ("Write me a poem about orange juice.", None),
    ],
)
def test_none_is_doubted_only_when_the_question_is_about_the_merchants_data(question: str, doubt: str | None) -> None:
    problem = CHECKER.doubt_none(question)
    assert (problem is None) if doubt is None else (doubt in (problem or ""))


def test_a_why_question_routed_to_forecast_gets_the_explanation() -> None:
    call = _check("What's behind the forecast for Tropicana 64 oz in store 12?", "forecast",
                  {"product": "Tropicana 64 oz", "store": "12", "horizon": 1}).call  # fmt: skip
    assert (
        call is not None
        and call.name == "explain_forecast"
        and call.args == {"product": "Tropicana 64 oz", "store": "12"}
    )


def test_the_vocabulary_comes_from_the_merchants_tables(home: Path) -> None:
    vocab = vocabulary("oj")
    assert vocab.data.last_week == date(1992, 10, 1) and "Tropicana 64 oz" in vocab.products
    assert {"city", "price_tier", "zone"} <= set(vocab.store_columns) and "store" not in vocab.store_columns
    assert {"Chicago", "High"} <= set(vocab.store_values) and vocab.n_stores == 83
    tuna = vocabulary("tuna")
    assert tuna.products and tuna.data.last_week == date(1997, 4, 24) and tuna.n_stores == 1


def test_a_turn_rerouted_by_the_check_ends_out_of_scope(home: Path) -> None:
    model = RecordingModel(replies=[step({"tool": "generate_report", "args": {"product": "orange juice"}}),
                                    step({"tool": NONE})])  # fmt: skip
    result = session_for("oj", model, "fake", mode="structured").ask("Write me a poem about orange juice.")
    assert len(model.seen) == 2 and "does not ask for a report" in model.seen[1][-1].content
    assert result.tool_calls == [] and result.answer == OUT_OF_SCOPE


def test_none_for_a_question_about_a_product_is_asked_once_more(trained: Path) -> None:
    route = {"tool": "forecast", "args": {"product": "Tropicana 64 oz", "store": "12", "horizon": 1}}
    model = RecordingModel(replies=[step({"tool": NONE}), step(route)])
    result = session_for("oj", model, "fake", mode="structured").ask("Tropicana 64 oz in store 12 next week?")
    assert len(model.seen) == 2 and "one of the merchant's products" in model.seen[1][-1].content
    assert [c.name for c in result.tool_calls] == ["forecast"] and result.tool_calls[0].ok


def test_the_second_routing_call_after_a_doubted_none_must_pick_a_tool(home: Path) -> None:
    session = session_for("oj", RecordingModel(replies=[]), "fake", mode="structured")
    seen: list[bool] = []
    replies = iter([{"tool": NONE}, {"tool": "data_coverage", "args": {}}])

    def decide(messages: list, allow_none: bool = True, exclude: frozenset = frozenset()) -> object:
        seen.append(allow_none)
        return parse_route(json.dumps(next(replies)), list(session.driver.names))

    session.driver.decide = decide  # type: ignore[method-assign]
    result = session.ask("Which products do my stores sell?")
    assert seen == [True, False] and [c.name for c in result.tool_calls] == ["data_coverage"]
    branches = route_schema(session.tools, allow_none=False)["schema"]["anyOf"]
    assert NONE not in {b["properties"]["tool"]["enum"][0] for b in branches}


def test_a_none_after_a_refused_call_is_doubted_too(trained: Path) -> None:
    wrong = {
        "tool": "compare_periods",
        "args": {"period_a": "now", "period_b": "next week", "product": "Tropicana 64 oz"},
    }
    right = {"tool": "what_if", "args": {"product": "Tropicana 64 oz", "store": "12", "price": "-15%", "weeks": "1"}}
    model = RecordingModel(replies=[step(wrong), step({"tool": NONE}), step(right)])
    question = "If I drop the price of Tropicana 64 oz in store 12 by 15% next week, how many more will I sell?"
    result = session_for("oj", model, "fake", mode="structured").ask(question)
    assert len(model.seen) == 3 and [c.name for c in result.tool_calls] == ["what_if"] and result.tool_calls[0].ok


def test_a_tool_that_does_not_fit_is_taken_out_of_the_next_schema(home: Path) -> None:
    session = session_for("oj", RecordingModel(replies=[]), "fake", mode="structured")
    excluded: list[frozenset] = []
    replies = iter([{"tool": "compare_periods", "args": {"period_a": "1991", "period_b": "1992"}},
                    {"tool": "promotion_effect", "args": {"product": "Tropicana 64 oz"}}])  # fmt: skip

    def decide(messages: list, allow_none: bool = True, exclude: frozenset = frozenset()) -> object:
        excluded.append(exclude)
        return parse_route(json.dumps(next(replies)), [n for n in session.driver.names if n not in exclude])

    session.driver.decide = decide  # type: ignore[method-assign]
    result = session.ask("Are my promotions on Tropicana 64 oz paying off?")
    assert excluded == [frozenset(), frozenset({"compare_periods"})]
    assert [c.name for c in result.tool_calls] == ["promotion_effect"] and result.tool_calls[0].ok


def test_a_question_about_the_data_that_no_call_fits_asks_for_a_rephrase(home: Path) -> None:
    route = {"tool": "generate_report", "args": {"product": "Tropicana 64 oz"}}
    model = RecordingModel(replies=[step(route)] * 3)
    result = session_for("oj", model, "fake", mode="structured").ask("How did my promotions perform in 1992?")
    assert result.tool_calls == [] and result.answer == NOT_ROUTED and result.grounded


def test_a_model_that_insists_gets_the_out_of_scope_reply(home: Path) -> None:
    route = {"tool": "forecast", "args": {"product": "baseball", "horizon": 4}}
    model = RecordingModel(replies=[step(route)] * 3)
    result = session_for("oj", model, "fake", mode="structured").ask("Who won the World Series in 1992?")
    assert len(model.seen) == 3 and result.tool_calls == [] and result.answer == OUT_OF_SCOPE


def test_the_checked_call_is_what_runs(home: Path) -> None:
    route = {"tool": "top_items", "args": {"by": "store", "rank": "worst", "n": 3, "period": "1992-06-14"}}
    model = RecordingModel(replies=[step(route)])
    result = session_for("oj", model, "fake", mode="structured").ask("What were my 3 weakest stores in 1992?")
    (call,) = result.tool_calls
    assert call.ok and call.args["period"] == "1992" and result.answer.startswith("Worst stores by units in 1992")
