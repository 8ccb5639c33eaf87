"""Read a merchant's sales file, map its columns by name, and split rows into clean ones and rejects.

Nothing is dropped silently: every row of the file ends up either in the clean frame or in the rejects frame with
a reason a person can act on, so ``read == loaded + rejected`` always holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.warehouse.errors import WarehouseError
from forecasting.warehouse.ingest_csv import CsvTable, read_csv_cells
from forecasting.warehouse.ingest_locale import (
    Conventions,
    detect_date_order,
    detect_numbers,
    parse_dates,
    parse_numbers,
)

REQUIRED = ["date", "product", "units"]
OPTIONAL = ["store", "price", "promotion", "feature"]

# Accepted spellings of each column, after normalising (lowercase, non-alphanumerics as '_').
ALIASES: dict[str, list[str]] = {
    "date": ["date", "day", "week", "week_start", "week_of", "sale_date", "sales_date", "order_date", "ds"],
    "product": ["product", "product_name", "item", "item_name", "sku", "article"],
    "units": ["units", "units_sold", "unit_sales", "qty", "quantity", "volume", "move"],
    "store": ["store", "store_id", "store_name", "location", "shop", "branch", "outlet"],
    "price": ["price", "unit_price", "shelf_price", "avg_price"],
    "promotion": ["promotion", "promo", "deal", "on_promotion", "on_promo", "promoted"],
    "feature": ["feature", "feature_ad", "advertised", "ad"],
}

# Largest value one row may hold. A tenant's weekly units are a BIGINT sum of at most 7 days of rows (and a file's
# rows sharing a key are summed first), so with rows capped at a billion no week can come near BIGINT's 9.2e18; a
# billion units or a billion per unit is beyond any real sales line in any currency, so it is a typo or an attack.
MAX_UNITS = 1e9
MAX_PRICE = 1e9
FIRST_DATE, LAST_DATE = pd.Timestamp("1900-01-01"), pd.Timestamp("2100-12-31")

_TRUE = {"1", "1.0", "true", "t", "yes", "y", "on"}
_FALSE = {"0", "0.0", "false", "f", "no", "n", "off"}


class IngestError(WarehouseError):
    """The whole file is refused (nothing loaded); the message says how to fix it."""


def normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name).strip().lower()).strip("_")


def read_table(path: Path, delimiter: str | None = None) -> CsvTable:
    """Read CSV or Parquet as-is (CSV cells as text, so rejects can show exactly what was in the file)."""
    if not path.is_file():
        raise IngestError(f"File not found: {path}")
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt", ".tsv"):
            table = read_csv_cells(path, "\t" if suffix == ".tsv" else delimiter)
        elif suffix in (".parquet", ".pq"):
            table = CsvTable(frame=pd.read_parquet(path), delimiter=None, encoding=None)
        else:
            raise IngestError(f"Unsupported file type {suffix!r}: give a .csv, .tsv or .parquet file.")
    except IngestError:
        raise
    except Exception as err:  # pandas and pyarrow raise many error types; all mean the same to the user
        raise IngestError(f"Could not read {path.name}: {err}") from err
    if table.frame.empty:
        raise IngestError(f"{path.name} has no data rows.")
    return table


def conventions(
    table: CsvTable, mapping: dict[str, str], date_format: str | None = None, decimal: str | None = None
) -> Conventions:
    """The file's number and date conventions, decided once from all its cells (see ingest_locale)."""
    if decimal not in (None, ".", ","):
        raise IngestError(f"--decimal must be '.' or ',', not {decimal!r}.")
    frame = table.frame
    numbers = [frame[mapping[c]] for c in ("units", "price") if c in mapping]
    text = [s.astype(str) for s in numbers if not pd.api.types.is_numeric_dtype(s)]
    cells = pd.concat(text, ignore_index=True) if text else pd.Series([], dtype=str)
    try:
        dec, thousands, evidence = detect_numbers(cells, decimal)
        dates, shown = detect_date_order(frame[mapping["date"]], date_format)
    except WarehouseError as err:
        raise IngestError(f"{err} Nothing was loaded.") from err
    if shown:
        evidence["dates"] = shown
    return Conventions(
        delimiter=table.delimiter, encoding=table.encoding, decimal=dec, thousands=thousands, dates=dates,
        date_format=date_format, evidence=evidence, text_numbers=bool(text),
    )  # fmt: skip


def map_columns(columns: list[str], overrides: dict[str, str] | None = None) -> dict[str, str]:
    """Map our column names (date, product, units, ...) to the file's column names."""
    overrides = dict(overrides or {})
    unknown_targets = set(overrides) - set(ALIASES)
    if unknown_targets:
        raise IngestError(f"Cannot map {sorted(unknown_targets)}: the columns are {REQUIRED + OPTIONAL}.")
    by_norm: dict[str, list[str]] = {}
    for col in columns:
        by_norm.setdefault(normalise(col), []).append(col)
    mapping: dict[str, str] = {}
    for target, aliases in ALIASES.items():
        if target in overrides:
            if overrides[target] not in columns:
                raise IngestError(f"--map {target}={overrides[target]}: no such column; the file has {columns}.")
            mapping[target] = overrides[target]
            continue
        hits = [c for alias in aliases for c in by_norm.get(alias, [])]
        hits = [c for c in dict.fromkeys(hits) if c not in overrides.values()]
        if len(hits) > 1:
            raise IngestError(f"Columns {hits} could all be {target!r}: choose one with --map {target}=COLUMN.")
        if hits:
            mapping[target] = hits[0]
    missing = [t for t in REQUIRED if t not in mapping]
    if missing:
        raise IngestError(
            f"Missing required column(s) {missing}. The file has {columns}. Accepted names: "
            + "; ".join(f"{t}: {', '.join(ALIASES[t])}" for t in missing)
            + ". Or map one explicitly with --map date=MyDateColumn."
        )
    return mapping


