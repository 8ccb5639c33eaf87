"""Speed of explanations, what-if answers and reports for one series, warm, on this machine.

Run from the repository root: ``.venv/bin/python benchmarks/bench_explain.py [--merchant oj] [--json FILE]``.
Needs the merchant's trained model under ``$SALESCAST_HOME`` (``salescast train --merchant oj``). Every case is
timed after one warm-up and reported as a median, next to the plain forecast for the same series measured in the
same run (the ratio says what an answer's "why" costs over its "what"). Goals (issue 4): one explanation under
0.5 s, one report under 5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch

from forecasting.explain import explain
from forecasting.predict import engine
from forecasting.whatif import Change, what_if
from tools.report_builder import make_report


def _median_s(fn: Callable[[], object], runs: int) -> float:
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times), 4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--merchant", default="oj")
    parser.add_argument("--store", default="12")
    parser.add_argument("--product", default="Tropicana 64 oz")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    eng = engine(args.merchant)
    store = args.store if len(eng.panel.stores) > 1 else None
    change = Change(price="-10%", deal=True, weeks="1-2")
    with tempfile.TemporaryDirectory() as tmp:
        html, pdf = Path(tmp) / "r.html", Path(tmp) / "r.pdf"
        result = {
            "forecast_s": _median_s(lambda: eng.forecast(store, args.product, 8), args.runs * 4),
            "explain_s": _median_s(lambda: explain(eng, store, args.product, week=1), args.runs),
            "whatif_s": _median_s(lambda: what_if(eng, store, args.product, change), args.runs),
            "report_html_s": _median_s(lambda: make_report(args.merchant, store, args.product, out=html), args.runs),
            "report_pdf_s": _median_s(lambda: make_report(args.merchant, store, args.product, out=pdf), 2),
        }
    result["explain_vs_forecast"] = round(result["explain_s"] / result["forecast_s"], 1)
    result["report_pdf_vs_forecast"] = round(result["report_pdf_s"] / result["forecast_s"], 1)
    result.update(
        merchant=args.merchant,
        model_version=eng.meta.version,
        torch_threads=torch.get_num_threads(),
        cpus=os.cpu_count(),
        machine=f"{platform.machine()} {platform.processor()}".strip(),
    )
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
