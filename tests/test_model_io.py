"""Train, save, load and forecast as the app does: real tenant files, real (small) models, the real CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from forecasting import predict
from forecasting.models.neural import NeuralConfig
from forecasting.models.saved import ModelMissing, load, model_dir
from forecasting.models.tst import TransformerConfig
from forecasting.names import UnknownName
from forecasting.train import train_merchant
from forecasting.warehouse.errors import WarehouseError
from tests.test_cli import salescast

SMALL_OJ = NeuralConfig(hidden=[32], max_epochs=1, patience=1, steps=[1, 2, 3, 4], batch_size=2048)
SMALL_TUNA = NeuralConfig(hidden=[32, 16], max_epochs=3, steps=[1, 2, 3, 4], batch_size=64)


@pytest.fixture(scope="module")
def trained_home(built_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the warehouse with small oj and tuna models trained into it."""
    home = tmp_path_factory.mktemp("trained") / "home"
    shutil.copytree(built_home, home)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SALESCAST_HOME", str(home))
        train_merchant("oj", config=SMALL_OJ, device="cpu")
        train_merchant("tuna", config=SMALL_TUNA, device="cpu")
    return home


@pytest.fixture
def trained(trained_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SALESCAST_HOME", str(trained_home))
    return trained_home


def test_saved_model_directory_holds_weights_spec_and_metadata(trained: Path) -> None:
    folder = model_dir("oj")
    assert {p.name for p in folder.iterdir()} == {"weights.pt", "spec.json", "meta.json"}
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["merchant"] == "oj" and meta["model"] == "neural_mlp" and meta["device"] == "cpu"
    assert meta["data_first_week"] < meta["data_last_week"] and meta["train_seconds"] > 0
    assert meta["validation"]["rows"] > 0 and 0 < meta["validation"]["mape"] < 200
    assert meta["format_version"] >= 2 and meta["version"].startswith("oj-")
    spec = json.loads((folder / "spec.json").read_text())
    assert spec["kind"] == "neural_mlp" and len(spec["feature_names"]) == len(spec["scaler"]["mean"])


def test_save_load_round_trip_gives_identical_forecasts(trained: Path) -> None:
    first = predict.Engine("oj").forecast("12", "Tropicana 64 oz", 4)
    again = predict.Engine("oj").forecast("12", "tropicana 64", 4)  # a fresh load from disk
    assert first == again
    model, _, _ = load("oj")
    engine = predict.Engine("oj")
    plan = predict.default_plan(engine.panel, 4)
    a = engine.quantiles(plan)
    b = model.predict(predict.extend(engine.panel, plan), engine.panel.n_weeks - 1, [1, 2, 3, 4])
    np.testing.assert_allclose(a, b, rtol=1e-5, equal_nan=True)


def test_forecast_weeks_follow_the_data_and_are_ordered(trained: Path) -> None:
    fc = predict.forecast("oj", "12", "Tropicana 64 oz", 4)
    assert fc.weeks[0].week_start > fc.last_data_week
    for w in fc.weeks:
        assert 0 <= w.p10 <= w.p50 <= w.p90 and w.point >= 0
        assert w.price and w.price > 0 and w.deal == 0 and w.feature == 0


def test_unknown_names_list_close_matches(trained: Path) -> None:
    with pytest.raises(UnknownName, match="Did you mean: .*Tropicana"):
        predict.forecast("oj", "12", "Tropicanna 64", 4)
    with pytest.raises(UnknownName, match="Unknown store '999'"):
        predict.forecast("oj", "999", "Tropicana 64 oz", 4)
    with pytest.raises(WarehouseError, match="say which store"):
        predict.forecast("oj", None, "Tropicana 64 oz", 4)
    with pytest.raises(WarehouseError, match="between 1 and 4"):
        predict.forecast("oj", "12", "Tropicana 64 oz", 9)


def test_missing_model_says_how_to_train(fresh_home: Path) -> None:
    with pytest.raises(ModelMissing, match="salescast train --merchant oj"):
        predict.forecast("oj", "12", "Tropicana 64 oz", 2)


def test_cli_forecast_json_shape(trained: Path) -> None:
    done = salescast(
        "forecast", "--merchant", "oj", "--store", "12", "--product", "Tropicana 64 oz", "--horizon", "3", "--json",
        home=trained,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["store"] == "12" and payload["product"] == "Tropicana 64 oz" and len(payload["weeks"]) == 3
    week = payload["weeks"][0]
    assert {"week_start", "p10", "p50", "p90", "point", "price", "deal", "feature", "event"} <= set(week)
    assert payload["assumptions"] and payload["model_version"].startswith("oj-")


def test_cli_chain_level_merchant_needs_no_store(trained: Path) -> None:
    done = salescast("forecast", "-m", "tuna", "--product", "star kist", "--horizon", "2", "--json", home=trained)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["product"] == "Star Kist 6 oz"
    bad = salescast("forecast", "-m", "tuna", "--product", "bumble bee", "--horizon", "2", home=trained)
    assert bad.returncode != 0 and "Did you mean" in bad.stderr and "Traceback" not in bad.stderr


def test_transformer_model_trains_saves_and_forecasts(fresh_home: Path) -> None:
    cfg = TransformerConfig(d_model=16, ffn=32, max_epochs=1, steps=[1, 2, 3], samples=40, lags=[1, 2, 4])
    meta = train_merchant("tuna", model="transformer_tst", config=cfg, device="cpu")
    assert meta.model == "transformer_tst" and meta.validation.rows > 0
    first = predict.Engine("tuna").forecast(None, "Geisha 6 oz", 3)
    again = predict.Engine("tuna").forecast(None, "geisha", 3)
    assert first == again and all(0 <= w.p10 <= w.p50 <= w.p90 for w in first.weeks)


def test_cli_train_rejects_unknown_model(built_home: Path) -> None:
    done = salescast("train", "-m", "tuna", "--model", "prophet", home=built_home)
    assert done.returncode != 0 and "neural_mlp" in done.stderr
