"""What data a merchant has: its date range, products, stores, measures and gaps.

The agent calls this before answering anything time-bound, because the demo data ends in 1992 (oj) and 1997
(tuna): "last month" means the month before the last data week, and the answer should say which month that is.
Gaps matter too, since a trend over missing weeks would otherwise read as a sales collapse.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from tools.analytics_core import MAX_ROWS, DataRange, Reader, Scope, bind_args, reader
from tools.analytics_models import DataCoverage, DataCoverageArgs, Gap
from tools.analytics_names import make_scope
from tools.analytics_periods import parse_period

_KEYS = {"week_start", "week_end", "store", "product"}
_STORE_ORDER = "TRY_CAST(store AS INTEGER) NULLS LAST, store"


def data_coverage(
    merchant: str, args: DataCoverageArgs | Mapping[str, Any] | None = None, /, **fields: Any
) -> DataCoverage:
    """The merchant's data at a glance, optionally for one product (or brand) and/or store."""
    a = bind_args(DataCoverageArgs, args, fields)
    with reader(merchant) as rd:
        scope = make_scope(rd, a.product, a.store)
        where, params = scope.where()
        first, last, last_day, n_weeks, rows, n_series, n_products, n_stores = rd.rows(
            f"""SELECT min(week_start), max(week_start), max(week_end), count(DISTINCT week_start), count(*),
                       count(DISTINCT (store, product)), count(DISTINCT product), count(DISTINCT store)
                FROM sales {where}""",
            params,
        )[0]
        if rows == 0:
            raise rd.no_data(scope)
        in_range = (last - first).days // 7 + 1
        gaps = find_gaps(_weeks(rd, scope))
        products, stores = _names(rd, scope, "product", "product"), _names(rd, scope, "store", _STORE_ORDER)
        return DataCoverage(
            merchant=rd.merchant,
            scope=scope.info(rd.data_range()),
            first_week=first,
            last_week=last,
            last_day=last_day,
            n_weeks=n_weeks,
            weeks_in_range=in_range,
            missing_week_share_pct=_pct(in_range - n_weeks, in_range),
            gaps=gaps[:MAX_ROWS],
            rows=rows,
            n_series=n_series,
            missing_row_share_pct=_pct(n_series * in_range - rows, n_series * in_range),
            n_products=n_products,
            products=products,
            products_truncated=n_products > len(products),
            n_stores=n_stores,
            stores=stores,
            stores_truncated=n_stores > len(stores),
            measures=_measures(rd, scope),
            tables=rd.tables(),
            relative_periods=relative_periods(rd.data_range()),
            notes=_notes(gaps, n_products, n_stores),
            queries=rd.queries,
        )


def find_gaps(weeks: list[date]) -> list[Gap]:
    """Runs of missing weeks between consecutive data weeks (weeks are 7 days apart)."""
    gaps = []
    for before, after in pairwise(weeks):
        missing = (after - before).days // 7 - 1
        if missing > 0:
            gaps.append(Gap(start=before + timedelta(weeks=1), end=after - timedelta(days=1), weeks=missing))
    return gaps


def relative_periods(data: DataRange) -> str:
    """How relative phrases read for this merchant, with the dates they resolve to, so answers can name them."""
    said = [parse_period(p, data)[2] for p in ("last week", "last month", "last quarter", "last year", "this year")]
    return (
        f"Relative periods count back from the last data week ({data.last_week}), not from today: "
        + "; ".join(said)
        + "."
    )


def _weeks(rd: Reader, scope: Scope) -> list[date]:
    where, params = scope.where()
    return [r[0] for r in rd.rows(f"SELECT DISTINCT week_start FROM sales {where} ORDER BY 1", params)]


def _names(rd: Reader, scope: Scope, column: str, order: str) -> list[str]:
    """The first names of ``column`` in scope; ``column`` and ``order`` are fixed by the caller, never user text."""
    where, params = scope.where()
    sql = f"SELECT {column} FROM sales {where} GROUP BY {column} ORDER BY {order} LIMIT ?"
    return [r[0] for r in rd.rows(sql, [*params, MAX_ROWS])]


def _measures(rd: Reader, scope: Scope) -> list[str]:
    """Sales columns holding at least one value in scope (tuna has no deal or feature, oj no display)."""
    columns = [c for c in rd.columns("sales") if c not in _KEYS and re.fullmatch(r"[a-z_][a-z0-9_]*", c)]
    where, params = scope.where()
    counts = rd.rows(f"SELECT {', '.join(f'count({c})' for c in columns)} FROM sales {where}", params)[0]
    return [c for c, n in zip(columns, counts) if n > 0]


def _notes(gaps: list[Gap], n_products: int, n_stores: int) -> list[str]:
    notes = []
    if gaps:
        missing = sum(g.weeks for g in gaps)
        notes.append(f"{missing} weeks in {len(gaps)} gaps have no data at all: trends over them show fewer weeks.")
    if len(gaps) > MAX_ROWS:
        notes.append(f"Only the first {MAX_ROWS} of {len(gaps)} gaps are listed.")
    for count, what in ((n_products, "products"), (n_stores, "stores")):
        if count > MAX_ROWS:
            notes.append(f"Only the first {MAX_ROWS} of {count} {what} are listed.")
    return notes


def _pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0
