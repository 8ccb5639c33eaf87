"""How many CPU threads a job may use: the cores this process may run on, less the ones already busy.

torch, OpenMP and llama.cpp each start one thread per core by default. Two such jobs on two cores put four busy
threads on two cores, and OpenMP's spinning workers then wait on each other: training took 55 s on a quiet machine
and 1,175 s beside one other torch process (issue 17). So training, forecasting and the embedded LLM server all ask
``pick()`` here, which counts the cores this process may use (``os.sched_getaffinity``: a container's or a
``taskset``'s limit), takes away the cores that other work keeps busy and the ones this process reserved for its
own LLM server, and never returns less than one. Busy is the cores busy right now, sampled from ``/proc/stat`` over
0.2 s; the 1-minute load average (``os.getloadavg``) only where that cannot be read: it lags a job that just
started by a minute, and on a shared machine it counted 2.9 busy cores while 0.0-1.3 were, which halved training
for nothing (benchmarks/bench_threads.py).

Environment: ``SALESCAST_THREADS`` fixes the count for training and forecasting, ``SALESCAST_LLM_THREADS`` for the
LLM server (each wins over the policy).
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from forecasting.settings import settings, variable

TORCH_ENV = variable("threads")
SAMPLE_S = 0.2
REUSE_S = 5.0
_measured: tuple[float, float] | None = None  # (when, busy cores)
_reserved: dict[str, int] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Cores:
    """What the policy decides from: cores this process may use, how many are busy, how many it reserved."""

    allowed: int
    busy: float
    reserved: int = 0


def pick(cores: Cores) -> int:
    """Threads for one new job: the free cores (rounded to the nearest whole core), at least 1, at most allowed."""
    free = cores.allowed - cores.busy - cores.reserved
    return max(1, min(cores.allowed, int(free + 0.5)))


def allowed_cores() -> int:
    """The cores this process may run on (affinity, so a container or ``taskset`` limit counts)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


def busy_cores(sample_s: float = SAMPLE_S) -> float:
    """Cores other work keeps busy now: a short ``/proc/stat`` sample, or the 1-minute load average where there is
    none; measured at most once every ``REUSE_S`` seconds (a forecast asks on every call)."""
    global _measured
    with _lock:
        if _measured is not None and time.monotonic() - _measured[0] < REUSE_S:
            return _measured[1]
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = 0.0
    sampled = _sampled_busy(sample_s)
    busy = load if sampled is None else sampled
    with _lock:
        _measured = (time.monotonic(), busy)
    return busy


def _sampled_busy(seconds: float) -> float | None:
    """Busy cores among the allowed ones over ``seconds`` (None where ``/proc/stat`` cannot be read)."""
    before = _cpu_times()
    if not before:
        return None
    time.sleep(seconds)
    after = _cpu_times()
    busy = 0.0
    for cpu, (idle0, total0) in before.items():
        idle1, total1 = after.get(cpu, (idle0, total0))
        if total1 > total0:
            busy += 1 - (idle1 - idle0) / (total1 - total0)
    return busy


def _cpu_times() -> dict[int, tuple[int, int]]:
    """``{cpu: (idle + iowait ticks, all ticks)}`` for the cores this process may use."""
    try:
        lines = Path("/proc/stat").read_text().splitlines()
        allowed = os.sched_getaffinity(0)
    except (OSError, AttributeError):
        return {}
    times = {}
    for line in lines:
        name, *fields = line.split()
        if name.startswith("cpu") and name[3:].isdigit() and int(name[3:]) in allowed:
            ticks = [int(f) for f in fields[:8]]
            times[int(name[3:])] = (ticks[3] + ticks[4], sum(ticks))
    return times


def current() -> Cores:
    """The cores as they are now, with this process's reservations."""
    with _lock:
        reserved = sum(_reserved.values())
    return Cores(allowed_cores(), busy_cores(), reserved)


def threads_for(kind: Literal["threads", "llm_threads"] = "threads") -> int:
    """The thread count for a new job: the setting ``kind`` when set, else ``pick`` over the cores now."""
    return getattr(settings(), kind) or pick(current())


def reserve(name: str, count: int) -> None:
    """Count ``count`` cores as taken by ``name`` in this process until ``release(name)``: an idle LLM server
    uses no CPU, but the chat it answers needs its threads the moment a question comes."""
    with _lock:
        _reserved[name] = count


def release(name: str) -> None:
    with _lock:
        _reserved.pop(name, None)


def use_torch_threads(count: int | None = None) -> int:
    """Set torch's intra-op threads to ``count`` (or ``threads_for()``) and return the number set."""
    import torch

    threads = count or threads_for()
    torch.set_num_threads(threads)
    return threads
