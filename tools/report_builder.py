"""Assemble an explanation report for one series from the forecaster, the explainer and the warehouse.

This is the call the agent and the CLI use. Every number in the report comes from a computed result (the forecast,
the SHAP explanation, the what-if, the model's held-out scores, the history rows read with the SQL printed in the
provenance block); the plain-language summary is generated from those numbers, never written freely.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import numpy as np

from forecasting import paths
from forecasting.explain import Explanation as ShapExplanation
from forecasting.explain import explain
from forecasting.predict import Engine, Forecast, engine
from forecasting.whatif import Change, WhatIf, what_if
from tools.report import write_report
from tools.report_models import (
    BacktestAccuracy,
    BrandChange,
    Driver,
    Explanation,
    ForecastPoint,
    Provenance,
    ReportData,
    SeriesPoint,
    WhatIfData,
)

HISTORY_WEEKS = 52
HISTORY_SQL = (
    "SELECT week_start, units FROM sales WHERE store = '{store}' AND product = '{product}' "
    "AND week_start > DATE '{since}' ORDER BY week_start"
)


def reports_dir(merchant: str) -> Path:
    """Each merchant's reports in their own folder, so a download link can be checked against the signed-in user."""
    return paths.home() / "reports" / merchant


def make_report(
    merchant: str,
    store: str | None,
    product: str,
    question: str = "",
    whatif: Change | None = None,
    out: Path | None = None,
    fmt: Literal["html", "pdf"] = "html",
    horizon: int = 8,
) -> Path:
    """Write the report and return its path (``out``, or a new file under the merchant's reports folder)."""
    data = report_data(engine(merchant), store, product, question, whatif, horizon)
    target = Path(out) if out else reports_dir(merchant) / _file_name(data, fmt)
    return write_report(data, target)


def report_data(
    eng: Engine, store: str | None, product: str, question: str, change: Change | None, horizon: int = 8
) -> ReportData:
    fc = eng.forecast(store, product, horizon)
    shap_ex = explain(eng, fc.store, fc.product, week=1)
    scenario = what_if(eng, fc.store, fc.product, change, horizon) if change else None
    history, sql = _history(eng, fc)
    return ReportData(
        merchant=eng.merchant,
        store=fc.store,
        product=fc.product,
        question=question or f"What will {fc.product} sell in store {fc.store} over the next {horizon} weeks, and why?",
        history=history,
        forecast=[ForecastPoint(week_start=w.week_start, p10=w.p10, p50=w.p50, p90=w.p90) for w in fc.weeks],
        accuracy=_accuracy(eng, fc.store, fc.product),
        explanation=_explanation(shap_ex),
        whatif=_whatif(scenario) if scenario else None,
        provenance=Provenance(
            data_first_week=eng.meta.data_first_week,
            data_last_week=eng.meta.data_last_week,
            sql=[sql],
            model_version=eng.meta.version,
            trained_at=eng.meta.trained_at,
            train_seconds=eng.meta.train_seconds,
            device=eng.meta.device,
        ),
        generated_at=datetime.now(UTC).replace(microsecond=0),
        assumptions=" ".join([fc.assumptions, *(scenario.warnings if scenario else [])]),
    )


def _history(eng: Engine, fc: Forecast) -> tuple[list[SeriesPoint], str]:
    idx, _, _ = eng.series(fc.store, fc.product)
    units = eng.panel.units[idx, -HISTORY_WEEKS:]
    weeks = eng.panel.week_starts[-HISTORY_WEEKS:]
    points = [SeriesPoint(week_start=w, units=float(u)) for w, u in zip(weeks, units, strict=True) if np.isfinite(u)]
    since = eng.panel.week_starts[-HISTORY_WEEKS - 1] if len(eng.panel.week_starts) > HISTORY_WEEKS else weeks[0]
    store, product = (v.replace("'", "''") for v in (fc.store, fc.product))  # printed SQL quotes the SQL way
    return points, HISTORY_SQL.format(store=store, product=product, since=since)


def _accuracy(eng: Engine, store: str, product: str) -> BacktestAccuracy:
    """This series' scores on the held-out weeks the model never trained on; the merchant's when it has none."""
    scores = eng.meta.series_scores(store, product)
    scope = "this series"
    if scores is None:
        scores, scope = eng.meta.validation, "all series"
    return BacktestAccuracy(
        protocol=f"held-out last weeks before training, {scope}",
        n_rows=scores.rows,
        mape=scores.mape,
        wape=scores.wape,
        coverage80=scores.coverage80,
    )


def _explanation(ex: ShapExplanation) -> Explanation:
    return Explanation(
        week_start=ex.week_start,
        base=ex.base,
        forecast=ex.forecast,
        drivers=[Driver(name=d.name, contribution=d.contribution, description=d.description) for d in ex.drivers],
        summary=summary_sentences(ex),
    )


def summary_sentences(ex: ShapExplanation) -> list[str]:
    """Plain sentences built only from the explanation's numbers."""
    diff = ex.forecast - ex.base
    direction = "above" if diff >= 0 else "below"
    out = [
        (
            f"For the week of {ex.week_start:%d %b %Y} the model expects {ex.forecast:,.0f} units (median), "
            f"{abs(diff):,.0f} {direction} a typical week of {ex.base:,.0f} units ({ex.background})."
        )
    ]
    for d in [d for d in ex.drivers if abs(d.contribution) >= 0.5][:3]:
        verb = "adds" if d.contribution >= 0 else "takes away"
        out.append(f"{d.name.capitalize()} {verb} {abs(d.contribution):,.0f} units: {d.description}.")
    return out


def _whatif(w: WhatIf) -> WhatIfData:
    def points(prefix: str) -> list[ForecastPoint]:
        return [
            ForecastPoint(
                week_start=p.week_start,
                p10=getattr(p, f"{prefix}_p10"),
                p50=getattr(p, f"{prefix}_p50"),
                p90=getattr(p, f"{prefix}_p90"),
            )
            for p in w.weeks
        ]

    return WhatIfData(
        description=w.change,
        baseline=points("baseline"),
        scenario=points("scenario"),
        change_units=w.change_units,
        change_revenue=w.change_revenue or 0.0,
        other_brands=[BrandChange(product=b.product, change_units=b.change_units) for b in w.other_brands],
    )


def _file_name(data: ReportData, fmt: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", f"{data.store} {data.product}".lower()).strip("-")
    return f"report-{slug}-{data.generated_at:%Y%m%dT%H%M%S}.{fmt}"
