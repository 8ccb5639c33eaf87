"""Typed inputs and outputs of the sales analytics.

Inputs never hold the merchant: the caller binds it, so nothing an LLM writes can point a function at another
merchant's data. Outputs are small on purpose (summaries and at most 25 rows) because they go into a chat context,
and each carries the SQL that produced it (``queries``) so a report can show its provenance. Percentages are
percents (12.5 means 12.5 %); money is in the merchant's currency (USD for the demo data).
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator


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
