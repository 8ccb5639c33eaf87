"""The ninth held-out set (the final measurement of the redesigned chat) is well formed and every SQL fact has one answer.

The set is only run by hand, once, with the embedded model; a fact whose SQL fails, finds nothing or finds several
rows would score a right answer wrong, so each one is computed here. A third of it is about ``brewline``, a synthetic
coffee-shop merchant that must be ingested first, which is why this set has a test of its own. Nothing here asks
the chat anything: the set stays unseen until it is measured.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

from agent.eval_runner import default_questions, load_questions
from tests.eval.heldout import called, check_facts, header_categories, header_merchants, ingest, one

ROOT = Path(__file__).resolve().parents[2]
SET = Path(__file__).parent / "holdout9.yaml"
CSV = ROOT / "data" / "eval" / "brewline_sales.csv"
SCRIPT = ROOT / "scripts" / "make_eval_merchant2.py"
LAST_WEEKS = {"oj": "1992-10-01", "tuna": "1997-04-24", "brewline": "2025-03-31"}
ANALYTICS = {"sales_query", "query_sales", "data_coverage"}
TOOLS = ANALYTICS | {"forecast", "explain_forecast", "what_if", "backtest_accuracy", "make_chart", "generate_report"}
NEW_KINDS = {"store-attribute", "avg-price", "store-count", "promo-compare", "breakdown", "same-period", "bottom"}


def test_set_is_well_formed() -> None:
    questions = load_questions(SET)
    ids = [q.id for q in questions]
    assert len(questions) >= 100 and len(set(ids)) == len(ids) and all(i.startswith("h9-") for i in ids)
    others = {q.id for p in SET.parent.glob("holdout*.yaml") if p != SET for q in load_questions(p)}
    assert not set(ids) & (others | {q.id for q in load_questions(default_questions())})
    assert Counter(q.category for q in questions) == Counter(header_categories(SET))
    assert Counter(q.merchant for q in questions) == Counter(header_merchants(SET))
    assert set(LAST_WEEKS) == {q.merchant for q in questions} and NEW_KINDS <= {q.category for q in questions}
    assert all(called(q) <= TOOLS for q in questions)
    assert all(not called(q) for q in questions if q.category == "out-of-scope")
    assert all(called(q) for q in questions if q.category != "out-of-scope")
    assert all("query_sales" in q.tools_any for q in questions if "sales_query" in called(q))
    analytics = [q for q in questions if called(q) and called(q) <= ANALYTICS]
    assert len(analytics) >= 60 and all(any("sql" in f for f in q.facts) for q in analytics)


def test_every_sql_fact_has_exactly_one_value(fresh_home: Path) -> None:
    ingest("brewline", CSV)
    check_facts(SET, LAST_WEEKS)


def test_brewline_holds_what_the_header_says(fresh_home: Path) -> None:
    """The header's description of the merchant is what its facts rely on (opening, closure, products, ranges)."""
    ingest("brewline", CSV)
    assert one("brewline", "SELECT count(DISTINCT store) FROM sales") == 5
    assert one("brewline", "SELECT count(DISTINCT product) FROM sales") == 18
    assert one("brewline", "SELECT count(DISTINCT split_part(product, ' ', 1)) FROM sales") == 4
    assert str(one("brewline", "SELECT min(week_start) FROM sales")) == "2023-04-03"
    assert str(one("brewline", "SELECT min(week_start) FROM sales WHERE store = 'Georgetown'")) == "2024-06-03"
    closed = "SELECT count(*) FROM sales WHERE store = 'Ballard' AND week_start BETWEEN DATE '2024-02-05' AND DATE '2024-02-19'"  # fmt: skip
    assert one("brewline", closed) == 0
    launched = "SELECT min(week_start) FROM sales WHERE product = 'Northbound Cold Brew 32 oz'"
    assert str(one("brewline", launched)) == "2024-04-01"
    assert one("brewline", "SELECT count(DISTINCT store) FROM sales WHERE product = 'Hearth Cinnamon Roll'") == 3
    scone_months = "SELECT count(DISTINCT month(week_start)) FROM sales WHERE product = 'Hearth Pumpkin Scone'"
    assert one("brewline", scone_months) == 3
    dearer_on_deal = (
        "SELECT count(*) FROM (SELECT product FROM sales GROUP BY product"
        " HAVING avg(price) FILTER (WHERE deal > 0) >= avg(price) FILTER (WHERE deal = 0))"
    )
    assert one("brewline", dearer_on_deal) == 0  # promotions are price cuts


def test_eval_merchant_file_is_small_and_reproducible(tmp_path: Path) -> None:
    """The script, run as a user would, writes the committed file again byte for byte (seeded generator)."""
    assert CSV.stat().st_size < 2_000_000
    target = tmp_path / "brewline.csv"
    subprocess.run([sys.executable, str(SCRIPT), str(target)], check=True, capture_output=True, timeout=120)
    assert target.read_bytes() == CSV.read_bytes()
