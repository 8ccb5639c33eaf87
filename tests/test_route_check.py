"""The routed call keeps only what the merchant's words support (``agent.route_check``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.drivers import Call
from agent.render import OUT_OF_SCOPE
from agent.route_check import check_call, mentioned
from agent.route_schema import NONE
from agent.session import session_for
from tests.agent_fakes import RecordingModel, step


def _checked(question: str, name: str, args: dict) -> Call | None:
    return check_call(Call(name, args, "c1"), question, f"Question: {question}").call


def test_a_period_the_question_never_hints_at_is_dropped() -> None:
    call = _checked("Do deals work for Tropicana 64 oz?", "promotion_effect",
                    {"product": "tropicana 64 oz", "period": "last month"})  # fmt: skip
    assert call is not None and call.args == {"product": "tropicana 64 oz"}
    for question in ("Top sellers last month?", "Sales in 1991", "Best stores over the past 8 weeks",
                     "What sold best in September?", "Sales since 1991-06-01"):  # fmt: skip
        kept = _checked(question, "top_items", {"by": "product", "period": "as written"})
        assert kept is not None and kept.args["period"] == "as written", question


def test_a_follow_up_keeps_the_period_of_the_earlier_exchange() -> None:
    context = "Earlier user: What sold best last month?\nEarlier assistant: ...\nQuestion: And by revenue?"
    call = check_call(Call("top_items", {"metric": "revenue", "period": "last month"}, "c"), "And by revenue?", context)
    assert call.call is not None and call.call.args["period"] == "last month"


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
    args = {"product": "Tropicana 64 oz", "price": "-10%", "deal": True, "feature": True, "weeks": "1"}
    call = _checked(question, "what_if", args)
    assert call is not None and {k for k in ("price", "deal", "feature") if k in call.args} == kept


def test_what_if_with_no_lever_named_keeps_the_models_choice() -> None:
    call = _checked(
        "What if I push Tropicana 64 oz next week?", "what_if", {"product": "Tropicana 64 oz", "deal": True}
    )
    assert call is not None and call.args["deal"] is True


def test_report_format_follows_the_question() -> None:
    html = _checked(
        "Give me a report on Tropicana 64 oz", "generate_report", {"product": "tropicana 64 oz", "format": "pdf"}
    )
    pdf = _checked(
        "A PDF report on Tropicana 64 oz please", "generate_report", {"product": "Tropicana 64 oz", "format": "html"}
    )
    assert html is not None and html.args["format"] == "html"
    assert pdf is not None and pdf.args["format"] == "pdf"


def test_tools_the_question_does_not_ask_for_go_back_with_a_reason() -> None:
    poem = check_call(Call("generate_report", {"product": "orange juice"}, "c"), "Write a poem about orange juice.", "")
    assert poem.call is None and "does not ask for a report" in (poem.problem or "")
    chart = check_call(Call("make_chart", {"kind": "forecast"}, "c"), "How many units next week?", "")
    assert chart.call is None and "chart" in (chart.problem or "")


def test_a_product_nowhere_in_the_conversation_goes_back() -> None:
    checked = check_call(Call("compare_periods", {"period_a": "1991", "period_b": "1992", "product": "baseball"}, "c"),
                         "Who won the World Series in 1992?", "Question: Who won the World Series in 1992?")  # fmt: skip
    assert checked.call is None and "'baseball'" in (checked.problem or "")
    assert mentioned("Tropicana 64 oz", "how is tropicanna 64 doing") and mentioned("Minute Maid", "minute maid?")
    assert not mentioned("Tropicana 64 oz", "how much 64 oz juice")  # a size alone names no product


def test_a_why_question_routed_to_forecast_gets_the_explanation() -> None:
    call = _checked("Why do you expect Bumble Bee Chunk 6.12 oz to sell that much next week?", "forecast",
                    {"product": "Bumble Bee Chunk 6.12 oz", "store": None, "horizon": 1})  # fmt: skip
    assert call is not None and call.name == "explain_forecast"
    assert call.args == {"product": "Bumble Bee Chunk 6.12 oz", "store": None}


def test_a_turn_rerouted_by_the_check_ends_out_of_scope(home: Path) -> None:
    model = RecordingModel(replies=[step({"tool": "generate_report", "args": {"product": "orange juice"}}),
                                    step({"tool": NONE})])  # fmt: skip
    result = session_for("oj", model, "fake", mode="structured").ask("Write me a poem about orange juice.")
    assert len(model.seen) == 2 and "does not ask for a report" in model.seen[1][-1].content
    assert result.tool_calls == [] and result.answer == OUT_OF_SCOPE


def test_a_model_that_insists_gets_the_out_of_scope_reply(home: Path) -> None:
    route = {"tool": "compare_periods", "args": {"period_a": "1991", "period_b": "1992", "product": "baseball"}}
    model = RecordingModel(replies=[step(route), step(route)])
    result = session_for("oj", model, "fake", mode="structured").ask("Who won the World Series in 1992?")
    assert len(model.seen) == 2 and result.tool_calls == [] and result.answer == OUT_OF_SCOPE


def test_the_checked_call_is_what_runs(home: Path) -> None:
    route = {"tool": "promotion_effect", "args": {"product": "Tropicana 64 oz", "store": None, "period": "last month"}}
    model = RecordingModel(replies=[step(route)])
    result = session_for("oj", model, "fake", mode="structured").ask("Do deals work for Tropicana 64 oz?")
    (call,) = result.tool_calls
    assert call.ok and "period" not in call.args and "last month" not in result.answer
