"""The ninth held-out set (the final measurement of the redesigned chat) is well formed and every SQL fact has one answer.

The set is only run by hand, once, with the embedded model; a fact whose SQL fails, finds nothing or finds several
rows would score a right answer wrong, so each one is computed here. A third of it is about ``brewline``, a synthetic
coffee-shop merchant that must be ingested first, which is why this set has a test of its own. Nothing here asks
the chat anything: the set stays unseen until it is measured.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from typer.testing import CliRunner

from agent.eval_runner import Question, default_questions, load_questions
from tools.guarded_sql import run_sql
from ui.cli import app

ROOT = Path(__file__).resolve().parents[2]
SET = Path(__file__).parent / "holdout9.yaml"
CSV = ROOT / "data" / "eval" / "brewline_sales.csv"
SCRIPT = ROOT / "scripts" / "make_eval_merchant2.py"
LAST_WEEKS = {"oj": "1992-10-01", "tuna": "1997-04-24", "brewline": "2025-03-31"}
ANALYTICS = {"sales_query", "query_sales", "data_coverage"}
TOOLS = ANALYTICS | {"forecast", "explain_forecast", "what_if", "backtest_accuracy", "make_chart", "generate_report"}
NEW_KINDS = {"store-attribute", "avg-price", "store-count", "promo-compare", "breakdown", "same-period", "bottom"}


def _header() -> str:
    return SET.read_text().split("\n- id:", 1)[0]


def _header_categories() -> dict[str, int]:
    """The ``#   - category: count`` lines under the header's ``# Categories`` line."""
    block = _header().split("# Categories", 1)[1]
    return {m[1]: int(m[2]) for m in re.finditer(r"^#\s+- ([a-z-]+): (\d+) ", block, re.MULTILINE)}


def _header_merchants() -> dict[str, int]:
    """The ``oj 39, tuna 34, ...`` counts of the header's ``# Categories (...)`` line."""
    line = _header().split("# Categories (", 1)[1].split(")", 1)[0]
    return {m[1]: int(m[2]) for m in re.finditer(r"([a-z]+) (\d+)", line.split(":", 1)[1])}


def _called(q: Question) -> set[str]:
    return set(q.tools) | set(q.tools_any)


def test_set_is_well_formed() -> None:
    questions = load_questions(SET)
    ids = [q.id for q in questions]
    assert len(questions) >= 100 and len(set(ids)) == len(ids) and all(i.startswith("h9-") for i in ids)
    others = {q.id for p in SET.parent.glob("holdout*.yaml") if p != SET for q in load_questions(p)}
    assert not set(ids) & (others | {q.id for q in load_questions(default_questions())})
    assert Counter(q.category for q in questions) == Counter(_header_categories())
    assert Counter(q.merchant for q in questions) == Counter(_header_merchants())
    assert set(LAST_WEEKS) == {q.merchant for q in questions} and NEW_KINDS <= {q.category for q in questions}
    assert all(_called(q) <= TOOLS for q in questions)
    assert all(not _called(q) for q in questions if q.category == "out-of-scope")
    assert all(_called(q) for q in questions if q.category != "out-of-scope")
    assert all("query_sales" in q.tools_any for q in questions if "sales_query" in _called(q))
    analytics = [q for q in questions if _called(q) and _called(q) <= ANALYTICS]
    assert len(analytics) >= 60 and all(any("sql" in f for f in q.facts) for q in analytics)


def _ingest_brewline() -> None:
    result = CliRunner().invoke(app, ["data", "ingest", "--merchant", "brewline", str(CSV)])
    assert result.exit_code == 0, result.output


def _one(merchant: str, sql: str) -> object:
    rows = run_sql(merchant, sql).rows
    assert len(rows) == 1 and len(rows[0]) == 1, (merchant, sql, rows[:3])
    return rows[0][0]


def test_every_sql_fact_has_exactly_one_value(fresh_home: Path) -> None:
    _ingest_brewline()
    header = _header()
    for merchant, last in LAST_WEEKS.items():
        assert last in header and str(_one(merchant, "SELECT max(week_start) FROM sales")) == last
    for q in load_questions(SET):
        for fact in (f for f in q.facts if "sql" in f):
            assert _one(q.merchant, fact["sql"]) not in (None, 0, ""), (q.id, fact["sql"])


def test_brewline_holds_what_the_header_says(fresh_home: Path) -> None:
    """The header's description of the merchant is what its facts rely on (opening, closure, products, ranges)."""
    _ingest_brewline()
    assert _one("brewline", "SELECT count(DISTINCT store) FROM sales") == 5
    assert _one("brewline", "SELECT count(DISTINCT product) FROM sales") == 18
    assert _one("brewline", "SELECT count(DISTINCT split_part(product, ' ', 1)) FROM sales") == 4
    assert str(_one("brewline", "SELECT min(week_start) FROM sales")) == "2023-04-03"
    assert str(_one("brewline", "SELECT min(week_start) FROM sales WHERE store = 'Georgetown'")) == "2024-06-03"
    closed = "SELECT count(*) FROM sales WHERE store = 'Ballard' AND week_start BETWEEN DATE '2024-02-05' AND DATE '2024-02-19'"  # fmt: skip
    assert _one("brewline", closed) == 0
    launched = "SELECT min(week_start) FROM sales WHERE product = 'Northbound Cold Brew 32 oz'"
    assert str(_one("brewline", launched)) == "2024-04-01"
    assert _one("brewline", "SELECT count(DISTINCT store) FROM sales WHERE product = 'Hearth Cinnamon Roll'") == 3
    scone_months = "SELECT count(DISTINCT month(week_start)) FROM sales WHERE product = 'Hearth Pumpkin Scone'"
    assert _one("brewline", scone_months) == 3
    dearer_on_deal = (
        "SELECT count(*) FROM (SELECT product FROM sales GROUP BY product"
        " HAVING avg(price) FILTER (WHERE deal > 0) >= avg(price) FILTER (WHERE deal = 0))"
    )
    assert _one("brewline", dearer_on_deal) == 0  # promotions are price cuts


def test_eval_merchant_file_is_small_and_reproducible(tmp_path: Path) -> None:
    """The script, run as a user would, writes the committed file again byte for byte (seeded generator)."""
    assert CSV.stat().st_size < 2_000_000
    target = tmp_path / "brewline.csv"
    subprocess.run([sys.executable, str(SCRIPT), str(target)], check=True, capture_output=True, timeout=120)
    assert target.read_bytes() == CSV.read_bytes()
