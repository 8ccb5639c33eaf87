"""Loading a merchant's own files: mapping by name, rejects with reasons, all-or-nothing, no duplicates."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from forecasting.warehouse import ingest as ingest_module
from forecasting.warehouse.build import build_warehouse
from forecasting.warehouse.ingest import ingest_file
from forecasting.warehouse.ingest_validate import IngestError
from tools.guarded_sql import run_sql

GOOD_AND_BAD = """Date,Store,Product,Qty,Unit Price,Promo,Notes
2024-01-01,1,Apple Juice,10,2.50,0,ok
2024-01-01,1,Apple Juice,5,3.00,1,same day twice: summed
2024-01-02,1,Apple Juice,7,2.50,no,ok
2024-01-02,2,Apple Juice,abc,2.50,0,bad units
2024-01-03,1,,4,2.50,0,no product
not-a-date,1,Apple Juice,4,2.50,0,bad date
2024-01-09,1,Orange Juice,-3,2.50,0,negative
2024-01-09,1,Orange Juice,3,2.50,maybe,bad promo
2024-01-10,,Orange Juice,3,2.50,1,no store
2024-01-10,1,Orange Juice,3,,1,no price is fine
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_rejects_have_reasons_and_counts_reconcile(fresh_home: Path, tmp_path: Path) -> None:
    report = ingest_file("acme", _write(tmp_path, "sales.csv", GOOD_AND_BAD))
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (10, 4, 6)
    assert report.rows_read == report.rows_loaded + report.rows_rejected
    rejects = pd.read_csv(report.rejects_file)
    assert list(rejects["row"]) == [4, 5, 6, 7, 8, 9]
    reasons = " | ".join(rejects["reason"])
    for expected in ["units: 'abc' is not a number", "product: missing", "date: cannot read 'not-a-date'",
                     "units: negative", "promotion: 'maybe'", "store: missing"]:  # fmt: skip
        assert expected in reasons
    assert list(rejects["Notes"]) == ["bad units", "no product", "bad date", "negative", "bad promo", "no store"]
    assert report.ignored_columns == ["Notes"]


def test_daily_rows_roll_up_to_weeks(fresh_home: Path, tmp_path: Path) -> None:
    ingest_file("acme", _write(tmp_path, "sales.csv", GOOD_AND_BAD))
    rows = run_sql("acme", "SELECT week_start, store, product, units, price, revenue FROM sales ORDER BY 1, 3").rows
    assert rows == [
        ["2024-01-01", "1", "Apple Juice", 22, pytest.approx((10 * 2.5 + 5 * 3 + 7 * 2.5) / 22), 57.5],
        ["2024-01-08", "1", "Orange Juice", 3, None, None],
    ]
    events = run_sql("acme", "SELECT event FROM calendar WHERE week_start = DATE '2024-11-25'").rows
    assert events == [["Thanksgiving"]]


def test_reingesting_the_same_file_does_not_duplicate(fresh_home: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, "sales.csv", GOOD_AND_BAD)
    first = ingest_file("acme", path)
    second = ingest_file("acme", path)
    assert (first.keys_new, first.keys_replaced, first.already_ingested) == (3, 0, False)
    assert (second.keys_new, second.keys_replaced, second.already_ingested) == (0, 3, True)
    assert run_sql("acme", "SELECT sum(units) FROM sales").rows == [[25]]


def test_weekly_parquet_with_chain_totals(fresh_home: Path, tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "week": pd.to_datetime(["2024-03-03", "2024-03-10", "2024-03-17"]),
            "sku": ["Cola 2L"] * 3,
            "units_sold": [100.0, 120.0, 90.5],
            "price": [1.99, 1.79, 1.99],
            "on_promotion": [False, True, False],
        }
    )
    path = tmp_path / "weekly.parquet"
    frame.to_parquet(path)
    report = ingest_file("cola", path)
    assert report.grain == "weekly" and report.week_start == "sunday" and report.rows_rejected == 0
    rows = run_sql("cola", "SELECT week_start, store, units, deal FROM sales ORDER BY 1").rows
    assert rows == [["2024-03-03", "chain", 100.0, 0.0], ["2024-03-10", "chain", 120.0, 1.0],
                    ["2024-03-17", "chain", 90.5, 0.0]]  # fmt: skip


def test_missing_required_column_refuses_the_file(fresh_home: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, "bad.csv", "day,item\n2024-01-01,Apple\n")
    with pytest.raises(IngestError, match=r"Missing required column\(s\) \['units'\].*--map"):
        ingest_file("acme", path)


def test_ambiguous_columns_ask_for_an_explicit_map(fresh_home: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, "two.csv", "date,product,qty,units\n2024-01-01,A,1,2\n")
    with pytest.raises(IngestError, match="--map units="):
        ingest_file("acme", path)
    report = ingest_file("acme", path, mapping={"units": "units"})
    assert run_sql("acme", "SELECT sum(units) FROM sales").rows == [[2]]
    assert report.ignored_columns == ["qty"]


def test_all_rows_bad_loads_nothing(fresh_home: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, "junk.csv", "date,product,units\nx,A,1\n2024-01-01,,2\n")
    with pytest.raises(IngestError, match="all 2 rows were rejected"):
        ingest_file("junk", path)
    assert not (fresh_home / "tenants" / "junk.duckdb").exists()


def test_load_is_all_or_nothing(fresh_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(ingest_module, "_extend_calendar", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        ingest_file("acme", _write(tmp_path, "sales.csv", GOOD_AND_BAD))
    with duckdb.connect(str(fresh_home / "warehouse.duckdb"), read_only=True) as con:
        for table in ("sales_raw", "products", "stores", "merchants", "ingests"):
            assert con.execute(f"SELECT count(*) FROM {table} WHERE merchant = 'acme'").fetchall() == [(0,)]


def test_ingested_rows_survive_a_demo_rebuild(fresh_home: Path, tmp_path: Path) -> None:
    ingest_file("acme", _write(tmp_path, "sales.csv", GOOD_AND_BAD))
    extra = _write(tmp_path, "oj_extra.csv", "date,store,product,units\n1992-10-08,2,Tropicana 64 oz,1234\n")
    ingest_file("oj", extra)
    build_warehouse()
    assert run_sql("acme", "SELECT sum(units) FROM sales").rows == [[25]]
    assert run_sql("oj", "SELECT count(*) FROM sales").rows == [[106_140]]
    assert run_sql("tuna", "SELECT count(*) FROM sales").rows == [[2_366]]


def test_bad_arguments_are_explained(fresh_home: Path, tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="File not found"):
        ingest_file("acme", tmp_path / "nope.csv")
    with pytest.raises(IngestError, match="Unsupported file type"):
        ingest_file("acme", _write(tmp_path, "x.xlsx", "x"))
    with pytest.raises(IngestError, match="--week-start must be a weekday"):
        ingest_file("acme", _write(tmp_path, "s.csv", GOOD_AND_BAD), week_start="someday")
    with pytest.raises(IngestError, match="already has weeks starting on thursday"):
        ingest_file("oj", _write(tmp_path, "s2.csv", GOOD_AND_BAD), week_start="monday")
