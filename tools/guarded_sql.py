"""The one path by which merchant-written (or LLM-written) SQL reaches data: checked, sandboxed, capped, timed.

Every caller — the CLI today, the agent's tools later — goes through ``run_sql``; there is no other way to run
free SQL against a merchant's data.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import duckdb
from pydantic import BaseModel, Field

from forecasting.warehouse.connect import open_tenant, tenant_file
from forecasting.warehouse.schema import VIEW_ORDER, ViewDoc, view_doc
from tools.sql_guard import SqlRefused, check_select
from tools.sql_sandbox import MEMORY_BUDGET_BYTES, Limits, SandboxFailure, run_walled
from tools.sql_worker import QueryAnswer

DEFAULT_MAX_ROWS = 200
DEFAULT_TIMEOUT_S = 10.0


class SqlError(ValueError):
    """The query ran but failed, or was stopped; the message says why and what is available."""


class SqlTimeout(SqlError):
    pass


class SqlResult(BaseModel):
    columns: list[str]
    rows: list[list[Any]]
    truncated: bool
    cells_cut: int = Field(0, description="values too long to pass on, cut to their start with a note")
    sql: str = Field(description="the query as it ran, re-generated from the checked syntax tree")
    seconds: float

    def public(self) -> dict[str, Any]:
        """The documented JSON shape: exactly columns, rows and truncated."""
        return {"columns": self.columns, "rows": self.rows, "truncated": self.truncated}


def merchant_views(con: duckdb.DuckDBPyConnection) -> list[ViewDoc]:
    """The merchant's tables as they actually are in its tenant database, documented."""
    rows = con.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position"
    ).fetchall()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, dtype in rows:
        tables.setdefault(table, []).append((column, dtype))
    order = sorted(tables, key=lambda t: (VIEW_ORDER.index(t) if t in VIEW_ORDER else len(VIEW_ORDER), t))
    return [view_doc(t, tables[t]) for t in order]


def describe_merchant(merchant: str) -> list[ViewDoc]:
    with open_tenant(merchant) as con:
        return merchant_views(con)


def run_sql(
    merchant: str,
    sql: str,
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> SqlResult:
    """Run one read-only SELECT over ``merchant``'s tables; refuse anything else with a fixable message.

    The query is checked here, then runs in a walled child process (``tools.sql_sandbox``): at most
    ``MEMORY_BUDGET_BYTES`` and ``timeout_s`` whatever it calls. Raises ``SqlRefused`` (checked and refused before
    running), ``SqlTimeout`` or ``SqlError``.
    """
    started = time.perf_counter()
    with open_tenant(merchant) as con:
        views = merchant_views(con)
    allowed = {v.name: [c.name for c in v.columns] for v in views}
    checked = check_select(sql, allowed)
    answer = _run(tenant_file(merchant), checked, Limits(timeout_s=timeout_s, max_rows=max_rows))
    if answer.error:
        raise _error(answer, timeout_s, allowed)
    return SqlResult(
        columns=answer.columns,
        rows=answer.rows,
        truncated=answer.truncated,
        cells_cut=answer.cells_cut,
        sql=checked,
        seconds=round(time.perf_counter() - started, 4),
    )


def _run(database: Path, sql: str, limits: Limits) -> QueryAnswer:
    try:
        return run_walled(database, sql, limits)
    except SandboxFailure as failure:
        return QueryAnswer(error="timeout" if failure.timed_out else "memory", message=str(failure))


def _error(answer: QueryAnswer, timeout_s: float, allowed: dict[str, list[str]]) -> SqlError:
    if answer.error == "timeout":
        return SqlTimeout(
            f"Query stopped after {timeout_s:g} s. Aggregate more (GROUP BY), filter by week_start, or avoid "
            "joins without a join condition."
        )
    if answer.error == "memory":
        return SqlError(
            f"Query needs more than {MEMORY_BUDGET_BYTES >> 30} GB of memory and was stopped: aggregate or filter "
            "it, join on keys, and avoid building very long strings or lists."
        )
    tables = "; ".join(f"{t}({', '.join(c)})" for t, c in allowed.items())
    return SqlError(f"{_first_line(answer.message)} Available tables: {tables}.")


def _first_line(message: str) -> str:
    lines = [line for line in message.strip().splitlines() if line.strip() and not line.startswith("LINE ")]
    head = " ".join(lines[:2]) if lines else "The query failed"
    return head if head.endswith(".") else head + "."


__all__ = ["SqlError", "SqlRefused", "SqlResult", "SqlTimeout", "describe_merchant", "run_sql"]
