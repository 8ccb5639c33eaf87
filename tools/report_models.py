"""Typed inputs of the report layer: everything a chart or report prints comes from one of these fields.

Keeping the report's inputs in one validated object means the renderer never computes a number of its own: the
agent (or a person) assembles a ``ReportData`` from forecasts, backtests and SQL it actually ran, and what the reader
sees can be traced back to those. Units are product units per week; money is in the merchant's currency (USD for the
demo data); accuracy figures are percentages (38.2 means 38.2 %), as ``forecasting.backtest.metrics`` reports them.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Model(BaseModel):
    """Frozen and strict about unknown fields, so a typo in a caller's field name fails loudly instead of vanishing."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SeriesPoint(_Model):
    week_start: date
    units: float


class ForecastPoint(_Model):
    week_start: date
    p10: float
    p50: float
    p90: float

    @model_validator(mode="after")
    def _ordered(self) -> ForecastPoint:
        """A band drawn with crossed quantiles would look like certainty where there is none."""
        if not self.p10 <= self.p50 <= self.p90:
            raise ValueError(f"quantiles must satisfy p10 <= p50 <= p90, got {self.p10}, {self.p50}, {self.p90}")
        return self


class Driver(_Model):
    name: str
    contribution: float = Field(description="signed units this driver adds to (or takes from) the forecast")
    description: str = ""


class BrandChange(_Model):
    product: str
    change_units: float


class WhatIfData(_Model):
    description: str = Field(description="the scenario in words, e.g. 'price 10% lower in week 1'")
    baseline: list[ForecastPoint] = Field(min_length=1)
    scenario: list[ForecastPoint] = Field(min_length=1)
    change_units: float
    change_revenue: float
    other_brands: list[BrandChange] = Field(default_factory=list)

    @model_validator(mode="after")
    def _same_weeks(self) -> WhatIfData:
        """Baseline and scenario are compared week by week; misaligned weeks would compare unrelated numbers."""
        if [p.week_start for p in self.baseline] != [p.week_start for p in self.scenario]:
            raise ValueError("baseline and scenario must cover the same weeks in the same order")
        return self


class BacktestAccuracy(_Model):
    protocol: str | None = None
    n_rows: int | None = None
    mape: float | None = Field(default=None, description="percent")
    wape: float | None = Field(default=None, description="percent")
    coverage80: float | None = Field(default=None, description="percent of actuals inside P10..P90")


class Explanation(_Model):
    week_start: date
    base: float = Field(description="units the model would forecast with every driver at its reference value")
    forecast: float = Field(description="the forecast (P50, units) being explained")
    drivers: list[Driver] = Field(default_factory=list)
    summary: list[str] = Field(default_factory=list, description="plain-language sentences")


class Provenance(_Model):
    data_first_week: date
    data_last_week: date
    sql: list[str] = Field(default_factory=list)
    model_version: str
    trained_at: datetime | None = None
    train_seconds: float | None = None
    device: str | None = None


class ReportData(_Model):
    merchant: str
    store: str
    product: str
    question: str
    history: list[SeriesPoint] = Field(default_factory=list)
    forecast: list[ForecastPoint] = Field(min_length=1)
    accuracy: BacktestAccuracy | None = None
    explanation: Explanation | None = None
    whatif: WhatIfData | None = None
    provenance: Provenance
    generated_at: datetime
    assumptions: str | None = Field(default=None, description="what the forecast assumes about price and promotions")
