"""The warehouse build: real DuckDB files, two demo merchants kept apart, idempotent rebuilds."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from forecasting.warehouse.build import build_warehouse
from forecasting.warehouse.connect import known_merchants, open_tenant
from forecasting.warehouse.holidays import calendar_weeks

DATA = Path(__file__).resolve().parents[1] / "data" / "dominicks"


def _count(merchant: str, sql: str) -> int:
    with open_tenant(merchant) as con:
        return con.execute(sql).fetchall()[0][0]


def test_build_creates_warehouse_and_one_tenant_file_per_merchant(home: Path) -> None:
    assert (home / "warehouse.duckdb").is_file()
    assert known_merchants() == ["oj", "tuna"]
    assert _count("oj", "SELECT count(*) FROM sales") == 106_139
    assert _count("tuna", "SELECT count(*) FROM sales") == 2_366
    assert _count("oj", "SELECT count(DISTINCT store) FROM sales") == 83
    assert _count("tuna", "SELECT count(DISTINCT product) FROM products") == 7


def test_tenant_files_hold_only_their_own_merchant(home: Path) -> None:
    oj_products = set(pd.read_parquet(DATA / "oj_products.parquet")["product"])
    with open_tenant("tuna") as con:
        tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
        assert sorted(tables) == ["calendar", "products", "sales", "stores"]
        tuna_products = {r[0] for r in con.execute("SELECT DISTINCT product FROM sales").fetchall()}
        databases = {
            r[0] for r in con.execute("SELECT database_name FROM duckdb_databases() WHERE NOT internal").fetchall()
        }
    assert not tuna_products & oj_products
    assert len(databases) == 1  # nothing else attached: the other merchant is not even reachable by name


def test_sales_view_has_documented_columns(home: Path) -> None:
    with open_tenant("oj") as con:
        cols = [r[0] for r in con.execute("DESCRIBE sales").fetchall()]
        week_len = con.execute("SELECT DISTINCT week_end - week_start FROM sales").fetchall()
        revenue_ok = con.execute("SELECT bool_and(abs(revenue - units * price) < 0.01) FROM sales").fetchall()
    assert cols[:9] == ["week_start", "week_end", "store", "product", "units", "price", "revenue", "deal", "feature"]
    assert week_len == [(6,)] and revenue_ok == [(True,)]


def test_rebuild_is_idempotent(fresh_home: Path) -> None:
    first = build_warehouse()
    second = build_warehouse()
    assert [m.rows for m in first.merchants] == [m.rows for m in second.merchants] == [106_139, 2_366]
    with duckdb.connect(str(fresh_home / "warehouse.duckdb"), read_only=True) as con:
        dupes = con.execute(
            "SELECT count(*) FROM (SELECT merchant, date, store, product FROM sales_raw GROUP BY ALL HAVING count(*) > 1)"
        ).fetchall()
    assert dupes == [(0,)]


def test_rule_calendar_matches_dominicks_fixed_holidays() -> None:
    cal = pd.read_parquet(DATA / "calendar.parquet")
    rules = calendar_weeks(cal["week_start"].min(), cal["week_start"].max(), 4)
    merged = cal.merge(rules, on="week_start", suffixes=("", "_rule"))
    assert len(merged) == 400
    for event in ["Thanksgiving", "Christmas", "New-Year", "4th of July", "Labor Day", "Memorial Day"]:
        theirs = set(merged.loc[merged["event"] == event, "week_start"])
        ours = set(merged.loc[merged["event_rule"].fillna("").str.contains(event), "week_start"])
        assert theirs == ours, event
    agree = (merged["event"].fillna("") == merged["event_rule"].fillna("")).mean()
    assert agree > 0.94
