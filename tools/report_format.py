"""The one way the report layer prints numbers, so a value reads the same in a table, a chart label and the PDF.

Units get 1 decimal (forecasts are rounded to 0.1 unit upstream), money 2 decimals, percentages 1 decimal; thousands
are separated with commas. A missing value prints as ``n/a`` rather than ``None`` or ``nan``.
"""

from __future__ import annotations

import math
from datetime import date, datetime

MISSING = "n/a"


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def units(value: float | None) -> str:
    return MISSING if _missing(value) else f"{value:,.1f}"


def signed_units(value: float | None) -> str:
    """Driver contributions and changes carry an explicit sign so a reader never mistakes a loss for a gain."""
    return MISSING if _missing(value) else f"{value:+,.1f}"


def money(value: float | None) -> str:
    if _missing(value):
        return MISSING
    return f"-${-value:,.2f}" if value < 0 else f"${value:,.2f}"


def signed_money(value: float | None) -> str:
    if _missing(value):
        return MISSING
    return f"-${-value:,.2f}" if value < 0 else f"+${value:,.2f}"


def pct(value: float | None) -> str:
    """Accuracy figures arrive already in percent (38.2 means 38.2 %)."""
    return MISSING if _missing(value) else f"{value:,.1f}%"


def seconds(value: float | None) -> str:
    return MISSING if _missing(value) else f"{value:,.1f} s"


def count(value: int | None) -> str:
    return MISSING if value is None else f"{value:,d}"


def day(value: date | None) -> str:
    return MISSING if value is None else value.isoformat()


def moment(value: datetime | None) -> str:
    """Timestamps to the minute, with the UTC offset when one is known, so report times compare across machines."""
    if value is None:
        return MISSING
    return value.isoformat(sep=" ", timespec="minutes")


FILTERS = {
    "units": units,
    "signed_units": signed_units,
    "money": money,
    "signed_money": signed_money,
    "pct": pct,
    "seconds": seconds,
    "count": count,
    "day": day,
    "moment": moment,
}
