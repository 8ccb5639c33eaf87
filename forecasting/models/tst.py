"""A `transformers` Time Series Transformer (encoder-decoder, Student-t output), trained from scratch per merchant.

Why it is here: it is the sequence-model alternative to the feature MLP, scored in the same backtest. It reads the
log1p-unit history of each series through its own lags and context window, the known-future covariates (price,
price relative to the store's other brands, deal, feature ad, events, season) as time features over past and
future weeks, and store/product identity and static store facts. No hub weights: the config is built here and the
weights start random. Quantiles and the point forecast come from its predictive samples: P10/P50/P90 are sample
quantiles, the point forecast is the 1/y-weighted median (the value that minimises expected relative error).
"""

from __future__ import annotations

import math
import time
import warnings

import numpy as np
import torch
from pydantic import BaseModel

from forecasting.features import EVENTS
from forecasting.models.neural import pick_device
from forecasting.panel import Panel

N_TIME_FEATURES = 8


class TransformerConfig(BaseModel):
    context_length: int = 16
    lags: list[int] = [1, 2, 3, 4, 52]
    d_model: int = 32
    layers: int = 2
    heads: int = 2
    ffn: int = 64
    dropout: float = 0.1
    lr: float = 1e-3
    batch_size: int = 256
    max_epochs: int = 15
    patience: int = 3
    val_weeks: int = 4
    steps: list[int] = [1, 2, 3, 4, 5, 6, 7, 8]
    samples: int = 100
    seed: int = 0


def time_features(panel: Panel) -> np.ndarray:
    """(series, weeks, N_TIME_FEATURES) covariates known in advance for every week, NaN-free."""
    lp = panel.log_price
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        fill = np.nan_to_num(np.nanmean(lp, axis=1, keepdims=True))
        store_mean = np.nanmean(panel.store_log_price, axis=1)[panel.series_store]  # (S, T) all brands
    own = np.where(np.isfinite(lp), lp, fill)
    rel = np.nan_to_num(own - store_mean)
    events = np.array([float(_has_event(panel, w)) for w in range(panel.n_weeks)])
    near = np.maximum(np.roll(events, 1), np.roll(events, -1))
    day0 = panel.week_starts[0].timetuple().tm_yday / 365.25
    season = 2 * np.pi * (day0 + np.arange(panel.n_weeks) * 7 / 365.25)
    per_week = np.stack([events, near, np.sin(season), np.cos(season)], axis=1)  # (T, 4)
    per_series = np.stack([own - fill, rel, panel.deal, panel.feature], axis=2)  # (S, T, 4)
    shared = np.broadcast_to(per_week, (panel.n_series, *per_week.shape))
    return np.nan_to_num(np.concatenate([per_series, shared], axis=2)).astype(np.float32)


def _has_event(panel: Panel, week: int) -> bool:
    event = panel.event_on(panel.week_start_at(week))
    return bool(event) and any(name in event for name in EVENTS)


def static_reals(panel: Panel) -> np.ndarray:
    st = panel.store_static[panel.series_store]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        st = (st - np.nanmean(st, axis=0)) / (np.nanstd(st, axis=0) + 1e-6)
    size = panel.product_log_size[panel.series_product][:, None]
    return np.nan_to_num(np.concatenate([st, size], axis=1)).astype(np.float32)


