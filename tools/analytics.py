"""Sales analytics for the agent: typed answers to the common merchant questions, without free SQL.

``top_items``, ``sales_trend``, ``compare_periods``, ``promotion_effect``, ``price_history`` and ``data_coverage``
each take the merchant first (bound by the caller, never by the model) and then their args model or its fields as
keywords. They read only that merchant's read-only tenant database with parameterised SQL, resolve names and
periods as merchants say them ("tropicana 64", "last month", relative to the last data week), and return small
pydantic results (at most 25 rows) that carry the SQL and parameters behind every number (``queries``). Problems
raise ``AnalyticsError`` (or ``UnknownName`` for names), with a message that says what to change.
"""

from __future__ import annotations

from forecasting.names import UnknownName
from tools.analytics_core import MAX_ROWS, AnalyticsError, BadArgument, BadPeriod, NoData
from tools.analytics_coverage import data_coverage
from tools.analytics_models import (
    AnalyticsResult,
    ComparePeriodsArgs,
    CompetitorPrice,
    DataCoverage,
    DataCoverageArgs,
    Gap,
    PeriodComparison,
    PeriodTotals,
    PriceHistory,
    PriceHistoryArgs,
    PricePoint,
    PriceSummary,
    PromoSignal,
    PromotionEffect,
    PromotionEffectArgs,
    QueryRun,
    RankedItem,
    SalesTrend,
    SalesTrendArgs,
    ScopeInfo,
    TopItems,
    TopItemsArgs,
    TrendPoint,
)
from tools.analytics_periods import ACCEPTED as ACCEPTED_PERIODS
from tools.analytics_periods import resolve_period
from tools.analytics_prices import CAVEAT, price_history, promotion_effect
from tools.analytics_sales import compare_periods, sales_trend, top_items

__all__ = [
    "ACCEPTED_PERIODS",
    "CAVEAT",
    "MAX_ROWS",
    "AnalyticsError",
    "AnalyticsResult",
    "BadArgument",
    "BadPeriod",
    "ComparePeriodsArgs",
    "CompetitorPrice",
    "DataCoverage",
    "DataCoverageArgs",
    "Gap",
    "NoData",
    "PeriodComparison",
    "PeriodTotals",
    "PriceHistory",
    "PriceHistoryArgs",
    "PricePoint",
    "PriceSummary",
    "PromoSignal",
    "PromotionEffect",
    "PromotionEffectArgs",
    "QueryRun",
    "RankedItem",
    "SalesTrend",
    "SalesTrendArgs",
    "ScopeInfo",
    "TopItems",
    "TopItemsArgs",
    "TrendPoint",
    "UnknownName",
    "compare_periods",
    "data_coverage",
    "price_history",
    "promotion_effect",
    "resolve_period",
    "sales_trend",
    "top_items",
]
