"""Cut one merchant's tenant database out of the warehouse.

The tenant file is what merchant-scoped queries open, so it holds that merchant's tables and nothing else: even a
query that slipped past every check could not name another merchant's rows. It is written beside its final path
and renamed over it, so readers see either the old or the new file, never half of one.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from forecasting.warehouse.sqlutil import one

SALES_EXTRAS = ["display", "profit", "wholesale_price"]
PRODUCT_COLUMNS = ["product", "brand", "size_oz"]
STORE_COLUMNS = [
    "store", "city", "price_tier", "zone", "zip", "address", "age60", "educ", "ethnic", "income", "hhlarge",
    "workwom", "hval150", "sstrdist", "sstrvol", "cpdist5", "cpwvol5",
]  # fmt: skip


def _weekly_sales_sql(extras: list[str], integral_units: bool, src: str = "wh") -> str:
    """Roll ``sales_raw`` (daily or weekly rows) up to the merchant's weeks.

    Units are whole numbers (BIGINT) when every recorded quantity is, so answers read "8256 units", not "8256.0".
    """
    units = "CAST(sum(units) AS BIGINT)" if integral_units else "sum(units)"
    extra_sql = "".join(f", avg({c}) AS {c}" for c in extras)
    return f"""
        WITH raw AS (
            SELECT r.*, CAST(r.date - to_days(CAST((isodow(r.date) - m.week_start_isodow + 7) % 7 AS INTEGER))
                             AS DATE) AS week_start
            FROM {src}.sales_raw r JOIN {src}.merchants m USING (merchant)
            WHERE r.merchant = $merchant)
        SELECT week_start, CAST(week_start + 6 AS DATE) AS week_end, store, product,
               {units} AS units,
               CASE WHEN sum(units) FILTER (WHERE price IS NOT NULL) > 0
                    THEN sum(units * price) / sum(units) FILTER (WHERE price IS NOT NULL)
                    ELSE avg(price) END AS price,
               round(sum(units * price), 2) AS revenue,
               avg(deal) AS deal, avg(feature) AS feature{extra_sql}
        FROM raw GROUP BY ALL ORDER BY week_start, store, product"""


def _non_empty(
    con: duckdb.DuckDBPyConnection, table: str, merchant: str, columns: list[str], src: str = "wh"
) -> list[str]:
    """The columns of ``table`` with at least one value for this merchant (key columns always count)."""
    counts = one(
        con,
        f"SELECT {', '.join(f'count({c})' for c in columns)} FROM {src}.{table} WHERE merchant = $merchant",
        {"merchant": merchant},
    )
    return [c for c, n in zip(columns, counts) if n > 0 or c in ("product", "store")]


def sales_sql(con: duckdb.DuckDBPyConnection, merchant: str, src: str = "wh") -> str:
    """The query that makes the tenant's ``sales`` table, read from the warehouse attached as ``src``."""
    params = {"merchant": merchant}
    extras = _non_empty(con, "sales_raw", merchant, SALES_EXTRAS, src)
    fractional = one(
        con, f"SELECT count(*) FROM {src}.sales_raw WHERE merchant = $merchant AND units <> round(units)", params
    )
    return _weekly_sales_sql(extras, fractional[0] == 0, src)


def preflight(con: duckdb.DuckDBPyConnection, merchant: str) -> None:
    """Run the tenant's sales query inside the warehouse's open transaction, before it commits.

    The tenant file is cut from committed rows by another connection, so a row that cannot become a tenant row
    (a sum past BIGINT, say) would otherwise be found only after the commit, leaving a warehouse every later build
    trips over. Streaming the very query the export runs, in batches that are thrown away, finds it first.
    """
    reader = con.sql(sales_sql(con, merchant, "main"), params={"merchant": merchant}).to_arrow_reader(65_536)
    for _ in reader:
        pass


def export_tenant(warehouse: Path, merchant: str, target: Path) -> None:
    """Write ``target`` with the merchant's sales, products, stores, calendar and competitor prices."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    _remove(tmp)
    try:
        _write_tenant(warehouse, merchant, tmp)
        os.replace(tmp, target)
    finally:
        _remove(tmp)


def _remove(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)


def _write_tenant(warehouse: Path, merchant: str, tmp: Path) -> None:
    con = duckdb.connect(str(tmp))
    try:
        con.execute("ATTACH ? AS wh (READ_ONLY)", [str(warehouse)])
        params = {"merchant": merchant}
        con.execute(f"CREATE TABLE sales AS {sales_sql(con, merchant)}", params)
        product_cols = ", ".join(_non_empty(con, "products", merchant, PRODUCT_COLUMNS))
        con.execute(
            f"CREATE TABLE products AS SELECT {product_cols} FROM wh.products WHERE merchant = $merchant "
            "ORDER BY product",
            params,
        )
        store_cols = ", ".join(_non_empty(con, "stores", merchant, STORE_COLUMNS))
        con.execute(
            f"CREATE TABLE stores AS SELECT {store_cols} FROM wh.stores WHERE merchant = $merchant "
            "ORDER BY TRY_CAST(store AS INTEGER) NULLS LAST, store",
            params,
        )
        con.execute(
            "CREATE TABLE calendar AS SELECT week_start, week_end, event FROM wh.calendar "
            "WHERE merchant = $merchant ORDER BY week_start",
            params,
        )
        _export_competitor_prices(con, merchant)
        con.execute("DETACH wh")
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _export_competitor_prices(con: duckdb.DuckDBPyConnection, merchant: str) -> None:
    params = {"merchant": merchant}
    if one(con, "SELECT count(*) FROM wh.shelf_prices WHERE merchant = $merchant", params)[0] == 0:
        return
    con.execute(
        """CREATE TABLE competitor_prices AS
           SELECT p.week_start, CAST(p.week_start + 6 AS DATE) AS week_end, p.store, p.product,
                  c.product AS competitor, c.price AS competitor_price
           FROM wh.shelf_prices p
           JOIN wh.shelf_prices c
             ON c.merchant = p.merchant AND c.store = p.store AND c.week_start = p.week_start
            AND c.product <> p.product
           WHERE p.merchant = $merchant
           ORDER BY p.week_start, p.store, p.product, c.product""",
        params,
    )
