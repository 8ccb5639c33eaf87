"""``salescast ask`` and ``salescast eval``: the chat agent from the command line.

``ask`` shows each tool call as it finishes (name, arguments, seconds, a one-line result), then the answer and the
LLM that wrote it; ``--json`` prints one object for scripts. It leaves the embedded model's server running for
``SALESCAST_LLM_IDLE_S`` seconds (``agent.llm_shared.keep_warm``), so the next ask need not load the model again.
``eval`` runs the question set and reports tool-choice accuracy, answer correctness, grounding failures and latency.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from agent.events import Done, StepFinished, TurnResult
from agent.llm import LLMConfigError
from forecasting.warehouse.errors import WarehouseError

out = Console()
err = Console(stderr=True)

LlmOpt = Annotated[
    str | None,
    typer.Option("--llm", help="scripted, embedded, env, or a model name on OPENAI_BASE_URL (default: configured)."),
]


def turn_json(result: TurnResult) -> dict:
    """The documented ``ask --json`` shape, plus whether the answer passed the grounding check."""
    return {
        "answer": result.answer,
        "tool_calls": [{"name": s.name, "args": s.args, "seconds": s.seconds, "ok": s.ok} for s in result.tool_calls],
        "llm": result.llm,
        "seconds": result.seconds,
        "grounded": result.grounded,
        "error": result.error,
        "artifacts": [{"kind": a.kind, "title": a.title, "path": a.path} for a in result.artifacts],
    }


def _fail(message: str) -> None:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def ask(
    merchant: Annotated[str, typer.Option("--merchant", "-m", help="Merchant to act for, e.g. oj or tuna.")],
    question: Annotated[str, typer.Argument(help="Your question, e.g. 'What sold best last month?'")],
    llm: LlmOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
) -> None:
    """Ask the chat agent a question about your sales or forecasts."""
    from agent.llm_shared import keep_warm
    from agent.local_llm import LocalLLMError

    try:
        with keep_warm():  # the next ask finds the embedded model loaded (SALESCAST_LLM_IDLE_S, `salescast llm stop`)
            result = _answer(merchant, question, llm, show_steps=not as_json)
    except (LLMConfigError, LocalLLMError, WarehouseError) as exc:
        _fail(str(exc))
    if as_json:
        sys.stdout.write(json.dumps(turn_json(result), default=str) + "\n")
        return
    out.print(result.answer, highlight=False, markup=False)
    for artifact in result.artifacts:
        out.print(f"[dim]{artifact.kind}: {escape(artifact.title)}{' ' + artifact.path if artifact.path else ''}[/]")
    if result.error:
        err.print(f"[yellow]note:[/] {escape(result.error)}")
    checked = "grounded" if result.grounded else "NOT grounded"
    out.print(f"[dim]LLM: {escape(result.llm)} · {result.seconds:.1f} s · {checked}[/]")


def _answer(merchant: str, question: str, llm: str | None, show_steps: bool) -> TurnResult:
    from agent.session import ChatSession

    session = ChatSession(merchant, llm=llm)
    result = None
    for event in session.stream(question):
        if isinstance(event, StepFinished) and show_steps:
            _print_step(event)
        elif isinstance(event, Done):
            result = event.result
    assert result is not None  # the loop always ends with Done
    return result


def _print_step(event: StepFinished) -> None:
    s = event.step
    mark = "[green]✓[/]" if s.ok else "[red]✗[/]"
    args = escape(json.dumps(s.args, default=str))
    out.print(f"[dim]{mark} {s.name} {args} ({s.seconds:.2f} s): {escape(s.summary)}[/]", soft_wrap=True)


def eval_cmd(
    llm: LlmOpt = None,
    json_file: Annotated[Path | None, typer.Option("--json", help="Write the full report as JSON here.")] = None,
    questions: Annotated[Path | None, typer.Option(help="Question file (default tests/eval/questions.yaml).")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="Run only the first N questions.")] = None,
    only: Annotated[str | None, typer.Option(help="Run only these categories, e.g. analytics,forecast.")] = None,
) -> None:
    """Run the agent over the eval questions and score tool choice, correctness, grounding and latency."""
    from agent.eval_runner import default_questions, run_eval

    try:
        report = run_eval(
            questions or default_questions(),
            llm=llm,
            limit=limit,
            categories=[c.strip() for c in only.split(",")] if only else None,
            progress=lambda i, n, q: err.print(f"[dim]{i}/{n} {escape(q)}[/]"),
            checkpoint=json_file,
        )
    except (LLMConfigError, WarehouseError, FileNotFoundError) as exc:
        _fail(str(exc))
    if json_file:
        json_file.write_text(report.model_dump_json(indent=1))
    out.print_json(json.dumps(report.summary()))


def register_agent_commands(app: typer.Typer) -> None:
    """Add ``ask`` and ``eval`` to the ``salescast`` command."""
    app.command("ask")(ask)
    app.command("eval")(eval_cmd)
