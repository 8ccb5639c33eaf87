"""Forecast the weeks after a merchant's data, from the saved model and a covariate plan.

The future's prices and promotions are not in the data, so every forecast states the plan it assumed: by default
each product keeps its regular price (its latest price in a week without a deal), with no deal and no feature ad.
A what-if changes that plan for one series and forecasts again.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
from pydantic import BaseModel, Field

from forecasting import paths
from forecasting.features import build_samples
from forecasting.models.neural import NeuralForecaster
from forecasting.models.saved import ModelMeta, ModelSpec, load
from forecasting.names import resolve
from forecasting.panel import Panel, latest_value, load_panel
from forecasting.paths import model_dir
from forecasting.warehouse.errors import WarehouseError

DEFAULT_ASSUMPTION = "regular price (latest price in a week without a deal), no deal, no feature ad"


class WeekForecast(BaseModel):
    week_start: date
    week_end: date
    p10: float = Field(description="units; 10% chance of selling fewer")
    p50: float = Field(description="units; the median forecast")
    p90: float = Field(description="units; 10% chance of selling more")
    point: float = Field(
        description="units; the single-number forecast that minimises relative error (what MAPE scores); "
        "below P50 when a week could spike"
    )
    price: float | None = Field(description="assumed shelf price of one unit")
    deal: float = Field(description="assumed deal, 0..1")
    feature: float = Field(description="assumed feature advertising, 0..1")
    event: str | None = Field(description="holiday or event in the week")


class Forecast(BaseModel):
    merchant: str
    store: str
    product: str
    last_data_week: date
    model_version: str
    assumptions: str
    weeks: list[WeekForecast]


@dataclass
class Plan:
    """Future covariates for every series: (series, horizon) arrays of unit price, deal and feature."""

    price: np.ndarray
    deal: np.ndarray
    feature: np.ndarray

    def copy(self) -> Plan:
        return Plan(self.price.copy(), self.deal.copy(), self.feature.copy())


def regular_price(panel: Panel, lookback: int = 13) -> np.ndarray:
    """Each series' latest unit price in a recorded week without a deal (else its latest price at all)."""
    recent = panel.unit_price[:, -lookback:]
    undealt = latest_value(np.where(panel.deal[:, -lookback:] < 0.5, recent, np.nan))
    return np.where(np.isfinite(undealt), undealt, latest_value(recent))


def default_plan(panel: Panel, horizon: int) -> Plan:
    price = np.repeat(regular_price(panel)[:, None], horizon, axis=1)
    zeros = np.zeros((panel.n_series, horizon))
    return Plan(price=price, deal=zeros, feature=zeros.copy())


