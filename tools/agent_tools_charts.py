"""Figures the agent tools attach as artifacts, built from the same results the LLM reads.

The forecast band, driver waterfall and what-if figures are ``tools.charts``' (the report's), so a chat chart and
a report chart of the same numbers look the same (past sales are charted by ``tools.semantic.chart``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from tools import charts
from tools.agent_tools_base import ToolArtifact
from tools.report_models import BrandChange, Driver, ForecastPoint, SeriesPoint

if TYPE_CHECKING:  # the forecasting stack loads when a forecast runs (tools.agent_tools_forecast)
    from forecasting.explain import Explanation
    from forecasting.predict import Engine, Forecast
    from forecasting.whatif import WhatIf

HISTORY_WEEKS = 26


def chart(fig: go.Figure, title: str) -> ToolArtifact:
    return ToolArtifact(kind="chart", title=title, figure_json=fig.to_json())


def _point(week_start, p10: float, p50: float, p90: float) -> ForecastPoint:
    """Quantiles sorted: the report model rejects a crossed band, and a chart must never fail an answer."""
    low, mid, high = sorted((p10, p50, p90))
    return ForecastPoint(week_start=week_start, p10=low, p50=mid, p90=high)


def history(engine: Engine, store: str, product: str, weeks: int = HISTORY_WEEKS) -> list[SeriesPoint]:
    """The series' last ``weeks`` observed weeks (missing weeks left out, not drawn as zero)."""
    idx = engine.panel.series_index(store, product)
    units = engine.panel.units[idx, -weeks:]
    starts = engine.panel.week_starts[-weeks:]
    return [SeriesPoint(week_start=w, units=float(u)) for w, u in zip(starts, units, strict=True) if np.isfinite(u)]


def forecast_artifact(engine: Engine, result: Forecast) -> ToolArtifact:
    points = [_point(w.week_start, w.p10, w.p50, w.p90) for w in result.weeks]
    title = f"{result.product} — store {result.store}: forecast"
    fig = charts.forecast_chart(history(engine, result.store, result.product), points, title)
    return chart(fig, title)


def drivers_artifact(result: Explanation) -> ToolArtifact:
    drivers = [Driver(name=d.name, contribution=d.contribution, description=d.description) for d in result.drivers]
    title = f"Why {result.product} — store {result.store}, week of {result.week_start}"
    return chart(charts.driver_waterfall(result.base, drivers, result.forecast, title), title)


def whatif_artifact(result: WhatIf) -> ToolArtifact:
    baseline = [_point(w.week_start, w.baseline_p10, w.baseline_p50, w.baseline_p90) for w in result.weeks]
    scenario = [_point(w.week_start, w.scenario_p10, w.scenario_p50, w.scenario_p90) for w in result.weeks]
    brands = [BrandChange(product=b.product, change_units=b.change_units) for b in result.other_brands[:6]]
    title = f"What if: {result.change} — {result.product}, store {result.store}"
    return chart(charts.whatif_chart(baseline, scenario, title, brands), title)
