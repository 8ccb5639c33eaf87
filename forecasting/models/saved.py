"""A trained model on disk: ``$SALESCAST_HOME/models/<merchant>/`` with weights, feature spec and metadata.

The directory is written beside its final place and renamed over it, so a reader never loads half a model.
``meta.json`` says what the model was trained on, where, how long it took and how well it did on its held-out
weeks; ``spec.json`` holds everything needed to rebuild the network and its inputs.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import torch
from pydantic import BaseModel

from forecasting import paths
from forecasting.backtest.metrics import Scores
from forecasting.models.neural import Ensemble, NeuralConfig, NeuralForecaster, Scaler
from forecasting.models.tst import TransformerConfig, TransformerForecaster
from forecasting.warehouse.errors import WarehouseError

FORMAT_VERSION = 2
TRAINABLE = ("neural_mlp", "transformer_tst")


class ModelMissing(WarehouseError):
    def __init__(self, merchant: str) -> None:
        super().__init__(f"No trained model for {merchant!r}. Run `salescast train --merchant {merchant}`.")


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


def model_dir(merchant: str) -> Path:
    return paths.home() / "models" / merchant


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
    meta = ModelMeta.model_validate(json.loads(path.read_text()))
    if meta.format_version != FORMAT_VERSION:
        raise WarehouseError(f"The saved model for {merchant!r} has an old format; retrain it with salescast train.")
    return meta


def load(merchant: str, device: str = "cpu") -> tuple[Forecaster, ModelSpec, ModelMeta]:
    meta = read_meta(merchant)
    folder = model_dir(merchant)
    spec = ModelSpec.model_validate(json.loads((folder / "spec.json").read_text()))
    forecaster = _rebuild(spec, device)
    state = torch.load(folder / "weights.pt", map_location=forecaster.device, weights_only=True)
    forecaster.model.load_state_dict(state)
    forecaster.model.to(forecaster.device).eval()
    return forecaster, spec, meta


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
