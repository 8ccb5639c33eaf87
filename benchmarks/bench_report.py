"""Time report rendering for one realistic report: interactive HTML, and PDF (static chart export + layout).

Run from the repository root: ``.venv/bin/python benchmarks/bench_report.py [--runs N]``. Prints one JSON object with
the median and every run in seconds, so a change in rendering cost shows up as a number rather than an impression.
The PDF time includes starting headless Chromium once for the report's charts, which dominates it.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.test_report import make_report  # the tests' hand-built Tropicana 64 oz, store 12 report
from tools.chart_export import figures_to_png
from tools.report import build_figures, render_html, render_pdf


def _time(fn: Callable[[], object], runs: int) -> dict[str, object]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(round(time.perf_counter() - start, 4))
    return {"median_s": statistics.median(times), "runs_s": times}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per case (after one warm-up)")
    args = parser.parse_args()
    data = make_report()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.pdf"
        render_html(data)  # warm-up: plotly.js read and template compiled once per process
        render_pdf(data, out)
        result = {
            "render_html": _time(lambda: render_html(data), args.runs),
            "render_pdf": _time(lambda: render_pdf(data, out), args.runs),
            "static_chart_export": _time(lambda: figures_to_png(list(build_figures(data).values())), args.runs),
            "html_bytes": len(render_html(data).encode("utf-8")),
            "pdf_bytes": out.stat().st_size,
        }
    result["env"] = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        **{pkg: version(pkg) for pkg in ("plotly", "kaleido", "weasyprint", "jinja2")},
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
