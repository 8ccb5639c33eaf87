"""Forecast, explanation, what-if and accuracy as agent tools, each over the merchant's cached engine.

The forecasting stack (torch, SHAP) is imported when a tool first runs, not when the tools are built: a chat whose
questions are about past sales, and every ``salescast ask`` that starts a process, then never pays its seconds.

Results are trimmed to what an answer quotes (weekly P10/P50/P90, totals over the horizon, the top drivers) so a
small model's context holds them, and totals are computed here so the model never has to add numbers itself: an
answer that quotes "1,234 units over 4 weeks" finds that number in the tool result and passes the grounding check.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from langchain_core.tools import BaseTool

from forecasting import paths
from tools.agent_tools_base import ToolOutput, make_tool, number
from tools.agent_tools_charts import drivers_artifact, forecast_artifact, whatif_artifact
from tools.agent_tools_inputs import ExplainInput, ForecastInput, NoInput, WhatIfInput

if TYPE_CHECKING:
    from forecasting.predict import Forecast
    from forecasting.whatif import WhatIf

TOP_DRIVERS = 6
TOP_BRANDS = 5


def forecast_data(result: Forecast) -> dict[str, Any]:
    weeks = [
        {"week": k + 1, "week_start": w.week_start.isoformat(), "p10": w.p10, "p50": w.p50, "p90": w.p90}
        | ({"event": w.event} if w.event else {})
        for k, w in enumerate(result.weeks)
    ]
    return {
        "store": result.store,
        "product": result.product,
        "last_data_week": result.last_data_week.isoformat(),
        "horizon_weeks": len(result.weeks),
        "total_p50": round(sum(w.p50 for w in result.weeks), 1),
        "total_p10": round(sum(w.p10 for w in result.weeks), 1),
        "total_p90": round(sum(w.p90 for w in result.weeks), 1),
        "weeks": weeks,
        "assumed_price": result.weeks[0].price if result.weeks else None,
        "assumptions": result.assumptions,
        "model_version": result.model_version,
    }


def _forecast(merchant: str) -> Callable[..., ToolOutput]:
    def forecast(product: str, store: str | None = None, horizon: int = 4) -> ToolOutput:
        from forecasting.predict import engine

        eng = engine(merchant)
        result = eng.forecast(store, product, horizon)
        data = forecast_data(result)
        summary = (
            f"{result.product}, store {result.store}: {number(data['total_p50'])} units (P50) over "
            f"{horizon} week(s), P10–P90 {number(data['total_p10'])}–{number(data['total_p90'])}"
        )
        return ToolOutput(data=data, summary=summary, artifacts=[forecast_artifact(eng, result)])

    return forecast


def _explain(merchant: str) -> Callable[..., ToolOutput]:
    def explain_forecast(product: str, store: str | None = None, week: int = 1) -> ToolOutput:
        from forecasting.explain import explain
        from forecasting.predict import engine

        result = explain(engine(merchant), store, product, week=week)
        drivers = [d.model_dump() for d in result.drivers if abs(d.contribution) >= 0.05][:TOP_DRIVERS]
        data = {
            "store": result.store,
            "product": result.product,
            "week": result.step,
            "week_start": result.week_start.isoformat(),
            "forecast_p50": result.forecast,
            "base": result.base,
            "base_meaning": f"the typical forecast over {result.background}",
            "drivers": drivers,
            "drivers_meaning": "units each driver adds to (or takes from) the base; base + all drivers = forecast",
        }
        top = ", ".join(f"{d['name']} {d['contribution']:+.1f}" for d in drivers[:3])
        summary = f"week {result.step}: {result.forecast:.1f} units vs base {result.base:.1f}; {top}"
        return ToolOutput(data=data, summary=summary, artifacts=[drivers_artifact(result)])

    return explain_forecast


def whatif_data(result: WhatIf) -> dict[str, Any]:
    changed = [w for w in result.weeks if w.changed]
    return {
        "store": result.store,
        "product": result.product,
        "change": result.change,
        "baseline_p50_changed_weeks": round(sum(w.baseline_p50 for w in changed), 1),
        "scenario_p50_changed_weeks": round(sum(w.scenario_p50 for w in changed), 1),
        "change_units": result.change_units,
        "change_revenue": result.change_revenue,
        "weeks": [
            {
                "week_start": w.week_start.isoformat(),
                "baseline_p50": w.baseline_p50,
                "scenario_p50": w.scenario_p50,
                "baseline_price": w.baseline_price,
                "scenario_price": w.scenario_price,
                "changed": w.changed,
            }
            for w in result.weeks
        ],
        "drivers": result.drivers[:TOP_DRIVERS],
        "other_products_same_store": [b.model_dump() for b in result.other_brands[:TOP_BRANDS]],
        "warnings": result.warnings,
        "model_version": result.model_version,
    }


def _what_if(merchant: str) -> Callable[..., ToolOutput]:
    def run_what_if(
        product: str,
        store: str | None = None,
        price: str | None = None,
        deal: bool | None = None,
        feature: bool | None = None,
        weeks: str = "1",
        horizon: int | None = None,
    ) -> ToolOutput:
        from forecasting.predict import engine
        from forecasting.whatif import Change, what_if

        if price is None and deal is None and feature is None:
            raise ValueError("Say what changes: a price (e.g. '-10%'), deal=true or feature=true.")
        change = Change(price=price, deal=deal, feature=feature, weeks=weeks)
        result = what_if(engine(merchant), store, product, change, horizon)
        summary = f"{result.change}: {result.change_units:+.1f} units (P50) for {result.product}, store {result.store}"
        return ToolOutput(data=whatif_data(result), summary=summary, artifacts=[whatif_artifact(result)])

    return run_what_if


def accuracy_data(merchant: str) -> dict[str, Any]:
    from forecasting.models.saved import read_meta

    meta = read_meta(merchant)
    data: dict[str, Any] = {
        "model": meta.model,
        "model_version": meta.version,
        "trained_at": meta.trained_at.isoformat(),
        "data_weeks": f"{meta.data_first_week} to {meta.data_last_week}",
        "validation": meta.validation.model_dump(),
        "meaning": "mape/wape/mape_p50 in percent (lower is better); coverage80: percent of actual weeks inside "
        "the P10–P90 band (80 is ideal); mase below 1 beats a naive last-week forecast; rows: weeks scored",
    }
    file = paths.home() / "backtests" / f"{merchant}.json"
    if file.is_file():
        report = json.loads(file.read_text())
        data["backtest"] = {
            "protocol": report.get("protocol"),
            "rounds": report.get("rounds"),
            "models": {r["model"]: r["scores"] for r in report.get("results", [])},
        }
    return data


def _accuracy(merchant: str) -> Callable[..., ToolOutput]:
    def backtest_accuracy() -> ToolOutput:
        data = accuracy_data(merchant)
        v = data["validation"]
        return ToolOutput(data=data, summary=f"{data['model']}: MAPE {v['mape']:.1f}%, WAPE {v['wape']:.1f}% on "
                          f"{v['rows']} held-out rows")  # fmt: skip

    return backtest_accuracy


def forecast_tools(merchant: str) -> list[BaseTool]:
    """The forecasting tools bound to ``merchant``."""
    return [
        make_tool("forecast", "Forecast weekly units of one product in one store for the next weeks after the data "
                  "(P50 = median, P10–P90 = likely range, total_p50 = sum over the weeks). Use for 'how many will I "
                  "sell', 'forecast X next month'.", ForecastInput, _forecast(merchant)),
        make_tool("explain_forecast", "Why a forecast is what it is: the drivers (recent demand, price, "
                  "promotions, season, holidays...) in units added to or taken from a typical week. Use for 'why', "
                  "'what drives'.", ExplainInput, _explain(merchant)),
        make_tool("what_if", "Forecast again with a price change, a deal or a feature ad in some forecast weeks and "
                  "compare with the plain forecast. Use for 'what if I cut the price / run a deal'.",
                  WhatIfInput, _what_if(merchant)),
        make_tool("backtest_accuracy", "How accurate the merchant's forecasts are: the model's error on held-out "
                  "weeks (MAPE, WAPE, interval coverage) and backtest scores. Use for 'how accurate', 'can I trust'.",
                  NoInput, _accuracy(merchant)),
    ]  # fmt: skip
