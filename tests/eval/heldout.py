"""What every held-out set's own test reads: its header's counts, the tools a question expects, an ingested merchant,
and one value per SQL fact. Each set's test (``test_holdout9_facts.py``, ``test_holdout10_facts.py``) keeps the
checks that are its own."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from agent.eval_runner import Question, load_questions
from tools.guarded_sql import run_sql
from ui.cli import app


def header(questions: Path) -> str:
    return questions.read_text().split("\n- id:", 1)[0]


def header_categories(questions: Path) -> dict[str, int]:
    """The ``#   - category: count`` lines under the header's ``# Categories`` line."""
    block = header(questions).split("# Categories", 1)[1]
    return {m[1]: int(m[2]) for m in re.finditer(r"^#\s+- ([a-z-]+): (\d+) ", block, re.MULTILINE)}


def header_merchants(questions: Path) -> dict[str, int]:
    """The ``oj 36, tuna 31, ...`` counts of the header's ``# Categories (...)`` line."""
    line = header(questions).split("# Categories (", 1)[1].split(")", 1)[0]
    return {m[1]: int(m[2]) for m in re.finditer(r"([a-z]+) (\d+)", line.split(":", 1)[1])}


def called(q: Question) -> set[str]:
    return set(q.tools) | set(q.tools_any)


def ingest(merchant: str, csv: Path) -> None:
    result = CliRunner().invoke(app, ["data", "ingest", "--merchant", merchant, str(csv)])
    assert result.exit_code == 0, result.output


def one(merchant: str, sql: str) -> object:
    rows = run_sql(merchant, sql).rows
    assert len(rows) == 1 and len(rows[0]) == 1, (merchant, sql, rows[:3])
    return rows[0][0]


def check_facts(questions: Path, last_weeks: dict[str, str]) -> None:
    """Each merchant's last week is the header's, and every SQL fact has exactly one non-empty value."""
    text = header(questions)
    for merchant, last in last_weeks.items():
        assert last in text and str(one(merchant, "SELECT max(week_start) FROM sales")) == last
    for q in load_questions(questions):
        for fact in (f for f in q.facts if "sql" in f):
            assert one(q.merchant, fact["sql"]) not in (None, 0, ""), (q.id, fact["sql"])
