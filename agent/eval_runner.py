"""``salescast eval``: the agent over a fixed set of merchant questions, scored on what matters to a merchant.

Per question: did it call the expected tool(s) (tool choice), does the answer state the expected facts
(correctness, facts computed at run time by ``agent.eval_facts``), did the model's first draft quote a number no
tool result backs (grounding failure), and how long did the turn take. The summary gives the rates and p50/p95
latency, overall and per category.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import BaseModel, Field

from agent.eval_facts import FactCheck, check_fact
from agent.session import ChatSession

Progress = Callable[[int, int, str], None]


class Question(BaseModel):
    id: str
    merchant: str
    category: str
    question: str
    tools: list[str] = Field(default_factory=list, description="all must be called; empty: no tool at all")
    tools_any: list[str] = Field(default_factory=list, description="at least one must be called")
    facts: list[dict[str, Any]] = Field(default_factory=list)


class QuestionResult(BaseModel):
    id: str
    merchant: str
    category: str
    question: str
    answer: str
    tool_calls: list[dict[str, Any]]
    tool_ok: bool
    correct: bool
    grounding_failure: bool
    facts: list[FactCheck]
    seconds: float
    error: str | None = None


class EvalReport(BaseModel):
    llm: str
    started_at: str
    results: list[QuestionResult]

    def summary(self) -> dict[str, Any]:
        out = {"llm": self.llm, **_rates(self.results)}
        categories = sorted({r.category for r in self.results})
        out["by_category"] = {c: _rates([r for r in self.results if r.category == c]) for c in categories}
        return out


def _rates(results: list[QuestionResult]) -> dict[str, Any]:
    n = len(results)
    seconds = [r.seconds for r in results]
    return {
        "questions": n,
        "tool_choice_accuracy": round(sum(r.tool_ok for r in results) / n, 3) if n else None,
        "answer_correctness": round(sum(r.correct for r in results) / n, 3) if n else None,
        "grounding_failures": sum(r.grounding_failure for r in results),
        "p50_seconds": round(float(np.percentile(seconds, 50)), 2) if n else None,
        "p95_seconds": round(float(np.percentile(seconds, 95)), 2) if n else None,
    }


def default_questions() -> Path:
    return Path(__file__).resolve().parents[1] / "tests" / "eval" / "questions.yaml"


def load_questions(path: Path) -> list[Question]:
    text = Path(path).read_text()
    items = json.loads(text) if Path(path).suffix == ".json" else yaml.safe_load(text)
    return [Question.model_validate(item) for item in items]


# Question sets written before the semantic redesign name the narrow analytics tools it replaced, and the old design
# (run for a baseline by scripts/eval_baseline.sh) calls them: either name counts for the other.
REPLACED_BY = {name: "sales_query" for name in
               ("top_items", "sales_trend", "compare_periods", "promotion_effect", "price_history")}  # fmt: skip


def tools_chosen_well(q: Question, called: list[str]) -> bool:
    if not q.tools and not q.tools_any:
        return not called
    called = [*called, *(old for old, new in REPLACED_BY.items() if new in called)]
    called += ["sales_query"] if any(c in REPLACED_BY for c in called) else []
    return all(t in called for t in q.tools) and (not q.tools_any or any(t in called for t in q.tools_any))


def score(q: Question, session: ChatSession) -> QuestionResult:
    started = time.perf_counter()
    result = session.ask(q.question)
    seconds = time.perf_counter() - started
    called = [s.name for s in result.tool_calls]
    facts = [check_fact(q.merchant, result.answer, f) for f in q.facts]
    tool_ok = tools_chosen_well(q, called)
    return QuestionResult(
        id=q.id, merchant=q.merchant, category=q.category, question=q.question, answer=result.answer,
        tool_calls=[{"name": s.name, "args": s.args, "seconds": s.seconds, "ok": s.ok} for s in result.tool_calls],
        tool_ok=tool_ok, correct=tool_ok and all(f.ok for f in facts),
        grounding_failure=bool(result.ungrounded) or not result.grounded, facts=facts,
        seconds=round(seconds, 3), error=result.error,
    )  # fmt: skip


def run_eval(
    path: Path,
    llm: str | None = None,
    limit: int | None = None,
    categories: list[str] | None = None,
    progress: Progress | None = None,
    checkpoint: Path | None = None,
) -> EvalReport:
    """Ask every question (one session per merchant, no history between questions) and score the answers.

    With ``checkpoint`` the report so far is rewritten there after every question: a slow run (the embedded model
    on a busy machine) can be read while it goes, and an interrupted one keeps what it answered."""
    questions = [q for q in load_questions(path) if not categories or q.category in categories][:limit]
    sessions: dict[str, ChatSession] = {}
    results = []
    started = time.strftime("%Y-%m-%dT%H:%M:%S")
    for i, q in enumerate(questions, 1):
        if progress:
            progress(i, len(questions), q.question)
        if q.merchant not in sessions:  # the prompt warm-up happens at session start, not in a question's time
            sessions[q.merchant] = ChatSession(q.merchant, llm=llm)
            sessions[q.merchant].wait_ready()
        session = sessions[q.merchant]
        results.append(score(q, session))
        if checkpoint:
            Path(checkpoint).write_text(EvalReport(llm=session.llm_label, started_at=started,
                                                   results=results).model_dump_json(indent=1))  # fmt: skip
    label = next(iter(sessions.values())).llm_label if sessions else str(llm)
    return EvalReport(llm=label, started_at=started, results=results)
