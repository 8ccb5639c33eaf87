"""Small DuckDB helpers."""

from __future__ import annotations

from typing import Any

import duckdb


def one(con: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> tuple | None:
    """The first row of a query, with the result fully consumed.

    DuckDB 2 refuses further work on a connection while a result is only partly fetched, so never leave one open.
    """
    rows = con.execute(sql, params).fetchall()
    return rows[0] if rows else None
