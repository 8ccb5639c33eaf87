"""Why a forecast is what it is: SHAP attributions of the P50 forecast, in units, grouped into named drivers.

Method: exact Shapley values (``shap.explainers.Exact``) over the ~10 driver groups rather than over the ~100 raw
features. Every input column belongs to one driver (``forecasting.features.driver_group``), and a coalition swaps
whole groups between the explained week and a background week, so the attributions are exact (additivity holds to
float precision, checked on every call), are in units (the model's log output is transformed inside the explained
function, not approximated linearly), and cost 2^groups x background forward passes of a small MLP: well under a
second on a CPU. Deep/Gradient explainers would attribute the log output per raw feature and need approximations
to be summed into units.

Background ("compared with what?"): by default the same series' own forecasts over its last year of history, so
the base value is "a typical week of this product in this store" and the drivers say why this week differs. With
``background="merchant"`` the background is drawn from all the merchant's series, and store and product become
drivers too (why this series sells more or less than the merchant's typical one).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import shap
import torch
from pydantic import BaseModel

from forecasting.features import Samples, build_samples, driver_group
from forecasting.models.neural import NeuralForecaster
from forecasting.predict import Engine, Plan, default_plan, extend
from forecasting.warehouse.errors import WarehouseError

DRIVERS = [
    "recent demand", "trend", "own price", "competitor prices", "deal", "feature advertising", "holiday/event",
    "seasonality", "store", "product",
]  # fmt: skip
BACKGROUND_WEEKS = 52
BACKGROUND_STRIDE = 2  # every other week of that year: the same seasons at half the cost (26 rows, not 52)
ADDITIVITY_TOLERANCE = 1e-3


class DriverContribution(BaseModel):
    name: str
    contribution: float  # units added to (or, negative, taken from) the base
    description: str


class Explanation(BaseModel):
    merchant: str
    store: str
    product: str
    week_start: date
    step: int  # weeks after the last data week
    forecast: float  # the explained P50 forecast, units
    base: float  # expected P50 over the background weeks, units
    drivers: list[DriverContribution]  # largest |contribution| first; base + sum == forecast
    additivity_error: float  # |base + sum - forecast| / max(forecast, 1)
    background: str
    model_version: str
    seconds: float


@dataclass
class Rows:
    """Explained row 0 and background rows 1..B as one matrix of model inputs, with each column's driver."""

    matrix: np.ndarray  # (1 + B, F + 3): features, base, store, product
    groups: np.ndarray  # (F + 3,) driver index per column, -1 for columns held at the explained row's value
    n_features: int


def _rows(row: Samples, background: Samples, model: NeuralForecaster) -> Rows:
    """Features are standardised here, once for the 1 + B source rows, not for each of the 2^drivers x B mixes."""

    def stack(s: Samples) -> np.ndarray:
        return np.column_stack([model.scaler.transform(s.x).astype(np.float64), s.base, s.store, s.product])

    names = [*row.names, "base", "store", "product"]
    groups = np.array([DRIVERS.index(g) if (g := driver_group(n)) in DRIVERS else -1 for n in names])
    return Rows(np.vstack([stack(row), stack(background)]), groups, len(row.names))


def _model_fn(model: NeuralForecaster, rows: Rows, active: np.ndarray):
    """f(Z) for shap: Z[:, k] = 1 takes driver active[k] from the explained row, -(b + 1) from background row b."""
    cols = np.arange(rows.matrix.shape[1])
    slot = np.full(len(DRIVERS), -1)
    slot[active] = np.arange(len(active))
    col_slot = np.where(rows.groups >= 0, slot[np.maximum(rows.groups, 0)], -1)
    held = col_slot < 0

    def f(z: np.ndarray) -> np.ndarray:
        pick = np.where(z > 0, 0, -z).astype(np.int64)  # (n, active) source row per driver
        source = np.where(held[None, :], 0, pick[:, np.maximum(col_slot, 0)])  # (n, C)
        m = rows.matrix[source, cols[None, :]]
        return _p50_units(model, m, rows.n_features)

    return f


def _active_drivers(rows: Rows) -> np.ndarray:
    """Drivers whose inputs differ between the explained row and some background row.

    The others are dummy players (e.g. store and product against the series' own history): their Shapley value
    is exactly 0, so leaving them out of the 2^drivers enumeration changes no value and makes it several times
    cheaper."""
    same = np.isclose(rows.matrix[1:], rows.matrix[:1], equal_nan=True).all(axis=0)
    return np.array([g for g in range(len(DRIVERS)) if not same[rows.groups == g].all()], dtype=np.int64)


@torch.no_grad()
def _p50_units(model: NeuralForecaster, m: np.ndarray, n_features: int) -> np.ndarray:
    x = torch.from_numpy(m[:, :n_features].astype(np.float32))  # already standardised (``_rows``)
    store = torch.from_numpy(m[:, n_features + 1].astype(np.int64))
    product = torch.from_numpy(m[:, n_features + 2].astype(np.int64))
    out = model._forward(x, store, product)[:, 1].double().numpy()
    return np.expm1(np.clip(out + m[:, n_features], 0.0, None))


