"""Train, save, load and forecast as the app does: real tenant files, real (small) models, the real CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from forecasting import predict
from forecasting.models.neural import NeuralConfig
from forecasting.models.saved import ModelDamaged, ModelMissing, load
from forecasting.models.tst import TransformerConfig
from forecasting.names import UnknownName
from forecasting.paths import model_dir
from forecasting.train import train_merchant
from forecasting.warehouse.errors import WarehouseError
from tests.conftest import private_home
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


# ---------------------------------------------------------------------------------------------- damaged files


@pytest.fixture
def damaged_home(trained_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the trained home whose files a test may damage (the shared one stays intact)."""
    return private_home(trained_home, tmp_path, monkeypatch)


def _forecast_cli(home: Path) -> str:
    done = salescast("forecast", "-m", "oj", "--store", "12", "--product", "tropicana 64", "--horizon", "2", home=home)
    assert done.returncode == 2 and done.stdout == "", done.stdout
    assert "Traceback" not in done.stderr and "weights_only" not in done.stderr
    return " ".join(done.stderr.split())


def _cut_in_half(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def test_truncated_weights_say_retrain_instead_of_a_torch_error(damaged_home: Path) -> None:
    _cut_in_half(model_dir("oj") / "weights.pt")
    message = _forecast_cli(damaged_home)
    assert "saved model for 'oj' is damaged: its weights.pt" in message and "salescast train --merchant oj" in message


def test_weights_holding_other_pickled_data_are_refused_not_loaded_unsafely(damaged_home: Path) -> None:
    marker = damaged_home / "ran"
    # a pickle that would create a file if it were ever unpickled unsafely (weights_only=False)
    payload = b"cos\nsystem\n(S'touch " + str(marker).encode() + b"'\ntR."
    (model_dir("oj") / "weights.pt").write_bytes(payload)
    with pytest.raises(ModelDamaged, match="weights.pt does not hold this model's weights") as caught:
        load("oj")
    assert "weights_only" not in str(caught.value) and not marker.exists()
    assert "salescast train --merchant oj" in _forecast_cli(damaged_home) and not marker.exists()


def test_truncated_meta_json_says_retrain_instead_of_a_json_error(damaged_home: Path) -> None:
    _cut_in_half(model_dir("oj") / "meta.json")
    message = _forecast_cli(damaged_home)
    assert "its meta.json is not complete JSON" in message and "salescast train --merchant oj" in message
    assert "control character" not in message


def test_a_spec_with_fields_missing_is_damaged(damaged_home: Path) -> None:
    spec = model_dir("oj") / "spec.json"
    spec.write_text(json.dumps({k: v for k, v in json.loads(spec.read_text()).items() if k != "stores"}))
    with pytest.raises(ModelDamaged, match=r"its spec.json has 1 fields missing or wrong\. Retrain it with"):
        load("oj")


def test_the_chat_reports_a_damaged_model_as_the_tool_result(damaged_home: Path) -> None:
    from agent.session import ChatSession

    _cut_in_half(model_dir("oj") / "weights.pt")
    result = ChatSession("oj", llm="scripted").ask("Forecast Tropicana 64 oz in store 12 for the next 2 weeks.")
    step = next(s for s in result.tool_calls if s.name == "forecast")
    assert not step.ok and "damaged" in step.summary and "salescast train --merchant oj" in result.answer
