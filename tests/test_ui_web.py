"""The web app's pieces without a browser: turning agent events into chat messages, errors, panel, examples."""

from __future__ import annotations

import time
from pathlib import Path

import gradio as gr
import httpx
import openai
import plotly.graph_objects as go
import pytest

from agent.events import AnswerChunk, Artifact, Done, StepFinished, StepStarted, ToolStep, TurnResult
from agent.local_llm import LocalLLMError
from forecasting.models.saved import ModelMissing
from forecasting.names import UnknownName
from forecasting.warehouse.errors import WarehouseMissing
from ui.web.conversation import Conversation, StepView, TurnView, apply
from ui.web.downloads import OFFERS, Offers
from ui.web.errors import friendly
from ui.web.examples import example_questions
from ui.web.panel import panel_markdown
from ui.web.render import messages, step_message
from ui.web.shown import MESSAGE_MAX, RUN_MAX, redact_paths, shown

FIGURE = go.Figure(go.Scatter(x=[1, 2, 3], y=[4, 5, 6], name="units")).to_json()


def _events(report: Path) -> list:
    step = ToolStep(name="forecast", args={"product": "Tropicana 64 oz"}, seconds=0.42, ok=True, summary="P50 1,234")
    report_step = ToolStep(name="generate_report", args={}, seconds=1.5, ok=True, summary="report written")
    result = TurnResult(answer="", tool_calls=[step], artifacts=[], llm="scripted", seconds=2.0, grounded=True)
    return [
        StepStarted(name="forecast", args={"product": "tropicana"}),
        StepFinished(step=step, artifacts=[Artifact(kind="chart", title="Forecast", figure_json=FIGURE)]),
        StepStarted(name="generate_report", args={}),
        StepFinished(step=report_step, artifacts=[Artifact(kind="file", title="Report", path=str(report))]),
        AnswerChunk(text="Tropicana 64 oz: "),
        AnswerChunk(text="about 1,234 units a week."),
        Done(result=result),
    ]


def test_events_fill_the_turn_and_reports_are_offered_to_its_merchant_only(tmp_path: Path) -> None:
    report = tmp_path / "home" / "reports" / "oj-tropicana.html"
    report.parent.mkdir(parents=True)
    report.write_text("<html>Tropicana 64 oz 1,234</html>")
    turn = TurnView(question="Forecast Tropicana 64 oz", merchant="oj")
    for event in _events(report):
        apply(turn, event)
    assert [s.name for s in turn.steps] == ["forecast", "generate_report"]
    assert turn.steps[0].args == {"product": "Tropicana 64 oz"} and turn.steps[0].seconds == 0.42
    assert turn.answer == "Tropicana 64 oz: about 1,234 units a week." and turn.done and turn.grounded
    (offered,) = turn.files()
    assert offered.name == report.name and str(tmp_path) not in offered.url
    _, token, name = offered.url.split("/")
    assert OFFERS.find(token, name, "oj") == report and OFFERS.find(token, name, "tuna") is None
    assert OFFERS.find(token, "other.html", "oj") is None


def test_a_turn_without_a_merchant_offers_nothing(tmp_path: Path) -> None:
    report = tmp_path / "r.html"
    report.write_text("x")
    turn = TurnView(question="report")
    for event in _events(report):
        apply(turn, event)
    assert turn.files() == []


def test_offers_expire_and_are_forgotten(tmp_path: Path) -> None:
    report = tmp_path / "r.html"
    report.write_text("x")
    offers = Offers(ttl_s=0.05)
    _, token, name = offers.offer(report, "oj").url.split("/")
    assert offers.find(token, name, "oj") == report
    time.sleep(0.1)
    assert offers.find(token, name, "oj") is None and offers.purge() == 1 and len(offers) == 0


def test_long_cells_and_messages_are_cut_visibly() -> None:
    cell = "x" * 5_000_000
    shown_text = shown(f"Result: names = {cell}.")
    assert len(shown_text) < RUN_MAX + 100 and "… (truncated, 4,999,601 characters)" in shown_text
    words = "ab " * 100_000
    assert len(shown(words)) < MESSAGE_MAX + 100 and shown(words).endswith("(truncated, 280,000 characters)")
    assert shown("Top 3 products by units in 1991:") == "Top 3 products by units in 1991:"


def test_server_paths_are_redacted_but_urls_dates_and_fractions_stay() -> None:
    text = "No warehouse at /srv/salescast/var/warehouse.duckdb. Run `salescast data build` (see ~/notes/x.md)."
    assert redact_paths(text) == "No warehouse at …/warehouse.duckdb. Run `salescast data build` (see …/x.md)."
    kept = "The model (http://127.0.0.1:8080/v1) on 1992/10/01, units/week, 3/4 of stores, downloads/a/b.html"
    assert redact_paths(kept) == kept


def test_errors_never_show_server_paths(tmp_path: Path) -> None:
    message = friendly(WarehouseMissing(tmp_path / "home" / "warehouse.duckdb"))
    assert str(tmp_path) not in message and "warehouse.duckdb" in message and "salescast data build" in message
    message = friendly(OSError(f'IO Error: Cannot open file "{tmp_path}/tenants/oj.duckdb": Permission denied'))
    assert str(tmp_path) not in message and "oj.duckdb" in message and "still running" in message


