"""Forecast accuracy over the observed rows of a backtest."""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel


class Scores(BaseModel):
    """Point metrics score the model's point forecast (its P50 when it has no separate point head)."""

    mape: float  # percent, mean |y - point| / y over observed rows with y > 0
    wape: float  # percent, sum |y - point| / sum y
    mase: float  # mean |y - point| / (series' mean absolute week-to-week change in training data)
    mape_p50: float  # percent, MAPE of the median (P50) forecast
    coverage80: float | None  # percent of rows with p10 <= y <= p90
    rows: int


def score(
    y: np.ndarray,
    p50: np.ndarray,
    scale: np.ndarray,
    p10: np.ndarray | None = None,
    p90: np.ndarray | None = None,
    point: np.ndarray | None = None,
) -> Scores:
    """All arrays are aligned 1-D over the scored rows; rows with y missing or <= 0 are not scored."""
    y, p50, scale = (np.asarray(a, dtype=float) for a in (y, p50, scale))
    point = p50 if point is None else np.asarray(point, dtype=float)
    ok = np.isfinite(y) & (y > 0)
    err = np.abs(y[ok] - point[ok])
    safe_scale = np.where(np.isfinite(scale[ok]) & (scale[ok] > 0), scale[ok], np.nan)
    coverage = None
    if p10 is not None and p90 is not None:
        inside = (np.asarray(p10)[ok] <= y[ok]) & (y[ok] <= np.asarray(p90)[ok])
        coverage = round(100 * float(inside.mean()), 2)
    return Scores(
        mape=round(100 * float(np.mean(err / y[ok])), 3),
        wape=round(100 * float(err.sum() / y[ok].sum()), 3),
        mase=round(float(np.nanmean(err / safe_scale)), 4),
        mape_p50=round(100 * float(np.mean(np.abs(y[ok] - p50[ok]) / y[ok])), 3),
        coverage80=coverage,
        rows=int(ok.sum()),
    )


def naive_scale(units: np.ndarray, upto: int) -> np.ndarray:
    """Per-series MASE denominator: mean |week-to-week change| over observed weeks up to column ``upto``."""
    history = units[:, : upto + 1]
    diffs = np.abs(np.diff(history, axis=1))
    with np.errstate(invalid="ignore"):
        return np.nanmean(np.where(np.isfinite(diffs), diffs, np.nan), axis=1)
