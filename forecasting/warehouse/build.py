"""``salescast data build``: (re)load the demo merchants and refresh every tenant database."""

from __future__ import annotations

import time
from datetime import date

import duckdb
from pydantic import BaseModel

from forecasting import paths
from forecasting.warehouse.connect import open_tenant, open_warehouse
from forecasting.warehouse.demo import DEMO_MERCHANTS, load_demo
from forecasting.warehouse.errors import first_line
from forecasting.warehouse.sqlutil import one
from forecasting.warehouse.tenants import export_tenant


class MerchantSummary(BaseModel):
    merchant: str
    rows: int
    stores: int
    products: int
    first_week: date | None
    last_week: date | None


class TenantFailure(BaseModel):
    merchant: str
    reason: str


class BuildSummary(BaseModel):
    warehouse: str
    seconds: float
    merchants: list[MerchantSummary]
    failed: list[TenantFailure] = []


def refresh_tenants(con: duckdb.DuckDBPyConnection, merchants: list[str] | None = None) -> list[TenantFailure]:
    """Rewrite tenant databases from the committed warehouse state (all merchants by default).

    One merchant whose file cannot be cut does not stop the others: its old tenant file stays as it was (files are
    replaced whole), and the failure is returned with the reason.
    """
    con.execute("CHECKPOINT")
    names = merchants or [r[0] for r in con.execute("SELECT merchant FROM merchants ORDER BY 1").fetchall()]
    # The tenant export attaches the warehouse file read-only, which needs this connection closed first.
    con.close()
    failures = []
    for merchant in names:
        try:
            export_tenant(paths.warehouse_path(), merchant, paths.tenant_path(merchant))
        except (duckdb.Error, OSError) as err:
            failures.append(TenantFailure(merchant=merchant, reason=first_line(err)))
    return failures


def build_warehouse() -> BuildSummary:
    """Idempotent: demo rows are replaced, rows merchants ingested are kept."""
    started = time.perf_counter()
    con = open_warehouse(rebuildable=frozenset(DEMO_MERCHANTS))
    try:
        con.execute("BEGIN TRANSACTION")
        load_demo(con, paths.data_dir() / "dominicks")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        con.close()
        raise
    merchants = [r[0] for r in con.execute("SELECT merchant FROM merchants ORDER BY merchant").fetchall()]
    failed = refresh_tenants(con)
    broken = {f.merchant for f in failed}
    return BuildSummary(
        warehouse=str(paths.warehouse_path()),
        seconds=round(time.perf_counter() - started, 2),
        merchants=[merchant_summary(m) for m in merchants if m not in broken and paths.tenant_path(m).is_file()],
        failed=failed,
    )


def merchant_summary(merchant: str) -> MerchantSummary:
    """Row counts and date range as the merchant's own queries would see them."""
    with open_tenant(merchant) as con:
        rows, stores, products, first, last = one(
            con,
            "SELECT count(*), count(DISTINCT store), count(DISTINCT product), min(week_start), max(week_start) "
            "FROM sales",
        )
    return MerchantSummary(
        merchant=merchant,
        rows=rows,
        stores=stores,
        products=products,
        first_week=first,
        last_week=last,
    )
