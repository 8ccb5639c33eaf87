"""Typed inputs and outputs of the sales analytics.

Inputs never hold the merchant: the caller binds it, so nothing an LLM writes can point a function at another
merchant's data. Outputs are small on purpose (summaries and at most 25 rows) because they go into a chat context,
and each carries the SQL that produced it (``queries``) so a report can show its provenance. Percentages are
percents (12.5 means 12.5 %); money is in the merchant's currency (USD for the demo data).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Number = int | float
Grain = Literal["week", "month", "quarter", "year"]
DateRange = tuple[date, date]


class _Model(BaseModel):
    """Strict about unknown fields, so a misspelt argument fails loudly instead of being ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# ---- inputs -------------------------------------------------------------------------------------------------------


class _Filter(_Model):
    product: str | None = Field(None, description="product or brand as written, e.g. 'tropicana 64', 'Minute Maid'")
    store: str | None = Field(None, description="store as written, e.g. 'store 12' or 12; omit for all stores")

    @field_validator("store", mode="before")
    @classmethod
    def _store_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value


class _Window(_Filter):
    start: date | None = Field(None, description="first day (weeks starting on or after it)")
    end: date | None = Field(None, description="last day (weeks starting on or before it)")
    period: str | None = Field(None, description="instead of start/end: 'last month', '1992-09', 'Q3 1992', ...")


class TopItemsArgs(_Window):
    by: Literal["product", "store"] = Field("product", description="rank products or stores")
    metric: Literal["units", "revenue"] = Field("units", description="rank by units sold or by revenue")
    n: int = Field(10, ge=1, le=25, description="how many to list, 1 to 25")
    rank: Literal["best", "worst"] = Field("best", description="best sellers first, or the worst (lowest) first")


class SalesTrendArgs(_Window):
    grain: Grain = Field("week", description="period length; coarsened when it would give more than 25 periods")


class ComparePeriodsArgs(_Filter):
    period_a: DateRange | str = Field(description="baseline period: (start, end) or a phrase like 'last year'")
    period_b: DateRange | str = Field(description="period compared with the baseline")


class PromotionEffectArgs(_Window):
    pass


class PriceHistoryArgs(_Window):
    product: str = Field(description="one product, e.g. 'tropicana 64'")  # type: ignore[assignment]


class DataCoverageArgs(_Filter):
    pass


# ---- outputs ------------------------------------------------------------------------------------------------------


class QueryRun(_Model):
    sql: str = Field(description="the statement exactly as it ran")
    params: list[str | int | float | None] = Field(description="the values bound to its ? placeholders, in order")


class ScopeInfo(_Model):
    products: list[str] | None = Field(description="products covered; null means all products")
    brand: str | None = Field(None, description="set when the product argument named a whole brand")
    store: str | None = Field(None, description="store covered; null means all stores")
    start: date
    end: date
    period: str | None = Field(None, description="the period phrase as resolved, when one was given")


class AnalyticsResult(_Model):
    merchant: str
    scope: ScopeInfo
    notes: list[str] = Field(default_factory=list, description="what to know before quoting the numbers")
    queries: list[QueryRun] = Field(description="the SQL that produced these numbers")


class RankedItem(_Model):
    rank: int
    name: str
    units: Number
    revenue: float | None
    share_pct: float | None = Field(description="share of the total of the ranking metric, percent")


class TopItems(AnalyticsResult):
    by: Literal["product", "store"]
    metric: Literal["units", "revenue"]
    rank: Literal["best", "worst"] = "best"
    n_items: int = Field(description="how many products/stores sold in scope (the list shows the top ones)")
    total_units: Number
    total_revenue: float | None
    items: list[RankedItem]
    others_share_pct: float | None = Field(description="share of the items not listed, percent")


class TrendPoint(_Model):
    period: str = Field(description="label: 1992-09-24 (week), 1992-09, 1992-Q3, 1992")
    start: date
    end: date
    weeks: int = Field(description="weeks with data in the period")
    units: Number
    revenue: float | None
    mean_weekly_units: float
    partial: bool = Field(description="the period is cut by the edge of the data or the requested window")


class SalesTrend(AnalyticsResult):
    grain_requested: Grain
    grain: Grain
    points: list[TrendPoint]
    total_units: Number
    total_revenue: float | None


class PeriodTotals(_Model):
    label: str
    start: date
    end: date
    weeks: int
    units: Number
    revenue: float | None
    mean_weekly_units: float


class PeriodComparison(AnalyticsResult):
    period_a: PeriodTotals = Field(description="the baseline")
    period_b: PeriodTotals
    change_units: Number = Field(description="period_b minus period_a")
    change_units_pct: float | None = Field(description="relative to period_a, percent")
    change_revenue: float | None
    change_revenue_pct: float | None
    change_mean_weekly_units_pct: float | None = Field(description="fair when the periods differ in length")


class PromoSignal(_Model):
    signal: Literal["deal", "feature", "display"]
    meaning: str
    weeks_with: int = Field(description="store-product weeks with the promotion (> 0)")
    weeks_without: int
    mean_units_with: float | None = Field(description="mean units per store-product week")
    mean_units_without: float | None
    lift: float | None = Field(description="mean_units_with / mean_units_without")
    mean_price_with: float | None = Field(description="mean shelf price in the weeks with the promotion")
    mean_price_without: float | None


class PromotionEffect(AnalyticsResult):
    signals: list[PromoSignal]
    not_recorded: list[str] = Field(description="promotion columns this merchant does not record")
    caveat: str


class PricePoint(_Model):
    period: str
    start: date
    end: date
    weeks: int
    mean_price: float = Field(description="mean shelf price over the store-weeks of the period")
    min_price: float
    max_price: float
    price_paid: float | None = Field(description="revenue / units: the unit-weighted price shoppers paid")
    deal_share_pct: float | None = Field(description="share of store-weeks on a deal, percent")


class PriceSummary(_Model):
    mean_price: float
    min_price: float
    min_week: date
    max_price: float
    max_week: date
    price_paid: float | None
    size_oz: float | None
    mean_price_per_oz: float | None


class CompetitorPrice(_Model):
    competitor: str
    mean_price: float
    min_price: float
    max_price: float
    mean_price_per_oz: float | None
    gap: float = Field(description="own mean shelf price minus the competitor's, same store-weeks")


class PriceHistory(AnalyticsResult):
    product: str
    grain: Grain
    points: list[PricePoint]
    summary: PriceSummary
    competitors: list[CompetitorPrice] = Field(description="empty where competitor prices are not recorded")


class Gap(_Model):
    start: date = Field(description="first missing week")
    end: date = Field(description="last day of the last missing week")
    weeks: int


class DataCoverage(AnalyticsResult):
    first_week: date
    last_week: date
    last_day: date
    n_weeks: int = Field(description="weeks with any data")
    weeks_in_range: int = Field(description="weeks from first_week to last_week")
    missing_week_share_pct: float = Field(description="weeks in range with no data at all, percent")
    gaps: list[Gap] = Field(description="runs of weeks with no data at all (the first 25)")
    rows: int
    n_series: int = Field(description="store-product pairs with any sales")
    missing_row_share_pct: float = Field(description="series-weeks in range without a row, percent")
    n_products: int
    products: list[str]
    products_truncated: bool
    n_stores: int
    stores: list[str]
    stores_truncated: bool
    measures: list[str] = Field(description="sales columns with values, beyond week/store/product")
    tables: list[str]
    relative_periods: str = Field(description="how 'last month' etc. are read for this merchant")
