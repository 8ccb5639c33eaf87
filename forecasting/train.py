"""Train a merchant's forecaster on all its data and save it; the app and the CLI call this."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import torch

from forecasting.backtest.metrics import Scores, naive_scale, score
from forecasting.models import DEFAULT_MODEL
from forecasting.models.neural import NeuralConfig, NeuralForecaster
from forecasting.models.saved import TRAINABLE, Forecaster, ModelMeta, ModelSpec, now_utc, save
from forecasting.models.tst import TransformerConfig, TransformerForecaster
from forecasting.panel import Panel, load_panel
from forecasting.threads import use_torch_threads
from forecasting.warehouse.errors import WarehouseError


def make_forecaster(
    kind: str, device: str, config: NeuralConfig | TransformerConfig | None, progress: Callable | None
) -> Forecaster:
    if kind == "neural_mlp":
        return NeuralForecaster(config, device=device, progress=progress)
    if kind == "transformer_tst":
        return TransformerForecaster(config, device=device, progress=progress)
    raise WarehouseError(f"Unknown model {kind!r}: choose one of {', '.join(TRAINABLE)}.")


def train_merchant(
    merchant: str,
    *,
    model: str = DEFAULT_MODEL,
    device: str = "auto",
    config: NeuralConfig | TransformerConfig | None = None,
    progress: Callable[[int, int, float], None] | None = None,
) -> ModelMeta:
    """Fit on every recorded week (the last ``val_weeks`` held out for early stopping), save, return metadata."""
    panel = load_panel(merchant)
    forecaster = make_forecaster(model, device, config, progress)
    use_torch_threads(getattr(forecaster.cfg, "threads", 0) or None)  # both kinds; the MLP's fit asks again
    origin = panel.n_weeks - 1
    started = time.perf_counter()
    forecaster.fit(panel, origin)
    seconds = time.perf_counter() - started
    trained_at = now_utc()
    epochs, best_epoch, rows = _training_facts(forecaster)
    validation, series_validation = _validation_scores(forecaster, panel, origin)
    meta = ModelMeta(
        version=f"{merchant}-{trained_at:%Y%m%dT%H%M%SZ}",
        merchant=merchant,
        model=forecaster.name,
        trained_at=trained_at,
        data_first_week=panel.week_starts[0],
        data_last_week=panel.week_starts[-1],
        device=_device_name(forecaster.device),
        torch_version=torch.__version__,
        train_seconds=round(seconds, 2),
        epochs=epochs,
        best_epoch=best_epoch,
        train_rows=rows,
        validation=validation,
        series_validation=series_validation,
    )
    is_mlp = isinstance(forecaster, NeuralForecaster)
    spec = ModelSpec(
        kind=forecaster.name,
        config=forecaster.cfg.model_dump(),
        stores=panel.stores,
        products=panel.products,
        n_static=panel.store_static.shape[1],
        feature_names=forecaster.names if is_mlp else [],
        scaler=forecaster.scaler if is_mlp else None,
    )
    save(forecaster, spec, meta)
    return meta


def _training_facts(forecaster: Forecaster) -> tuple[int, int, int]:
    if isinstance(forecaster, NeuralForecaster):
        return forecaster.log.epochs, forecaster.log.best_epoch, forecaster.log.rows
    return forecaster.epochs, forecaster.best_epoch, forecaster.windows


def _validation_scores(forecaster: Forecaster, panel: Panel, origin: int) -> tuple[Scores, dict[str, Scores]]:
    """Scores on the held-out last weeks that early stopping watched (never trained on): overall and per series."""
    rows = _validation_rows(forecaster, panel, origin)
    overall = score(rows["y"], rows["p50"], rows["scale"], rows["p10"], rows["p90"], point=rows["point"])
    per_series = {}
    for idx in np.unique(rows["series"]):
        pick = (rows["series"] == idx) & np.isfinite(rows["y"]) & (rows["y"] > 0)
        if pick.any():
            key = f"{panel.stores[panel.series_store[idx]]}|{panel.products[panel.series_product[idx]]}"
            per_series[key] = score(
                *(rows[k][pick] for k in ("y", "p50", "scale", "p10", "p90")), point=rows["point"][pick]
            )
    return overall, per_series


def _validation_rows(forecaster: Forecaster, panel: Panel, origin: int) -> dict[str, np.ndarray]:
    val_weeks = forecaster.cfg.val_weeks
    if isinstance(forecaster, NeuralForecaster):
        val = forecaster.validation
        q = forecaster.predict_samples(val)
        scale = naive_scale(panel.units, origin - val_weeks)[val.series]
        return {"series": val.series, "y": np.expm1(val.target + val.base), "scale": scale,
                "p10": q[:, 0], "p50": q[:, 1], "p90": q[:, 2], "point": q[:, 3]}  # fmt: skip
    cutoff = origin - val_weeks
    steps = list(range(1, min(val_weeks, forecaster.horizon) + 1))
    q = forecaster.predict(panel, cutoff, steps)
    units = panel.units[:, cutoff + 1 : cutoff + 1 + len(steps)]
    scale = np.repeat(naive_scale(panel.units, cutoff)[:, None], len(steps), axis=1)
    series = np.repeat(np.arange(panel.n_series)[:, None], len(steps), axis=1)
    arrays = {"series": series, "y": units, "scale": scale, "p10": q[..., 0], "p50": q[..., 1], "p90": q[..., 2],
              "point": q[..., 3]}  # fmt: skip
    return {k: v.ravel() for k, v in arrays.items()}


def _device_name(device: str) -> str:
    if device.startswith("cuda") and torch.cuda.is_available():
        return f"{device} ({torch.cuda.get_device_name(torch.device(device))})"
    return device
