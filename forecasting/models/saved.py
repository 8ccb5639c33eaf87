"""A trained model on disk: ``$SALESCAST_HOME/models/<merchant>/`` with weights, feature spec and metadata.

The directory is written beside its final place and renamed over it, so a reader never loads half a model.
``meta.json`` says what the model was trained on, where, how long it took and how well it did on its held-out
weeks; ``spec.json`` holds everything needed to rebuild the network and its inputs.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TypeVar

import torch
from pydantic import BaseModel, ValidationError

from forecasting.backtest.metrics import Scores
from forecasting.models.neural import Ensemble, NeuralConfig, NeuralForecaster, Scaler
from forecasting.models.tst import TransformerConfig, TransformerForecaster
from forecasting.paths import model_dir
from forecasting.warehouse.errors import WarehouseError

FORMAT_VERSION = 2
TRAINABLE = ("neural_mlp", "transformer_tst")


class ModelMissing(WarehouseError):
    def __init__(self, merchant: str) -> None:
        super().__init__(f"No trained model for {merchant!r}. Run `salescast train --merchant {merchant}`.")


class ModelDamaged(WarehouseError):
    """A saved model's file cannot be read (truncated, overwritten, edited): retraining writes a good one."""

    def __init__(self, merchant: str, name: str, why: str) -> None:
        super().__init__(
            f"The saved model for {merchant!r} is damaged: its {name} {why}. "
            f"Retrain it with `salescast train --merchant {merchant}`."
        )


# what reading a damaged file raises: JSON and pydantic errors are ValueErrors; torch raises RuntimeError (not a
# zip archive), UnpicklingError (not plain weights), KeyError or EOFError (cut short); a missing file is an OSError
_UNREADABLE = (OSError, EOFError, ValueError, KeyError, TypeError, AttributeError, RuntimeError, pickle.UnpicklingError)
_M = TypeVar("_M", bound=BaseModel)


class ModelSpec(BaseModel):
    kind: str = "neural_mlp"  # one of TRAINABLE
    config: dict  # the model's config (NeuralConfig or TransformerConfig fields)
    stores: list[str]
    products: list[str]
    n_static: int = 0  # store attributes the network reads
    feature_names: list[str] = []  # neural_mlp: its input columns, in order
    scaler: Scaler | None = None  # neural_mlp: how those columns are standardised

    @property
    def horizon(self) -> int:
        return max(self.config["steps"])


class ModelMeta(BaseModel):
    format_version: int = FORMAT_VERSION
    version: str  # <merchant>-<trained at, UTC>: what reports and answers cite
    merchant: str
    model: str
    trained_at: datetime
    data_first_week: date
    data_last_week: date
    device: str
    torch_version: str
    train_seconds: float
    epochs: int
    best_epoch: int
    train_rows: int
    validation: Scores  # scores on the held-out last weeks the early stopping watched
    # the same held-out weeks scored per series, keyed "store|product": the accuracy a report quotes for one series
    series_validation: dict[str, Scores] = {}

    def series_scores(self, store: str, product: str) -> Scores | None:
        return self.series_validation.get(f"{store}|{product}")


Forecaster = NeuralForecaster | TransformerForecaster


def save(forecaster: Forecaster, spec: ModelSpec, meta: ModelMeta) -> Path:
    target = model_dir(meta.merchant)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    torch.save(forecaster.model.state_dict(), tmp / "weights.pt")
    (tmp / "spec.json").write_text(spec.model_dump_json(indent=1))
    (tmp / "meta.json").write_text(meta.model_dump_json(indent=1))
    old = target.with_name(f".{target.name}.{os.getpid()}.old")
    if target.exists():
        target.rename(old)
    tmp.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return target


def read_meta(merchant: str) -> ModelMeta:
    path = model_dir(merchant) / "meta.json"
    if not path.is_file():
        raise ModelMissing(merchant)
    meta = _read_json(merchant, path, ModelMeta)
    if meta.format_version != FORMAT_VERSION:
        raise WarehouseError(f"The saved model for {merchant!r} has an old format; retrain it with salescast train.")
    return meta


def load(merchant: str, device: str = "cpu") -> tuple[Forecaster, ModelSpec, ModelMeta]:
    meta = read_meta(merchant)
    folder = model_dir(merchant)
    spec = _read_json(merchant, folder / "spec.json", ModelSpec)
    try:
        forecaster = _rebuild(spec, device)
    except (ValueError, TypeError, KeyError) as exc:  # a spec edited into numbers no network can be built from
        raise ModelDamaged(merchant, "spec.json", "does not describe a model that can be built") from exc
    try:  # weights_only: a weights file is tensors, never code to run, whatever torch's message suggests
        state = torch.load(folder / "weights.pt", map_location=forecaster.device, weights_only=True)
        forecaster.model.load_state_dict(state)
    except _UNREADABLE as exc:
        raise ModelDamaged(merchant, "weights.pt", "does not hold this model's weights") from exc
    forecaster.model.to(forecaster.device).eval()
    return forecaster, spec, meta


def _read_json(merchant: str, path: Path, model: type[_M]) -> _M:
    """``path`` parsed as ``model``; a file cut short or edited into something else is a ``ModelDamaged``."""
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelDamaged(merchant, path.name, "cannot be read") from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ModelDamaged(merchant, path.name, "is not complete JSON") from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ModelDamaged(merchant, path.name, f"has {exc.error_count()} fields missing or wrong") from exc


def _rebuild(spec: ModelSpec, device: str) -> Forecaster:
    if spec.kind == "transformer_tst":
        tst = TransformerForecaster(TransformerConfig(**spec.config), device=device)
        tst.build(len(spec.stores), len(spec.products), spec.n_static)
        return tst
    cfg = NeuralConfig(**spec.config)
    mlp = NeuralForecaster(cfg, device=device)
    mlp.model = Ensemble(len(spec.feature_names), len(spec.stores), len(spec.products), cfg)
    mlp.scaler, mlp.names = spec.scaler, spec.feature_names
    return mlp


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
