"""Features of a (series, origin, step) sample: what was known at the origin, plus the plan for the target week.

A sample forecasts week ``w = origin + step`` of one series. Its features come in three kinds, and this split is
the leakage contract (tested):
- history: computed only from panel columns ``<= origin`` (the arrays are sliced before anything else);
- known future: price, deal and feature advertising of the target week and the week before it (set in advance
  by the merchant), calendar events around it, and the season;
- static: store and product identity, store demographics, package size.

The target is ``log1p(units) - base``, with ``base`` the series' mean log1p units over its last 13 recorded weeks,
so one global model sees every series on the same scale.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from forecasting.panel import Panel

EVENTS = ["Halloween", "Thanksgiving", "Christmas", "New-Year", "Presidents Day", "Easter", "Memorial Day",
          "4th of July", "Labor Day"]  # fmt: skip
N_LAGS = 8
ROLL_WINDOWS = (4, 8, 13, 26, 52)
MAX_PRODUCT_PRICE_COLUMNS = 16  # per-product competitor price columns only for small assortments

# Groups name the drivers a merchant understands; explanations (SHAP) add attributions up by group.
GROUP_OF_PREFIX = [
    ("lag", "recent demand"), ("last", "recent demand"), ("rmean", "recent demand"), ("rmax", "recent demand"),
    ("rmin", "recent demand"), ("rstd", "recent demand"), ("wk_since", "recent demand"), ("n_obs", "recent demand"),
    ("hist_mean", "recent demand"), ("lvl_no", "recent demand"), ("uplift", "recent demand"), ("base", "recent demand"),
    ("trend", "trend"), ("comp_lp", "competitor prices"), ("comp_deal", "competitor prices"),
    ("comp_feat", "competitor prices"), ("lp", "own price"), ("elast", "own price"), ("price", "own price"),
    ("deal", "deal"), ("feat", "feature advertising"), ("ev", "holiday/event"), ("woy", "seasonality"),
    ("y_lag52", "seasonality"), ("st_", "store"), ("store", "store"), ("product", "product"), ("size", "product"),
    ("step", "horizon"),
]  # fmt: skip


def driver_group(name: str) -> str:
    for prefix, group in GROUP_OF_PREFIX:
        if name.startswith(prefix):
            return group
    raise KeyError(f"feature {name!r} has no driver group")


def _quiet_nanmean(a: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(a, axis=1)


def _quiet_nanstd(a: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanstd(a, axis=1)


def _ffill(a: np.ndarray) -> np.ndarray:
    idx = np.where(np.isfinite(a), np.arange(a.shape[1])[None, :], 0)
    np.maximum.accumulate(idx, axis=1, out=idx)
    return a[np.arange(a.shape[0])[:, None], idx]


def _masked_extreme(a: np.ndarray, fn: str) -> np.ndarray:
    fill = -np.inf if fn == "max" else np.inf
    out = getattr(np, fn)(np.where(np.isfinite(a), a, fill), axis=1)
    return np.where(np.isfinite(out), out, np.nan)


def history_features(panel: Panel, origin: int) -> dict[str, np.ndarray]:
    """Per-series features at ``origin`` from panel columns ``0..origin`` only."""
    y = np.log1p(panel.units[:, : origin + 1])  # the only access to sales history
    lp = panel.log_price[:, : origin + 1]
    deal = panel.deal[:, : origin + 1]
    feat = panel.feature[:, : origin + 1]
    seen = np.isfinite(y)
    yf = _ffill(y)
    last = yf[:, -1]
    r13 = _quiet_nanmean(y[:, -13:])
    base = np.where(np.isfinite(r13), r13, last)
    f: dict[str, np.ndarray] = {"base": base, "last": last - base}
    last_idx = np.where(seen, np.arange(origin + 1)[None, :], -1).max(axis=1)
    f["wk_since_obs"] = np.where(last_idx >= 0, origin - last_idx, 99).astype(float)
    for k in range(N_LAGS):
        col = origin - k
        f[f"lag{k}"] = (yf[:, col] if col >= 0 else np.full(len(y), np.nan)) - base
        f[f"lag_seen{k}"] = seen[:, col].astype(float) if col >= 0 else np.zeros(len(y))
    for window in ROLL_WINDOWS:
        f[f"rmean{window}"] = _quiet_nanmean(y[:, -window:]) - base
    f["rstd13"] = _quiet_nanstd(y[:, -13:])
    f["rstd52"] = _quiet_nanstd(y[:, -52:])
    f["rmax13"] = _masked_extreme(y[:, -13:], "max") - base
    f["rmin13"] = _masked_extreme(y[:, -13:], "min") - base
    f["hist_mean"] = _quiet_nanmean(y) - base
    f["n_obs"] = np.log1p(seen.sum(axis=1).astype(float))
    f["trend13"] = _quiet_nanmean(y[:, -4:]) - _quiet_nanmean(y[:, -13:-4]) if origin >= 13 else np.zeros(len(y))
    f["lp_last"] = _ffill(lp)[:, -1]
    f["comp_lp_rmean13"] = _competitor_mean_history(panel, origin)
    f["lp_rmean13"] = _quiet_nanmean(lp[:, -13:])
    f["lp_rmax13"] = _masked_extreme(lp[:, -13:], "max")
    f["deal_rate13"] = _quiet_nanmean(np.where(seen[:, -13:], deal[:, -13:], np.nan))
    f["feat_rate13"] = _quiet_nanmean(np.where(seen[:, -13:], feat[:, -13:], np.nan))
    for name, flag in (("deal", deal > 0.5), ("feat", feat > 0.5)):
        on, off = flag & seen, ~flag & seen
        mean_on = np.where(on.sum(1) > 0, np.where(on, y, 0).sum(1) / np.maximum(on.sum(1), 1), np.nan)
        mean_off = np.where(off.sum(1) > 0, np.where(off, y, 0).sum(1) / np.maximum(off.sum(1), 1), np.nan)
        f[f"uplift_{name}"] = mean_on - mean_off
        f[f"lvl_no{name}"] = mean_off - base
    x = np.where(seen, lp, np.nan)
    xc = x - _quiet_nanmean(x)[:, None]
    yc = y - _quiet_nanmean(y)[:, None]
    f["elast_hist"] = np.nansum(xc * yc, 1) / (np.nansum(xc * xc, 1) + 0.5)  # ridge-shrunk log-log slope
    f["lp_hist_mean"] = _quiet_nanmean(x)
    recent = _quiet_nanmean(y[:, -52:])
    f["product_mean"] = _group_mean(recent, panel.series_product, len(panel.products)) - base
    f["store_mean"] = _group_mean(recent, panel.series_store, len(panel.stores)) - base
    return f


def _competitor_mean_history(panel: Panel, origin: int) -> np.ndarray:
    """Mean log price of the other products in the series' store over the 13 weeks up to the origin."""
    prices = panel.store_log_price[:, :, max(origin - 12, 0) : origin + 1][panel.series_store]  # (N, P, 13)
    prices = prices.copy()
    prices[np.arange(panel.n_series), panel.series_product] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(prices, axis=(1, 2))


