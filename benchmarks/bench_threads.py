"""Training beside another torch job: one thread per core each (the old policy) vs threads from the free cores.

Issue 17 (finding 12): training took 55 s on a quiet machine and 1,175 s beside one other torch process, because
both started one thread per core. This runs a fixed torch training workload (the forecaster's MLP shape, random
data) in a child process, alone and beside a second, concurrent torch workload, under each policy:

- old: ``torch.set_num_threads(<all allowed cores>)`` in both workloads (torch's own default);
- new: each workload calls ``forecasting.threads.use_torch_threads()`` when it starts (the second one starts after
  the first is running, as when a merchant trains while another job runs).

It reports training steps per second of the measured workload, of the other one over the same window, and of both
together, and the slowdown beside the other job (alone / beside) for each policy, all in the same run, so other
load on the machine weighs on both alike. About 70 s in all.

Run from the repository root: ``.venv/bin/python benchmarks/bench_threads.py [--seconds 8] [--json FILE]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

READY = "READY"


def worker(policy: str, seconds: float) -> None:
    """Train the fixed workload for ``seconds`` after a warm-up; print the threads used and steps per second."""
    import torch
    from torch import nn

    from forecasting import threads

    count = threads.use_torch_threads() if policy == "new" else threads.allowed_cores()
    torch.set_num_threads(count)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(60, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 128),
                          nn.ReLU(), nn.Linear(128, 4))  # fmt: skip
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3)
    x, y = torch.randn(512, 60), torch.randn(512, 4)

    def step() -> None:
        opt.zero_grad()
        nn.functional.mse_loss(model(x), y).backward()
        opt.step()

    for _ in range(20):
        step()
    print(READY, flush=True)
    steps, started, log = 0, time.time(), []
    while time.time() - started < seconds:
        step()
        steps += 1
        if not log or time.time() - log[-1][0] > 0.1:
            log.append((time.time(), steps))
    end = time.time()
    log.append((end, steps))
    result = {"threads": count, "steps_per_s": steps / (end - started), "start": started, "end": end, "log": log}
    print(json.dumps(result), flush=True)


def _steps_at(log: list, when: float) -> float:
    """Steps a worker had done at ``when`` (its log is sampled every 0.1 s)."""
    done = [steps for t, steps in log if t <= when]
    return done[-1] if done else 0.0


def _spawn(policy: str, seconds: float) -> subprocess.Popen:
    cmd = [sys.executable, __file__, "--worker", policy, "--seconds", str(seconds)]
    env = {k: v for k, v in os.environ.items() if k not in ("SALESCAST_THREADS", "OMP_NUM_THREADS")}
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env)


def _wait_ready(proc: subprocess.Popen) -> None:
    for line in proc.stdout:
        if line.strip() == READY:
            return
    raise RuntimeError("a benchmark worker exited before it was ready")


def _result(proc: subprocess.Popen) -> dict:
    out, _ = proc.communicate(timeout=300)
    return json.loads(out.strip().splitlines()[-1])


def measure(policy: str, seconds: float, beside: bool) -> dict:
    """The measured workload's result, alone or after a second workload started and got going."""
    other = None
    if beside:
        other = _spawn(policy, seconds + 6)  # runs past the whole measured window
        _wait_ready(other)
        time.sleep(1.0)  # busy on the cores now, as the other torch process in the issue
    proc = _spawn(policy, seconds)
    result = _result(proc)
    out = {"threads": result["threads"], "steps_per_s": round(result["steps_per_s"], 1)}
    if other is not None:
        theirs = _result(other)
        window = result["end"] - result["start"]
        rate = (_steps_at(theirs["log"], result["end"]) - _steps_at(theirs["log"], result["start"])) / window
        out |= {"other_threads": theirs["threads"], "other_steps_per_s": round(rate, 1),
                "both_steps_per_s": round(result["steps_per_s"] + rate, 1)}  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="measured window of each workload")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--worker", choices=["old", "new"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.seconds)
        return
    from forecasting import threads

    report: dict = {"allowed_cores": threads.allowed_cores(), "load_before": os.getloadavg()[0]}
    for policy in ("old", "new"):
        alone = measure(policy, args.seconds, beside=False)
        beside = measure(policy, args.seconds, beside=True)
        report[policy] = {"alone": alone, "beside": beside,
                          "slowdown": round(alone["steps_per_s"] / beside["steps_per_s"], 2)}  # fmt: skip
    report["load_after"] = os.getloadavg()[0]
    old, new = report["old"]["beside"], report["new"]["beside"]
    report["beside_new_vs_old"] = {"measured": round(new["steps_per_s"] / old["steps_per_s"], 2),
                                   "both": round(new["both_steps_per_s"] / old["both_steps_per_s"], 2)}  # fmt: skip
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
