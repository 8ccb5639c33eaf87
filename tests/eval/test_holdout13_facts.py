"""The thirteenth held-out set (written before the next revision of the chat) is well formed and every SQL fact has
one answer.

The set is only run by hand, once, with the embedded model; a fact whose SQL fails, finds nothing or finds several
rows would score a right answer wrong, so each one is computed here. A third of it is about ``anvil``, a synthetic
hardware store chain that must be ingested first, which is why this set has a test of its own. Nothing here asks the
chat anything: the set stays unseen until it is measured.
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
SET = Path(__file__).parent / "holdout13.yaml"
CSV = ROOT / "data" / "eval" / "anvil_sales.csv"
SCRIPT = ROOT / "scripts" / "make_eval_merchant6.py"
LAST_WEEKS = {"oj": "1992-10-01", "tuna": "1997-04-24", "anvil": "2026-10-25"}
ANALYTICS = {"sales_query", "query_sales", "data_coverage"}
TOOLS = ANALYTICS | {"forecast", "explain_forecast", "what_if", "backtest_accuracy", "make_chart", "generate_report"}
NEW_KINDS = {"novel", "when"}


def test_set_is_well_formed() -> None:
    questions = load_questions(SET)
    ids = [q.id for q in questions]
    assert len(questions) >= 100 and len(set(ids)) == len(ids) and all(i.startswith("h13-") for i in ids)
    assert len({q.question.strip().lower() for q in questions}) == len(questions)
    others = [q for p in SET.parent.glob("holdout*.yaml") if p != SET for q in load_questions(p)]
    others += load_questions(default_questions())
    assert not set(ids) & {q.id for q in others}
    assert not {q.question.strip().lower() for q in questions} & {q.question.strip().lower() for q in others}
    categories = {q.category for q in questions}
    assert Counter(q.category for q in questions) == Counter(header_categories(SET))
    assert Counter(q.merchant for q in questions) == Counter(header_merchants(SET))
    assert set(LAST_WEEKS) == {q.merchant for q in questions}
    assert NEW_KINDS <= categories and Counter(q.category for q in questions)["novel"] >= 10
    for earlier in ("holdout10.yaml", "holdout11.yaml", "holdout12.yaml"):  # every kind asked before is asked again
        assert {q.category for q in load_questions(SET.parent / earlier)} <= categories, earlier
    assert all(called(q) <= TOOLS for q in questions)
    assert all(not called(q) for q in questions if q.category == "out-of-scope")
    assert all(called(q) for q in questions if q.category != "out-of-scope")
    assert all("query_sales" in q.tools_any for q in questions if "sales_query" in called(q))
    assert all("sales_query" in q.tools_any for q in questions if "query_sales" in called(q))
    analytics = [q for q in questions if called(q) and called(q) <= ANALYTICS]
    assert len(analytics) >= 60 and all(any("sql" in f for f in q.facts) for q in analytics)
    assert all(all(f.get("contains") for f in q.facts if "sql" not in f) for q in questions)
    for merchant in LAST_WEEKS:  # each merchant gets the forward-looking kinds too
        kinds = {q.category for q in questions if q.merchant == merchant}
        wanted = {"forecast", "why", "what-if", "report", "out-of-scope", "typo", "ambiguous", "novel", "when"}
        assert wanted <= kinds, merchant
    assert TOOLS <= set().union(*(called(q) for q in questions))  # every tool is expected somewhere
    assert all(3 <= len([q for q in questions if q.merchant == m]) * 10 // len(questions) <= 4 for m in LAST_WEEKS)
    assert any(q.id.endswith("-fu") for q in questions)
    assert not any(q.category in {"margin", "store-attribute"} for q in questions if q.merchant == "anvil")


def test_every_sql_fact_has_exactly_one_value(fresh_home: Path) -> None:
    ingest("anvil", CSV)
    check_facts(SET, LAST_WEEKS)


def test_rankings_have_no_ties(fresh_home: Path) -> None:
    """A product, brand, store, week, month or quarter named by ORDER BY ... LIMIT 1 must not tie with the next row."""
    ingest("anvil", CSV)
    ranking = re.compile(r"SELECT (.+?) FROM (.+) ORDER BY (.+?) (ASC|DESC) LIMIT 1(?: OFFSET (\d+))?")
    checked = 0
    for q in load_questions(SET):
        for fact in (f for f in q.facts if "sql" in f):
            m = ranking.fullmatch(fact["sql"])
            if not m:
                continue
            ranked = f"SELECT {m[1]}, {m[3]} FROM {m[2]} ORDER BY {m[3]} {m[4]} LIMIT 2 OFFSET {m[5] or 0}"
            rows = run_sql(q.merchant, ranked).rows
            assert len(rows) == 2 and rows[0][1] != rows[1][1], (q.id, fact["sql"], rows)
            checked += 1
    assert checked >= 15


def test_two_part_facts_name_different_values(fresh_home: Path) -> None:
    """A question that asks for two periods, sizes or groups gets two different numbers (else either would pass)."""
    ingest("anvil", CSV)
    kinds = {"period-compare", "same-period", "promo-compare", "ambiguous", "avg-price"}
    checked = 0
    for q in load_questions(SET):
        sqls = [f["sql"] for f in q.facts if "sql" in f]
        if q.category in kinds and len(sqls) > 1:
            values = [one(q.merchant, sql) for sql in sqls]
            assert len(set(values)) == len(values), (q.id, values)
            checked += 1
    assert checked >= 12


def test_anvil_holds_what_the_header_says(fresh_home: Path) -> None:
    """The header's description of the merchant is what its facts rely on (weeks, stores, products, seasons, prices)."""
    ingest("anvil", CSV)
    a = "anvil"
    stores = "SELECT string_agg(DISTINCT store, ',' ORDER BY store) FROM sales"
    assert one(a, stores) == "Cedar Falls,Harbor Point,Lakeside,Mill Road,Westgate"
    assert one(a, "SELECT count(DISTINCT product) FROM sales") == 19
    assert one(a, "SELECT count(*) FROM sales WHERE NOT regexp_matches(product, '^(Anvil|Brightline|ProCoat|FrostGuard|Ironclad) .+ [0-9]+ (yd|ft|pk|lm|in|gal|qt|oz|lb|V|ct)$')") == 0  # fmt: skip
    two_sizes = "SELECT count(DISTINCT product) FROM sales WHERE product LIKE '{}%'"
    for name in ("Anvil Extension Cord", "Brightline LED Bulb", "ProCoat Interior Paint", "FrostGuard Ice Melt"):
        assert one(a, two_sizes.format(name)) == 2, name
    assert str(one(a, "SELECT min(week_start) FROM sales")) == "2024-11-03"
    assert one(a, "SELECT count(DISTINCT week_start) FROM sales") == 104
    assert one(a, "SELECT count(DISTINCT dayofweek(week_start)) FROM sales") == 1
    assert one(a, "SELECT min(dayname(week_start)) FROM sales") == "Sunday"
    assert str(one(a, "SELECT max(week_end) FROM sales")) == "2026-10-31"
    per_year = "SELECT string_agg(n::VARCHAR, ',' ORDER BY y) FROM (SELECT year(week_start) AS y, count(DISTINCT week_start) AS n FROM sales GROUP BY y)"  # fmt: skip
    assert one(a, per_year) == "9,52,43"
    october = "SELECT string_agg(DISTINCT week_start::VARCHAR, ',' ORDER BY week_start::VARCHAR) FROM sales WHERE year(week_start) = {} AND month(week_start) = 10"  # fmt: skip
    assert one(a, october.format(2026)) == "2026-10-04,2026-10-11,2026-10-18,2026-10-25"
    assert one(a, october.format(2025)) == "2025-10-05,2025-10-12,2025-10-19,2025-10-26"
    assert str(one(a, "SELECT min(week_start) FROM sales WHERE store = 'Lakeside'")) == "2025-04-06"
    assert one(a, "SELECT count(DISTINCT week_start) FROM sales WHERE store = 'Lakeside'") == 82
    refit = "SELECT count(*) FROM sales WHERE store = 'Harbor Point' AND week_start IN (DATE '2025-08-10', DATE '2025-08-17')"  # fmt: skip
    assert one(a, refit) == 0
    assert one(a, "SELECT count(DISTINCT week_start) FROM sales WHERE store = 'Harbor Point'") == 102
    assert one(a, "SELECT count(*) FROM sales WHERE store = 'Harbor Point' AND product LIKE 'FrostGuard Snow Shovel%'") == 0  # fmt: skip
    months = "SELECT string_agg(DISTINCT month(week_start)::VARCHAR, ',' ORDER BY month(week_start)::VARCHAR) FROM sales WHERE product = '{}'"  # fmt: skip
    assert one(a, months.format("FrostGuard Snow Shovel 18 in")) == "1,11,12,2"
    assert one(a, months.format("Brightline Box Fan 20 in")) == "5,6,7,8"
    out = "SELECT count(*) FROM sales WHERE product = 'FrostGuard Ice Melt 50 lb' AND week_start IN (DATE '2026-01-25', DATE '2026-02-01') AND units {}"  # fmt: skip
    assert one(a, out.format("= 0")) == 10 and one(a, out.format("> 0")) == 0  # rows there, nothing sold
    events = "SELECT string_agg(week_start::VARCHAR, ',' ORDER BY week_start) FROM calendar WHERE event = '{}' AND week_start BETWEEN DATE '2024-11-03' AND DATE '2026-10-25'"  # fmt: skip
    assert one(a, events.format("Thanksgiving")) == "2024-11-24,2025-11-23"
    assert one(a, events.format("Christmas")) == "2024-12-22,2025-12-21"
    assert one(a, events.format("New-Year")) == "2024-12-29,2025-12-28"
    assert one(a, events.format("Presidents Day")) == "2025-02-16,2026-02-15"
    assert one(a, events.format("Easter")) == "2025-04-20,2026-04-05"
    assert one(a, events.format("Memorial Day")) == "2025-05-25,2026-05-24"
    assert one(a, events.format("4th of July")) == "2025-06-29,2026-06-28"
    assert one(a, events.format("Labor Day")) == "2025-08-31,2026-09-06"
    assert one(a, events.format("Halloween")) == "2025-10-26,2026-10-25"
    holiday_promos = (
        "SELECT count(*) FROM sales s JOIN calendar c USING (week_start) WHERE s.deal = 0 AND ("
        "(c.event = 'Thanksgiving' AND s.product LIKE 'Ironclad%') OR "
        "(c.event = 'Memorial Day' AND s.product LIKE 'ProCoat%'))"
    )
    assert one(a, holiday_promos) == 0
    rise = (
        "SELECT {}(a / b) FROM (SELECT product, avg(price) FILTER (WHERE week_start >= DATE '2026-03-01') AS a,"
        " avg(price) FILTER (WHERE week_start < DATE '2026-03-01') AS b FROM sales"
        " WHERE product LIKE 'ProCoat%' AND deal = 0 GROUP BY product)"
    )
    assert 1.05 < one(a, rise.format("min")) and one(a, rise.format("max")) < 1.1
    drill = "SELECT string_agg(DISTINCT price::DECIMAL(6, 2)::VARCHAR, ',') FROM sales WHERE product = 'Ironclad Cordless Drill 20 V' AND deal = 0 AND week_start {} DATE '2025-09-07'"  # fmt: skip
    assert one(a, drill.format("<")) == "99.99" and one(a, drill.format(">=")) == "89.99"
    dearer_on_deal = (
        "SELECT count(*) FROM (SELECT product FROM sales GROUP BY product"
        " HAVING avg(price) FILTER (WHERE deal > 0) >= avg(price) FILTER (WHERE deal = 0))"
    )
    assert one(a, dearer_on_deal) == 0  # promotions are price cuts


