"""What runs inside the walled child process of ``tools.sql_sandbox``: limits first, then one query, then exit.

Run as ``python -m tools.sql_worker``. Kept free of pandas, torch and the agent so the worker starts in a fraction of
a second and stays small: its size is the baseline the memory wall is measured from.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import json
import math
import os
import resource
import sys
import threading
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

import duckdb

from forecasting.warehouse.connect import SANDBOX_CONFIG

_M_ARENA_MAX = -8  # glibc mallopt: every extra malloc arena reserves 64 MB of address space the wall would count


MEMORY_BUDGET_BYTES = 1 << 30  # the promise: 1 GB per query, whatever it runs


@dataclass(frozen=True)
class Limits:
    """What one query may use. ``max_cell_chars`` keeps a single huge value from reaching a browser or an LLM."""

    timeout_s: float
    max_rows: int
    memory_bytes: int = MEMORY_BUDGET_BYTES
    max_cell_chars: int = 10_000


@dataclass(frozen=True)
class QueryRequest:
    """Crosses to the worker as JSON (no pickle either way: the worker runs untrusted SQL)."""

    database: str
    sql: str
    limits: Limits

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> QueryRequest:
        data = json.loads(text)
        return cls(database=data["database"], sql=data["sql"], limits=Limits(**data["limits"]))


@dataclass
class QueryAnswer:
    """Either rows (``error`` is None) or an error kind (``timeout``, ``memory``, ``sql``) with DuckDB's message."""

    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    truncated: bool = False
    cells_cut: int = 0
    error: str | None = None
    message: str = ""
    peak_rss_bytes: int = 0  # the child's high-water mark, for tests and benchmarks of the wall

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> QueryAnswer:
        return cls(**json.loads(text))


def main() -> None:
    """The worker process: started ahead of need, it waits for one pickled request on stdin, answers on stdout, exits.

    The answer goes out on a copy of stdout taken first; stdout itself then points at /dev/null, because DuckDB draws
    a progress bar there for slow queries (and it cannot be switched off once the configuration is locked).
    """
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    text = sys.stdin.read()
    if not text:  # the server went away before sending a query
        return
    answers.write(run_request(QueryRequest.from_json(text)).to_json())
    answers.close()


def run_request(request: QueryRequest) -> QueryAnswer:
    """Wall this process in, run the query, and say how much memory it took at the most."""
    try:
        _wall(request)
        answer = _execute(request)
    except MemoryError:
        answer = QueryAnswer(error="memory", message="out of memory")
    answer.peak_rss_bytes = status_bytes("VmHWM:")
    return answer


def status_bytes(key: str, pid: int | str = "self") -> int:
    """One size (``VmSize:``, ``VmHWM:``) from a process's ``/proc`` status (Linux), in bytes; 0 where there is none."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            return next((int(line.split()[1]) * 1024 for line in status if line.startswith(key)), 0)
    except OSError:
        return 0


def _wall(request: QueryRequest) -> None:
    """Address space: what this process has now plus the budget; CPU: the deadline's worth on every thread."""
    threads = int(SANDBOX_CONFIG["threads"])
    try:
        ctypes.CDLL("libc.so.6").mallopt(_M_ARENA_MAX, threads)
    except OSError:  # not glibc: the wall still holds, it just leaves less room to legitimate queries
        pass
    size_now = status_bytes("VmSize:")
    if size_now:  # Linux; elsewhere only DuckDB's own limit and the deadline hold
        limit = size_now + request.limits.memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    cpu = math.ceil(request.limits.timeout_s * threads) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # a read-only query writes no file, ever


def _config(memory_bytes: int) -> dict[str, object]:
    """The tenant sandbox, with DuckDB's own limit below the wall so ordinary big queries fail cleanly first."""
    return {**SANDBOX_CONFIG, "memory_limit": f"{(memory_bytes * 3 // 4) >> 20}MiB"}


def _execute(request: QueryRequest) -> QueryAnswer:
    try:
        con = duckdb.connect(request.database, read_only=True, config=_config(request.limits.memory_bytes))
    except duckdb.Error as err:
        return QueryAnswer(error="sql", message=str(err))
    timer = threading.Timer(request.limits.timeout_s, con.interrupt)
    timer.start()
    try:
        cursor = con.execute(request.sql)
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchmany(request.limits.max_rows + 1)
    except duckdb.InterruptException:
        return QueryAnswer(error="timeout", message="interrupted")
    except duckdb.OutOfMemoryException as err:
        return QueryAnswer(error="memory", message=str(err))
    except duckdb.Error as err:
        return QueryAnswer(error="sql", message=str(err))
    finally:
        timer.cancel()
        con.close()
    return _answer(columns, rows, request)


def _answer(columns: list[str], rows: list[tuple], request: QueryRequest) -> QueryAnswer:
    answer = QueryAnswer(columns=columns, truncated=len(rows) > request.limits.max_rows)
    for row in rows[: request.limits.max_rows]:
        cells = [_capped(jsonable(v), request.limits.max_cell_chars) for v in row]
        answer.cells_cut += sum(cut for _, cut in cells)
        answer.rows.append([value for value, _ in cells])
    return answer


def _capped(value: Any, max_chars: int) -> tuple[Any, bool]:
    """``(value, False)``, or a value too long to pass on as its start with a note of its full length, and True."""
    if isinstance(value, (int, float, bool)) or value is None:
        return value, False
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    if len(text) <= max_chars:
        return value, False
    return f"{text[:max_chars]}… (cut: {len(text):,} characters in all)", True


def jsonable(value: Any) -> Any:
    """DuckDB's Python values as JSON-ready ones (dates as ISO text, decimals as floats, NaN/inf as None)."""
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    return value


if __name__ == "__main__":
    main()
