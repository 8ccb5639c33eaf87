"""Prices and promotions: what a product cost over time, next to its competitors, and how promotions line up with
sales.

The promotion comparison is deliberately naive (means with vs without) and says so in its ``caveat``: the causal
effect of a promotion is the forecasting model's job, but "do deal weeks sell more?" is a question merchants ask
first and should get a quick, honest answer to.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tools.analytics_core import MAX_ROWS, Reader, Scope, bind_args, reader, rounded
from tools.analytics_models import (
    CompetitorPrice,
    PriceHistory,
    PriceHistoryArgs,
    PricePoint,
    PriceSummary,
    PromoSignal,
    PromotionEffect,
    PromotionEffectArgs,
)
from tools.analytics_names import make_scope
from tools.analytics_periods import GRAIN_SQL, bucket, coarsest_needed, grain_counts, window

PROMO_SIGNALS = {
    "deal": "in-store deal or promotion during the week",
    "feature": "feature advertising in the weekly flyer",
    "display": "in-store display",
}

CAVEAT = (
    "Naive comparison of mean units per store-product week with vs without each promotion. It does not control for "
    "the price cut that usually comes with a deal, for promotions running together (deal weeks are often feature "
    "weeks), for season, or for which products and stores get promoted, so the lift is an association, not the "
    "causal effect of the promotion; ask the forecasting model for that."
)


def promotion_effect(
    merchant: str, args: PromotionEffectArgs | Mapping[str, Any] | None = None, /, **fields: Any
) -> PromotionEffect:
    """Mean weekly units with vs without each promotion the merchant records, the lift, and the group sizes.

    A week counts as "with" a promotion when its share is above 0 (deal, feature and display are 0-1 shares).
    """
    a = bind_args(PromotionEffectArgs, args, fields)
    with reader(merchant) as rd:
        scope = make_scope(rd, a.product, a.store, window(rd, a.start, a.end, a.period))
        present = [c for c in PROMO_SIGNALS if c in rd.columns("sales")]
        where, params = scope.where()
        parts = [_signal_sql(c) for c in present]
        row = rd.rows(f"SELECT count(*), count(DISTINCT product), {', '.join(parts)} FROM sales {where}", params)[0]
        if row[0] == 0:
            raise rd.no_data(scope)
        signals = [_signal(c, row[2 + 7 * i : 9 + 7 * i]) for i, c in enumerate(present)]
        recorded = [s for s in signals if s is not None]
        return PromotionEffect(
            merchant=rd.merchant,
            scope=scope.info(rd.data_range()),
            signals=recorded,
            not_recorded=[c for c in PROMO_SIGNALS if c not in {s.signal for s in recorded}],
            caveat=CAVEAT,
            notes=_promo_notes(recorded, row[1]),
            queries=rd.queries,
        )


def _signal_sql(column: str) -> str:
    """Seven aggregates per promotion column: recorded rows, then count, mean units, mean price with and without."""
    on, off = f"FILTER (WHERE {column} > 0)", f"FILTER (WHERE {column} = 0)"
    return (
        f"count({column}), count(*) {on}, avg(units) {on}, avg(price) {on}, "
        f"count(*) {off}, avg(units) {off}, avg(price) {off}"
    )


def _signal(column: str, values: tuple) -> PromoSignal | None:
    recorded, n_with, mean_with, price_with, n_without, mean_without, price_without = values
    if recorded == 0:
        return None
    lift = round(mean_with / mean_without, 3) if mean_with is not None and mean_without else None
    return PromoSignal(
        signal=column,
        meaning=PROMO_SIGNALS[column],
        weeks_with=n_with,
        weeks_without=n_without,
        mean_units_with=rounded(mean_with),
        mean_units_without=rounded(mean_without),
        lift=lift,
        mean_price_with=rounded(price_with, 4),
        mean_price_without=rounded(price_without, 4),
    )


def _promo_notes(signals: list[PromoSignal], n_products: int) -> list[str]:
    notes = []
    if n_products > 1:
        notes.append(f"{n_products} products are pooled; name one product for a cleaner comparison.")
    for s in signals:
        if s.mean_price_with is not None and s.mean_price_without and s.mean_price_with < s.mean_price_without:
            cut = round(100.0 * (1 - s.mean_price_with / s.mean_price_without), 1)
            notes.append(f"Prices were {cut}% lower in {s.signal} weeks: part of its lift is the price cut.")
        if min(s.weeks_with, s.weeks_without) < 10:
            notes.append(f"Too few weeks in one {s.signal} group ({s.weeks_with} vs {s.weeks_without}) to rely on.")
    if not signals:
        notes.append("This merchant records no promotions, so there is nothing to compare.")
    return notes


def price_history(
    merchant: str, args: PriceHistoryArgs | Mapping[str, Any] | None = None, /, **fields: Any
) -> PriceHistory:
    """A product's shelf price per week (or month, quarter, year when there are too many weeks), its range, and
    where recorded (oj) the prices of the competing products in the same store-weeks.

    One product only: a brand's average price would mix package sizes.
    """
    a = bind_args(PriceHistoryArgs, args, fields)
    with reader(merchant) as rd:
        scope = make_scope(rd, a.product, a.store, window(rd, a.start, a.end, a.period), allow_brand=False)
        grain = coarsest_needed("week", grain_counts(rd, scope)["counts"], MAX_ROWS)
        points = _price_points(rd, scope, grain)
        if not points:
            raise rd.no_data(scope)
        summary = _price_summary(rd, scope)
        competitors = _competitors(rd, scope)
        notes = [f"Prices are averaged over {'the store' if scope.store else 'stores'} and weeks of each {grain}."]
        if "competitor_prices" not in rd.tables():
            notes.append(f"{rd.merchant!r} does not record competitor prices.")
        return PriceHistory(
            merchant=rd.merchant,
            scope=scope.info(rd.data_range()),
            product=scope.products[0],
            grain=grain,
            points=points,
            summary=summary,
            competitors=competitors,
            notes=notes,
            queries=rd.queries,
        )


def _price_points(rd: Reader, scope: Scope, grain: str) -> list[PricePoint]:
    where, params = scope.where("price IS NOT NULL")
    rows = rd.rows(
        f"""SELECT {GRAIN_SQL[grain]} AS period_start, avg(price), min(price), max(price),
                   sum(revenue) / nullif(sum(units), 0), count(DISTINCT week_start),
                   avg(CASE WHEN deal > 0 THEN 1.0 WHEN deal = 0 THEN 0.0 END)
            FROM sales {where} GROUP BY 1 ORDER BY 1 DESC LIMIT ?""",
        [*params, MAX_ROWS],
    )
    points = []
    for start, mean, low, high, paid, weeks, deal in reversed(rows):
        label, end = bucket(grain, start)
        points.append(
            PricePoint(
                period=label,
                start=start,
                end=end,
                weeks=weeks,
                mean_price=round(mean, 4),
                min_price=round(low, 4),
                max_price=round(high, 4),
                price_paid=rounded(paid, 4),
                deal_share_pct=rounded(None if deal is None else 100.0 * deal),
            )
        )
    return points


def _price_summary(rd: Reader, scope: Scope) -> PriceSummary:
    where, params = scope.where("price IS NOT NULL")
    mean, low, low_week, high, high_week, paid = rd.rows(
        f"""SELECT avg(price), min(price), arg_min(week_start, price), max(price), arg_max(week_start, price),
                   sum(revenue) / nullif(sum(units), 0)
            FROM sales {where}""",
        params,
    )[0]
    size = _size_oz(rd, scope.products[0])
    return PriceSummary(
        mean_price=round(mean, 4),
        min_price=round(low, 4),
        min_week=low_week,
        max_price=round(high, 4),
        max_week=high_week,
        price_paid=rounded(paid, 4),
        size_oz=size,
        mean_price_per_oz=round(mean / size, 5) if size else None,
    )


def _size_oz(rd: Reader, product: str) -> float | None:
    if "size_oz" not in rd.columns("products"):
        return None
    rows = rd.rows("SELECT size_oz FROM products WHERE product = ?", [product], record=False)
    return rows[0][0] if rows else None


def _competitors(rd: Reader, scope: Scope) -> list[CompetitorPrice]:
    if "competitor_prices" not in rd.tables():
        return []
    per_oz = "avg(c.competitor_price / p.size_oz)" if "size_oz" in rd.columns("products") else "NULL"
    where, params = scope.where(prefix="c.")
    rows = rd.rows(
        f"""SELECT c.competitor, avg(c.competitor_price), min(c.competitor_price), max(c.competitor_price), {per_oz},
                   avg(s.price - c.competitor_price)
            FROM competitor_prices c
            JOIN sales s ON s.week_start = c.week_start AND s.store = c.store AND s.product = c.product
            LEFT JOIN products p ON p.product = c.competitor
            {where} GROUP BY 1 ORDER BY 2, 1 LIMIT ?""",
        [*params, MAX_ROWS],
    )
    return [
        CompetitorPrice(
            competitor=name,
            mean_price=round(mean, 4),
            min_price=round(low, 4),
            max_price=round(high, 4),
            mean_price_per_oz=rounded(oz, 5),
            gap=round(gap, 4),
        )
        for name, mean, low, high, oz, gap in rows
    ]
