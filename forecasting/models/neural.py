"""The default forecaster: a global quantile MLP over engineered features, one model per merchant.

Why this shape: the demand of a store-product week is driven mostly by known-future levers (price, deal, feature
ad) around a series-specific level, which engineered features capture directly; a global network learns the lever
effects across all series at once and trains in seconds to minutes on a CPU. Outputs are log1p-unit offsets from
the series level: P50 directly, P10/P90 as P50 minus/plus softplus spreads, so quantiles never cross, and units are
``expm1`` of a non-negative value, so forecasts are never negative. Trained with pinball loss.

A fourth output is the *point* forecast: the value that minimises the expected relative error |y - f| / y, which is
what MAPE (the published benchmark's metric) scores. For skewed demand it sits below the median, because
over-forecasting a small week costs more relative error than under-forecasting a big one. It is trained jointly
with the quantiles (pinball + relative absolute error) and reported next to them, never instead of them.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from pydantic import BaseModel
from torch import nn

from forecasting.features import Samples, build_samples
from forecasting.models.base import QUANTILES
from forecasting.panel import Panel
from forecasting.threads import use_torch_threads

MIN_HISTORY = 4  # weeks of history before the first training origin


class NeuralConfig(BaseModel):
    hidden: list[int] = [256, 256, 128]
    dropout: float = 0.1
    lr: float = 2e-3
    weight_decay: float = 1e-4
    batch_size: int = 512
    max_epochs: int = 12
    patience: int = 3
    val_weeks: int = 4
    steps: list[int] = [1, 2, 3, 4, 5, 6, 7, 8]
    store_dim: int = 8
    product_dim: int = 4
    seed: int = 0
    threads: int = 0  # 0 = from the free cores (``forecasting.threads``)
    members: int = 1  # networks averaged (different seeds); more members, steadier forecasts
    point_weight: float = 0.5  # weight of the relative-error loss of the point head next to the pinball loss


class Scaler(BaseModel):
    mean: list[float]
    std: list[float]

    @classmethod
    def fit(cls, x: np.ndarray) -> Scaler:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns scale to 0
            mean = np.nan_to_num(np.nanmean(x, axis=0))
            std = np.nan_to_num(np.nanstd(x, axis=0)) + 1e-6
        return cls(mean=mean.tolist(), std=std.tolist())

    def transform(self, x: np.ndarray) -> np.ndarray:
        z = (x - np.asarray(self.mean, dtype=np.float32)) / np.asarray(self.std, dtype=np.float32)
        return np.clip(np.nan_to_num(z, nan=0.0, posinf=0.0, neginf=0.0), -10, 10).astype(np.float32)


class QuantileMLP(nn.Module):
    def __init__(self, n_features: int, n_stores: int, n_products: int, cfg: NeuralConfig) -> None:
        super().__init__()
        self.store = nn.Embedding(n_stores, cfg.store_dim)
        self.product = nn.Embedding(n_products, cfg.product_dim)
        width = n_features + cfg.store_dim + cfg.product_dim
        layers: list[nn.Module] = []
        for hidden in cfg.hidden:
            layers += [nn.Linear(width, hidden), nn.GELU(), nn.Dropout(cfg.dropout)]
            width = hidden
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(width, 4)

    def forward(self, x: torch.Tensor, store: torch.Tensor, product: torch.Tensor) -> torch.Tensor:
        """(batch, 4) log1p-unit offsets from the series level: P10, P50, P90, point."""
        out = self.head(self.body(torch.cat([x, self.store(store), self.product(product)], dim=1)))
        p50 = out[:, 1]
        low, high = p50 - F.softplus(out[:, 0]) - 1e-3, p50 + F.softplus(out[:, 2]) + 1e-3
        return torch.stack([low, p50, high, p50 + out[:, 3]], dim=1)


class Ensemble(nn.Module):
    """Members with different seeds, averaged in log space (averaging ordered quantiles keeps them ordered)."""

    def __init__(self, n_features: int, n_stores: int, n_products: int, cfg: NeuralConfig) -> None:
        super().__init__()
        self.members = nn.ModuleList(QuantileMLP(n_features, n_stores, n_products, cfg) for _ in range(cfg.members))
        # how much the P10..P90 band is widened (>1) or narrowed (<1) around P50, fitted on held-out weeks after
        # training (``calibrate``); a buffer, so it is saved and loaded with the weights
        self.register_buffer("interval_scale", torch.ones(()))

    def forward(self, x: torch.Tensor, store: torch.Tensor, product: torch.Tensor) -> torch.Tensor:
        out = torch.stack([m(x, store, product) for m in self.members]).mean(dim=0)
        p50 = out[:, 1:2]
        scaled = p50 + self.interval_scale * (out[:, [0, 2]] - p50)
        return torch.cat([scaled[:, :1], p50, scaled[:, 1:], out[:, 3:]], dim=1)

    def calibrate(self, pred: torch.Tensor, target: torch.Tensor, coverage: float = 0.8) -> float:
        """Set the band's scale so that ``coverage`` of the held-out rows fall inside P10..P90 (split conformal).

        Pinball-trained quantiles of a network that early-stops on the same loss come out too narrow or too wide;
        one scale fitted on weeks the network never trained on fixes the coverage without moving P50."""
        p10, p50, p90 = pred[:, 0], pred[:, 1], pred[:, 2]
        low = torch.clamp((p50 - target) / torch.clamp(p50 - p10, min=1e-6), min=0.0)
        high = torch.clamp((target - p50) / torch.clamp(p90 - p50, min=1e-6), min=0.0)
        needed = torch.maximum(low, high)
        scale = float(torch.quantile(needed, coverage)) * float(self.interval_scale) if len(needed) else 1.0
        self.interval_scale.fill_(min(max(scale, 0.25), 4.0))
        return float(self.interval_scale)


def pinball(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    err = target[:, None] - pred[:, :3]
    q = torch.tensor(QUANTILES, device=pred.device, dtype=pred.dtype)
    return torch.maximum(q * err, (q - 1) * err).mean()


def relative_error(point: torch.Tensor, target: torch.Tensor, base: torch.Tensor) -> torch.Tensor:
    """Mean |units - forecast| / units of the point head, in units (weeks with 0 units count as 1)."""
    units = torch.expm1(target + base)
    guess = torch.expm1(torch.clamp(point + base, min=0.0, max=20.0))
    return (torch.abs(guess - units) / torch.clamp(units, min=1.0)).mean()


def loss_fn(pred: torch.Tensor, target: torch.Tensor, base: torch.Tensor, point_weight: float) -> torch.Tensor:
    return pinball(pred, target) + point_weight * relative_error(pred[:, 3], target, base)


def pick_device(requested: str = "auto") -> torch.device:
    if requested == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(requested)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("--device cuda was asked for, but torch sees no CUDA device")
    return device


@dataclass
class TrainLog:
    epochs: int
    best_epoch: int
    val_loss: float
    seconds: float
    rows: int


class NeuralForecaster:
    """Implements ``forecasting.models.base.Forecaster``; ``fit`` trains from scratch on weeks ``first..origin``."""

    name = "neural_mlp"
    gives_intervals = True

    def __init__(self, cfg: NeuralConfig | None = None, device: str = "auto", progress=None) -> None:
        self.cfg = cfg or NeuralConfig()
        self.device = str(pick_device(device))
        self.progress = progress  # optional callable(epoch, max_epochs, val_loss)
        self.model: Ensemble | None = None
        self.scaler: Scaler | None = None
        self.names: list[str] = []
        self.log: TrainLog | None = None
        self.threads = 0  # torch threads the last fit or the first prediction set
        self.validation: Samples | None = None  # the held-out rows early stopping watched
        self.loss_history: list[list[float]] = []  # per member: validation loss before training, then per epoch

    # ---- training -------------------------------------------------------------------------------------------
    def fit(self, panel: Panel, origin: int, first: int = 0) -> None:
        started = time.perf_counter()
        cfg = self.cfg
        self.threads = use_torch_threads(cfg.threads or None)
        torch.manual_seed(cfg.seed)
        np.random.seed(cfg.seed)
        self.loss_history = []
        origins = list(range(first + MIN_HISTORY, origin))
        samples = build_samples(panel, origins, cfg.steps)
        target_week = samples.origin + samples.step
        inside = target_week <= origin  # a training target must itself be history at the origin
        val = inside & (target_week > origin - cfg.val_weeks)
        fit = inside & ~val
        self.names = samples.names
        self.scaler = Scaler.fit(samples.x[fit])
        device = torch.device(self.device)
        train_t = self._tensors(samples, fit, device)
        val_t = self._tensors(samples, val, device)
        self.model = Ensemble(len(self.names), len(panel.stores), len(panel.products), cfg).to(device)
        runs = [self._train(member, k, train_t, val_t) for k, member in enumerate(self.model.members)]
        best_epoch, best_loss, epochs = (max(r[i] for r in runs) for i in range(3))
        if len(val_t[0]):
            self.model.calibrate(self._forward(*val_t[:3]), val_t[3])
        self.validation = samples.take(val)
        self.log = TrainLog(
            epochs=epochs,
            best_epoch=best_epoch,
            val_loss=round(best_loss, 5),
            seconds=round(time.perf_counter() - started, 2),
            rows=int(fit.sum()),
        )

    def _tensors(self, s: Samples, mask: np.ndarray, device: torch.device) -> tuple[torch.Tensor, ...]:
        arrays = (
            self.scaler.transform(s.x[mask]),
            s.store[mask],
            s.product[mask],
            s.target[mask].astype(np.float32),
            s.base[mask].astype(np.float32),
        )
        tensors = [torch.from_numpy(np.ascontiguousarray(a)) for a in arrays]
        if device.type == "cuda":
            return tuple(t.pin_memory().to(device, non_blocking=True) for t in tensors)
        return tuple(tensors)

    def _train(
        self, model: QuantileMLP, k: int, train: tuple[torch.Tensor, ...], val: tuple[torch.Tensor, ...]
    ) -> tuple[int, float, int]:
        """Train one member; with no validation rows it runs all epochs and keeps the last."""
        cfg = self.cfg
        torch.manual_seed(cfg.seed + k)
        device = torch.device(self.device)
        use_amp = device.type == "cuda"
        opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
        n = len(train[0])
        per_epoch = math.ceil(n / cfg.batch_size)
        sched = torch.optim.lr_scheduler.OneCycleLR(
            opt, max_lr=cfg.lr, total_steps=cfg.max_epochs * per_epoch, pct_start=0.15
        )
        gen = torch.Generator(device="cpu").manual_seed(cfg.seed + k)
        history = [self._loss(model, val)]
        self.loss_history.append(history)
        best = (0, math.inf, None)
        bad = epoch = 0
        for epoch in range(1, cfg.max_epochs + 1):
            model.train()
            order = torch.randperm(n, generator=gen).to(device)
            for i in range(0, n, cfg.batch_size):
                idx = order[i : i + cfg.batch_size]
                with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=use_amp):
                    pred = model(train[0][idx], train[1][idx], train[2][idx])
                loss = loss_fn(pred.float(), train[3][idx], train[4][idx], cfg.point_weight)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                sched.step()
            val_loss = self._loss(model, val)
            history.append(val_loss)
            if self.progress:
                self.progress(epoch, cfg.max_epochs, val_loss)
            if math.isnan(val_loss):
                best = (epoch, math.nan, None)
            elif val_loss < best[1] - 1e-4:
                best = (epoch, val_loss, {k: v.detach().clone() for k, v in model.state_dict().items()})
                bad = 0
            else:
                bad += 1
                if bad >= cfg.patience:
                    break
        if best[2] is not None:
            model.load_state_dict(best[2])
        return best[0], best[1], epoch

    @torch.no_grad()
    def _loss(self, model: nn.Module, data: tuple[torch.Tensor, ...]) -> float:
        if not len(data[0]):
            return math.nan
        return float(loss_fn(self._forward(*data[:3], model=model), data[3], data[4], self.cfg.point_weight))

    @torch.no_grad()
    def _forward(
        self, x: torch.Tensor, store: torch.Tensor, product: torch.Tensor, model: nn.Module | None = None
    ) -> torch.Tensor:
        model = model or self.model
        model.eval()
        out = []
        for i in range(0, len(x), 65536):
            out.append(model(x[i : i + 65536], store[i : i + 65536], product[i : i + 65536]).float())
        return torch.cat(out) if out else torch.zeros((0, 4))

    # ---- prediction -----------------------------------------------------------------------------------------
    def predict_samples(self, s: Samples) -> np.ndarray:
        """(rows, 4) units P10/P50/P90/point for prepared samples."""
        if not self.threads:  # once per model: measuring the cores takes 0.2 s, a warm forecast 10 ms
            self.threads = use_torch_threads(self.cfg.threads or None)
        device = torch.device(self.device)
        x = torch.from_numpy(self.scaler.transform(s.x)).to(device)
        out = self._forward(x, torch.from_numpy(s.store).to(device), torch.from_numpy(s.product).to(device))
        log_units = out.cpu().numpy().astype(np.float64) + s.base[:, None]
        return np.expm1(np.clip(log_units, 0.0, None))

    def predict(self, panel: Panel, origin: int, steps: list[int]) -> np.ndarray:
        samples = build_samples(panel, [origin], steps, observed_only=False)
        values = self.predict_samples(samples)
        out = np.full((panel.n_series, len(steps), 4), np.nan)
        out[samples.series, [steps.index(int(s)) for s in samples.step]] = values
        return out