class TransformerForecaster:
    """Implements ``forecasting.models.base.Forecaster`` with ``transformers.TimeSeriesTransformerForPrediction``."""

    name = "transformer_tst"
    gives_intervals = True

    def __init__(self, cfg: TransformerConfig | None = None, device: str = "auto", progress=None) -> None:
        self.cfg = cfg or TransformerConfig()
        self.device = str(pick_device(device))
        self.progress = progress
        self.model = None
        self.horizon = max(self.cfg.steps)
        self.epochs = self.best_epoch = self.windows = 0

    @property
    def past_length(self) -> int:
        return self.cfg.context_length + max(self.cfg.lags)

    def build(self, n_stores: int, n_products: int, n_static: int) -> None:
        """A fresh, randomly initialised network (no hub weights) for a merchant of this shape."""
        from transformers import TimeSeriesTransformerConfig, TimeSeriesTransformerForPrediction

        c = self.cfg
        config = TimeSeriesTransformerConfig(
            prediction_length=self.horizon, context_length=c.context_length, lags_sequence=c.lags, scaling="std",
            num_time_features=N_TIME_FEATURES, num_static_categorical_features=2, num_static_real_features=n_static + 1,
            cardinality=[n_stores, n_products], embedding_dimension=[8, 4],
            d_model=c.d_model, encoder_layers=c.layers, decoder_layers=c.layers, encoder_attention_heads=c.heads,
            decoder_attention_heads=c.heads, encoder_ffn_dim=c.ffn, decoder_ffn_dim=c.ffn, dropout=c.dropout,
            num_parallel_samples=c.samples,
        )  # fmt: skip
        torch.manual_seed(c.seed)
        self.model = TimeSeriesTransformerForPrediction(config).to(self.device)

    def _arrays(self, panel: Panel, last_known: int) -> dict[str, torch.Tensor]:
        """Padded tensors: values/mask (S, pad+T+H), time features (S, pad+T+H, F); weeks > last_known unseen."""
        pad, h = self.past_length, self.horizon
        y = np.log1p(panel.units[:, : last_known + 1])
        values = np.zeros((panel.n_series, pad + panel.n_weeks + h), dtype=np.float32)
        mask = np.zeros_like(values)
        values[:, pad : pad + last_known + 1] = np.nan_to_num(y)
        mask[:, pad : pad + last_known + 1] = np.isfinite(y)
        feats = np.zeros((panel.n_series, values.shape[1], N_TIME_FEATURES), dtype=np.float32)
        feats[:, pad : pad + panel.n_weeks] = time_features(panel)
        return {
            "values": torch.from_numpy(values),
            "mask": torch.from_numpy(mask),
            "feats": torch.from_numpy(feats),
            "cat": torch.from_numpy(np.stack([panel.series_store, panel.series_product], 1).astype(np.int64)),
            "real": torch.from_numpy(static_reals(panel)),
        }

    def _batch(self, a: dict[str, torch.Tensor], series: torch.Tensor, origins: torch.Tensor) -> dict:
        """Model inputs for windows ending at ``origins`` (panel columns); futures are the next ``horizon`` weeks."""
        p, h = self.past_length, self.horizon
        start = origins + 1  # padded index of the first past week is origin + 1 - past + pad = origin + 1
        past_idx = start[:, None] + torch.arange(p)[None, :]
        fut_idx = start[:, None] + p + torch.arange(h)[None, :]
        rows = series[:, None]
        dev = self.device
        return {
            "past_values": a["values"][rows, past_idx].to(dev),
            "past_observed_mask": a["mask"][rows, past_idx].to(dev),
            "past_time_features": a["feats"][rows, past_idx].to(dev),
            "future_values": a["values"][rows, fut_idx].to(dev),
            "future_observed_mask": a["mask"][rows, fut_idx].to(dev),
            "future_time_features": a["feats"][rows, fut_idx].to(dev),
            "static_categorical_features": a["cat"][series].to(dev),
            "static_real_features": a["real"][series].to(dev),
        }

    def fit(self, panel: Panel, origin: int, first: int = 0) -> None:
        started = time.perf_counter()
        c = self.cfg
        self.build(len(panel.stores), len(panel.products), panel.store_static.shape[1])
        cutoff = origin - c.val_weeks
        train = self._arrays(panel, cutoff)
        val = self._arrays(panel, origin)
        val["mask"][:, : self.past_length + cutoff + 1] *= 0  # score only the held-out weeks...
        val_mask_past = self._arrays(panel, origin)["mask"]  # ...but let the windows see all history as input
        s = np.arange(panel.n_series)
        tr = [(i, o) for o in range(first + 3, cutoff) for i in s]
        va = [(i, o) for o in range(cutoff - self.horizon + 1, origin) for i in s]
        opt = torch.optim.AdamW(self.model.parameters(), lr=c.lr, weight_decay=1e-4)
        gen = torch.Generator().manual_seed(c.seed)
        tr_t = torch.tensor(tr, dtype=torch.long)
        best, best_state, bad, epoch = math.inf, None, 0, 0
        self.windows, self.best_epoch = len(tr_t), 0
        for epoch in range(1, c.max_epochs + 1):
            self.model.train()
            order = tr_t[torch.randperm(len(tr_t), generator=gen)]
            for i in range(0, len(order), c.batch_size):
                chunk = order[i : i + c.batch_size]
                loss = self.model(**self._batch(train, chunk[:, 0], chunk[:, 1])).loss
                opt.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
                opt.step()
            val_loss = self._val_loss(val, val_mask_past, torch.tensor(va, dtype=torch.long))
            if self.progress:
                self.progress(epoch, c.max_epochs, val_loss)
            if val_loss < best - 1e-4:
                best, bad, self.best_epoch = val_loss, 0, epoch
                best_state = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
            else:
                bad += 1
                if bad >= c.patience:
                    break
        if best_state is not None:
            self.model.load_state_dict(best_state)
        self.fit_seconds = time.perf_counter() - started
        self.epochs = epoch

    @torch.no_grad()
    def _val_loss(self, val: dict, past_mask: torch.Tensor, windows: torch.Tensor) -> float:
        self.model.eval()
        total, weight = 0.0, 0.0
        for i in range(0, len(windows), 1024):
            chunk = windows[i : i + 1024]
            batch = self._batch(val, chunk[:, 0], chunk[:, 1])
            past = self._batch({**val, "mask": past_mask}, chunk[:, 0], chunk[:, 1])["past_observed_mask"]
            batch["past_observed_mask"] = past
            n = float(batch["future_observed_mask"].sum())
            if n:
                total += float(self.model(**batch).loss) * n
                weight += n
        return total / weight if weight else math.nan

    @torch.no_grad()
    def predict(self, panel: Panel, origin: int, steps: list[int]) -> np.ndarray:
        self.model.eval()
        torch.manual_seed(self.cfg.seed)
        arrays = self._arrays(panel, origin)
        out = np.full((panel.n_series, len(steps), 4), np.nan)
        cols = [k - 1 for k in steps]
        for i in range(0, panel.n_series, 256):
            series = torch.arange(i, min(i + 256, panel.n_series))
            batch = self._batch(arrays, series, torch.full((len(series),), origin))
            for key in ("future_values", "future_observed_mask"):
                batch.pop(key)
            draws = self.model.generate(**batch).sequences[:, :, cols].cpu().numpy()  # (B, samples, steps)
            units = np.expm1(np.clip(draws, 0.0, 20.0))
            out[series.numpy()] = summarise(units)
        seen = np.isfinite(np.log1p(panel.units[:, : origin + 1])).any(axis=1)
        out[~seen] = np.nan
        return out


def summarise(units: np.ndarray) -> np.ndarray:
    """(B, samples, steps) sampled units -> (B, steps, 4): P10, P50, P90 and the 1/y-weighted median."""
    q = np.quantile(units, [0.1, 0.5, 0.9], axis=1).transpose(1, 2, 0)
    return np.concatenate([q, weighted_median(units)[..., None]], axis=2)


def weighted_median(units: np.ndarray) -> np.ndarray:
    """Per (B, steps): the median of the samples weighted by 1/max(y, 1), which minimises E|y - f| / y."""
    order = np.sort(units, axis=1)
    w = 1.0 / np.maximum(order, 1.0)
    cum = np.cumsum(w, axis=1) / w.sum(axis=1, keepdims=True)
    pick = (cum < 0.5).sum(axis=1)
    return np.take_along_axis(order, pick[:, None, :], axis=1)[:, 0, :]
