"""Load the two demo merchants from the committed Parquet in ``data/dominicks`` into the warehouse.

Reloading replaces only rows that came from the demo files: rows a merchant ingested are kept, and where an
ingested row has the same week, store and product as a demo row, the ingested one wins.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import duckdb

from forecasting.warehouse.holidays import calendar_weeks
from forecasting.warehouse.sqlutil import one

DOMINICKS_THURSDAY = 4  # Dominick's weeks run Thursday..Wednesday

DEMO_MERCHANTS = {
    "oj": "Dominick's orange juice buyer (83 stores, 11 products)",
    "tuna": "Dominick's canned tuna, chain level (7 products)",
}

REQUIRED_FILES = [
    "calendar.parquet",
    "oj_sales.parquet",
    "oj_prices.parquet",
    "oj_stores.parquet",
    "oj_products.parquet",
    "tuna_sales.parquet",
    "tuna_products.parquet",
]


def _file(folder: Path, name: str) -> str:
    path = folder / name
    if not path.is_file():
        raise FileNotFoundError(
            f"Demo data file {path} is missing. Restore data/ from git, or regenerate it with "
            "`python scripts/build_demo_data.py`."
        )
    return str(path)


def _extend_calendar_by_rule(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """Dominick's calendar ends at week 400 (1997-05); forecasts past it need holiday weeks too."""
    last = one(con, "SELECT max(week_start) FROM read_parquet(?)", [str(folder / "calendar.parquet")])[0]
    weeks = calendar_weeks(last + timedelta(weeks=1), last + timedelta(weeks=104), DOMINICKS_THURSDAY)
    con.register("rule_weeks", weeks)
    for merchant in DEMO_MERCHANTS:
        con.execute("INSERT OR REPLACE INTO calendar SELECT ?, week_start, week_end, event FROM rule_weeks", [merchant])
    con.unregister("rule_weeks")


def load_demo(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """Replace the demo rows of ``oj`` and ``tuna`` from ``folder``; call inside a transaction."""
    f = {name: _file(folder, name) for name in REQUIRED_FILES}
    for merchant, title in DEMO_MERCHANTS.items():
        con.execute(
            "INSERT OR REPLACE INTO merchants (merchant, display_name, source, week_start_isodow, currency) "
            "VALUES (?, ?, 'demo', ?, 'USD')",
            [merchant, title, DOMINICKS_THURSDAY],
        )
        con.execute("DELETE FROM sales_raw WHERE merchant = ? AND source = 'demo'", [merchant])
        con.execute(
            "INSERT OR REPLACE INTO calendar SELECT ?, week_start, week_end, event FROM read_parquet(?)",
            [merchant, f["calendar.parquet"]],
        )
    _extend_calendar_by_rule(con, folder)
    con.execute(
        """INSERT INTO sales_raw
           SELECT 'oj', week_start, CAST(store AS VARCHAR), product, units, price, deal, feature, NULL, profit,
                  NULL, 'demo'
           FROM read_parquet(?) ON CONFLICT DO NOTHING""",
        [f["oj_sales.parquet"]],
    )
    con.execute(
        """INSERT INTO sales_raw
           SELECT 'tuna', week_start, 'chain', product, units, price, NULL, NULL, display, NULL, wholesale_price,
                  'demo'
           FROM read_parquet(?) ON CONFLICT DO NOTHING""",
        [f["tuna_sales.parquet"]],
    )
    for merchant in DEMO_MERCHANTS:
        con.execute(
            "INSERT OR REPLACE INTO products SELECT ?, product, brand, size_oz FROM read_parquet(?)",
            [merchant, f[f"{merchant}_products.parquet"]],
        )
    con.execute(
        """INSERT OR REPLACE INTO stores
           SELECT 'oj', CAST(store AS VARCHAR), city, price_tier, zone, zip, address, age60, educ, ethnic, income,
                  hhlarge, workwom, hval150, sstrdist, sstrvol, cpdist5, cpwvol5
           FROM read_parquet(?)""",
        [f["oj_stores.parquet"]],
    )
    con.execute("INSERT OR REPLACE INTO stores (merchant, store, city) VALUES ('tuna', 'chain', 'Chicago area')")
    con.execute("DELETE FROM shelf_prices WHERE merchant = 'oj'")
    con.execute(
        "INSERT INTO shelf_prices SELECT 'oj', week_start, CAST(store AS VARCHAR), product, price FROM read_parquet(?)",
        [f["oj_prices.parquet"]],
    )
