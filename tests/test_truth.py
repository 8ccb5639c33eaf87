"""Explanations recover the truth: a synthetic merchant with planted effects, trained like a real one.

The generating rule (``tests/synthetic_merchant.py``) has price elasticity -2, deal lift x1.8, a x1.5 Thanksgiving
and Christmas bump, a yearly cycle, and two controls with no effect (feature ads, competitor prices). After
training, what-if answers must recover the planted sizes within 20 %, and SHAP attributions must match the exact
Shapley values of the true rule (same method, same background weeks): summed over all series within 20 %, series by
series within 30 % (a model learns each effect from noisy data), with the signs and the ranking of the planted
drivers right and the controls near zero.
"""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecasting.explain import BACKGROUND_STRIDE, BACKGROUND_WEEKS, explain, importance
from forecasting.models.neural import NeuralConfig
from forecasting.predict import Engine, default_plan, engine
from forecasting.train import train_merchant
from forecasting.warehouse.ingest import ingest_file
from forecasting.whatif import Change, what_if
from tests import synthetic_merchant as synth

PLANTED = ["own price", "deal", "holiday/event"]
TRUTH_CONFIG = NeuralConfig(hidden=[128, 64], max_epochs=8, patience=3, steps=[1, 2, 3, 4], batch_size=512, seed=0)


@pytest.fixture(scope="module")
def synth_engine(built_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    home = tmp_path_factory.mktemp("synth")
    shutil.copytree(built_home, home, dirs_exist_ok=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SALESCAST_HOME", str(home))
        ingest_file("synth", synth.write(home / "synth.csv"))
        train_merchant("synth", device="cpu", config=TRUTH_CONFIG)
        yield engine("synth")


@pytest.fixture(scope="module")
def truth() -> pd.DataFrame:
    return synth.generate().set_index(["store", "product", "date"]).sort_index()


def _ratios(eng: Engine, change: Change) -> np.ndarray:
    out = []
    for store in eng.panel.stores:
        for product in eng.panel.products:
            week = what_if(eng, store, product, change, horizon=1).weeks[0]
            out.append(week.scenario_p50 / week.baseline_p50)
    return np.array(out)


def test_price_elasticity_is_recovered(synth_engine: Engine) -> None:
    elasticity = np.log(np.median(_ratios(synth_engine, Change(price="-10%", weeks="1")))) / np.log(0.9)
    assert elasticity == pytest.approx(synth.ELASTICITY, rel=0.2)


def test_deal_lift_is_recovered(synth_engine: Engine) -> None:
    lift = np.median(_ratios(synth_engine, Change(deal=True, weeks="1")))
    assert lift - 1 == pytest.approx(synth.DEAL_LIFT - 1, rel=0.2)


def test_the_control_lever_has_no_effect(synth_engine: Engine) -> None:
    ratios = _ratios(synth_engine, Change(feature=True, weeks="1"))
    assert np.median(np.abs(ratios - 1)) < 0.05


def _pairs(eng: Engine, truth: pd.DataFrame) -> dict[str, np.ndarray]:
    """(model, true) Shapley value per planted driver and series, for the Thanksgiving week (step 2)."""
    last, step = eng.panel.week_starts[-1], 2
    target_week = last + timedelta(weeks=step)
    plan = default_plan(eng.panel, step)
    levels = _levels()
    out: dict[str, list[tuple[float, float]]] = {name: [] for name in [*PLANTED, "feature advertising"]}
    for store in eng.panel.stores:
        for product in eng.panel.products:
            idx, _, _ = eng.series(store, product)
            ex = {d.name: d.contribution for d in explain(eng, store, product, week=step).drivers}
            rows = truth.loc[(store, product)]
            background = [(rows.loc[w, "price"], rows.loc[w, "promotion"], w)
                          for w in (last - timedelta(weeks=k) for k in range(0, BACKGROUND_WEEKS, BACKGROUND_STRIDE))]  # fmt: skip
            target = (float(plan.price[idx, step - 1]), 0.0, target_week)
            level, regular = levels[store] * synth.PRODUCTS[product][0], synth.PRODUCTS[product][1]
            true = synth.true_shapley(level, regular, target, background)
            for name in PLANTED:
                out[name].append((ex[name], true[name]))
            out["feature advertising"].append((ex["feature advertising"], 0.0))
    return {k: np.array(v) for k, v in out.items()}


def _levels() -> dict[str, float]:
    rng = np.random.default_rng(7)  # the generator's first draw: the store levels
    return dict(zip(synth.STORES, np.exp(rng.normal(0.0, 0.3, len(synth.STORES))), strict=True))


def test_shap_matches_the_true_shapley_values(synth_engine: Engine, truth: pd.DataFrame) -> None:
    pairs = _pairs(synth_engine, truth)
    for name in PLANTED:
        model, true = pairs[name][:, 0], pairs[name][:, 1]
        assert np.abs(model).sum() / np.abs(true).sum() == pytest.approx(1.0, abs=0.2), name  # size, all series
        assert np.abs(model - true).sum() / np.abs(true).sum() < 0.3, name  # and series by series
        same_sign = np.sign(model) == np.sign(true)
        assert same_sign[np.abs(true) > 0.05 * np.abs(true).max()].mean() >= 0.9, name
    holiday = pairs["holiday/event"]
    assert (holiday[:, 0] > 0).all()  # Thanksgiving lifts every series
    feature = np.abs(pairs["feature advertising"][:, 0])
    assert feature.mean() < 0.1 * np.abs(holiday[:, 0]).mean()


def test_global_importance_ranks_planted_drivers_above_the_controls(synth_engine: Engine) -> None:
    ranked = [d.name for d in importance(synth_engine, step=2, max_series=16).overall]
    assert ranked[0] == "holiday/event"  # the x1.5 bump dominates the Thanksgiving week
    assert max(ranked.index(n) for n in PLANTED) < min(ranked.index(n) for n in ["feature advertising",
                                                                                  "competitor prices"])  # fmt: skip
