"""What every forecaster offers the backtest: fit on weeks up to an origin, predict quantiles after it."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from forecasting.panel import Panel, latest_value

QUANTILES = (0.1, 0.5, 0.9)


class Forecaster(Protocol):
    name: str
    gives_intervals: bool

    def fit(self, panel: Panel, origin: int, first: int = 0) -> None:
        """Train on panel weeks ``first..origin`` (column indices); nothing after ``origin`` may be read
        except the known-future covariates (prices, promotions, calendar) of the weeks being forecast."""

    def predict(self, panel: Panel, origin: int, steps: list[int]) -> np.ndarray:
        """Units for weeks ``origin + step``: shape (series, len(steps), 3 or 4) holding P10, P50, P90 and,
        for models with one, the point forecast that minimises relative error (what MAPE scores)."""


def last_observed(units: np.ndarray, origin: int) -> np.ndarray:
    """Each series' latest recorded units at or before ``origin`` (NaN if none)."""
    return latest_value(units[:, : origin + 1])
