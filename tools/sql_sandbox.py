"""Run one checked query in a child process whose memory and time are walled by the operating system.

DuckDB's ``memory_limit`` covers only its buffer manager: a string function (``repeat('x', 3e9)``) allocates outside
it, and ``interrupt()`` is only noticed between vectors, so a single call can eat gigabytes for tens of seconds
inside the web server. Here each query runs in a fresh process forked from a small server that has already imported
DuckDB (``forkserver``: no threads are inherited, start-up costs milliseconds), with ``RLIMIT_AS`` set to its own
size plus the query budget and a deadline after which the parent kills it. Whatever the query does, the server
process never grows, and a query never outlives its deadline by more than ``KILL_GRACE_S``.

The child also keeps one query from leaking into the next: nothing it opened or cached survives it.
"""

from __future__ import annotations

import multiprocessing as mp
import threading
from multiprocessing.connection import Connection
from pathlib import Path

from tools.sql_worker import MEMORY_BUDGET_BYTES, Limits, QueryAnswer, QueryRequest, run_request, status_bytes

KILL_GRACE_S = 1.0  # the child stops itself at the deadline; the parent kills it this much later

_CONTEXT_LOCK = threading.Lock()
_CONTEXT: list[mp.context.BaseContext] = []


class SandboxFailure(RuntimeError):
    """The child could not answer: killed at the deadline (``timed_out``), or it died (out of memory, crash)."""

    def __init__(self, message: str, *, timed_out: bool, peak_rss_bytes: int = 0) -> None:
        super().__init__(message)
        self.timed_out = timed_out
        self.peak_rss_bytes = peak_rss_bytes


def _context() -> mp.context.BaseContext:
    """The forkserver context, started once per process with DuckDB preloaded (so each fork is cheap)."""
    with _CONTEXT_LOCK:
        if not _CONTEXT:
            ctx = mp.get_context("forkserver")
            ctx.set_forkserver_preload(["duckdb", "tools.sql_worker"])
            _CONTEXT.append(ctx)
        return _CONTEXT[0]


def run_walled(database: Path, sql: str, limits: Limits) -> QueryAnswer:
    """Run ``sql`` (already checked) against ``database`` read-only in a walled child; return its answer."""
    ctx = _context()
    reader, writer = ctx.Pipe(duplex=False)
    request = QueryRequest(database=str(database), sql=sql, limits=limits)
    child = ctx.Process(target=run_request, args=(writer, request), daemon=True, name="salescast-sql")
    child.start()
    writer.close()
    try:
        return _await(reader, child, limits.timeout_s + KILL_GRACE_S)
    finally:
        reader.close()
        _reap(child)


def _await(reader: Connection, child: mp.process.BaseProcess, deadline_s: float) -> QueryAnswer:
    if not reader.poll(deadline_s):
        peak = status_bytes("VmHWM:", child.pid or 0)  # read before the kill: the child's high-water mark
        child.kill()
        raise SandboxFailure(
            f"the query ran past {deadline_s:g} s and was stopped", timed_out=True, peak_rss_bytes=peak
        )
    try:
        return reader.recv()
    except (EOFError, OSError):
        child.join(timeout=2)
        raise SandboxFailure(_death(child.exitcode), timed_out=False) from None


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        return f"the query process was stopped by signal {-exitcode} (most often: it needed too much memory)"
    return f"the query process ended without an answer (exit code {exitcode})"


def _reap(child: mp.process.BaseProcess) -> None:
    if child.is_alive():
        child.kill()
    child.join(timeout=5)
    if not child.is_alive():
        child.close()


__all__ = ["KILL_GRACE_S", "MEMORY_BUDGET_BYTES", "Limits", "SandboxFailure", "run_walled"]
