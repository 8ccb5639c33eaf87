"""Simple peers every model must beat, scored in the same backtest run."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.models.base import last_observed
from forecasting.panel import Panel


def _point(values: np.ndarray, steps: list[int]) -> np.ndarray:
    out = np.full((len(values), len(steps), 3), np.nan)
    out[:, :, 1] = values if values.ndim == 2 else values[:, None]
    return out


class Naive:
    """Last observed week, carried forward."""

    name = "naive"
    gives_intervals = False

    def fit(self, panel: Panel, origin: int, first: int = 0) -> None:
        pass

    def predict(self, panel: Panel, origin: int, steps: list[int]) -> np.ndarray:
        return _point(last_observed(panel.units, origin), steps)


class SeasonalNaive:
    """Same week one season (52 weeks) earlier; the last observed week where that is not recorded."""

    name = "seasonal_naive"
    gives_intervals = False
    season = 52

    def fit(self, panel: Panel, origin: int, first: int = 0) -> None:
        pass

    def predict(self, panel: Panel, origin: int, steps: list[int]) -> np.ndarray:
        fallback = last_observed(panel.units, origin)
        values = np.empty((panel.n_series, len(steps)))
        for j, step in enumerate(steps):
            back = origin + step - self.season
            seasonal = panel.units[:, back] if 0 <= back <= origin else np.full(panel.n_series, np.nan)
            values[:, j] = np.where(np.isfinite(seasonal), seasonal, fallback)
        return _point(values, steps)


class AutoETS:
    """statsforecast AutoETS per series (non-seasonal: two years of weekly history cannot fit a 52-week season),
    on history with missing weeks carried forward; 80 % interval as P10/P90."""

    name = "auto_ets"
    gives_intervals = True

    def __init__(self) -> None:
        self._history: pd.DataFrame | None = None

    def fit(self, panel: Panel, origin: int, first: int = 0) -> None:
        history = pd.DataFrame(panel.units[:, first : origin + 1]).ffill(axis=1).bfill(axis=1)
        long = history.stack().rename("y").reset_index()
        long.columns = ["unique_id", "ds", "y"]
        self._history = long

    def predict(self, panel: Panel, origin: int, steps: list[int]) -> np.ndarray:
        from statsforecast import StatsForecast
        from statsforecast.models import AutoETS as _AutoETS

        model = StatsForecast(models=[_AutoETS(season_length=1)], freq=1, n_jobs=1)
        fc = model.forecast(df=self._history, h=max(steps), level=[80])
        fc["step"] = fc.groupby("unique_id").cumcount() + 1
        out = np.full((panel.n_series, len(steps), 3), np.nan)
        for j, step in enumerate(steps):
            at = fc[fc["step"] == step].set_index("unique_id").reindex(range(panel.n_series))
            out[:, j, 0] = at["AutoETS-lo-80"].to_numpy()
            out[:, j, 1] = at["AutoETS"].to_numpy()
            out[:, j, 2] = at["AutoETS-hi-80"].to_numpy()
        return np.clip(out, 0, None)
