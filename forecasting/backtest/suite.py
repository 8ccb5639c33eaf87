"""The models a backtest can score, by name, and the JSON a backtest run writes."""

from __future__ import annotations

import platform
from collections.abc import Callable
from datetime import UTC, datetime

import torch
from pydantic import BaseModel

from forecasting.backtest.protocol import PROTOCOLS, Protocol, rolling
from forecasting.backtest.runner import ModelResult, run_protocol
from forecasting.models.base import Forecaster
from forecasting.models.baselines import AutoETS, Naive, SeasonalNaive
from forecasting.models.gbm import LightGBMForecaster
from forecasting.models.neural import NeuralForecaster
from forecasting.models.tst import TransformerForecaster
from forecasting.panel import load_panel
from forecasting.warehouse.errors import WarehouseError


def model_factories(device: str = "auto") -> dict[str, Callable[[], Forecaster]]:
    return {
        "neural_mlp": lambda: NeuralForecaster(device=device),
        "transformer_tst": lambda: TransformerForecaster(device=device),
        "lightgbm": LightGBMForecaster,
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
    results: list[ModelResult]


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
) -> BacktestReport:
    factories = model_factories(device)
    chosen = models or DEFAULT_MODELS
    unknown = [m for m in chosen if m not in factories]
    if unknown:
        raise WarehouseError(f"Unknown model(s) {unknown}: choose from {', '.join(factories)}.")
    panel = load_panel(merchant)
    proto = protocol_for(protocol, merchant, panel.week_starts[-1])
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
        results=results,
    )
