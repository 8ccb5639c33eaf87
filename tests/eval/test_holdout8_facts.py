"""The eighth held-out set (issue 11's baseline set) is well formed and every SQL fact has an answer.

The set is only run by hand, with the embedded model, once before and once after the routing redesign; a fact whose
SQL fails or finds nothing would score a right answer wrong, so each one is computed here. A third of it is about
``pawprint``, a synthetic merchant that must be ingested first, which is why this set has a test of its own.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.eval_runner import default_questions, load_questions
from forecasting.warehouse.connect import known_merchants
from tools.guarded_sql import run_sql
from ui.cli import app

ROOT = Path(__file__).resolve().parents[2]
SET = Path(__file__).parent / "holdout8.yaml"
CSV = ROOT / "data" / "eval" / "pawprint_sales.csv"
SCRIPT = ROOT / "scripts" / "make_eval_merchant.py"
LAST_WEEKS = {"oj": "1992-10-01", "tuna": "1997-04-24", "pawprint": "2024-06-24"}
ANALYTICS = {
    "top_items", "sales_trend", "compare_periods", "promotion_effect", "price_history", "data_coverage", "query_sales",
}  # fmt: skip
TOOLS = ANALYTICS | {"forecast", "explain_forecast", "what_if", "backtest_accuracy", "make_chart", "generate_report"}


def _header_categories() -> dict[str, int]:
    """The ``#   - category: count`` lines under the header's ``# Categories`` line."""
    block = SET.read_text().split("# Categories", 1)[1].split("\n\n", 1)[0]
    return {m[1]: int(m[2]) for m in re.finditer(r"^#\s+- ([a-z-]+): (\d+) ", block, re.MULTILINE)}


def _ingest_pawprint() -> None:
    result = CliRunner().invoke(app, ["data", "ingest", "--merchant", "pawprint", str(CSV)])
    assert result.exit_code == 0, result.output


def test_set_is_well_formed() -> None:
    questions = load_questions(SET)
    ids = [q.id for q in questions]
    assert len(questions) >= 90 and len(set(ids)) == len(ids)
    others = {q.id for p in SET.parent.glob("holdout*.yaml") if p != SET for q in load_questions(p)}
    assert not set(ids) & (others | {q.id for q in load_questions(default_questions())})
    assert Counter(q.category for q in questions) == Counter(_header_categories())
    assert {q.merchant for q in questions} == set(LAST_WEEKS)
    assert all(set(q.tools) | set(q.tools_any) <= TOOLS for q in questions)
    assert all(not q.tools and not q.tools_any for q in questions if q.category == "out-of-scope")
    analytics = [q for q in questions if q.tools_any and set(q.tools) | set(q.tools_any) <= ANALYTICS]
    assert len(analytics) >= 45 and all(any("sql" in f for f in q.facts) for q in analytics)


def test_every_sql_fact_has_a_value(fresh_home: Path) -> None:
    _ingest_pawprint()
    questions = load_questions(SET)
    assert {q.merchant for q in questions} <= set(known_merchants())
    header = SET.read_text()
    for merchant, last in LAST_WEEKS.items():
        assert last in header
        assert str(run_sql(merchant, "SELECT max(week_start) FROM sales").rows[0][0]) == last
    for q in questions:
        for fact in (f for f in q.facts if "sql" in f):
            rows = run_sql(q.merchant, fact["sql"]).rows
            assert rows and rows[0][0] not in (None, 0), (q.id, fact["sql"])


def test_eval_merchant_file_is_small_and_reproducible(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert CSV.stat().st_size < 2_000_000
    spec = importlib.util.spec_from_file_location("make_eval_merchant", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # its dataclass looks its module up there
    spec.loader.exec_module(module)
    assert module.write(tmp_path / "pawprint.csv").read_bytes() == CSV.read_bytes()
