"""``salescast data ingest``: load a merchant's own sales file into the warehouse, all or nothing.

Rows are keyed by (merchant, date, store, product). Loading a file upserts those keys, so re-ingesting the same
file (or a corrected one) never duplicates rows; rows of one file sharing a key are summed first (a file of
individual sales loads as daily totals).
"""

from __future__ import annotations

import hashlib
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
from pydantic import BaseModel

from forecasting import paths
from forecasting.warehouse.build import refresh_tenants
from forecasting.warehouse.connect import open_warehouse
from forecasting.warehouse.ddl import check_merchant_name
from forecasting.warehouse.errors import TenantNotWritable, WarehouseLost, first_line
from forecasting.warehouse.holidays import calendar_weeks
from forecasting.warehouse.ingest_csv import write_safe_csv
from forecasting.warehouse.ingest_locale import Conventions
from forecasting.warehouse.ingest_validate import IngestError, conventions, map_columns, read_table, validate
from forecasting.warehouse.sqlutil import one
from forecasting.warehouse.tenants import preflight

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class IngestReport(BaseModel):
    merchant: str
    file: str
    sha256: str
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    rejects_file: str | None
    keys_new: int
    keys_replaced: int
    already_ingested: bool
    grain: str
    first_date: date | None
    last_date: date | None
    columns: dict[str, str]
    ignored_columns: list[str]
    week_start: str
    conventions: dict[str, str] = {}  # how the file was read: delimiter, decimal and thousands marks, date order


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _collapse(clean: pd.DataFrame) -> pd.DataFrame:
    """One row per (date, store, product): units summed, price weighted by units, promotions averaged."""
    priced = clean["price"].notna()
    clean = clean.assign(
        date=clean["date"].dt.date,
        value=(clean["units"] * clean["price"]).where(priced, 0.0),
        priced_units=clean["units"].where(priced, 0.0),
    )
    grouped = clean.groupby(["date", "store", "product"], sort=True)
    out = grouped.agg(
        units=("units", "sum"),
        value=("value", "sum"),
        priced_units=("priced_units", "sum"),
        price_mean=("price", "mean"),
        deal=("deal", "mean"),
        feature=("feature", "mean"),
    )
    weighted = out["value"] / out["priced_units"].where(out["priced_units"] > 0)
    out["price"] = weighted.fillna(out["price_mean"])
    return out.reset_index()[["date", "store", "product", "units", "price", "deal", "feature"]]


def _grain(rows: pd.DataFrame) -> str:
    days = pd.Series(sorted(set(rows["date"])))
    gaps = days.diff().dropna().map(lambda d: d.days)
    return "weekly" if len(gaps) and (gaps % 7 == 0).all() else "daily"


def _week_start(con: duckdb.DuckDBPyConnection, merchant: str, rows: pd.DataFrame, requested: str | None) -> int:
    """The merchant's week start (ISO weekday): stored for known merchants, else asked or inferred."""
    known = one(con, "SELECT week_start_isodow FROM merchants WHERE merchant = ?", [merchant])
    asked = WEEKDAYS.index(requested.lower()) + 1 if requested else None
    if known:
        if asked and asked != known[0]:
            raise IngestError(
                f"Merchant {merchant!r} already has weeks starting on {WEEKDAYS[known[0] - 1]}; "
                f"drop --week-start or use {WEEKDAYS[known[0] - 1]}."
            )
        return int(known[0])
    if asked:
        return asked
    weekdays = {d.isoweekday() for d in rows["date"]}
    return weekdays.pop() if _grain(rows) == "weekly" and len(weekdays) == 1 else 1


def ingest_file(
    merchant: str,
    file: Path,
    *,
    mapping: dict[str, str] | None = None,
    date_format: str | None = None,
    week_start: str | None = None,
    decimal: str | None = None,
) -> IngestReport:
    """Load ``file`` for ``merchant`` (created if new). Bad rows go to a rejects CSV; good rows load atomically."""
    check_merchant_name(merchant)
    if week_start and week_start.lower() not in WEEKDAYS:
        raise IngestError(f"--week-start must be a weekday name ({', '.join(WEEKDAYS)}), not {week_start!r}.")
    file = Path(file)
    frame, columns, conv, clean, rejects = _read(file, mapping, date_format, decimal)
    if clean.empty:
        rejects_file = _write_rejects(merchant, file, rejects)
        raise IngestError(
            f"No valid rows in {file.name}: all {len(frame)} rows were rejected (row {rejects['row'][0]}: "
            f"{rejects['reason'][0]}; every reason is in {rejects_file}). Nothing was loaded."
        )
    rows = _collapse(clean)
    sha = _sha256(file)
    rejects_file = _write_rejects(merchant, file, rejects) if len(rejects) else None
    counts = {"rows_read": len(frame), "rows_loaded": len(clean), "rows_rejected": len(rejects)}
    _check_writable(paths.tenants_dir())
    con = open_warehouse()
    try:
        report = _load(con, merchant, file, sha, rows, week_start, counts, rejects_file)
    except BaseException:
        con.close()
        raise
    failed = refresh_tenants(con, [merchant])
    if failed:
        raise IngestError(
            f"The rows of {file.name} are saved in the warehouse, but {merchant}'s tenant file could not be rebuilt "
            f"({failed[0].reason}); its queries still see the data as it was. Fix that and run `salescast data build`."
        )
    return IngestReport(
        merchant=merchant,
        file=str(file),
        sha256=sha,
        **counts,
        rejects_file=str(rejects_file) if rejects_file else None,
        columns=columns,
        ignored_columns=[str(c) for c in frame.columns if c not in columns.values()],
        grain=_grain(rows),
        first_date=min(rows["date"]),
        last_date=max(rows["date"]),
        conventions=conv.described(),
        **report,
    )


