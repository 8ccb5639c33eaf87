"""Run one checked query in a child process whose memory and time are walled by the operating system.

DuckDB's ``memory_limit`` covers only its buffer manager: a string function (``repeat('x', 3e9)``) allocates outside
it, and ``interrupt()`` is only noticed between vectors, so a single call can eat gigabytes for tens of seconds
inside the web server. Here each query runs in its own ``python -m tools.sql_worker`` process, with ``RLIMIT_AS``
set to its own size plus the query budget and a deadline after which the parent kills it. Whatever the query does,
the server process never grows, and a query never outlives its deadline by more than ``KILL_GRACE_S``.

Workers are started ahead of need (``WARM_WORKERS`` wait, DuckDB already imported), so a query pays for a pipe
write, not a Python start. Plain subprocesses rather than ``multiprocessing``: its children import the parent's
``__main__`` first, which for the ``salescast`` command is the whole command line, torch included (seconds).
Each worker answers one query and exits, so nothing one query opened or cached survives into the next.
"""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
import threading
from pathlib import Path

from tools.sql_worker import MEMORY_BUDGET_BYTES, Limits, QueryAnswer, QueryRequest, status_bytes

KILL_GRACE_S = 1.0  # the child stops itself at the deadline; the parent kills it this much later
WARM_WORKERS = 2
_ROOT = Path(__file__).resolve().parents[1]


class SandboxFailure(RuntimeError):
    """The child could not answer: killed at the deadline (``timed_out``), or it died (out of memory, crash)."""

    def __init__(self, message: str, *, timed_out: bool, peak_rss_bytes: int = 0) -> None:
        super().__init__(message)
        self.timed_out = timed_out
        self.peak_rss_bytes = peak_rss_bytes


class _Pool:
    """Idle workers, each waiting on its stdin for the one request it will run."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: list[subprocess.Popen[bytes]] = []
        atexit.register(self.close)

    def take(self) -> subprocess.Popen[bytes]:
        with self._lock:
            live = [w for w in self._idle if w.poll() is None]
            worker = live.pop(0) if live else _start_worker()
            self._idle = live + [_start_worker() for _ in range(WARM_WORKERS - len(live))]
        return worker

    def close(self) -> None:
        with self._lock:
            for worker in self._idle:
                worker.kill()
                worker.wait()
            self._idle = []


def _start_worker() -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(_ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.Popen(
        [sys.executable, "-m", "tools.sql_worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=_ROOT,
        start_new_session=True,  # a Ctrl-C meant for the server does not kill a worker mid-answer
    )


_POOL = _Pool()


def run_walled(database: Path, sql: str, limits: Limits) -> QueryAnswer:
    """Run ``sql`` (already checked) against ``database`` read-only in a walled child; return its answer."""
    worker = _POOL.take()
    request = QueryRequest(database=str(database), sql=sql, limits=limits).to_json().encode()
    try:
        out, _ = worker.communicate(request, timeout=limits.timeout_s + KILL_GRACE_S)
    except subprocess.TimeoutExpired:
        peak = status_bytes("VmHWM:", worker.pid)  # read before the kill: the child's high-water mark
        worker.kill()
        worker.communicate()
        raise SandboxFailure(
            f"the query ran past {limits.timeout_s + KILL_GRACE_S:g} s and was stopped",
            timed_out=True,
            peak_rss_bytes=peak,
        ) from None
    try:
        return QueryAnswer.from_json(out.decode())
    except ValueError:  # nothing, or half an answer: the worker died
        raise SandboxFailure(_death(worker.returncode), timed_out=False) from None


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        return f"the query process was stopped by signal {-exitcode} (most often: it needed too much memory)"
    return f"the query process ended without an answer (exit code {exitcode})"


__all__ = ["KILL_GRACE_S", "MEMORY_BUDGET_BYTES", "Limits", "SandboxFailure", "run_walled"]
