"""What sold, where and when: rankings, trends and period comparisons over a merchant's weekly sales.

These answer the most common merchant questions ("what are my top products last quarter?", "how did sales go this
year?", "is this month better than last year's?") with fixed, parameterised SQL, so the agent does not need free
SQL for them and the numbers are the same every time.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from tools.analytics_core import (
    MAX_ROWS,
    BadArgument,
    Reader,
    Scope,
    bind_args,
    pct_change,
    reader,
    rounded,
    whole,
)
from tools.analytics_models import (
    ComparePeriodsArgs,
    DateRange,
    PeriodComparison,
    PeriodTotals,
    RankedItem,
    SalesTrend,
    SalesTrendArgs,
    TopItems,
    TopItemsArgs,
    TrendPoint,
)
from tools.analytics_names import make_scope
from tools.analytics_periods import (
    GRAIN_SQL,
    bucket,
    check_order,
    coarsest_needed,
    grain_counts,
    is_partial,
    period_of,
    window,
)

_KEY = {"product": "product", "store": "store"}
_METRIC = {"units": "units", "revenue": "revenue"}


def top_items(merchant: str, args: TopItemsArgs | Mapping[str, Any] | None = None, /, **fields: Any) -> TopItems:
    """The ``n`` best-selling (or, with ``rank='worst'``, worst-selling) products or stores in a period, with shares.

    Shares are of everything in scope (not only the listed items), so "top 3 = 60 %" reads right. Arguments come
    as a ``TopItemsArgs`` or as its fields by keyword; the merchant is never one of them.
    """
    a = bind_args(TopItemsArgs, args, fields)
    with reader(merchant) as rd:
        scope = make_scope(rd, a.product, a.store, window(rd, a.start, a.end, a.period))
        where, params = scope.where()
        key, col, order = _KEY[a.by], _METRIC[a.metric], "DESC" if a.rank == "best" else "ASC"
        rows = rd.rows(
            f"""WITH items AS (
                    SELECT {key} AS item, sum(units) AS units, sum(revenue) AS revenue FROM sales {where} GROUP BY 1)
                SELECT item, units, revenue, count(*) OVER () AS n_items, sum(units) OVER () AS total_units,
                       sum(revenue) OVER () AS total_revenue
                FROM items ORDER BY {col} {order} NULLS LAST, item LIMIT ?""",
            [*params, a.n],
        )
        if not rows:
            raise rd.no_data(scope)
        return _top_items(rd, scope, a, rows)


def _top_items(rd: Reader, scope: Scope, a: TopItemsArgs, rows: list[tuple]) -> TopItems:
    n_items, total_units, total_revenue = rows[0][3], rows[0][4], rows[0][5]
    if a.metric == "revenue" and total_revenue is None:
        raise BadArgument(f"{rd.merchant!r} has no prices recorded, so no revenue: rank by metric='units'.")
    total = total_units if a.metric == "units" else total_revenue
    items = [
        RankedItem(
            rank=i + 1,
            name=item,
            units=whole(units),
            revenue=rounded(revenue),
            share_pct=_share(units if a.metric == "units" else revenue, total),
        )
        for i, (item, units, revenue, *_rest) in enumerate(rows)
    ]
    listed = sum((r[1] if a.metric == "units" else r[2]) or 0 for r in rows)
    return TopItems(
        merchant=rd.merchant,
        scope=scope.info(rd.data_range()),
        by=a.by,
        metric=a.metric,
        rank=a.rank,
        n_items=n_items,
        total_units=whole(total_units),
        total_revenue=rounded(total_revenue),
        items=items,
        others_share_pct=_share(total - listed, total) if total else None,
        notes=[f"Showing the {'top' if a.rank == 'best' else 'bottom'} {len(rows)} of {n_items} {a.by}s."]
        if n_items > len(rows)
        else [],
        queries=rd.queries,
    )


def _share(value: float | None, total: float | None) -> float | None:
    return None if value is None or not total else round(100.0 * value / total, 2)


def sales_trend(merchant: str, args: SalesTrendArgs | Mapping[str, Any] | None = None, /, **fields: Any) -> SalesTrend:
    """Units and revenue per week, month, quarter or year.

    At most 25 periods come back: when the requested grain would give more, the next coarser grain that fits is
    used and a note says so (a chat answer cannot usefully carry 120 weekly rows).
    """
    a = bind_args(SalesTrendArgs, args, fields)
    with reader(merchant) as rd:
        scope = make_scope(rd, a.product, a.store, window(rd, a.start, a.end, a.period))
        stats = grain_counts(rd, scope)
        chosen = coarsest_needed(a.grain, stats["counts"], MAX_ROWS)
        where, params = scope.where()
        rows = rd.rows(
            f"""SELECT {GRAIN_SQL[chosen]} AS period_start, sum(units), sum(revenue), count(DISTINCT week_start)
                FROM sales {where} GROUP BY 1 ORDER BY 1 DESC LIMIT ?""",
            [*params, MAX_ROWS],
        )
        points = [_trend_point(chosen, row, stats) for row in reversed(rows)]
        notes = _grain_notes(a.grain, chosen, stats["counts"][chosen])
        return SalesTrend(
            merchant=rd.merchant,
            scope=scope.info(rd.data_range()),
            grain_requested=a.grain,
            grain=chosen,
            points=points,
            total_units=whole(stats["units"]),
            total_revenue=rounded(stats["revenue"]),
            notes=notes,
            queries=rd.queries,
        )


def _grain_notes(requested: str, chosen: str, periods: int) -> list[str]:
    notes = []
    if chosen != requested:
        notes.append(f"Grain coarsened from {requested} to {chosen} so the answer fits in {MAX_ROWS} rows.")
    if periods > MAX_ROWS:
        notes.append(f"Only the latest {MAX_ROWS} of {periods} {chosen}s are listed; narrow the period for the rest.")
    if chosen != "week":
        notes.append("Weeks count in the period they start in.")
    return notes


def _trend_point(grain: str, row: tuple, stats: dict) -> TrendPoint:
    start, units, revenue, weeks = row
    label, end = bucket(grain, start)
    partial = is_partial(start, end, stats["first"], stats["last"])
    return TrendPoint(period=label, start=start, end=end, partial=partial, **_totals(weeks, units, revenue))


def _totals(weeks: int, units: float, revenue: float | None) -> dict[str, Any]:
    """The amounts a trend point and a compared period both report, rounded the same way."""
    return {"weeks": weeks, "units": whole(units), "revenue": rounded(revenue),
            "mean_weekly_units": round(float(units) / weeks, 2)}  # fmt: skip


def compare_periods(
    merchant: str, args: ComparePeriodsArgs | Mapping[str, Any] | None = None, /, **fields: Any
) -> PeriodComparison:
    """Totals of two periods and the change from ``period_a`` (the baseline) to ``period_b``.

    Each period is ``(start, end)`` or a phrase ("last month", "1991-09"). Mean weekly units are given too, since
    periods of different length (or with missing weeks) make raw totals misleading.
    """
    a = bind_args(ComparePeriodsArgs, args, fields)
    with reader(merchant) as rd:
        base = make_scope(rd, a.product, a.store)
        first, second = (_period_totals(rd, base, _as_period(rd, p)) for p in (a.period_a, a.period_b))
        return _comparison(rd, base, first, second)


def _as_period(rd: Reader, given: DateRange | str) -> tuple[date, date, str]:
    if isinstance(given, str):
        return period_of(rd, given)
    start, end = given
    check_order(start, end)
    return start, end, f"{start} to {end}"


def _period_totals(rd: Reader, base: Scope, period: tuple[date, date, str]) -> PeriodTotals:
    start, end, label = period
    scope = Scope(base.products, base.brand, base.store, start, end, label)
    where, params = scope.where()
    weeks, units, revenue = rd.rows(
        f"SELECT count(DISTINCT week_start), sum(units), sum(revenue) FROM sales {where}", params
    )[0]
    if weeks == 0:
        raise rd.no_data(scope)
    return PeriodTotals(label=label, start=start, end=end, **_totals(weeks, units, revenue))


def _comparison(rd: Reader, base: Scope, a: PeriodTotals, b: PeriodTotals) -> PeriodComparison:
    notes = ["Change is period_b minus period_a; percentages are relative to period_a."]
    if a.weeks != b.weeks:
        notes.append(f"The periods hold {a.weeks} and {b.weeks} weeks of data: compare mean_weekly_units.")
    if a.start <= b.end and b.start <= a.end:
        notes.append("The two periods overlap.")
    both = Scope(base.products, base.brand, base.store, min(a.start, b.start), max(a.end, b.end))
    info = both.info(rd.data_range()).model_copy(update={"period": f"{a.label} vs {b.label}"})
    return PeriodComparison(
        merchant=rd.merchant,
        scope=info,
        period_a=a,
        period_b=b,
        change_units=whole(b.units - a.units),
        change_units_pct=pct_change(a.units, b.units),
        change_revenue=rounded(b.revenue - a.revenue) if a.revenue is not None and b.revenue is not None else None,
        change_revenue_pct=pct_change(a.revenue, b.revenue),
        change_mean_weekly_units_pct=pct_change(a.mean_weekly_units, b.mean_weekly_units),
        notes=notes,
        queries=rd.queries,
    )