def extend(panel: Panel, plan: Plan) -> Panel:
    """The panel with ``horizon`` future weeks appended: units unknown, covariates from the plan."""
    horizon = plan.price.shape[1]
    size = np.exp(panel.product_log_size)[panel.series_product][:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        future_lp = np.log(np.where(plan.price > 0, plan.price, np.nan) / size)
    store_lp = np.full((len(panel.stores), len(panel.products), horizon), np.nan)
    store_lp[panel.series_store, panel.series_product] = future_lp
    nan = np.full((panel.n_series, horizon), np.nan)
    last = panel.week_starts[-1]
    return replace(
        panel,
        week_starts=panel.week_starts + [last + timedelta(weeks=k) for k in range(1, horizon + 1)],
        units=np.hstack([panel.units, nan]),
        unit_price=np.hstack([panel.unit_price, plan.price]),
        log_price=np.hstack([panel.log_price, future_lp]),
        deal=np.hstack([panel.deal, plan.deal]),
        feature=np.hstack([panel.feature, plan.feature]),
        store_log_price=np.concatenate([panel.store_log_price, store_lp], axis=2),
    )


class Engine:
    """A merchant's panel and model, loaded once and reused by every forecast, explanation and what-if."""

    def __init__(self, merchant: str) -> None:
        self.merchant = merchant
        self.panel = load_panel(merchant)
        self.model, self.spec, self.meta = load(merchant)
        if self.spec.stores != self.panel.stores or self.spec.products != self.panel.products:
            raise WarehouseError(
                f"The saved model for {merchant!r} was trained on other stores or products than the data now has; "
                f"retrain it with `salescast train --merchant {merchant}`."
            )

    @property
    def max_horizon(self) -> int:
        return self.spec.horizon

    def series(self, store: str | None, product: str) -> tuple[int, str, str]:
        """Resolve names as people write them; a chain-level merchant needs no store."""
        if store is None:
            if len(self.panel.stores) != 1:
                raise WarehouseError(f"{self.merchant!r} has {len(self.panel.stores)} stores: say which store.")
            store = self.panel.stores[0]
        store_name = resolve("store", str(store), self.panel.stores)
        product_name = resolve("product", product, self.panel.products)
        return self.panel.series_index(store_name, product_name), store_name, product_name

    def check_horizon(self, horizon: int) -> None:
        if not 1 <= horizon <= self.max_horizon:
            raise WarehouseError(f"Horizon must be between 1 and {self.max_horizon} weeks, not {horizon}.")

    def quantiles(self, plan: Plan, series: list[int] | None = None) -> np.ndarray:
        """(series, horizon, 4) units P10/P50/P90/point for the plan's weeks.

        The feature MLP computes only the ``series`` rows when given (the fast path a chat answer takes); sequence
        models forecast every series at once."""
        horizon = plan.price.shape[1]
        future = extend(self.panel, plan)
        origin, steps = self.panel.n_weeks - 1, list(range(1, horizon + 1))
        if not isinstance(self.model, NeuralForecaster):
            return self.model.predict(future, origin, steps)
        samples = build_samples(future, [origin], steps, observed_only=False)
        if series is not None:
            samples = samples.take(np.isin(samples.series, series))
        out = np.full((self.panel.n_series, horizon, 4), np.nan)
        out[samples.series, samples.step - 1] = self.model.predict_samples(samples)
        return out

    def forecast(self, store: str | None, product: str, horizon: int = 8, plan: Plan | None = None) -> Forecast:
        self.check_horizon(horizon)
        idx, store_name, product_name = self.series(store, product)
        plan = plan or default_plan(self.panel, horizon)
        q = self.quantiles(plan, [idx])[idx]
        last = self.panel.week_starts[-1]
        weeks = []
        for k in range(horizon):
            start = last + timedelta(weeks=k + 1)
            price = plan.price[idx, k]
            weeks.append(
                WeekForecast(
                    week_start=start,
                    week_end=start + timedelta(days=6),
                    p10=round(float(q[k, 0]), 1),
                    p50=round(float(q[k, 1]), 1),
                    p90=round(float(q[k, 2]), 1),
                    point=round(float(q[k, 3]), 1),
                    price=round(float(price), 4) if np.isfinite(price) else None,
                    deal=float(plan.deal[idx, k]),
                    feature=float(plan.feature[idx, k]),
                    event=self.panel.event_on(start),
                )
            )
        return Forecast(
            merchant=self.merchant,
            store=store_name,
            product=product_name,
            last_data_week=last,
            model_version=self.meta.version,
            assumptions=DEFAULT_ASSUMPTION,
            weeks=weeks,
        )


_engines: dict[str, tuple[tuple, Engine]] = {}
_lock = threading.Lock()


def engine(merchant: str) -> Engine:
    """The cached engine, reloaded when the tenant data or the saved model changed."""
    stamp = (
        paths.tenant_path(merchant).stat().st_mtime_ns if paths.tenant_path(merchant).exists() else 0,
        (model_dir(merchant) / "meta.json").stat().st_mtime_ns if (model_dir(merchant) / "meta.json").exists() else 0,
        str(paths.home()),
    )
    with _lock:
        cached = _engines.get(merchant)
        if cached and cached[0] == stamp:
            return cached[1]
        fresh = Engine(merchant)
        _engines[merchant] = (stamp, fresh)
        return fresh


def forecast(merchant: str, store: str | None, product: str, horizon: int = 8) -> Forecast:
    return engine(merchant).forecast(store, product, horizon)


__all__ = ["Engine", "Forecast", "ModelMeta", "ModelSpec", "NeuralForecaster", "Plan", "engine", "forecast"]
