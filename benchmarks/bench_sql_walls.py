"""What the walled SQL path costs and what it stops: typical queries walled vs in-process, and the attack queries.

Run from the repository root: ``.venv/bin/python benchmarks/bench_sql_walls.py [--runs 20] [--json FILE]``.
Uses ``$SALESCAST_HOME`` (default ``./var``; the warehouse is built if missing). The peer, measured in the same run:
the same checked query executed in this process on a sandboxed tenant connection (the path before issue 17), so the
ratio is the price of the child process. For each attack query: seconds until it was stopped, the child's peak
memory, and this process's growth (should be ~0).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from forecasting import paths
from forecasting.warehouse.build import build_warehouse
from forecasting.warehouse.connect import open_tenant, tenant_file
from tools.guarded_sql import SqlError, merchant_views, run_sql
from tools.sql_guard import check_select
from tools.sql_sandbox import SandboxFailure, run_walled
from tools.sql_worker import Limits

TYPICAL = {
    "top_products_last_4_weeks": "SELECT product, sum(units) AS u FROM sales WHERE week_start > "
    "(SELECT max(week_start) FROM sales) - INTERVAL 28 DAY GROUP BY 1 ORDER BY 2 DESC LIMIT 10",
    "weekly_trend_one_store": "SELECT week_start, sum(units) FROM sales WHERE store = '12' GROUP BY 1 ORDER BY 1",
    "store_attributes": "SELECT store, city, price_tier FROM stores ORDER BY store",
}
ATTACKS = {
    "repeat_3e9": "SELECT length(repeat('x', 3000000000))",
    "repeat_concat_6e9": "SELECT length(repeat('x', 3000000000) || repeat('y', 3000000000))",
    "string_agg_of_repeats": "SELECT length(string_agg(repeat('ab', 1000), ',')) FROM range(10000000) t(x)",
    "uninterruptible_md5s": "SELECT " + ", ".join(f"md5(repeat('{c}', 300000000))" for c in "abcdefghijkl"),
    "cartesian": "SELECT count(*) FROM sales a, sales b, sales c",
}


def _median_ms(fn, runs: int) -> float:
    fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 2)


def _in_process(merchant: str, sql: str) -> None:
    with open_tenant(merchant) as con:
        allowed = {v.name: [c.name for c in v.columns] for v in merchant_views(con)}
        con.execute(check_select(sql, allowed)).fetchmany(201)


def typical(merchant: str, runs: int) -> list[dict]:
    rows = []
    for name, sql in TYPICAL.items():
        walled = _median_ms(lambda q=sql: run_sql(merchant, q), runs)
        inproc = _median_ms(lambda q=sql: _in_process(merchant, q), runs)
        rows.append({"query": name, "walled_ms": walled, "in_process_ms": inproc, "ratio": round(walled / inproc, 1)})
    return rows


def attack(merchant: str, name: str, sql: str, timeout_s: float) -> dict:
    own_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    try:
        answer = run_walled(tenant_file(merchant), sql, Limits(timeout_s=timeout_s, max_rows=10))
        outcome, peak = answer.error or "ran", answer.peak_rss_bytes
    except SandboxFailure as stopped:
        outcome, peak = "killed at deadline" if stopped.timed_out else "died", stopped.peak_rss_bytes
    seconds = time.perf_counter() - started
    growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - own_before
    return {
        "query": name,
        "outcome": outcome,
        "seconds": round(seconds, 2),
        "child_peak_mb": round(peak / 2**20),
        "server_growth_mb": round(growth / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--merchant", default="oj")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not paths.warehouse_path().is_file():
        build_warehouse()
    run_sql(args.merchant, "SELECT 1")  # start the fork server outside the timings
    result = {
        "typical": typical(args.merchant, args.runs),
        "attacks": [attack(args.merchant, n, q, args.timeout) for n, q in ATTACKS.items()],
    }
    try:
        run_sql(args.merchant, ATTACKS["repeat_3e9"])
    except SqlError as err:
        result["message"] = str(err)
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
