"""Does a flood of wrong sign-ins slow everyone else down? Latency of an unrelated request, quiet and during a flood.

Run from the repository root: ``.venv/bin/python benchmarks/bench_login.py [--workers 40] [--seconds 5] [--json F]``.
It starts a real ``salescast serve --llm scripted`` in a child process (``$SALESCAST_HOME`` needs the warehouse:
``salescast data build``) with a private users file, signs in once, and times ``GET /config`` (a Gradio route that
needs the session) back to back: first on a quiet server, then while ``--workers`` clients post wrong passwords as
fast as they can. Each flooding client binds its own loopback address (127.0.0.2, 127.0.0.3, ...) and tries new
usernames, so the per-address and per-account throttles let it hash for as long as possible; the counts say how
many attempts were hashed (400) and how many were refused by the throttle (429).

Before the fix the scrypt check ran on Gradio's event loop: the attack run saw this latency go from 1.7 ms to 206 ms
median (1.2 s max) during 40 concurrent wrong sign-ins.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from forecasting import paths
from ui.web.child import AppProcess


def sample(client: httpx.Client, seconds: float) -> list[float]:
    """Back-to-back ``GET /config`` for ``seconds``; returns each latency in ms."""
    times, end = [], time.monotonic() + seconds
    while time.monotonic() < end:
        began = time.perf_counter()
        client.get("/config").raise_for_status()
        times.append((time.perf_counter() - began) * 1000)
    return times


def flood(url: str, worker: int, stop: threading.Event, counts: Counter) -> None:
    transport = httpx.HTTPTransport(local_address=f"127.0.0.{worker + 2}")
    with httpx.Client(base_url=url, transport=transport, timeout=60) as client:
        attempt = 0
        while not stop.is_set():
            reply = client.post("/login", data={"username": f"guess-{worker}-{attempt}", "password": "wrong"})
            counts[reply.status_code] += 1
            attempt += 1


def stats(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "requests": len(ordered),
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
        "max_ms": round(ordered[-1], 2),
    }


def run(url: str, workers: int, seconds: float) -> dict:
    with httpx.Client(base_url=url, timeout=60) as client:
        client.post("/login", data={"username": "oj", "password": "oj-demo"}).raise_for_status()
        sample(client, 1.0)  # warm up
        quiet = sample(client, seconds)
        counts: Counter = Counter()
        stop = threading.Event()
        threads = [threading.Thread(target=flood, args=(url, w, stop, counts)) for w in range(workers)]
        for t in threads:
            t.start()
        time.sleep(0.5)  # let the flood build up
        loaded = sample(client, seconds)
        stop.set()
        for t in threads:
            t.join()
    return {
        "quiet": stats(quiet),
        "during_flood": stats(loaded),
        "flood": {"workers": workers, "hashed_400": counts[400], "throttled_429": counts[429]},
        "gradio": version("gradio"),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=40, help="concurrent clients posting wrong passwords")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each sampling phase")
    parser.add_argument("--json", type=Path, help="also write the summary here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, AppProcess(paths.home(), users=Path(tmp) / "users.json") as app:
        summary = run(app.url, args.workers, args.seconds)
    text = json.dumps(summary, indent=1)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")


if __name__ == "__main__":
    main()
