"""The words that fix a query's shape (measures, breakdown, ranking, a promotion against its absence), read on the
demo merchants' real semantic models, and the answers the chat builds from them checked against SQL on the real
tenant files: the router's reply is deliberately unhelpful (units, no breakdown), so every right number here comes
from the question's own words."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.routing.plan import plan
from agent.session import session_for
from tests.agent_fakes import RecordingModel, step
from tools.agent_tools_base import number
from tools.agent_tools_semantic import SalesQueryInput, semantic_query
from tools.guarded_sql import run_sql
from tools.semantic import SemanticModel, link, semantic_model
from tools.semantic.answer import answer_text
from tools.semantic.shape import read_shape

PLAIN = {"tool": "sales_query", "measure": "units", "by": "none", "rank": "none", "limit": None}


@pytest.fixture(scope="module")
def models(built_home: Path) -> dict[str, SemanticModel]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SALESCAST_HOME", str(built_home))
        return {m: semantic_model(m) for m in ("oj", "tuna")}


@pytest.mark.parametrize(
    ("merchant", "question", "expected"),
    [
        ("oj", "Which garden centre store had the highest revenue in 1991?",
         {"measures": ["revenue"], "by": "store", "rank": "top", "limit": 1}),
        ("oj", "Which three products made us the most money in 1992?",
         {"measures": ["revenue"], "by": "product", "rank": "top", "limit": 3}),
        ("oj", "What was our slowest-selling brand by units last year?",
         {"measures": ["units"], "by": "brand", "rank": "bottom", "limit": 1}),
        ("oj", "the single biggest week ever for Tropicana 64 oz", {"by": "week", "rank": "top", "limit": 1}),
        ("oj", "What sold best last week?", {"rank": "top"}),  # "best last week" is a period, not a ranked week
        ("oj", "units by city for 1992", {"measures": ["units"], "by": "city"}),
        ("oj", "show me monthly sales of Dominicks 64 oz", {"by": "month"}),
        ("oj", "how many stores sold Citrus Hill 64 oz in 1991?", {"measures": ["stores_selling"]}),
        ("oj", "In how many weeks of 1992 was Minute Maid 64 oz on promotion?", {"measures": ["weeks_on_deal"]}),
        ("oj", "what percentage of 1991 dollars came from store 12?", {"measures": ["share_revenue"]}),
        ("oj", "By what percent did units change from 1991 to 1992?", {"measures": ["units"]}),  # no share
        ("oj", "What was the average profit margin on Tropicana 64 oz?", {"measures": ["margin_pct"]}),
        ("oj", "lowest price of Tropicana 64 oz in 1992", {"measures": ["min_price"], "rank": "bottom"}),
        ("oj", "units in the High price tier stores", {"measures": ["units"]}),  # "price tier" is no price
        ("oj", "Tropicana 64 oz at store 5: an average deal week versus a normal week?",
         {"measures": ["avg_weekly_units"], "by": "deal", "contrast": "deal"}),
        ("tuna", "Average weekly cans of Star Kist 6 oz with a display and without, please",
         {"measures": ["avg_weekly_units", "units"], "by": "display", "contrast": "display"}),
        ("tuna", "what did Star Kist 6 oz cost us wholesale, and the margin per can?",
         {"measures": ["wholesale_cost", "unit_margin"]}),
        ("tuna", "How many weeks was Geisha 6 oz on promotion in 1993?", {"measures": ["weeks_on_display"]}),
    ],
)  # fmt: skip
def test_the_words_fix_the_shape(models: dict[str, SemanticModel], merchant: str, question: str,
                                 expected: dict) -> None:  # fmt: skip
    model = models[merchant]
    shape = read_shape(question, link(question, model).levers, model)
    assert shape.model_dump(exclude_defaults=True) == expected


def _answer(merchant: str, question: str) -> tuple[dict, str]:
    model = semantic_model(merchant)
    (call,) = plan(PLAIN, link(question, model), model).calls
    answer, _ = semantic_query(merchant, SalesQueryInput(**call.args))
    return call.args, answer_text(answer.model_dump(mode="json"))


def _one(merchant: str, sql: str) -> float:
    return run_sql(merchant, sql).rows[0][0]


def test_a_promotion_against_its_absence_gives_both_averages(home: Path) -> None:
    args, text = _answer("oj", "At store 5, how many Tropicana 64 oz do we sell in an average deal week versus a "
                               "normal week?")  # fmt: skip
    assert args["by"] == ["deal"] and args["measures"] == ["avg_weekly_units"]
    for on in (True, False):
        value = _one("oj", f"SELECT avg(units) FROM sales WHERE product = 'Tropicana 64 oz' AND store = '5' AND "
                           f"deal {'>' if on else '='} 0")  # fmt: skip
        assert number(round(value, 2)) in text


def test_growth_is_the_later_period_against_the_earlier(home: Path) -> None:
    _, text = _answer("tuna", "By how many percent did total tuna units grow or shrink from 1992 to 1993?")
    new, old = (_one("tuna", f"SELECT sum(units) FROM sales WHERE year(week_start) = {y}") for y in (1993, 1992))
    assert f"{100 * (new - old) / old:+.2f}%" in text and text.index(number(new)) < text.index(number(old))


def test_margin_and_wholesale_cost_are_measures(home: Path) -> None:
    _, text = _answer("tuna", "In 1994, what did a can of Star Kist 6 oz cost us wholesale on average, and the "
                              "average margin per can?")  # fmt: skip
    where = "WHERE product = 'Star Kist 6 oz' AND year(week_start) = 1994"
    assert f"${_one('tuna', f'SELECT avg(wholesale_price) FROM sales {where}'):,.2f}" in text
    assert f"${_one('tuna', f'SELECT avg(price - wholesale_price) FROM sales {where}'):,.2f}" in text
    _, text = _answer("oj", "What was our average profit margin on Tropicana 64 oz in 1992?")
    margin = _one("oj", "SELECT avg(profit) FROM sales WHERE product = 'Tropicana 64 oz' AND year(week_start) = 1992")
    assert f"{number(round(margin, 2), 2)}% average margin" in text


def test_a_brand_is_answered_per_product_with_its_total(home: Path) -> None:
    args, text = _answer("oj", "How many units of Minute Maid did store 2 sell in 1992?")
    assert args["by"] == ["product"]
    for size in (64, 96):
        units = _one("oj", f"SELECT sum(units) FROM sales WHERE product = 'Minute Maid {size} oz' AND store = '2' "
                           f"AND year(week_start) = 1992")  # fmt: skip
        assert number(units) in text
    total = _one("oj", "SELECT sum(units) FROM sales WHERE product LIKE 'Minute Maid%' AND store = '2' AND "
                       "year(week_start) = 1992")  # fmt: skip
    assert f"All products together: {number(total)} units" in text


def test_a_comparison_by_product_states_both_periods_totals(home: Path) -> None:
    question = "Minute Maid units in Q2 1992 against Q2 1991, per product"
    _, text = _answer("oj", question)
    for year in (1992, 1991):
        total = _one("oj", f"SELECT sum(units) FROM sales WHERE product LIKE 'Minute Maid%' AND "
                           f"year(week_start) = {year} AND quarter(week_start) = 2")  # fmt: skip
        assert number(total) in text.split("All products together:")[1]


def test_a_promotion_named_without_a_contrast_is_a_filter(home: Path) -> None:
    args, text = _answer("oj", "How many units of Tropicana 64 oz did we sell on deal in 1992?")
    assert args["filters"]["deal"] == ["yes"]
    units = _one("oj", "SELECT sum(units) FROM sales WHERE product = 'Tropicana 64 oz' AND deal > 0 AND "
                       "year(week_start) = 1992")  # fmt: skip
    assert number(units) in text


def test_another_company_is_named_back_without_asking_the_model(home: Path) -> None:
    model = RecordingModel(replies=[step(PLAIN)])
    session = session_for("tuna", model, "fake-structured", mode="structured")
    result = session.ask("What is Kroger charging for a can of Star Kist this week?")
    assert model.seen == [] and result.tool_calls == [] and "'Kroger'" in result.answer and result.grounded
    result = session.ask("How did Star Kist 6 oz do in Easter week 1994?")  # holidays and names are not foreign
    assert len(model.seen) == 1 and result.tool_calls[0].name == "sales_query"


def test_a_what_if_for_weeks_in_the_past_is_routed_again(home: Path) -> None:
    model = RecordingModel(replies=[step({"tool": "what_if"}), step(PLAIN)])
    session = session_for("oj", model, "fake-structured", mode="structured")
    result = session.ask("Does the ad help Florida Gold 64 oz at store 5? Compare its average weekly units in weeks "
                         "it was in the ad with weeks it wasn't.")  # fmt: skip
    assert len(model.seen) == 2 and [s.name for s in result.tool_calls] == ["sales_query"]
    assert result.tool_calls[0].args["by"] == ["feature"]


def test_coverage_of_a_named_store_counts_its_weeks(home: Path) -> None:
    model = RecordingModel(replies=[step({"tool": "data_coverage"}), step({"tool": "data_coverage"})])
    session = session_for("oj", model, "fake-structured", mode="structured")
    result = session.ask("How many weeks of sales do you have for store 2?")
    weeks = _one("oj", "SELECT count(DISTINCT week_start) FROM sales WHERE store = '2' AND units > 0")
    assert result.tool_calls[0].name == "sales_query" and f"{weeks} weeks with sales" in result.answer
    result = session.ask("How many weeks of history do I have?")
    assert f"{_one('oj', 'SELECT count(DISTINCT week_start) FROM sales')} weeks of sales" in result.answer


def test_when_questions_are_date_measures(home: Path) -> None:
    _, text = _answer("tuna", "When was Bumble Bee Solid 6.12 oz last on display?")
    last = _one("tuna", "SELECT max(week_start) FROM sales WHERE product = 'Bumble Bee Solid 6.12 oz' AND display > 0")
    assert f"last week on display: week of {last}" in text
    _, text = _answer("oj", "When did store 2 first sell Florida Gold 64 oz?")
    first = _one(
        "oj", "SELECT min(week_start) FROM sales WHERE product = 'Florida Gold 64 oz' AND store = '2' AND units > 0"
    )
    assert f"week of {first}" in text


def test_a_breakdown_by_the_one_brand_named_is_per_product(home: Path) -> None:
    model = semantic_model("oj")
    reply = {**PLAIN, "by": "brand"}
    (call,) = plan(reply, link("How many Tropicana Premium did store 12 sell in September 1992?", model), model).calls
    assert call.args["by"] == ["product"]


def _routed(merchant: str, question: str, *replies: dict) -> tuple[RecordingModel, object]:
    model = RecordingModel(replies=[step(r) for r in replies])
    session = session_for(merchant, model, "fake-structured", mode="structured")
    return model, session.ask(question)


def test_accuracy_and_coverage_words_name_their_tool(home: Path) -> None:
    _, result = _routed(
        "oj", "Be honest: when you forecast juice in the past, how far off were you?", {"tool": "forecast"}
    )
    assert [s.name for s in result.tool_calls] == ["backtest_accuracy"]
    _, result = _routed("tuna", "Remind me what period the tuna numbers cover: first week, last week and how many "
                                "weeks of data in total.", PLAIN)  # fmt: skip
    assert [s.name for s in result.tool_calls] == ["data_coverage"]


def test_a_report_nobody_asked_for_and_a_none_about_own_numbers_are_chosen_again(home: Path) -> None:
    model, result = _routed("tuna", "How much did we make per can on Star Kist 6 oz in 1992, shelf price minus "
                                    "wholesale, on average?", {"tool": "generate_report"}, PLAIN)  # fmt: skip
    assert len(model.seen) == 2 and [s.name for s in result.tool_calls] == ["sales_query"]
    assert result.tool_calls[0].args["measures"] == ["unit_margin"]
    model, result = _routed("oj", "What would a 10 percent price cut on Tropicana 64 oz do at store 5?",
                            {"tool": "none"}, {"tool": "what_if"})  # fmt: skip
    assert len(model.seen) == 2 and result.tool_calls[0].args["price"] == "-10%"
    model, result = _routed("oj", "Write me a poem about Tropicana 64 oz", {"tool": "none"})
    assert len(model.seen) == 1 and result.tool_calls == []


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Citrus Hill 64 oz at store 2: average units in a deal week vs. a week with no deal?",
         {"measures": ["avg_weekly_units"], "by": "deal", "contrast": "deal"}),
        ("Store 5 last week - how many items did they sell in total?", {"measures": ["units"]}),
        ("How many units did we sell that week, and how many the week before it?", {"measures": ["units"]}),
        ("what has Tropicana 64 oz averaged per unit there in 1992", {"measures": ["avg_price"]}),
    ],
)  # fmt: skip
def test_more_words(models: dict[str, SemanticModel], question: str, expected: dict) -> None:
    model = models["oj"]
    assert read_shape(question, link(question, model).levers, model).model_dump(exclude_defaults=True) == expected


def test_abbreviated_stores_and_sentence_starts(models: dict[str, SemanticModel], home: Path) -> None:
    oj = models["oj"]
    assert link("wat was str 137 revenu last wk", oj).stores() == ["137"]
    frame = link("The holiday week just wrapped up. Across every store, how many units? Worth a look.", oj)
    assert frame.foreign == []  # words starting a sentence are no names
    args, _ = _answer("oj", "What percentage of our 1992 dollar sales came from Minute Maid?")
    assert args["by"] == [] and args["measures"][0] == "share_revenue"  # a share of the whole, not per product


def test_words_after_set_13(models: dict[str, SemanticModel]) -> None:
    oj, tuna = models["oj"], models["tuna"]
    for question, expected in [("Which juice sold the fewest units in 1991?", {"measures": ["units"], "by": "product",
                                "rank": "bottom", "limit": 1}), ("tropicana 64 oz avg pric 92", {"measures": ["avg_price"]})]:  # fmt: skip
        assert read_shape(question, link(question, oj).levers, oj).model_dump(exclude_defaults=True) == expected
    assert link("People buy a lot of tuna around Lent. Was Easter week 1992 bigger?", tuna).foreign == []
    assert link("What is Kroger charging for a can of Star Kist this week?", tuna).foreign == ["Kroger"]
    assert link("lowest price at Walmart for Star Kist 6 oz", tuna).foreign == ["Walmart"]


def test_the_router_picks_a_measure_only_where_words_name_none_it_would_misread(home: Path) -> None:
    model = semantic_model("oj")
    reply = {**PLAIN, "measure": "max_price", "by": "month", "rank": "top", "limit": 1}
    (call,) = plan(reply, link("Tropicana 64 oz: what was its peak month in 1991?", model), model).calls
    assert call.args["measures"] == ["units", "revenue"] and call.args["by"] == ["month"]


def test_a_period_inside_a_later_one_is_background(models: dict[str, SemanticModel]) -> None:
    frame = link(
        "Store 2 changed its layout in May 1992. Which product sold the fewest units there in 1992?", models["oj"]
    )
    assert [w.label for w in frame.periods] == ["1992"]


def test_a_what_if_without_a_store_is_made_for_the_products_best_store(trained: Path) -> None:
    _, result = _routed("oj", "What if we took Tropicana 64 oz down to $1.99 next week?", {"tool": "what_if"})
    store = _one("oj", "SELECT store FROM sales WHERE product = 'Tropicana 64 oz' AND week_start > (SELECT max(week_start) "
                       "FROM sales) - INTERVAL 56 DAY GROUP BY 1 ORDER BY sum(units) DESC LIMIT 1")  # fmt: skip
    assert result.tool_calls[0].args["store"] == store and result.tool_calls[0].args["price"] == "1.99"
    assert f"best-selling store lately, store {store}" in result.answer and result.grounded


def test_why_the_forecast_words_and_a_promotion_contrast_pick_their_tools(home: Path) -> None:
    _, result = _routed("tuna", "Bumble Bee Solid 6.12 oz: average weekly cans when it's on display vs when it's not?",
                        {"tool": "explain_forecast"}, PLAIN)  # fmt: skip
    assert [s.name for s in result.tool_calls] == ["sales_query"] and result.tool_calls[0].args["by"] == ["display"]