def test_drawn_messages_have_no_server_paths_or_huge_cells(tmp_path: Path) -> None:
    step = StepView(name="query_sales", args={"sql": "SELECT 1"}, seconds=0.1, ok=False,
                    summary=f"failed: cannot open {tmp_path}/tenants/oj.duckdb")  # fmt: skip
    turn = TurnView(question="q", steps=[step], answer="Result: big = " + "y" * 1_000_000, done=True)
    drawn = messages(Conversation(turns=[turn]))
    text = " ".join(m.content for m in drawn)
    assert str(tmp_path) not in text and "(truncated, 999,600 characters)" in text and len(text) < 5_000


def test_server_paths_in_the_answer_become_file_names(tmp_path: Path) -> None:
    report = tmp_path / "reports" / "oj" / "report-tropicana.html"
    report.parent.mkdir(parents=True)
    report.write_text("x")
    turn = TurnView(question="report")
    step = ToolStep(name="generate_report", args={}, seconds=0.1, ok=True, summary="written")
    apply(turn, StepFinished(step=step, artifacts=[Artifact(kind="file", title="r", path=str(report))]))
    apply(turn, AnswerChunk(text=f"Report written: {report}."))
    shown = messages(Conversation(turns=[turn]))[-1].content
    assert shown == "Report written: report-tropicana.html (see Reports)." and str(tmp_path) not in shown


def test_missing_report_file_is_not_offered(tmp_path: Path) -> None:
    turn = TurnView(question="report")
    step = ToolStep(name="generate_report", args={}, seconds=0.1, ok=True, summary="written")
    apply(turn, StepStarted(name="generate_report", args={}))
    apply(turn, StepFinished(step=step, artifacts=[Artifact(kind="file", title="r", path=str(tmp_path / "gone"))]))
    assert turn.files() == [] and turn.steps[0].seconds == 0.1


def test_done_without_chunks_supplies_the_answer() -> None:
    turn = TurnView(question="q")
    apply(turn, Done(result=TurnResult(answer="All done.", tool_calls=[], artifacts=[], llm="x", seconds=0.1,
                                       grounded=False)))  # fmt: skip
    assert turn.answer == "All done." and turn.grounded is False


def test_history_for_the_agent_holds_finished_questions_and_answers_only() -> None:
    convo = Conversation(
        turns=[
            TurnView(question="a?", answer="A.", done=True),
            TurnView(question="b?", answer="", error="LLM down", done=True),
            TurnView(question="c?", answer="partial", done=False),
        ]
    )
    assert convo.agent_history() == [{"role": "user", "content": "a?"}, {"role": "assistant", "content": "A."}]


def test_conversation_draws_steps_charts_files_and_answer(tmp_path: Path) -> None:
    report = tmp_path / "r.html"
    report.write_text("x")
    turn = TurnView(question="Forecast Tropicana 64 oz", merchant="oj")
    for event in _events(report):
        apply(turn, event)
    drawn = messages(Conversation(turns=[turn]))
    roles = [m.role for m in drawn]
    assert roles == ["user", "assistant", "assistant", "assistant", "assistant", "assistant"]
    step = drawn[1]
    assert step.metadata["title"] == "⚙ forecast" and step.metadata["status"] == "done"
    assert step.metadata["duration"] == 0.42 and 'product="Tropicana 64 oz"' in step.metadata["log"]
    assert "P50 1,234" in step.content
    assert isinstance(drawn[2].content, gr.Plot) and drawn[2].content.label == "Forecast"
    assert drawn[4].content == f"📄 [r.html]({turn.files()[0].url})"
    assert drawn[5].content == "Tropicana 64 oz: about 1,234 units a week."
    gr.Chatbot().postprocess(drawn)  # what Gradio sends to the browser must accept every message


def test_running_and_failed_steps_look_different() -> None:
    running = step_message(StepView(name="forecast", args={"product": "x" * 200}), 1)
    assert running.metadata["status"] == "pending" and len(running.metadata["log"]) <= 90
    failed = step_message(StepView(name="forecast", args={}, seconds=0.1, ok=False, summary="Unknown product"), 2)
    assert failed.metadata["title"] == "⚠ forecast failed" and "Unknown product" in failed.content


def test_errors_are_specific() -> None:
    request = httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions")
    assert "not reachable" in friendly(openai.APIConnectionError(request=request))
    assert "not reachable" in friendly(httpx.ConnectError("refused"))
    assert "could not start" in friendly(LocalLLMError("weights missing"))
    assert "still training" in friendly(ModelMissing("oj"), "oj")
    unknown = friendly(UnknownName("product", "tropicanna", ["Tropicana 64 oz"], ["Tropicana 64 oz"]))
    assert "Did you mean: Tropicana 64 oz?" in unknown
    assert "still running" in friendly(ZeroDivisionError("boom"))


def test_panel_shows_data_products_and_model(trained: Path) -> None:
    text = panel_markdown("oj")
    assert "1990-06-14 → 1992-10-01" in text and "106,139" in text and "83 stores" in text
    assert "Tropicana Premium 96 oz" in text and "MAPE" in text and "trained 20" in text
    assert "Star Kist" not in text
    tuna = panel_markdown("tuna")
    assert "chain level" in tuna and "Star Kist 6 oz" in tuna and "Tropicana" not in tuna


def test_panel_without_model_says_what_to_do(home: Path) -> None:
    assert "not trained yet" in panel_markdown("oj") and "salescast train --merchant oj" in panel_markdown("oj")


@pytest.mark.parametrize("merchant,product", [("oj", "Dominicks 64 oz"), ("tuna", "Star Kist 6 oz")])
def test_examples_use_the_merchants_best_seller(home: Path, merchant: str, product: str) -> None:
    questions = example_questions(merchant)
    assert any(product in q for q in questions) and any("report" in q for q in questions)
