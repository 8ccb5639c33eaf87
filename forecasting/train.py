"""Train a merchant's forecaster on all its data and save it; the app and the CLI call this."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from forecasting.backtest.metrics import naive_scale, score
from forecasting.models.neural import NeuralConfig, NeuralForecaster
from forecasting.models.saved import ModelMeta, ModelSpec, now_utc, save
from forecasting.panel import load_panel


def train_merchant(
    merchant: str,
    *,
    device: str = "auto",
    config: NeuralConfig | None = None,
    progress: Callable[[int, int, float], None] | None = None,
) -> ModelMeta:
    """Fit on every recorded week (the last ``val_weeks`` held out for early stopping), save, return metadata."""
    panel = load_panel(merchant)
    forecaster = NeuralForecaster(config, device=device, progress=progress)
    origin = panel.n_weeks - 1
    forecaster.fit(panel, origin)
    val = forecaster.validation
    quantiles = forecaster.predict_samples(val)
    units = np.expm1(val.target + val.base)
    scale = naive_scale(panel.units, origin - forecaster.cfg.val_weeks)[val.series]
    trained_at = now_utc()
    meta = ModelMeta(
        version=f"{merchant}-{trained_at:%Y%m%dT%H%M%SZ}",
        merchant=merchant,
        model=forecaster.name,
        trained_at=trained_at,
        data_first_week=panel.week_starts[0],
        data_last_week=panel.week_starts[-1],
        device=_device_name(forecaster.device),
        torch_version=torch.__version__,
        train_seconds=forecaster.log.seconds,
        epochs=forecaster.log.epochs,
        best_epoch=forecaster.log.best_epoch,
        train_rows=forecaster.log.rows,
        validation=score(units, quantiles[:, 1], scale, quantiles[:, 0], quantiles[:, 2]),
    )
    spec = ModelSpec(
        feature_names=forecaster.names,
        scaler=forecaster.scaler,
        config=forecaster.cfg,
        stores=panel.stores,
        products=panel.products,
    )
    save(forecaster, spec, meta)
    return meta


def _device_name(device: str) -> str:
    if device.startswith("cuda") and torch.cuda.is_available():
        return f"{device} ({torch.cuda.get_device_name(torch.device(device))})"
    return device
