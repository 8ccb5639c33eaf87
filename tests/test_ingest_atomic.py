"""Ingest and build never leave a warehouse that breaks later builds, never lose a merchant's rows, never leave
temporary files (issue 17: findings 2, 6, 10, 11). Real files, a real warehouse, real OS failures."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from forecasting import paths
from forecasting.warehouse.build import build_warehouse
from forecasting.warehouse.connect import open_tenant, open_warehouse
from forecasting.warehouse.errors import InvalidMerchantName, TenantNotWritable, WarehouseError, WarehouseLost
from forecasting.warehouse.ingest import ingest_file
from forecasting.warehouse.tenants import preflight
from tools.guarded_sql import run_sql


def _csv(folder: Path, name: str, rows: list[str]) -> Path:
    path = folder / name
    path.write_text("date,store,product,units,price\n" + "\n".join(rows) + "\n")
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _leftovers() -> list[str]:
    return sorted(p.name for p in paths.tenants_dir().iterdir() if p.name.startswith("."))


def _plant_overflowing_row(merchant: str) -> None:
    """A row as an older, unguarded ingest could have committed it: one that no tenant BIGINT can hold."""
    con = open_warehouse()
    con.execute(
        "INSERT INTO merchants (merchant, display_name, source, week_start_isodow, currency) "
        "VALUES (?, ?, 'ingested', 1, 'USD')",
        [merchant, merchant],
    )
    con.execute(
        "INSERT INTO sales_raw (merchant, date, store, product, units, source) "
        "VALUES (?, DATE '2024-01-01', 'chain', 'A', 1e19, 'x')",
        [merchant],
    )
    con.close()


def test_huge_number_is_refused_and_nothing_is_committed(fresh_home: Path, tmp_path: Path) -> None:
    with pytest.raises(WarehouseError):
        ingest_file("huge", _csv(tmp_path, "h.csv", ["2024-01-01,1,A,1e19,1.0"]))
    con = open_warehouse()
    assert con.execute("SELECT count(*) FROM sales_raw WHERE merchant = 'huge'").fetchone() == (0,)
    con.close()
    assert not paths.tenant_path("huge").exists() and _leftovers() == []
    report = ingest_file("huge", _csv(tmp_path, "ok.csv", ["2024-01-01,1,A,5,1.0", "2024-01-02,1,A,7,1.0"]))
    assert report.rows_loaded == 2 and run_sql("huge", "SELECT sum(units) FROM sales").rows == [[12]]
    assert {m.merchant for m in build_warehouse().merchants} == {"huge", "oj", "tuna"}


def test_preflight_finds_what_would_break_the_tenant_before_commit(fresh_home: Path) -> None:
    con = open_warehouse()
    con.execute("BEGIN TRANSACTION")
    con.execute(
        "INSERT INTO merchants (merchant, display_name, source, week_start_isodow, currency) "
        "VALUES ('big', 'big', 'ingested', 1, 'USD')"
    )
    con.execute(
        "INSERT INTO sales_raw (merchant, date, store, product, units, source) "
        "VALUES ('big', DATE '2024-01-01', 'chain', 'A', 1e19, 'x')"
    )
    with pytest.raises(duckdb.Error, match="out of range"):
        preflight(con, "big")
    con.execute("ROLLBACK")
    preflight(con, "oj")  # a sound merchant passes
    con.close()


def test_build_rebuilds_every_merchant_it_can_and_names_the_one_it_cannot(fresh_home: Path) -> None:
    _plant_overflowing_row("aaa")  # sorts before every demo merchant
    oj_rows = run_sql("oj", "SELECT count(*) FROM sales").rows
    summary = build_warehouse()
    assert [f.merchant for f in summary.failed] == ["aaa"] and "out of range" in summary.failed[0].reason
    assert {m.merchant for m in summary.merchants} == {"oj", "tuna"}
    assert run_sql("oj", "SELECT count(*) FROM sales").rows == oj_rows
    assert _leftovers() == []


def test_ingest_after_a_broken_merchant_still_says_what_happened(fresh_home: Path, tmp_path: Path) -> None:
    _plant_overflowing_row("bad")
    with pytest.raises(WarehouseError, match="tenant file could not be rebuilt|unreadable"):
        ingest_file("bad", _csv(tmp_path, "more.csv", ["2024-01-08,chain,A,3,1.0"]))
    assert _leftovers() == []


def test_missing_warehouse_with_tenant_files_refuses_ingest_and_loses_nothing(fresh_home: Path, tmp_path: Path) -> None:
    ingest_file("acme", _csv(tmp_path, "a.csv", [f"2024-01-{d:02d},1,A,{d},2.0" for d in range(1, 29)]))
    before = _digest(paths.tenant_path("acme"))
    paths.warehouse_path().unlink()
    with pytest.raises(WarehouseLost, match="acme") as lost:
        ingest_file("acme", _csv(tmp_path, "b.csv", ["2024-02-01,1,A,1,2.0"]))
    assert "restore warehouse.duckdb" in str(lost.value)
    with pytest.raises(WarehouseLost, match="acme"):
        build_warehouse()  # the demo can be rebuilt, acme's rows cannot: refuse rather than orphan them
    assert not paths.warehouse_path().exists()
    assert _digest(paths.tenant_path("acme")) == before
    assert run_sql("acme", "SELECT sum(units) FROM sales").rows == [[sum(range(1, 29))]]  # the app still answers


def test_missing_warehouse_with_only_demo_tenants_is_rebuilt(fresh_home: Path) -> None:
    paths.warehouse_path().unlink()
    summary = build_warehouse()
    assert {m.merchant for m in summary.merchants} == {"oj", "tuna"} and not summary.failed


def test_replaced_warehouse_does_not_overwrite_a_tenant_it_does_not_know(fresh_home: Path, tmp_path: Path) -> None:
    ingest_file("acme", _csv(tmp_path, "a.csv", [f"2024-01-{d:02d},1,A,{d},2.0" for d in range(1, 29)]))
    before = _digest(paths.tenant_path("acme"))
    moved = paths.tenant_path("acme").rename(tmp_path / "acme.duckdb")
    paths.warehouse_path().unlink()
    build_warehouse()  # a new warehouse with the demo only
    moved.rename(paths.tenant_path("acme"))  # the old tenant file comes back
    with pytest.raises(WarehouseLost, match="acme"):
        ingest_file("acme", _csv(tmp_path, "b.csv", ["2024-02-01,1,A,1,2.0"]))
    assert _digest(paths.tenant_path("acme")) == before


def test_unwritable_tenant_folder_is_found_before_anything_commits(fresh_home: Path, tmp_path: Path) -> None:
    tenants = paths.tenants_dir()
    kept = tenants.rename(tmp_path / "kept-tenants")
    tenants.write_text("not a folder")  # the OS refuses every file in it, even for root
    try:
        with pytest.raises(TenantNotWritable, match="Nothing was loaded"):
            ingest_file("acme", _csv(tmp_path, "a.csv", ["2024-01-01,1,A,1,2.0"]))
    finally:
        tenants.unlink()
        kept.rename(tenants)
    con = open_warehouse()
    assert con.execute("SELECT count(*) FROM merchants WHERE merchant = 'acme'").fetchone() == (0,)
    con.close()


@pytest.mark.parametrize("name", ["oj\n", "acme\n", " oj", "oj ", "o\nj"])
def test_merchant_names_with_whitespace_are_refused(name: str, fresh_home: Path, tmp_path: Path) -> None:
    with pytest.raises(InvalidMerchantName):
        ingest_file(name, _csv(tmp_path, "a.csv", ["2024-01-01,1,A,1,2.0"]))
    with pytest.raises(InvalidMerchantName):
        open_tenant(name)
    assert sorted(p.name for p in paths.tenants_dir().iterdir()) == ["oj.duckdb", "tuna.duckdb"]


def test_cli_build_reports_the_broken_merchant_and_exits_non_zero(fresh_home: Path) -> None:
    _plant_overflowing_row("aaa")
    result = subprocess.run(
        [sys.executable, "-m", "ui.cli", "data", "build"], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 2, result.stderr
    assert "aaa's tenant file could not be rebuilt" in result.stderr and "Traceback" not in result.stderr
    assert "oj" in result.stdout and "tuna" in result.stdout