def _read(
    file: Path, mapping: dict[str, str] | None, date_format: str | None, decimal: str | None
) -> tuple[pd.DataFrame, dict[str, str], Conventions, pd.DataFrame, pd.DataFrame]:
    """The file's cells, its column mapping and conventions, and its rows split into clean ones and rejects."""
    table = read_table(file)
    columns = map_columns([str(c) for c in table.frame.columns], mapping)
    conv = conventions(table, columns, date_format, decimal)
    clean, rejects = validate(table.frame, columns, conv, table.problems)
    return table.frame, columns, conv, clean, rejects


def _load(
    con: duckdb.DuckDBPyConnection,
    merchant: str,
    file: Path,
    sha: str,
    rows: pd.DataFrame,
    week_start: str | None,
    counts: dict[str, int],
    rejects_file: Path | None,
) -> dict:
    con.execute("BEGIN TRANSACTION")
    try:
        _check_not_orphaned(con, merchant)
        wsd = _week_start(con, merchant, rows, week_start)
        seen = one(con, "SELECT count(*) FROM ingests WHERE merchant = ? AND file_sha256 = ?", [merchant, sha])
        already = seen[0] > 0
        con.execute(
            "INSERT INTO merchants (merchant, display_name, source, week_start_isodow, currency) "
            "VALUES (?, ?, 'ingested', ?, 'USD') ON CONFLICT DO NOTHING",
            [merchant, merchant, wsd],
        )
        con.register("batch", rows)
        replaced = one(
            con,
            "SELECT count(*) FROM sales_raw s JOIN batch b ON s.merchant = ? AND s.date = b.date "
            "AND s.store = b.store AND s.product = b.product",
            [merchant],
        )[0]
        con.execute(
            "INSERT OR REPLACE INTO sales_raw (merchant, date, store, product, units, price, deal, feature, source) "
            "SELECT ?, date, store, product, units, price, deal, feature, ? FROM batch",
            [merchant, sha],
        )
        con.execute(
            "INSERT INTO products (merchant, product) SELECT DISTINCT ?, product FROM batch ON CONFLICT DO NOTHING",
            [merchant],
        )
        con.execute(
            "INSERT INTO stores (merchant, store) SELECT DISTINCT ?, store FROM batch ON CONFLICT DO NOTHING",
            [merchant],
        )
        con.unregister("batch")
        _extend_calendar(con, merchant, wsd)
        con.execute(
            "INSERT INTO ingests (merchant, file_sha256, file_name, rows_read, rows_loaded, rows_rejected, "
            "rejects_file) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                merchant,
                sha,
                file.name,
                counts["rows_read"],
                counts["rows_loaded"],
                counts["rows_rejected"],
                str(rejects_file) if rejects_file else None,
            ],
        )
        _preflight(con, merchant, file)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return {
        "keys_new": len(rows) - replaced,
        "keys_replaced": replaced,
        "already_ingested": already,
        "week_start": WEEKDAYS[wsd - 1],
    }


def _check_writable(folder: Path) -> None:
    """Prove the tenant folder takes a new file before anything commits (a read-only folder failed after it)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-check-"):
            pass
    except OSError as err:
        raise TenantNotWritable(folder, err.strerror or type(err).__name__) from err


def _check_not_orphaned(con: duckdb.DuckDBPyConnection, merchant: str) -> None:
    """A tenant file for a merchant the warehouse does not know means the warehouse was replaced: refuse."""
    known = one(con, "SELECT count(*) FROM merchants WHERE merchant = ?", [merchant])[0]
    if not known and paths.tenant_path(merchant).is_file():
        raise WarehouseLost(paths.warehouse_path(), [merchant])


def _preflight(con: duckdb.DuckDBPyConnection, merchant: str, file: Path) -> None:
    try:
        preflight(con, merchant)
    except duckdb.Error as err:
        raise IngestError(
            f"{file.name} would make {merchant}'s weekly sales unreadable ({first_line(err)}). Nothing was loaded: check the "
            "file for values far outside what a sales file holds."
        ) from err


def _extend_calendar(con: duckdb.DuckDBPyConnection, merchant: str, wsd: int) -> None:
    """Ingested merchants get rule-based holiday weeks over their data plus a year ahead (for forecasts)."""
    source = one(con, "SELECT source FROM merchants WHERE merchant = ?", [merchant])[0]
    if source != "ingested":
        return
    first, last = one(con, "SELECT min(date), max(date) FROM sales_raw WHERE merchant = ?", [merchant])
    weeks = calendar_weeks(first, last + timedelta(days=366), wsd)
    con.register("weeks", weeks)
    con.execute("DELETE FROM calendar WHERE merchant = ?", [merchant])
    con.execute("INSERT INTO calendar SELECT ?, week_start, week_end, event FROM weeks", [merchant])
    con.unregister("weeks")


def _write_rejects(merchant: str, file: Path, rejects: pd.DataFrame) -> Path:
    folder = paths.rejects_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S%f")
    target = folder / f"{merchant}-{file.stem}-{stamp}.rejects.csv"
    write_safe_csv(rejects, target)  # opened in spreadsheets: formula-like cells are neutralised
    return target
