"""The tenth held-out set (written before the next revision of the chat) is well formed and every SQL fact has one answer.

The set is only run by hand, once, with the embedded model; a fact whose SQL fails, finds nothing or finds several
rows would score a right answer wrong, so each one is computed here. A third of it is about ``greenleaf``, a synthetic
garden-centre merchant that must be ingested first, which is why this set has a test of its own. Nothing here asks
the chat anything: the set stays unseen until it is measured.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from agent.eval_runner import default_questions, load_questions
from tests.eval.heldout import called, check_facts, header_categories, header_merchants, ingest, one
from tools.guarded_sql import run_sql

ROOT = Path(__file__).resolve().parents[2]
SET = Path(__file__).parent / "holdout10.yaml"
CSV = ROOT / "data" / "eval" / "greenleaf_sales.csv"
SCRIPT = ROOT / "scripts" / "make_eval_merchant3.py"
LAST_WEEKS = {"oj": "1992-10-01", "tuna": "1997-04-24", "greenleaf": "2024-12-29"}
ANALYTICS = {"sales_query", "query_sales", "data_coverage"}
TOOLS = ANALYTICS | {"forecast", "explain_forecast", "what_if", "backtest_accuracy", "make_chart", "generate_report"}
NEW_KINDS = {"growth", "margin"}


def test_set_is_well_formed() -> None:
    questions = load_questions(SET)
    ids = [q.id for q in questions]
    assert len(questions) >= 100 and len(set(ids)) == len(ids) and all(i.startswith("h10-") for i in ids)
    assert len({q.question.strip().lower() for q in questions}) == len(questions)
    others = [q for p in SET.parent.glob("holdout*.yaml") if p != SET for q in load_questions(p)]
    others += load_questions(default_questions())
    assert not set(ids) & {q.id for q in others}
    assert not {q.question.strip().lower() for q in questions} & {q.question.strip().lower() for q in others}
    categories = {q.category for q in questions}
    assert Counter(q.category for q in questions) == Counter(header_categories(SET))
    assert Counter(q.merchant for q in questions) == Counter(header_merchants(SET))
    assert set(LAST_WEEKS) == {q.merchant for q in questions}
    assert NEW_KINDS <= categories
    assert {q.category for q in load_questions(SET.parent / "holdout9.yaml")} <= categories  # every kind asked before
    assert all(called(q) <= TOOLS for q in questions)
    assert all(not called(q) for q in questions if q.category == "out-of-scope")
    assert all(called(q) for q in questions if q.category != "out-of-scope")
    assert all("query_sales" in q.tools_any for q in questions if "sales_query" in called(q))
    analytics = [q for q in questions if called(q) and called(q) <= ANALYTICS]
    assert len(analytics) >= 60 and all(any("sql" in f for f in q.facts) for q in analytics)
    for merchant in LAST_WEEKS:  # each merchant gets the forward-looking kinds too
        kinds = {q.category for q in questions if q.merchant == merchant}
        assert {"forecast", "why", "what-if", "report", "out-of-scope", "typo", "ambiguous"} <= kinds, merchant
    assert TOOLS <= set().union(*(called(q) for q in questions))  # every tool is expected somewhere


def test_every_sql_fact_has_exactly_one_value(fresh_home: Path) -> None:
    ingest("greenleaf", CSV)
    check_facts(SET, LAST_WEEKS)


def test_rankings_have_no_ties(fresh_home: Path) -> None:
    """A product, brand, store or month named by ORDER BY ... LIMIT 1 must not tie with the row after it."""
    ingest("greenleaf", CSV)
    ranking = re.compile(r"SELECT (.+?) FROM (.+) ORDER BY (.+?) (ASC|DESC) LIMIT 1(?: OFFSET (\d+))?")
    checked = 0
    for q in load_questions(SET):
        for fact in (f for f in q.facts if "sql" in f):
            m = ranking.fullmatch(fact["sql"])
            if not m or re.fullmatch(r"\w+", m[3]):  # not a ranking, or one whose fact is the (tied or not) value
                continue
            ranked = f"SELECT {m[1]}, {m[3]} FROM {m[2]} ORDER BY {m[3]} {m[4]} LIMIT 2 OFFSET {m[5] or 0}"
            rows = run_sql(q.merchant, ranked).rows
            assert len(rows) == 2 and rows[0][1] != rows[1][1], (q.id, fact["sql"], rows)
            checked += 1
    assert checked >= 10


def test_greenleaf_holds_what_the_header_says(fresh_home: Path) -> None:
    """The header's description of the merchant is what its facts rely on (opening, closure, products, seasons)."""
    ingest("greenleaf", CSV)
    assert one("greenleaf", "SELECT count(DISTINCT store) FROM sales") == 5
    assert one("greenleaf", "SELECT count(DISTINCT product) FROM sales") == 18
    assert one("greenleaf", "SELECT count(DISTINCT split_part(product, ' ', 1)) FROM sales") == 4
    assert str(one("greenleaf", "SELECT min(week_start) FROM sales")) == "2023-01-01"
    assert one("greenleaf", "SELECT count(DISTINCT dayofweek(week_start)) FROM sales") == 1
    assert one("greenleaf", "SELECT min(dayname(week_start)) FROM sales") == "Sunday"
    assert str(one("greenleaf", "SELECT min(week_start) FROM sales WHERE store = 'Westgate'")) == "2024-03-03"
    storm = "SELECT count(*) FROM sales WHERE store = 'Riverside' AND week_start IN (DATE '2024-01-14', DATE '2024-01-21')"  # fmt: skip
    assert one("greenleaf", storm) == 0
    wreath = "SELECT count(DISTINCT store) FROM sales WHERE product = 'Hollow Creek Fresh Wreath 24 in'"
    assert one("greenleaf", wreath) == 3
    months = "SELECT string_agg(DISTINCT month(week_start)::VARCHAR, ',' ORDER BY month(week_start)::VARCHAR) FROM sales WHERE product = '{}'"  # fmt: skip
    assert one("greenleaf", months.format("Bloomwell Hanging Basket 12 in")) == "4,5,6,7"
    assert one("greenleaf", months.format("Greenleaf Ice Melt 20 lb")) == "1,11,12,2,3"
    assert one("greenleaf", months.format("Greenleaf Poinsettia 6 in")) == "11,12"
    assert one("greenleaf", months.format("Bloomwell Perennial 1 gal")) == "10,3,4,5,6,7,8,9"
    mulch_promo = (
        "SELECT count(*) FROM sales s JOIN calendar c USING (week_start)"
        " WHERE c.event IN ('Memorial Day', 'Labor Day') AND s.product LIKE '%Mulch%' AND s.deal = 0"
    )
    assert one("greenleaf", mulch_promo) == 0
    rise = (
        "SELECT min(a / b) FROM (SELECT product, avg(price) FILTER (WHERE week_start >= DATE '2024-03-03') AS a,"
        " avg(price) FILTER (WHERE week_start < DATE '2024-03-03') AS b FROM sales"
        " WHERE product LIKE 'TerraPro%' AND deal = 0 GROUP BY product)"
    )
    assert 1.05 < one("greenleaf", rise) < 1.15
    dearer_on_deal = (
        "SELECT count(*) FROM (SELECT product FROM sales GROUP BY product"
        " HAVING avg(price) FILTER (WHERE deal > 0) >= avg(price) FILTER (WHERE deal = 0))"
    )
    assert one("greenleaf", dearer_on_deal) == 0  # promotions are price cuts
    december_weeks = "SELECT count(DISTINCT week_start) FROM sales WHERE year(week_start) = 2024 AND month(week_start) = 12"  # fmt: skip
    assert one("greenleaf", december_weeks) == 5  # "last month" holds five weeks, as the header says


def test_eval_merchant_file_is_small_and_reproducible(tmp_path: Path) -> None:
    """The script, run as a user would, writes the committed file again byte for byte (seeded generator)."""
    assert CSV.stat().st_size < 2_000_000
    target = tmp_path / "greenleaf.csv"
    subprocess.run([sys.executable, str(SCRIPT), str(target)], check=True, capture_output=True, timeout=120)
    assert target.read_bytes() == CSV.read_bytes()