def shapley(model: NeuralForecaster, row: Samples, background: Samples) -> tuple[float, np.ndarray, float]:
    """(base, per-driver values, explained value) with base + sum(values) == explained value."""
    rows = _rows(row, background, model)
    active = _active_drivers(rows)
    values = np.zeros(len(DRIVERS))
    if len(active) == 0:  # nothing differs from the background: every driver is a dummy player
        value = float(_p50_units(model, rows.matrix[:1], rows.n_features)[0])
        return value, values, value
    f = _model_fn(model, rows, active)
    value = float(f(np.ones((1, len(active))))[0])
    n_bg = len(background.x)
    masker = shap.maskers.Independent(-(np.arange(n_bg)[:, None] + 1.0) * np.ones((1, len(active))), max_samples=n_bg)
    result = shap.explainers.Exact(f, masker)(np.ones((1, len(active))), silent=True)
    values[active] = np.asarray(result.values[0], dtype=float)
    return float(np.ravel(result.base_values)[0]), values, value


def check_additivity(base: float, values: np.ndarray, forecast: float) -> float:
    error = abs(base + float(values.sum()) - forecast) / max(abs(forecast), 1.0)
    if error > ADDITIVITY_TOLERANCE:
        raise WarehouseError(f"SHAP additivity failed (relative error {error:.2e}); the explanation is not shown.")
    return error


def history_background(
    engine: Engine, series: int, step: int, weeks: int = BACKGROUND_WEEKS, stride: int = BACKGROUND_STRIDE
) -> Samples:
    """The series' own forecasts ``step`` weeks ahead from every ``stride``-th of its last ``weeks`` origins (real
    past covariates), the latest week always included."""
    last = engine.panel.n_weeks - 1
    origins = list(range(last - step, max(last - step - weeks, 3), -stride))[::-1]
    samples = build_samples(engine.panel, origins, [step], observed_only=False)
    own = samples.take(samples.series == series)
    if len(own.x) < 4:
        raise WarehouseError("This series has too little history (under 4 weeks) to explain a forecast.")
    return own


def merchant_background(engine: Engine, step: int, size: int = 64, seed: int = 0) -> Samples:
    last = engine.panel.n_weeks - 1
    origins = list(range(max(last - step - BACKGROUND_WEEKS + 1, 4), last - step + 1))
    samples = build_samples(engine.panel, origins, [step])
    pick = np.random.default_rng(seed).choice(len(samples.x), size=min(size, len(samples.x)), replace=False)
    return samples.take(np.sort(pick))


def explain(
    engine: Engine,
    store: str | None,
    product: str,
    week: int | date = 1,
    plan: Plan | None = None,
    background: str = "series",
) -> Explanation:
    """Explain the P50 forecast of one week (a step 1..horizon, or the start date of a forecast week)."""
    started = time.perf_counter()
    if not isinstance(engine.model, NeuralForecaster):
        raise WarehouseError("Explanations need the default neural_mlp model; retrain with --model neural_mlp.")
    idx, store_name, product_name = engine.series(store, product)
    step = _step_of(engine, week)
    plan = plan or default_plan(engine.panel, max(step, 1))
    row = target_row(engine, plan, idx, step)
    bg = history_background(engine, idx, step) if background == "series" else merchant_background(engine, step)
    base, values, forecast = shapley(engine.model, row, bg)
    error = check_additivity(base, values, forecast)
    facts = describe(engine, row, bg)
    drivers = [
        DriverContribution(name=name, contribution=round(float(v), 3), description=facts[name])
        for name, v in sorted(zip(DRIVERS, values, strict=True), key=lambda kv: -abs(kv[1]))
    ]
    return Explanation(
        merchant=engine.merchant, store=store_name, product=product_name,
        week_start=engine.panel.week_starts[-1] + timedelta(weeks=step), step=step,
        forecast=round(forecast, 3), base=round(base, 3), drivers=drivers, additivity_error=error,
        background="this series' own last year" if background == "series" else "all the merchant's series",
        model_version=engine.meta.version, seconds=round(time.perf_counter() - started, 3),
    )  # fmt: skip


def target_row(engine: Engine, plan: Plan, series: int, step: int) -> Samples:
    future = extend(engine.panel, plan)
    samples = build_samples(future, [engine.panel.n_weeks - 1], [step], observed_only=False)
    return samples.take(samples.series == series)


def _step_of(engine: Engine, week: int | date) -> int:
    if isinstance(week, date):
        step = (week - engine.panel.week_starts[-1]).days // 7
        if (week - engine.panel.week_starts[-1]).days % 7:
            raise WarehouseError(f"{week} is not the start of a forecast week (weeks start on a "
                                 f"{engine.panel.week_starts[-1]:%A}).")  # fmt: skip
    else:
        step = int(week)
    engine.check_horizon(step)
    return step


