"""The forecasters on a small real subset (a few OJ stores): they learn, they never leak, their outputs are sane."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from forecasting.features import build_samples, driver_group
from forecasting.models.gbm import GbmConfig, LightGBMForecaster
from forecasting.models.neural import NeuralConfig, NeuralForecaster
from forecasting.models.tst import TransformerConfig, TransformerForecaster
from forecasting.panel import Panel, load_panel, subset

ORIGIN = 90
TINY_MLP = NeuralConfig(hidden=[64, 32], max_epochs=4, patience=10, steps=[1, 2, 3], batch_size=256, seed=1)
TINY_TST = TransformerConfig(d_model=16, ffn=32, max_epochs=2, steps=[1, 2, 3], samples=50, lags=[1, 2, 4])


@pytest.fixture(scope="module")
def panel(built_home: Path) -> Panel:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SALESCAST_HOME", str(built_home))
        full = load_panel("oj")
    return subset(full, full.stores[:4])


@pytest.fixture(scope="module")
def mlp(panel: Panel) -> NeuralForecaster:
    model = NeuralForecaster(TINY_MLP, device="cpu")
    model.fit(panel, ORIGIN)
    return model


def _scrambled_after(panel: Panel, week: int, seed: int = 0) -> Panel:
    """Sales after ``week`` replaced by noise: a forecast made at ``week`` must not change."""
    rng = np.random.default_rng(seed)
    units = panel.units.copy()
    units[:, week + 1 :] = rng.integers(1, 50_000, size=units[:, week + 1 :].shape)
    return replace(panel, units=units)


def test_subset_keeps_only_the_chosen_stores(panel: Panel) -> None:
    assert len(panel.stores) == 4 and set(panel.series_store) == {0, 1, 2, 3}
    assert panel.store_log_price.shape[0] == 4 and panel.units.shape[0] == panel.n_series


def test_training_reduces_validation_loss(mlp: NeuralForecaster) -> None:
    history = mlp.loss_history[0]
    assert len(history) == TINY_MLP.max_epochs + 1
    assert min(history[1:]) < 0.8 * history[0]


def test_quantiles_are_ordered_and_never_negative(mlp: NeuralForecaster, panel: Panel) -> None:
    q = mlp.predict(panel, ORIGIN, [1, 2, 3])
    seen = np.isfinite(q).all(axis=(1, 2))
    assert seen.sum() > 0.8 * panel.n_series
    q = q[seen]
    assert (q >= 0).all()
    assert (q[..., 0] <= q[..., 1]).all() and (q[..., 1] <= q[..., 2]).all()


def test_features_use_no_sales_after_the_origin(panel: Panel) -> None:
    before = build_samples(panel, [ORIGIN], [1, 2, 3], observed_only=False)
    after = build_samples(_scrambled_after(panel, ORIGIN), [ORIGIN], [1, 2, 3], observed_only=False)
    np.testing.assert_array_equal(before.x, after.x)
    np.testing.assert_array_equal(before.base, after.base)
    # the check has teeth: scrambling the week *at* the origin does change the features
    touched = build_samples(_scrambled_after(panel, ORIGIN - 1), [ORIGIN], [1], observed_only=False)
    assert not np.array_equal(before.take(before.step == 1).x, touched.x)


def test_features_use_no_covariates_beyond_the_target_week(panel: Panel) -> None:
    later = ORIGIN + 3
    noisy = replace(
        panel,
        deal=np.where(np.arange(panel.n_weeks) > later, 1.0, panel.deal),
        feature=np.where(np.arange(panel.n_weeks) > later, 1.0, panel.feature),
        log_price=np.where(np.arange(panel.n_weeks) > later, 9.0, panel.log_price),
    )
    a = build_samples(panel, [ORIGIN], [1, 2, 3], observed_only=False)
    b = build_samples(noisy, [ORIGIN], [1, 2, 3], observed_only=False)
    np.testing.assert_array_equal(a.x, b.x)


@pytest.mark.parametrize("kind", ["mlp", "transformer"])
def test_forecasts_do_not_change_when_the_future_changes(kind: str, panel: Panel, mlp: NeuralForecaster) -> None:
    model = mlp if kind == "mlp" else TransformerForecaster(TINY_TST, device="cpu")
    if kind == "transformer":
        model.fit(panel, ORIGIN)
    a = model.predict(panel, ORIGIN, [2, 3])
    b = model.predict(_scrambled_after(panel, ORIGIN), ORIGIN, [2, 3])
    np.testing.assert_allclose(a, b, equal_nan=True)


def test_transformer_outputs_are_ordered_non_negative_quantiles(panel: Panel) -> None:
    model = TransformerForecaster(TINY_TST, device="cpu")
    model.fit(panel, ORIGIN)
    q = model.predict(panel, ORIGIN, [1, 3])
    q = q[np.isfinite(q).all(axis=(1, 2))]
    assert len(q) and (q >= 0).all()
    assert (np.diff(q[..., :3], axis=2) >= 0).all()


def test_lightgbm_peer_gives_ordered_quantiles(panel: Panel) -> None:
    model = LightGBMForecaster(GbmConfig(max_rounds=30, steps=[1, 2], threads=1))
    model.fit(panel, ORIGIN)
    q = model.predict(panel, ORIGIN, [1, 2])
    q = q[np.isfinite(q).all(axis=(1, 2))]
    assert len(q) and (q >= 0).all() and (np.diff(q[..., :3], axis=2) >= 0).all()


def test_every_feature_belongs_to_a_named_driver(mlp: NeuralForecaster) -> None:
    groups = {driver_group(name) for name in mlp.names}
    assert {"recent demand", "own price", "competitor prices", "deal", "feature advertising"} <= groups
    assert {"holiday/event", "seasonality", "store", "product"} <= groups


@pytest.mark.gpu
def test_cuda_training_with_mixed_precision_matches_the_cpu_shape(panel: Panel) -> None:
    """Runs where a CUDA device exists (skipped elsewhere): bf16 autocast, pinned memory, same outputs contract."""
    model = NeuralForecaster(TINY_MLP, device="cuda")
    model.fit(panel, ORIGIN)
    q = model.predict(panel, ORIGIN, [1, 2, 3])
    assert model.device.startswith("cuda")
    assert np.isfinite(q[..., 1]).any()
    ok = np.isfinite(q).all(axis=2)
    assert (q[ok][:, 0] <= q[ok][:, 1]).all() and (q[ok][:, 1] <= q[ok][:, 2]).all() and (q[ok] >= 0).all()
