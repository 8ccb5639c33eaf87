"""What-if: forecast again under a changed plan (price, deal, feature ad) and say what changed and why.

The scenario changes one series' plan for some forecast weeks; every series of the same store is forecast under
both plans, so the effect on the other brands (their competitor-price and competitor-promotion features move) is
the model's, not an assumption. The change in the series' P50 is decomposed with exact Shapley values over the
driver groups against the baseline week, so the driver contributions add up to the change.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import numpy as np
from pydantic import BaseModel

from forecasting.explain import DRIVERS, check_additivity, shapley, target_row
from forecasting.models.neural import NeuralForecaster
from forecasting.predict import Engine, Plan, default_plan
from forecasting.warehouse.errors import WarehouseError


class Change(BaseModel):
    """The levers a merchant pulls: a price change (relative or absolute), a deal, a feature ad."""

    price: str | None = None  # "-10%", "+5%", "2.49" (new unit price)
    deal: bool | None = None
    feature: bool | None = None
    weeks: str = "1"  # forecast weeks the change applies to: "1", "1-2", "1,3"

    def describe(self) -> str:
        parts = []
        if self.price:
            parts.append(f"price {self.price}")
        if self.deal is not None:
            parts.append(f"deal {'on' if self.deal else 'off'}")
        if self.feature is not None:
            parts.append(f"feature ad {'on' if self.feature else 'off'}")
        return (", ".join(parts) or "no change") + f" in week(s) {self.weeks}"


class WeekPair(BaseModel):
    week_start: date
    baseline_p10: float
    baseline_p50: float
    baseline_p90: float
    scenario_p10: float
    scenario_p50: float
    scenario_p90: float
    baseline_price: float | None
    scenario_price: float | None
    changed: bool


class BrandEffect(BaseModel):
    product: str
    change_units: float  # over the changed weeks, P50


class WhatIf(BaseModel):
    merchant: str
    store: str
    product: str
    change: str
    weeks: list[WeekPair]
    # totals over every week shown: by default the changed weeks and the week after, because last week's deal and
    # price are model inputs (stock-up after a deal is real), so a change can move the following week too
    change_units: float  # P50
    change_revenue: float | None  # P50 units x price
    drivers: list[dict]  # SHAP decomposition of the P50 change
    other_brands: list[BrandEffect]  # same store, largest |change| first
    warnings: list[str]
    model_version: str


def parse_weeks(text: str, horizon: int) -> list[int]:
    weeks: set[int] = set()
    for part in str(text).replace(" ", "").split(","):
        if m := re.fullmatch(r"(\d+)-(\d+)", part):
            weeks.update(range(int(m[1]), int(m[2]) + 1))
        elif part.isdigit():
            weeks.add(int(part))
        else:
            raise WarehouseError(f"Weeks {text!r}: write forecast weeks like '1', '1-2' or '1,3'.")
    if not weeks or min(weeks) < 1 or max(weeks) > horizon:
        raise WarehouseError(f"Weeks {text!r}: choose forecast weeks between 1 and {horizon}.")
    return sorted(weeks)


def new_price(current: float, text: str) -> float:
    text = text.strip().replace("$", "")
    try:
        if text.endswith("%"):
            value = current * (1 + float(text[:-1]) / 100)
        else:
            value = float(text)
    except ValueError:
        raise WarehouseError(f"Price {text!r}: write a change like '-10%' or a new price like '2.49'.") from None
    if not value > 0:
        raise WarehouseError(f"Price {text!r} gives a price of {value:.2f}; a price must stay above 0.")
    return value


def scenario_plan(engine: Engine, series: int, change: Change, horizon: int) -> tuple[Plan, Plan, list[int]]:
    weeks = parse_weeks(change.weeks, horizon)
    base = default_plan(engine.panel, horizon)
    plan = base.copy()
    for w in weeks:
        k = w - 1
        if change.price:
            plan.price[series, k] = new_price(base.price[series, k], change.price)
        if change.deal is not None:
            plan.deal[series, k] = float(change.deal)
        if change.feature is not None:
            plan.feature[series, k] = float(change.feature)
    return base, plan, weeks


def extrapolation_warnings(engine: Engine, series: int, plan: Plan, weeks: list[int]) -> list[str]:
    """Where the scenario leaves what the model saw for this series: its answer there is an extrapolation."""
    seen = engine.panel.unit_price[series][np.isfinite(engine.panel.unit_price[series])]
    out = []
    for w in weeks:
        price = plan.price[series, w - 1]
        if len(seen) and not seen.min() * 0.95 <= price <= seen.max() * 1.05:
            out.append(
                f"Week {w}: a price of {price:.2f} is outside the {seen.min():.2f}–{seen.max():.2f} this product sold "
                "at here; the forecast for it is an extrapolation."
            )
    for lever, name in ((engine.panel.deal, "deal"), (engine.panel.feature, "feature ad")):
        planned = plan.deal if name == "deal" else plan.feature
        if any(planned[series, w - 1] > 0.5 for w in weeks) and not np.nanmax(lever[series], initial=0) > 0.5:
            out.append(f"This product never had a {name} in this store's data; its effect is an extrapolation.")
    return out


def what_if(engine: Engine, store: str | None, product: str, change: Change, horizon: int | None = None) -> WhatIf:
    if not isinstance(engine.model, NeuralForecaster):
        raise WarehouseError("What-if needs the default neural_mlp model; retrain with --model neural_mlp.")
    idx, store_name, product_name = engine.series(store, product)
    horizon = horizon or min(max(parse_weeks(change.weeks, engine.max_horizon)) + 1, engine.max_horizon)
    engine.check_horizon(horizon)
    base, plan, weeks = scenario_plan(engine, idx, change, horizon)
    same_store = np.flatnonzero(engine.panel.series_store == engine.panel.series_store[idx]).tolist()
    q_base, q_new = engine.quantiles(base, same_store), engine.quantiles(plan, same_store)
    cols = list(range(horizon))  # the changed weeks and what follows them (a deal's after-effect, say)
    drivers = _decompose(engine, base, plan, idx, list(range(1, horizon + 1)))
    others = [
        BrandEffect(
            product=engine.panel.products[engine.panel.series_product[s]],
            change_units=round(float(np.nansum(q_new[s, cols, 1] - q_base[s, cols, 1])), 1),
        )
        for s in same_store
        if s != idx
    ]
    revenue = np.nansum(q_new[idx, cols, 1] * plan.price[idx, cols] - q_base[idx, cols, 1] * base.price[idx, cols])
    return WhatIf(
        merchant=engine.merchant, store=store_name, product=product_name, change=change.describe(),
        weeks=_pairs(engine, idx, q_base, q_new, base, plan, weeks, horizon),
        change_units=round(float(np.nansum(q_new[idx, cols, 1] - q_base[idx, cols, 1])), 1),
        change_revenue=round(float(revenue), 2) if np.isfinite(revenue) else None,
        drivers=drivers, other_brands=sorted(others, key=lambda b: -abs(b.change_units)),
        warnings=extrapolation_warnings(engine, idx, plan, weeks), model_version=engine.meta.version,
    )  # fmt: skip


def _decompose(engine: Engine, base: Plan, plan: Plan, idx: int, weeks: list[int]) -> list[dict]:
    """Exact Shapley values of the P50 change per driver, with the baseline week as the single background."""
    total = np.zeros(len(DRIVERS))
    for w in weeks:
        before, after = target_row(engine, base, idx, w), target_row(engine, plan, idx, w)
        start, values, end = shapley(engine.model, after, before)
        check_additivity(start, values, end)
        total += values
    ranked = sorted(zip(DRIVERS, total, strict=True), key=lambda kv: -abs(kv[1]))
    return [{"name": n, "contribution": round(float(v), 2)} for n, v in ranked if abs(v) >= 0.05]


def _pairs(engine, idx, q_base, q_new, base, plan, weeks, horizon) -> list[WeekPair]:
    last = engine.panel.week_starts[-1]
    out = []
    for k in range(horizon):
        b, n = q_base[idx, k], q_new[idx, k]
        out.append(
            WeekPair(
                week_start=last + timedelta(weeks=k + 1),
                baseline_p10=round(float(b[0]), 1), baseline_p50=round(float(b[1]), 1),
                baseline_p90=round(float(b[2]), 1), scenario_p10=round(float(n[0]), 1),
                scenario_p50=round(float(n[1]), 1), scenario_p90=round(float(n[2]), 1),
                baseline_price=_money(base.price[idx, k]), scenario_price=_money(plan.price[idx, k]),
                changed=(k + 1) in weeks,
            )
        )  # fmt: skip
    return out


def _money(value: float) -> float | None:
    return round(float(value), 4) if np.isfinite(value) else None