def _blank(series: pd.Series) -> pd.Series:
    return series.isna() | series.astype(str).str.strip().isin(["", "nan", "NaN", "None", "NaT", "<NA>"])


def _flags(series: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        return series.astype("float64")
    text = series.astype(str).str.strip().str.lower()
    return pd.Series(np.where(text.isin(_TRUE), 1.0, np.where(text.isin(_FALSE), 0.0, np.nan)), index=series.index)


Flag = Callable[[pd.Series, "pd.Series | str"], None]


def validate(
    frame: pd.DataFrame, mapping: dict[str, str], conv: Conventions, problems: dict[int, str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (clean rows with columns date, store, product, units, price, deal, feature; rejects with reasons).

    ``problems`` are reasons found while reading (a line with the wrong number of fields), by row position.
    """
    reasons = pd.Series([[] for _ in range(len(frame))], index=frame.index, dtype=object)
    for position, problem in (problems or {}).items():
        reasons.iloc[position].append(problem)

    def flag(mask: pd.Series, message: pd.Series | str) -> None:
        for idx in mask[mask].index:
            reasons[idx].append(message if isinstance(message, str) else message[idx])

    raw = {target: frame[col] for target, col in mapping.items()}
    clean = pd.DataFrame(index=frame.index)
    clean["date"] = _dates(raw["date"], conv, flag)
    clean["product"] = raw["product"].astype(str).str.strip()
    flag(_blank(raw["product"]), "product: missing")
    clean["units"] = _numbers(raw["units"], "units", MAX_UNITS, conv, flag)
    flag(clean["units"] < 0, "units: negative (" + raw["units"].astype(str) + "); returns belong in a separate file")
    flag(_blank(raw["units"]), "units: missing")
    if "store" in raw:
        clean["store"] = raw["store"].astype(str).str.strip().str.removesuffix(".0")
        flag(_blank(raw["store"]), "store: missing (the file has a store column, so every row needs one)")
    else:
        clean["store"] = "chain"
    clean["price"] = np.nan
    if "price" in raw:
        clean["price"] = _numbers(raw["price"], "price", MAX_PRICE, conv, flag)
        flag(clean["price"] < 0, "price: must be >= 0")
    for target, column in (("promotion", "deal"), ("feature", "feature")):
        clean[column] = np.nan
        if target in raw:
            clean[column] = _flags(raw[target])
            given = ~_blank(raw[target])
            bad = given & (clean[column].isna() | (clean[column] < 0) | (clean[column] > 1))
            flag(bad, f"{target}: '" + raw[target].astype(str) + "' is not 0/1, true/false or yes/no")

    rejected = reasons.map(len) > 0
    rejects = frame[rejected].copy()
    rejects.insert(0, "reason", reasons[rejected].map("; ".join))
    rejects.insert(0, "row", rejects.index + 1)  # 1-based data row (a CSV header is not counted)
    return clean[~rejected].reset_index(drop=True), rejects.reset_index(drop=True)


def _dates(cells: pd.Series, conv: Conventions, flag: Flag) -> pd.Series:
    dates = parse_dates(cells, conv.dates, conv.date_format)
    given = ~_blank(cells)
    flag(~given, "date: missing")
    shown = "'" + cells.astype(str) + "'"
    how = f"--date-format {conv.date_format}" if conv.date_format else "YYYY-MM-DD"
    unread = given & dates.isna()
    year = pd.to_numeric(cells[unread].astype(str).str.extract(r"(?<!\d)(\d{4})(?!\d)")[0], errors="coerce")
    far = ((year < FIRST_DATE.year) | (year > LAST_DATE.year)).reindex(cells.index, fill_value=False)
    flag(given & dates.isna() & ~far, "date: cannot read " + shown + f" as a date (use {how})")
    outside = given & ((dates < FIRST_DATE) | (dates > LAST_DATE) | far)
    flag(outside, "date: " + shown + f" is outside {FIRST_DATE.date()} .. {LAST_DATE.date()}")
    return dates


def _numbers(cells: pd.Series, name: str, cap: float, conv: Conventions, flag: Flag) -> pd.Series:
    """The column read with the file's separators; each unreadable, ambiguous or out-of-range cell flagged."""
    values, ambiguous = parse_numbers(cells, conv.decimal, conv.thousands)
    given = ~_blank(cells)
    shown = f"{name}: '" + cells.astype(str) + "'"
    flag(
        given & ambiguous,
        shown + " could be a whole number with a thousands separator or a decimal, and no other number in the "
        "file tells which: give --decimal . or --decimal ,",
    )
    flag(given & ~ambiguous & values.isna(), shown + " is not a number")
    flag(given & values.notna() & ~np.isfinite(values.fillna(0)), f"{name}: not a finite number")
    flag(given & np.isfinite(values.fillna(0)) & (values.abs() > cap), shown + f" is above the limit of {cap:,.0f}")
    return values
