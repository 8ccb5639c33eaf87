"""The one path by which merchant-written (or LLM-written) SQL reaches data: checked, sandboxed, capped, timed.

Every caller — the CLI today, the agent's tools later — goes through ``run_sql``; there is no other way to run
free SQL against a merchant's data.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from decimal import Decimal
from typing import Any

import duckdb
from pydantic import BaseModel, Field

from forecasting.warehouse.connect import open_tenant
from forecasting.warehouse.schema import VIEW_ORDER, ViewDoc, view_doc
from tools.sql_guard import SqlRefused, check_select

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


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    return value


def run_sql(
    merchant: str,
    sql: str,
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> SqlResult:
    """Run one read-only SELECT over ``merchant``'s tables; refuse anything else with a fixable message.

    Raises ``SqlRefused`` (checked and refused before running), ``SqlTimeout`` or ``SqlError``.
    """
    started = time.perf_counter()
    with open_tenant(merchant) as con:
        views = merchant_views(con)
        allowed = {v.name: [c.name for c in v.columns] for v in views}
        checked = check_select(sql, allowed)
        rows, columns, truncated = _execute(con, checked, max_rows, timeout_s, allowed)
    return SqlResult(
        columns=columns,
        rows=[[_jsonable(v) for v in row] for row in rows],
        truncated=truncated,
        sql=checked,
        seconds=round(time.perf_counter() - started, 4),
    )


def _execute(
    con: duckdb.DuckDBPyConnection, sql: str, max_rows: int, timeout_s: float, allowed: dict[str, list[str]]
) -> tuple[list[tuple], list[str], bool]:
    timer = threading.Timer(timeout_s, con.interrupt)
    timer.start()
    try:
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchmany(max_rows + 1)
    except duckdb.InterruptException as err:
        raise SqlTimeout(
            f"Query stopped after {timeout_s:g} s. Aggregate more (GROUP BY), filter by week_start, or avoid "
            "joins without a join condition."
        ) from err
    except duckdb.OutOfMemoryException as err:
        raise SqlError("Query needs too much memory: aggregate or filter it, and join on keys.") from err
    except duckdb.Error as err:
        tables = "; ".join(f"{t}({', '.join(c)})" for t, c in allowed.items())
        raise SqlError(f"{_first_line(err)} Available tables: {tables}.") from err
    finally:
        timer.cancel()
    return rows[:max_rows], columns, len(rows) > max_rows


def _first_line(err: Exception) -> str:
    text = str(err).strip()
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("LINE ")]
    head = " ".join(lines[:2]) if lines else type(err).__name__
    return head if head.endswith(".") else head + "."


__all__ = ["SqlError", "SqlRefused", "SqlResult", "SqlTimeout", "describe_merchant", "run_sql"]
