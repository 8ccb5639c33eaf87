"""The models a backtest can score, by name, and the JSON a backtest run writes."""

from __future__ import annotations

import platform
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import torch
from pydantic import BaseModel

from forecasting import paths
from forecasting.backtest.protocol import PROTOCOLS, Protocol, rolling
from forecasting.backtest.runner import ModelResult, run_protocol
from forecasting.models.base import Forecaster
from forecasting.models.baselines import AutoETS, Naive, SeasonalNaive
from forecasting.models.gbm import GbmConfig, LightGBMForecaster
from forecasting.models.neural import NeuralConfig, NeuralForecaster
from forecasting.models.tst import TransformerConfig, TransformerForecaster
from forecasting.panel import load_panel
from forecasting.warehouse.errors import WarehouseError


def model_factories(
    device: str = "auto", steps: list[int] | None = None, overrides: dict[str, dict] | None = None
) -> dict[str, Callable[[], Forecaster]]:
    """Each model configured for the protocol: the learned models train only the horizon steps it scores (a model
    fitted for the task at hand, as in the published study), plus any settings a tuning run overrides."""

    def cfg(kind: str, config_cls: type[BaseModel]) -> BaseModel:
        settings = {"steps": steps} if steps else {}
        return config_cls(**{**settings, **(overrides or {}).get(kind, {})})

    return {
        "neural_mlp": lambda: NeuralForecaster(cfg("neural_mlp", NeuralConfig), device=device),
        "transformer_tst": lambda: TransformerForecaster(cfg("transformer_tst", TransformerConfig), device=device),
        "lightgbm": lambda: LightGBMForecaster(cfg("lightgbm", GbmConfig)),
        "auto_ets": AutoETS,
        "seasonal_naive": SeasonalNaive,
        "naive": Naive,
    }


DEFAULT_MODELS = ["neural_mlp", "transformer_tst", "lightgbm", "auto_ets", "seasonal_naive", "naive"]


class BacktestReport(BaseModel):
    merchant: str
    protocol: str
    description: str
    rounds: int
    started_at: datetime
    machine: str
    torch_threads: int
    overrides: dict[str, dict] = {}
    results: list[ModelResult]


def backtest_path(merchant: str) -> Path:
    return paths.home() / "backtests" / f"{merchant}.json"


def save_backtest(report: BacktestReport) -> Path:
    """Keep the latest run per merchant and protocol under $SALESCAST_HOME, where the assistant reads accuracy."""
    target = backtest_path(report.merchant)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(report.model_dump_json(indent=1))
    tmp.replace(target)
    return target


def protocol_for(name: str, merchant: str, last_week) -> Protocol:
    if name in PROTOCOLS:
        return PROTOCOLS[name]()
    if name == "rolling":
        return rolling(last_week)
    raise WarehouseError(f"Unknown protocol {name!r}: choose one of {', '.join([*PROTOCOLS, 'rolling'])}.")


def run_backtest(
    merchant: str,
    protocol: str = "oj-ms",
    models: list[str] | None = None,
    device: str = "auto",
    on_round: Callable[[str, int], None] | None = None,
    overrides: dict[str, dict] | None = None,
) -> BacktestReport:
    panel = load_panel(merchant)
    proto = protocol_for(protocol, merchant, panel.week_starts[-1])
    steps = sorted({s for rnd in proto.rounds for s in rnd.steps()})
    factories = model_factories(device, steps, overrides)
    chosen = models or DEFAULT_MODELS
    unknown = [m for m in chosen if m not in factories]
    if unknown:
        raise WarehouseError(f"Unknown model(s) {unknown}: choose from {', '.join(factories)}.")
    started = datetime.now(UTC).replace(microsecond=0)
    results, _ = run_protocol(panel, proto, [factories[m] for m in chosen], on_round)
    return BacktestReport(
        merchant=merchant,
        protocol=proto.name,
        description=proto.description,
        rounds=len(proto.rounds),
        started_at=started,
        machine=f"{platform.machine()}, {torch.get_num_threads()} torch threads, {platform.processor() or 'cpu'}",
        torch_threads=torch.get_num_threads(),
        overrides=overrides or {},
        results=results,
    )