def _group_mean(values: np.ndarray, groups: np.ndarray, n: int) -> np.ndarray:
    ok = np.isfinite(values)
    sums = np.bincount(groups[ok], weights=values[ok], minlength=n)
    counts = np.bincount(groups[ok], minlength=n)
    means = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    return means[groups]


def future_features(panel: Panel, origin: int, step: int, hist: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Known-future features of target week ``origin + step`` (and the week before it); no sales after origin."""
    w = origin + step
    n = panel.n_series
    s_idx, p_idx = panel.series_store, panel.series_product
    lp = panel.log_price[:, w]
    store_prices = panel.store_log_price[s_idx, :, w]  # (N, P): every product's price in the store that week
    others = store_prices.copy()
    others[np.arange(n), p_idx] = np.nan
    f: dict[str, np.ndarray] = {"lp": lp, "deal": panel.deal[:, w], "feat": panel.feature[:, w]}
    if len(panel.products) <= MAX_PRODUCT_PRICE_COLUMNS:
        for j in range(len(panel.products)):
            f[f"comp_lp_b{j}"] = others[:, j]  # the series' own product is blank here: its price is ``lp``
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        f["comp_lp_mean"] = np.nanmean(others, axis=1)
        f["comp_lp_min"] = np.nanmin(others, axis=1)
        f["comp_lp_vs_mean13"] = f["comp_lp_mean"] - hist["comp_lp_rmean13"]
        f["comp_deal"] = _others_mean(panel.deal[:, w], s_idx, len(panel.stores))
        f["comp_feat"] = _others_mean(panel.feature[:, w], s_idx, len(panel.stores))
    f["lp_vs_mean13"] = lp - hist["lp_rmean13"]
    f["lp_vs_max13"] = lp - hist["lp_rmax13"]
    f["lp_vs_last"] = lp - hist["lp_last"]
    f["elast_x_dlp"] = hist["elast_hist"] * (lp - hist["lp_hist_mean"])
    f["lp_prev"] = panel.log_price[:, w - 1] - lp
    f["deal_prev"] = panel.deal[:, w - 1]
    f["feat_prev"] = panel.feature[:, w - 1]
    for offset, name in ((-1, "ev_prev"), (0, "ev"), (1, "ev_next")):
        code = _event_code(panel, w + offset)
        for e in range(len(EVENTS)):
            f[f"{name}_{e}"] = np.full(n, float(code == e + 1))
    woy = panel.week_starts[0].timetuple().tm_yday / 365.25 + w * 7 / 365.25
    f["woy_sin"] = np.full(n, np.sin(2 * np.pi * woy))
    f["woy_cos"] = np.full(n, np.cos(2 * np.pi * woy))
    back = w - 52
    f["y_lag52"] = (np.log1p(panel.units[:, back]) if 0 <= back <= origin else np.full(n, np.nan)) - hist["base"]
    f["step"] = np.full(n, float(step))
    return f


def _others_mean(values: np.ndarray, stores: np.ndarray, n_stores: int) -> np.ndarray:
    """Mean of the other series of the same store."""
    v = np.nan_to_num(values)
    totals = np.bincount(stores, weights=v, minlength=n_stores)
    counts = np.bincount(stores, minlength=n_stores)
    return (totals[stores] - v) / np.maximum(counts[stores] - 1, 1)


def _event_code(panel: Panel, week: int) -> int:
    if week < 0:
        return 0
    day = panel.week_start_at(week)
    event = panel.event_on(day)
    if not event:
        return 0
    for i, name in enumerate(EVENTS):
        if name in event:
            return i + 1
    return 0


@dataclass
class Samples:
    x: np.ndarray  # (R, F) float32 numeric features, unscaled, NaN where undefined
    store: np.ndarray  # (R,) int64
    product: np.ndarray  # (R,) int64
    base: np.ndarray  # (R,) log1p-units level the target is relative to
    target: np.ndarray  # (R,) log1p(units) - base, NaN where the week is not recorded
    series: np.ndarray  # (R,)
    origin: np.ndarray  # (R,)
    step: np.ndarray  # (R,)
    names: list[str]

    def take(self, mask: np.ndarray) -> Samples:
        """The rows where ``mask`` holds."""
        fields = ("x", "store", "product", "base", "target", "series", "origin", "step")
        return Samples(**{f: getattr(self, f)[mask] for f in fields}, names=self.names)


def build_samples(panel: Panel, origins: list[int], steps: list[int], observed_only: bool = True) -> Samples:
    """Samples for every series × origin × step (only rows whose target week lies inside the panel)."""
    parts: list[dict[str, np.ndarray]] = []
    names: list[str] | None = None
    static = {f"st_{i}": panel.store_static[panel.series_store, i] for i in range(panel.store_static.shape[1])}
    static["size"] = panel.product_log_size[panel.series_product]
    for origin in origins:
        hist = history_features(panel, origin)
        for step in steps:
            w = origin + step
            if w >= panel.n_weeks:
                continue
            feats = {**hist, **future_features(panel, origin, step, hist), **static}
            names = names or [k for k in feats if k != "base"]
            y = np.log1p(panel.units[:, w]) if w < panel.units.shape[1] else np.full(panel.n_series, np.nan)
            part = {
                "x": np.stack([feats[k] for k in names], axis=1).astype(np.float32),
                "base": hist["base"],
                "target": y - hist["base"],
                "series": np.arange(panel.n_series),
                "origin": np.full(panel.n_series, origin),
                "step": np.full(panel.n_series, step),
            }
            keep = np.isfinite(hist["base"]) & (np.isfinite(part["target"]) if observed_only else True)
            parts.append({k: v[keep] for k, v in part.items()})
    if not parts:
        raise ValueError("no samples: the origins and steps fall outside the data")
    joined = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    return Samples(
        x=joined["x"],
        store=panel.series_store[joined["series"]].astype(np.int64),
        product=panel.series_product[joined["series"]].astype(np.int64),
        base=joined["base"],
        target=joined["target"],
        series=joined["series"],
        origin=joined["origin"],
        step=joined["step"],
        names=names or [],
    )
