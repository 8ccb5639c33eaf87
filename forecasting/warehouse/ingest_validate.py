"""Read a merchant's sales file, map its columns by name, and split rows into clean ones and rejects.

Nothing is dropped silently: every row of the file ends up either in the clean frame or in the rejects frame with
a reason a person can act on, so ``read == loaded + rejected`` always holds.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.warehouse.errors import WarehouseError

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

_TRUE = {"1", "1.0", "true", "t", "yes", "y", "on"}
_FALSE = {"0", "0.0", "false", "f", "no", "n", "off"}


class IngestError(WarehouseError):
    """The whole file is refused (nothing loaded); the message says how to fix it."""


def normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name).strip().lower()).strip("_")


def read_table(path: Path) -> pd.DataFrame:
    """Read CSV or Parquet as-is (CSV cells as text, so rejects can show exactly what was in the file)."""
    if not path.is_file():
        raise IngestError(f"File not found: {path}")
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt", ".tsv"):
            sep = "\t" if suffix == ".tsv" else None
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep, engine="python")
        elif suffix in (".parquet", ".pq"):
            frame = pd.read_parquet(path)
        else:
            raise IngestError(f"Unsupported file type {suffix!r}: give a .csv, .tsv or .parquet file.")
    except IngestError:
        raise
    except Exception as err:  # pandas raises many parser error types; all mean the same to the user
        raise IngestError(f"Could not read {path.name}: {err}") from err
    if frame.empty:
        raise IngestError(f"{path.name} has no data rows.")
    return frame


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


def _parse_dates(series: pd.Series, date_format: str | None) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(series):
        return pd.to_datetime(series).dt.tz_localize(None).dt.normalize()
    text = series.astype(str).str.strip()
    parsed = pd.to_datetime(text, errors="coerce", format=date_format or "ISO8601")
    if date_format is None and parsed.isna().mean() > 0.5:
        parsed = pd.to_datetime(text, errors="coerce", format="mixed")
    return parsed.dt.normalize()


def _numbers(series: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(series):
        return series.astype("float64")
    return pd.to_numeric(series.astype(str).str.strip().str.replace(",", "", regex=False), errors="coerce")


def _flags(series: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        return series.astype("float64")
    text = series.astype(str).str.strip().str.lower()
    return pd.Series(np.where(text.isin(_TRUE), 1.0, np.where(text.isin(_FALSE), 0.0, np.nan)), index=series.index)


def validate(
    frame: pd.DataFrame, mapping: dict[str, str], date_format: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (clean rows with columns date, store, product, units, price, deal, feature; rejects with reasons)."""
    reasons = pd.Series([[] for _ in range(len(frame))], index=frame.index, dtype=object)

    def flag(mask: pd.Series, message: pd.Series | str) -> None:
        for idx in mask[mask].index:
            reasons[idx].append(message if isinstance(message, str) else message[idx])

    raw = {target: frame[col] for target, col in mapping.items()}
    clean = pd.DataFrame(index=frame.index)

    clean["date"] = _parse_dates(raw["date"], date_format)
    flag(_blank(raw["date"]), "date: missing")
    flag(
        clean["date"].isna() & ~_blank(raw["date"]),
        "date: cannot read '" + raw["date"].astype(str) + "' as a date (use YYYY-MM-DD)",
    )

    clean["product"] = raw["product"].astype(str).str.strip()
    flag(_blank(raw["product"]), "product: missing")

    clean["units"] = _numbers(raw["units"])
    flag(_blank(raw["units"]), "units: missing")
    bad_units = clean["units"].isna() & ~_blank(raw["units"])
    flag(bad_units, "units: '" + raw["units"].astype(str) + "' is not a number")
    flag(~np.isfinite(clean["units"].fillna(0)), "units: not a finite number")
    flag(clean["units"] < 0, "units: negative (" + raw["units"].astype(str) + "); returns belong in a separate file")

    if "store" in raw:
        clean["store"] = raw["store"].astype(str).str.strip().str.removesuffix(".0")
        flag(_blank(raw["store"]), "store: missing (the file has a store column, so every row needs one)")
    else:
        clean["store"] = "chain"

    clean["price"] = np.nan
    if "price" in raw:
        clean["price"] = _numbers(raw["price"])
        given = ~_blank(raw["price"])
        flag(given & clean["price"].isna(), "price: '" + raw["price"].astype(str) + "' is not a number")
        flag(given & ((clean["price"] < 0) | ~np.isfinite(clean["price"].fillna(0))), "price: must be >= 0")

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
