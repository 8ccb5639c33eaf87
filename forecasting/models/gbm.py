"""LightGBM on the same features as the neural model: the strong peer of the published benchmark.

Three quantile boosters (P10, P50, P90) on the same log1p-offset target, sorted after prediction so they never
cross, and a fourth booster for the point forecast trained on relative error (|y - f| / y, what MAPE scores, as the
published LightGBM used a MAPE objective); early stopping on the same time-based validation weeks.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel

from forecasting.features import build_samples
from forecasting.models.base import QUANTILES
from forecasting.models.neural import MIN_HISTORY
from forecasting.panel import Panel


class GbmConfig(BaseModel):
    num_leaves: int = 63
    learning_rate: float = 0.05
    max_rounds: int = 600
    min_data_in_leaf: int = 50
    feature_fraction: float = 0.8
    bagging_fraction: float = 0.8
    val_weeks: int = 4
    early_stopping: int = 50
    steps: list[int] = [1, 2, 3, 4, 5, 6, 7, 8]
    threads: int = 0
    seed: int = 0


class LightGBMForecaster:
    name = "lightgbm"
    gives_intervals = True
    device = "cpu"

    def __init__(self, cfg: GbmConfig | None = None) -> None:
        self.cfg = cfg or GbmConfig()
        self.boosters: list = []

    def _params(self, alpha: float) -> dict:
        c = self.cfg
        return {
            "objective": "quantile", "alpha": alpha, "num_leaves": c.num_leaves, "learning_rate": c.learning_rate,
            "min_data_in_leaf": c.min_data_in_leaf, "feature_fraction": c.feature_fraction,
            "bagging_fraction": c.bagging_fraction, "bagging_freq": 1, "seed": c.seed, "verbosity": -1,
            "num_threads": c.threads,
        }  # fmt: skip

    def fit(self, panel: Panel, origin: int, first: int = 0) -> None:
        import lightgbm as lgb

        s = build_samples(panel, list(range(first + MIN_HISTORY, origin)), self.cfg.steps)
        target_week = s.origin + s.step
        inside = target_week <= origin
        val = inside & (target_week > origin - self.cfg.val_weeks)
        fit = inside & ~val
        x = np.column_stack([s.x, s.store, s.product])
        cat = [x.shape[1] - 2, x.shape[1] - 1]
        self.boosters = []
        for q in (*QUANTILES, None):
            train = lgb.Dataset(x[fit], s.target[fit], categorical_feature=cat, free_raw_data=False)
            valid = lgb.Dataset(x[val], s.target[val], categorical_feature=cat, reference=train)
            params, feval = self._params(q if q is not None else 0.5), None
            if q is None:
                params.update(objective=_relative_objective(s.base[fit]), metric="None")
                feval = _relative_metric(s.base[val])
            booster = lgb.train(
                params, train, num_boost_round=self.cfg.max_rounds, valid_sets=[valid], feval=feval,
                callbacks=[lgb.early_stopping(self.cfg.early_stopping, verbose=False)],
            )  # fmt: skip
            self.boosters.append(booster)

    def predict(self, panel: Panel, origin: int, steps: list[int]) -> np.ndarray:
        s = build_samples(panel, [origin], steps, observed_only=False)
        x = np.column_stack([s.x, s.store, s.product])
        raw = np.stack([b.predict(x, num_iteration=b.best_iteration) for b in self.boosters], 1)
        offsets = np.column_stack([np.sort(raw[:, :3], 1), raw[:, 3]])
        values = np.expm1(np.clip(offsets + s.base[:, None], 0.0, None))
        out = np.full((panel.n_series, len(steps), 4), np.nan)
        out[s.series, [steps.index(int(k)) for k in s.step]] = values
        return out


def _relative_objective(base: np.ndarray):
    """Gradient of |exp(f + base) - 1 - units| / units in the log offset ``f`` (hessian: its smooth magnitude)."""

    def objective(preds: np.ndarray, data) -> tuple[np.ndarray, np.ndarray]:
        units = np.expm1(data.get_label() + base)
        guess = np.exp(np.clip(preds + base, 0, 20))
        ratio = guess / np.maximum(units, 1.0)
        return np.sign(guess - 1 - units) * ratio, ratio + 1e-6

    return objective


def _relative_metric(base: np.ndarray):
    def metric(preds: np.ndarray, data) -> tuple[str, float, bool]:
        units = np.expm1(data.get_label() + base)
        guess = np.expm1(np.clip(preds + base, 0, 20))
        return "relative_error", float(np.mean(np.abs(guess - units) / np.maximum(units, 1.0))), False

    return metric