def test_demo_coverage_is_what_the_header_says(home: Path) -> None:
    """The oj and tuna facts the header states (and the questions lean on) hold in the built demo."""
    assert one("oj", "SELECT count(DISTINCT week_start) FROM sales") == 121
    oj_years = "SELECT string_agg(n::VARCHAR, ',' ORDER BY y) FROM (SELECT year(week_start) AS y, count(DISTINCT week_start) AS n FROM sales GROUP BY y)"  # fmt: skip
    assert one("oj", oj_years) == "29,52,40"
    missing = "SELECT string_agg(store, ',' ORDER BY store) FROM stores WHERE store NOT IN (SELECT store FROM sales WHERE week_start = DATE '1992-10-01')"  # fmt: skip
    assert one("oj", missing) == "112,83,86"
    assert one("oj", "SELECT count(DISTINCT week_start) FROM sales WHERE year(week_start) = 1992 AND month(week_start) = 9") == 4  # fmt: skip
    assert one("oj", "SELECT count(*) FROM products WHERE product LIKE 'Tropicana Premium%'") == 2
    assert one("oj", "SELECT count(DISTINCT week_start) FROM calendar WHERE event = 'Thanksgiving' AND week_start = DATE '1991-11-28'") == 1  # fmt: skip
    assert one("tuna", "SELECT count(DISTINCT week_start) FROM sales") == 338
    per_year = "SELECT string_agg(n::VARCHAR, ',' ORDER BY y) FROM (SELECT year(week_start) AS y, count(DISTINCT week_start) AS n FROM sales GROUP BY y)"  # fmt: skip
    assert one("tuna", per_year) == "16,52,52,53,50,48,44,12,11"
    assert one("tuna", "SELECT count(*) FROM sales WHERE deal IS NOT NULL OR feature IS NOT NULL") == 0
    assert one("tuna", "SELECT count(DISTINCT week_start) FROM sales WHERE year(week_start) = 1997 AND month(week_start) = 4") == 4  # fmt: skip
    assert one(
        "tuna", "SELECT string_agg(product, ',' ORDER BY product) FROM products WHERE product LIKE '%Chunk%'"
    ) == ("Bumble Bee Chunk 6.12 oz,HH Chunk Lite 6.5 oz")
    christmas_1993 = "SELECT count(*) FROM sales s JOIN calendar c ON s.week_start = c.week_start - INTERVAL 7 DAY WHERE c.event = 'Christmas' AND year(c.week_start) = 1993"  # fmt: skip
    assert one("tuna", christmas_1993) == 7  # the week before Christmas 1993 is in the data


def test_eval_merchant_file_is_small_and_reproducible(tmp_path: Path) -> None:
    """The script, run as a user would, writes the committed file again byte for byte (seeded generator)."""
    assert CSV.stat().st_size < 2_000_000
    target = tmp_path / "anvil.csv"
    subprocess.run([sys.executable, str(SCRIPT), str(target)], check=True, capture_output=True, timeout=120)
    assert target.read_bytes() == CSV.read_bytes()
