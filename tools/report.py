"""Render a ``ReportData`` as one self-contained HTML file or as a PDF, and write either atomically.

The HTML inlines plotly.js once, so the report opens offline and can be mailed as a single file. The PDF is the same
template with static chart images (see ``tools.chart_export``) laid out by WeasyPrint, which is only allowed to read
``data:`` URLs: nothing in a report can make the renderer touch the file system or the network.
"""

from __future__ import annotations

import base64
import functools
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
from jinja2 import Environment, StrictUndefined
from markupsafe import Markup
from plotly.offline import get_plotlyjs

from tools import charts
from tools import report_format as fmt
from tools.chart_export import figures_to_png
from tools.report_models import ReportData
from tools.report_template import REPORT_TEMPLATE

PLOT_CONFIG = {"displaylogo": False, "responsive": True}


@functools.cache
def _template():
    env = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=False)
    env.filters.update(fmt.FILTERS)
    return env.from_string(REPORT_TEMPLATE)


@functools.cache
def _plotlyjs() -> Markup:
    """Read once per process: plotly.js is several MB and identical for every report."""
    return Markup(get_plotlyjs())


def build_figures(data: ReportData) -> dict[str, go.Figure]:
    """The report's figures by slot name; a slot is absent when its section has no data."""
    figures = {"forecast": charts.forecast_chart(data.history, data.forecast, f"{data.product} — store {data.store}")}
    if data.explanation:
        e = data.explanation
        figures["waterfall"] = charts.driver_waterfall(
            e.base, e.drivers, e.forecast, f"Drivers of the forecast, week of {fmt.day(e.week_start)}"
        )
    if data.whatif:
        w = data.whatif
        figures["whatif"] = charts.whatif_chart(w.baseline, w.scenario, f"What-if: {w.description}", w.other_brands)
    return figures


def _steps(data: ReportData) -> list[dict[str, str]]:
    """Waterfall rows for the driver table, so the table and the chart list exactly the same bars, in order."""
    e = data.explanation
    if e is None:
        return []
    steps = charts.waterfall_steps(e.base, e.drivers, e.forecast)
    notes = ["every driver at its reference value", *(d.description for d in e.drivers)]
    notes += ["difference the drivers do not account for"] * (len(steps) - len(notes) - 1)
    notes.append("the P50 forecast for the week")
    return [
        {"name": name, "description": note, "text": fmt.signed_units(v) if kind == "relative" else fmt.units(v)}
        for (name, v, kind), note in zip(steps, notes, strict=True)
    ]


def _render(data: ReportData, chart_html: dict[str, Markup], plotlyjs: Markup | None) -> str:
    weeks = list(zip(data.whatif.baseline, data.whatif.scenario, strict=True)) if data.whatif else []
    return _template().render(d=data, charts=chart_html, plotlyjs=plotlyjs, steps=_steps(data), weeks=weeks)


def render_html(data: ReportData) -> str:
    """One HTML file with interactive charts and plotly.js inlined once (no CDN, works offline)."""
    divs = {
        slot: Markup(
            pio.to_html(fig, full_html=False, include_plotlyjs=False, config=PLOT_CONFIG, div_id=f"chart-{slot}")
        )
        for slot, fig in build_figures(data).items()
    }
    return _render(data, divs, _plotlyjs())


def render_pdf(data: ReportData, out: Path) -> Path:
    """The same report as a PDF with static chart images; ``out`` is written in place (see ``write_report``)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    figures = build_figures(data)
    images = figures_to_png(list(figures.values()))
    imgs = {
        slot: Markup('<img alt="{}" src="data:image/png;base64,{}">').format(
            f"{slot} chart", base64.b64encode(png).decode("ascii")
        )
        for slot, png in zip(figures, images, strict=True)
    }
    fetcher = URLFetcher(allowed_protocols={"data"})
    HTML(string=_render(data, imgs, None), url_fetcher=fetcher).write_pdf(out)
    return Path(out)


def _write_html(data: ReportData, out: Path) -> Path:
    out.write_text(render_html(data), encoding="utf-8")
    return out


WRITERS: dict[str, Callable[[ReportData, Path], Path]] = {".html": _write_html, ".pdf": render_pdf}


def write_report(data: ReportData, out: Path) -> Path:
    """Write the report where ``out`` says, in the format its suffix names, replacing any old file atomically.

    Rendering goes to a temporary file in the same directory and is renamed into place, so a reader (or a browser
    reloading the report) never sees a half-written file and a failed render leaves the previous report intact.
    """
    out = Path(out)
    writer = WRITERS.get(out.suffix.lower())
    if writer is None:
        raise ValueError(f"cannot write a report to {out.name!r}: the file name must end in .html or .pdf")
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.stem}.", suffix=out.suffix, dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        tmp.chmod(0o644)  # mkstemp makes the file private; a report is meant to be opened and shared
        writer(data, tmp)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out
