"""Run a protocol for several models on one merchant's panel, retraining each model in every round."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np
from pydantic import BaseModel

from forecasting.backtest.metrics import Scores, naive_scale, score
from forecasting.backtest.protocol import Protocol
from forecasting.models.base import Forecaster
from forecasting.panel import Panel


class ModelResult(BaseModel):
    model: str
    scores: Scores
    train_seconds: float
    predict_seconds: float
    device: str


def run_protocol(
    panel: Panel,
    protocol: Protocol,
    models: Sequence[Callable[[], Forecaster]],
    on_round: Callable[[str, int], None] | None = None,
) -> tuple[list[ModelResult], dict[str, dict[str, np.ndarray]]]:
    """Scores per model, and the aligned per-row arrays (series, week, y, p10, p50, p90) per model."""
    results, rows = [], {}
    for make in models:
        model = make()
        collected: dict[str, list[np.ndarray]] = {
            k: [] for k in ("series", "week", "y", "p10", "p50", "p90", "point", "scale")
        }
        fit_s = predict_s = 0.0
        for i, rnd in enumerate(protocol.rounds):
            origin = panel.week_index(rnd.origin)
            first = panel.week_index(rnd.first_train) if rnd.first_train else 0
            started = time.perf_counter()
            model.fit(panel, origin, max(first, 0))
            fit_s += time.perf_counter() - started
            started = time.perf_counter()
            quantiles = model.predict(panel, origin, rnd.steps())
            predict_s += time.perf_counter() - started
            scale = naive_scale(panel.units, origin)
            for j, target in enumerate(rnd.targets):
                col = panel.week_index(target)
                collected["series"].append(np.arange(panel.n_series))
                collected["week"].append(np.full(panel.n_series, col))
                collected["y"].append(panel.units[:, col])
                for k, name in enumerate(("p10", "p50", "p90")):
                    collected[name].append(quantiles[:, j, k])
                collected["point"].append(quantiles[:, j, 3] if quantiles.shape[2] > 3 else quantiles[:, j, 1])
                collected["scale"].append(scale)
            if on_round:
                on_round(model.name, i)
        arrays = {k: np.concatenate(v) for k, v in collected.items()}
        intervals = (arrays["p10"], arrays["p90"]) if model.gives_intervals else (None, None)
        results.append(
            ModelResult(
                model=model.name,
                scores=score(arrays["y"], arrays["p50"], arrays["scale"], *intervals, point=arrays["point"]),
                train_seconds=round(fit_s, 2),
                predict_seconds=round(predict_s, 3),
                device=getattr(model, "device", "cpu"),
            )
        )
        rows[model.name] = arrays
    return results, rows
