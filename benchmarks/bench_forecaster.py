"""Speed of the forecaster on this machine: training the oj model, and one warm forecast for one series.

Run from the repository root: ``.venv/bin/python benchmarks/bench_forecaster.py [--merchant oj] [--json FILE]``.
Uses ``$SALESCAST_HOME`` (default ``./var``; the warehouse is built if missing) and trains into a temporary copy, so
the saved model is left alone (``--save`` trains in place instead). The peer, measured in the same run on the same data: statsforecast AutoETS, fitted to
every series (training) and forecasting one series (latency). Goals (issue 3): training under 300 s on 2 CPU
cores; a warm forecast under 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch

from forecasting import paths
from forecasting.models.baselines import AutoETS
from forecasting.panel import Panel, load_panel
from forecasting.predict import Engine
from forecasting.train import train_merchant
from forecasting.warehouse.build import build_warehouse
from forecasting.warehouse.connect import known_merchants


def _median_ms(fn, runs: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(1000 * (time.perf_counter() - start))
    return round(statistics.median(times), 2)


def _auto_ets(panel: Panel, steps: list[int]) -> None:
    """The classical way to answer: fit AutoETS on the history, then forecast."""
    model = AutoETS()
    model.fit(panel, panel.n_weeks - 1)
    model.predict(panel, panel.n_weeks - 1, steps)


def subset_series(panel: Panel, idx: int) -> Panel:
    return replace(panel, units=panel.units[idx : idx + 1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--merchant", default="oj")
    parser.add_argument("--store", default="12")
    parser.add_argument("--product", default="Tropicana 64 oz")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--save", action="store_true", help="train into $SALESCAST_HOME itself (replaces its model)")
    args = parser.parse_args()
    if not known_merchants():
        build_warehouse()
    with tempfile.TemporaryDirectory() as tmp:
        if not args.save:
            shutil.copytree(paths.home(), tmp, dirs_exist_ok=True, ignore=shutil.ignore_patterns("models", "reports"))
            os.environ["SALESCAST_HOME"] = tmp
        meta = train_merchant(args.merchant)
        eng = Engine(args.merchant)
        store = args.store if len(eng.panel.stores) > 1 else None
        forecast_ms = _median_ms(lambda: eng.forecast(store, args.product, 8), args.runs)
        panel = load_panel(args.merchant)
        steps = list(range(1, 9))
        start = time.perf_counter()
        _auto_ets(panel, steps)
        ets_fit_s = time.perf_counter() - start
        one = subset_series(panel, eng.series(store, args.product)[0])
        ets_ms = _median_ms(lambda: _auto_ets(one, steps), max(args.runs // 10, 3))
    result = {
        "merchant": args.merchant,
        "series": panel.n_series,
        "train_seconds": meta.train_seconds,
        "train_epochs": meta.epochs,
        "train_rows": meta.train_rows,
        "device": meta.device,
        "forecast_warm_ms": forecast_ms,
        "peer_auto_ets_all_series_seconds": round(ets_fit_s, 2),
        "peer_auto_ets_one_series_ms": ets_ms,
        "train_vs_auto_ets": round(meta.train_seconds / ets_fit_s, 2),
        "forecast_vs_auto_ets": round(forecast_ms / ets_ms, 3),
        "torch_threads": torch.get_num_threads(),
        "cpus": os.cpu_count(),
        "machine": f"{platform.machine()} {platform.processor()}".strip(),
        "torch": torch.__version__,
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