def describe(engine: Engine, row: Samples, bg: Samples) -> dict[str, str]:
    """One plain line per driver: the explained week's value next to the background's typical value."""
    col = {name: i for i, name in enumerate(row.names)}

    def now(name: str) -> float:
        return float(row.x[0, col[name]])

    def usual(name: str) -> float:
        return float(np.nanmean(bg.x[:, col[name]]))

    level_now, level_bg = np.expm1(row.base[0]), float(np.mean(np.expm1(bg.base)))
    deal_share, feat_share = usual("deal"), usual("feat")
    event = _event_name(engine, row)
    return {
        "recent demand": f"last 13 weeks averaged {level_now:,.0f} units/week; {level_bg:,.0f} in the background",
        "trend": f"last 4 weeks vs the 9 before: {100 * (np.exp(now('trend13')) - 1):+.0f}%",
        "own price": f"price {100 * (np.exp(now('lp') - usual('lp')) - 1):+.1f}% vs the background weeks",
        "competitor prices": f"other brands' prices {100 * (np.exp(now('comp_lp_mean') - usual('comp_lp_mean')) - 1):+.1f}%"
        f" vs the background weeks; {100 * now('comp_deal'):.0f}% of them on deal",
        "deal": f"deal {'on' if now('deal') > 0.5 else 'off'} (on in {100 * deal_share:.0f}% of background weeks)",
        "feature advertising": f"feature ad {'on' if now('feat') > 0.5 else 'off'} "
        f"(on in {100 * feat_share:.0f}% of background weeks)",
        "holiday/event": f"{event} in or next to the week" if event else "no holiday or event in or next to the week",
        "seasonality": f"time of year: week of {engine.panel.week_starts[-1] + timedelta(weeks=int(row.step[0])):%d %b}",
        "store": f"store {engine.panel.stores[int(row.store[0])]}: how all its products sell lately",
        "product": f"{engine.panel.products[int(row.product[0])]}: how it sells across all stores lately",
    }


def _event_name(engine: Engine, row: Samples) -> str | None:
    week = engine.panel.week_starts[-1] + timedelta(weeks=int(row.step[0]))
    names = [engine.panel.event_on(week + timedelta(weeks=k)) for k in (0, -1, 1)]
    return next((n for n in names if n), None)


class DriverImportance(BaseModel):
    name: str
    mean_abs: float  # mean |contribution| in units over the explained series
    share: float  # of the summed mean |contribution| of all drivers, 0..1


class Importance(BaseModel):
    merchant: str
    step: int
    series_explained: int
    series_total: int
    overall: list[DriverImportance]  # largest first
    by_product: dict[str, list[DriverImportance]]
    seconds: float


def importance(engine: Engine, step: int = 1, max_series: int = 40, background_weeks: int = 26) -> Importance:
    """Which drivers move this merchant's forecasts most: mean |SHAP| per driver over its series, and per product.

    A seeded sample of at most ``max_series`` series (stratified by product, so each product is represented)
    keeps this to seconds on a CPU; every sampled explanation is exact and passes the additivity check."""
    started = time.perf_counter()
    if not isinstance(engine.model, NeuralForecaster):
        raise WarehouseError("Explanations need the default neural_mlp model; retrain with --model neural_mlp.")
    engine.check_horizon(step)
    chosen = _sample_series(engine, max_series)
    row_all = build_samples(extend(engine.panel, default_plan(engine.panel, step)), [engine.panel.n_weeks - 1], [step],
                            observed_only=False)  # fmt: skip
    values: dict[int, np.ndarray] = {}
    for idx in chosen:
        row = row_all.take(row_all.series == idx)
        try:
            bg = history_background(engine, idx, step, background_weeks)
        except WarehouseError:
            continue
        base, vals, forecast = shapley(engine.model, row, bg)
        check_additivity(base, vals, forecast)
        values[idx] = np.abs(vals)
    products = engine.panel.series_product
    by_product = {
        engine.panel.products[p]: _ranked([v for i, v in values.items() if products[i] == p])
        for p in sorted({int(products[i]) for i in values})
    }
    return Importance(
        merchant=engine.merchant, step=step, series_explained=len(values), series_total=engine.panel.n_series,
        overall=_ranked(list(values.values())), by_product=by_product, seconds=round(time.perf_counter() - started, 3),
    )  # fmt: skip


def _sample_series(engine: Engine, max_series: int) -> list[int]:
    rng = np.random.default_rng(0)
    order = rng.permutation(engine.panel.n_series)
    products = engine.panel.series_product[order]
    ranked = order[np.argsort([np.sum(products[:k] == products[k]) for k in range(len(order))], kind="stable")]
    return sorted(int(i) for i in ranked[:max_series])


def _ranked(rows: list[np.ndarray]) -> list[DriverImportance]:
    if not rows:
        return []
    mean = np.mean(rows, axis=0)
    total = float(mean.sum()) or 1.0
    out = [DriverImportance(name=n, mean_abs=round(float(m), 3), share=round(float(m) / total, 4))
           for n, m in zip(DRIVERS, mean, strict=True)]  # fmt: skip
    return sorted(out, key=lambda d: -d.mean_abs)
