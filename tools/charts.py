"""Plotly figures for the report: the same figure objects feed the interactive HTML and the static PDF images.

Text that comes from merchant data (product names, titles) is HTML-escaped before it reaches plotly, because plotly
renders a subset of HTML in titles and labels (links included); escaped, a name like ``<a href=...>`` shows as text.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from tools import report_format as fmt
from tools.report_models import BrandChange, Driver, ForecastPoint, SeriesPoint

ACTUAL = "#1f3b73"
FORECAST = "#d95f02"
SCENARIO = "#1b9e77"
BAND = "rgba(217, 95, 2, 0.18)"
UP, DOWN, TOTAL = "#1b9e77", "#d95f02", "#1f3b73"
WIDTH, HEIGHT = 900, 420
UNSHOWN = 0.05  # a residual smaller than this prints as 0.0 units, so it is not drawn as its own bar
RESIDUAL_NAME = "Not attributed"


def label(text: str) -> str:
    """Plotly reads labels as HTML; escaping keeps user-supplied names inert (shown as typed, never as markup)."""
    return html.escape(text, quote=True)


def _layout(fig: go.Figure, title: str, y_title: str) -> go.Figure:
    fig.update_layout(
        title={"text": label(title), "x": 0.01},
        template="plotly_white",
        width=WIDTH,
        height=HEIGHT,
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
        legend={"orientation": "h", "y": -0.15},
        yaxis_title=y_title,
    )
    return fig


def forecast_chart(history: Sequence[SeriesPoint], forecast: Sequence[ForecastPoint], title: str) -> go.Figure:
    """Actuals, then the P50 path inside its P10–P90 band; the dotted line marks where the data ends."""
    if not forecast:
        raise ValueError("forecast_chart needs at least one forecast week")
    weeks = [p.week_start for p in forecast]
    fig = go.Figure()
    fig.add_trace(_band(weeks, [p.p10 for p in forecast], [p.p90 for p in forecast]))
    if history:
        fig.add_trace(_line([p.week_start for p in history], [p.units for p in history], "Actual units", ACTUAL))
    fig.add_trace(_line(weeks, [p.p50 for p in forecast], "Forecast P50", FORECAST, dash="dash"))
    _origin_marker(fig, weeks[0])
    return _layout(fig, title, "units per week")


def _line(x: list, y: list[float], name: str, color: str, dash: str = "solid") -> go.Scatter:
    return go.Scatter(
        x=x,
        y=y,
        name=name,
        mode="lines+markers",
        line={"color": color, "dash": dash},
        marker={"size": 4},
        hovertemplate="%{x|%Y-%m-%d}: %{y:,.1f} units<extra>" + name + "</extra>",
    )


def _band(weeks: list, p10: list[float], p90: list[float]) -> go.Scatter:
    """One closed polygon (P90 forward, P10 back) so the band is a single legend entry and cannot detach."""
    return go.Scatter(
        x=weeks + weeks[::-1],
        y=p90 + p10[::-1],
        name="P10–P90 interval",
        mode="lines",
        fill="toself",
        fillcolor=BAND,
        line={"width": 0},
        hoverinfo="skip",
    )


def _origin_marker(fig: go.Figure, origin: object) -> None:
    """A shape plus an annotation rather than ``add_vline``, whose annotation breaks on date axes in some plotly."""
    fig.add_shape(type="line", x0=origin, x1=origin, y0=0, y1=1, yref="paper", line={"dash": "dot", "color": "gray"})
    fig.add_annotation(
        x=origin,
        y=1,
        yref="paper",
        text="forecast starts",
        showarrow=False,
        yanchor="bottom",
        font={"size": 11, "color": "gray"},
    )


def waterfall_steps(base: float, drivers: Sequence[Driver], forecast: float) -> list[tuple[str, float, str]]:
    """(name, value, measure) per bar; an explicit residual bar keeps the drawn total equal to the stated forecast."""
    steps = [("Base", base, "absolute")] + [(d.name, d.contribution, "relative") for d in drivers]
    residual = forecast - base - sum(d.contribution for d in drivers)
    if abs(residual) >= UNSHOWN:
        steps.append((RESIDUAL_NAME, residual, "relative"))
    steps.append(("Forecast", forecast, "total"))
    return steps


def driver_waterfall(base: float, drivers: Sequence[Driver], forecast: float, title: str) -> go.Figure:
    """From the base through each signed driver contribution to the forecast total, all in units."""
    steps = waterfall_steps(base, drivers, forecast)
    texts = [fmt.units(v) if m != "relative" else fmt.signed_units(v) for _, v, m in steps]
    fig = go.Figure(
        go.Waterfall(
            x=[label(name) for name, _, _ in steps],
            y=[v for _, v, _ in steps],
            measure=[m for _, _, m in steps],
            text=texts,
            textposition="outside",
            connector={"line": {"color": "lightgray"}},
            increasing={"marker": {"color": UP}},
            decreasing={"marker": {"color": DOWN}},
            totals={"marker": {"color": TOTAL}},
            hovertemplate="%{x}: %{text}<extra></extra>",
        )
    )
    return _layout(fig, title, "units")


def whatif_chart(
    baseline: Sequence[ForecastPoint],
    scenario: Sequence[ForecastPoint],
    title: str,
    other_brands: Sequence[BrandChange] = (),
) -> go.Figure:
    """Baseline vs scenario P50 per week with P10–P90 error bars; other brands' changes in a side panel if given."""
    cols = 2 if other_brands else 1
    fig = make_subplots(
        rows=1,
        cols=cols,
        column_widths=[0.68, 0.32] if cols == 2 else None,
        subplot_titles=["P50 per week, whiskers P10–P90", "Change, other products"][:cols],
        horizontal_spacing=0.25,
    )
    fig.add_trace(_bars(baseline, "Baseline", FORECAST), row=1, col=1)
    fig.add_trace(_bars(scenario, "Scenario", SCENARIO), row=1, col=1)
    if other_brands:
        fig.add_trace(_brand_bars(other_brands), row=1, col=2)
    fig = _layout(fig, title, "units per week")
    fig.update_layout(barmode="group", margin={"t": 90})
    return fig


def _bars(points: Sequence[ForecastPoint], name: str, color: str) -> go.Bar:
    return go.Bar(
        x=[p.week_start.isoformat() for p in points],
        y=[p.p50 for p in points],
        name=name,
        marker_color=color,
        error_y={
            "type": "data",
            "symmetric": False,
            "array": [p.p90 - p.p50 for p in points],
            "arrayminus": [p.p50 - p.p10 for p in points],
            "color": "gray",
        },
        hovertemplate="%{x}: P50 %{y:,.1f} units<extra>" + name + "</extra>",
    )


def _brand_bars(changes: Sequence[BrandChange]) -> go.Bar:
    values = [c.change_units for c in changes]
    return go.Bar(
        x=values,
        y=[label(c.product) for c in changes],
        orientation="h",
        showlegend=False,
        marker_color=[UP if v >= 0 else DOWN for v in values],
        text=[fmt.signed_units(v) for v in values],
        textposition="auto",
        hovertemplate="%{y}: %{text} units<extra></extra>",
    )
