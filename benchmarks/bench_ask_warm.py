"""Two ``salescast ask`` runs in a row: the first loads the embedded model, the second finds it warm.

Each ask is a fresh process, as a person runs it from a shell, on the same home with the default model (or
``--model``), so the numbers are the wall time someone waits. Also timed: ``salescast llm status``, which imports
the command line and stops there, so what a warm ask costs beyond start-up is visible. Before the first ask the
home's warm server is stopped and the weights are assembled (untimed), so "cold" is the model load, not the
one-off assembly; the server is stopped at the end. The load average is recorded before and after: on a shared
2-core machine a busy neighbour slows both asks.

Run from the repository root: ``.venv/bin/python benchmarks/bench_ask_warm.py [--home DIR] [--model qwen-0.5b]
[--question TEXT] [--json FILE]``. Without ``--home`` a temporary home is built (untimed) and the weights cache of
``$SALESCAST_LLM_CACHE`` or ``./var/llm`` is used, so the model is assembled once across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMAND = [sys.executable, "-m", "ui.cli"]


def run(env: dict[str, str], *args: str) -> tuple[float, str]:
    """Run ``salescast ARGS`` in a fresh process; ``(wall seconds, stdout)``, raising with its stderr on failure."""
    started = time.perf_counter()
    done = subprocess.run([*COMMAND, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"salescast {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return seconds, done.stdout


def prepare(env: dict[str, str]) -> None:
    """The warehouse and the assembled weights, so neither is timed; no warm server left from before."""
    if not (Path(env["SALESCAST_HOME"]) / "warehouse.duckdb").is_file():
        run(env, "data", "build")
    code = "from agent.local_llm import model_file; model_file()"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)
    run(env, "llm", "stop")


def measure(env: dict[str, str], merchant: str, question: str) -> dict:
    ask = ("ask", "--merchant", merchant, "--llm", "embedded", "--json", question)
    load_before = os.getloadavg()[0]
    cold, first = run(env, *ask)
    warm, second = run(env, *ask)
    _, status = run(env, "llm", "status", "--json")
    floor, _ = run(env, "llm", "status")
    server = json.loads(status)
    return {
        "model": server.get("model_name"),
        "server_threads": server.get("threads"),
        "cores": len(os.sched_getaffinity(0)),
        "cold_s": round(cold, 2),
        "warm_s": round(warm, 2),
        "ratio": round(cold / warm, 2),
        "cli_floor_s": round(floor, 2),
        "cold_turn_s": json.loads(first)["seconds"],
        "warm_turn_s": json.loads(second)["seconds"],
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="SALESCAST_HOME to use (default: a temporary one, built)")
    parser.add_argument("--model", help="SALESCAST_LOCAL_MODEL (default: the app's default model)")
    parser.add_argument("--merchant", default="oj")
    parser.add_argument("--question", default="What sold best last month?")
    parser.add_argument("--json", type=Path, help="also write the result here")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "SALESCAST_LLM")}
    env.setdefault("SALESCAST_LLM_CACHE", str(ROOT / "var" / "llm"))
    if args.model:
        env["SALESCAST_LOCAL_MODEL"] = args.model
    else:
        env.pop("SALESCAST_LOCAL_MODEL", None)
    home = args.home or Path(tempfile.mkdtemp(prefix="bench-ask-warm-"))
    env["SALESCAST_HOME"] = str(home.resolve())
    try:
        prepare(env)
        result = measure(env, args.merchant, args.question)
    finally:
        run(env, "llm", "stop")
        if args.home is None:
            shutil.rmtree(home, ignore_errors=True)
    threads, load = result["server_threads"], f"{result['load_before']} -> {result['load_after']}"
    print(f"model {result['model']} ({threads} threads, {result['cores']} cores), load average {load}")
    print(f"cold ask   {result['cold_s']:6.2f} s wall (turn {result['cold_turn_s']:.1f} s): starts the server")
    print(f"warm ask   {result['warm_s']:6.2f} s wall (turn {result['warm_turn_s']:.1f} s): adopts it")
    print(f"ratio      {result['ratio']:6.2f}x")
    print(f"cli floor  {result['cli_floor_s']:6.2f} s wall: `salescast llm status`, start-up and imports only")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
