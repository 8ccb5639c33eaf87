"""Static checks on merchant SQL, before anything runs.

This is the first of two walls: the query must be one read-only SELECT over the merchant's own tables. The second
wall is the connection itself (``forecasting.warehouse.connect.open_tenant``), which cannot see other merchants,
files, URLs or extensions even if something slipped through here. The query that runs is the one re-generated from
the checked syntax tree, so the database never sees text the checker did not parse.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

logging.getLogger("sqlglot").setLevel(logging.ERROR)

MAX_SQL_CHARS = 20_000

# Table-valued functions a read-only analytic query may use in FROM: they only generate values.
ALLOWED_TABLE_FUNCTIONS = {"unnest", "range", "generate_series"}

# Scalar functions that reach outside the query: files, settings, environment, other SQL, the catalog.
_DENIED_FUNCTION = re.compile(
    r"^(read_\w*|\w*_scan|glob|getenv|query|query_table|sniff_csv|parquet_\w*|iceberg_\w*|delta_\w*|http\w*|"
    r"sqlite_\w*|postgres_\w*|mysql_\w*|duckdb_\w*|pragma_\w*|current_setting|which_secret|load_\w*|install_\w*|"
    r"json_execute_serialized_sql|json_serialize_sql|json_deserialize_sql|to_parquet|export_\w*|copy_\w*|"
    r"checkpoint|force_checkpoint|enable_\w*|disable_\w*|set_\w*|system|shell|sql_auto_complete|"
    r"repeat_row|write_\w*|from_\w*_auto|ducklake_\w*|md_\w*|embedding\w*)$",
    re.IGNORECASE,
)

_FORBIDDEN_NODES = tuple(
    getattr(exp, name)
    for name in (
        "Insert", "Update", "Delete", "Merge", "Create", "Drop", "Alter", "AlterColumn", "TruncateTable",
        "Command", "Pragma", "Set", "SetItem", "Attach", "Detach", "Copy", "Use", "Transaction", "Commit",
        "Rollback", "Describe", "Show", "Summarize", "Install", "LoadData", "Into", "Analyze", "Grant", "Export",
    )
    if hasattr(exp, name)
)  # fmt: skip


class SqlRefused(ValueError):
    """The query was refused before running; the message says why and what is allowed."""


def _allowed_text(allowed: Mapping[str, list[str]]) -> str:
    return "; ".join(f"{t}({', '.join(cols)})" for t, cols in allowed.items())


def _function_name(node: exp.Func) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.name)
    return node.sql_name()


def parse_single_select(sql: str) -> exp.Query:
    """Parse ``sql`` as exactly one SELECT (WITH, UNION etc. allowed) or refuse."""
    text = (sql or "").strip()
    if not text:
        raise SqlRefused("Empty query: write one SELECT statement.")
    if len(text) > MAX_SQL_CHARS:
        raise SqlRefused(f"Query too long ({len(text)} characters, at most {MAX_SQL_CHARS}).")
    try:
        statements = [s for s in sqlglot.parse(text, read="duckdb") if s is not None]
    except ParseError as err:
        raise SqlRefused(f"Could not parse the query as DuckDB SQL: {err.errors[0]['description']}.") from err
    if len(statements) != 1:
        raise SqlRefused(f"Exactly one statement is allowed, found {len(statements)}: drop the extra ';' parts.")
    statement = statements[0]
    if isinstance(statement, exp.Subquery):
        statement = statement.unnest()
    if not isinstance(statement, exp.Query):
        kind = statement.key.upper()
        raise SqlRefused(f"Only read-only SELECT queries are allowed (WITH is fine); this is a {kind} statement.")
    return statement


def check_select(sql: str, allowed: Mapping[str, list[str]]) -> str:
    """Return the query to run (re-generated from its syntax tree) or raise ``SqlRefused``.

    ``allowed`` maps each table the merchant may read to its columns (used in messages, so the caller can fix
    the query).
    """
    statement = parse_single_select(sql)
    ctes = {cte.alias_or_name.lower() for cte in statement.find_all(exp.CTE)}
    tables = {name.lower() for name in allowed}
    for node in statement.walk():
        if isinstance(node, _FORBIDDEN_NODES):
            raise SqlRefused(f"{node.key.upper()} is not allowed: only read-only SELECT queries run here.")
        if isinstance(node, exp.Table):
            _check_table(node, tables | ctes, allowed)
        elif isinstance(node, exp.Func) and _DENIED_FUNCTION.match(_function_name(node)):
            raise SqlRefused(
                f"Function {_function_name(node).lower()}() is not allowed: queries may only read the tables "
                f"{_allowed_text(allowed)}."
            )
    return statement.sql(dialect="duckdb")


def _check_table(node: exp.Table, names: set[str], allowed: Mapping[str, list[str]]) -> None:
    if not isinstance(node.this, exp.Identifier):
        name = _function_name(node.this) if isinstance(node.this, exp.Func) else node.this.key
        if name.lower() in ALLOWED_TABLE_FUNCTIONS and not node.args.get("db"):
            return
        raise SqlRefused(
            f"Reading from {name.lower()}(...) is not allowed: query only the tables {_allowed_text(allowed)}."
        )
    if node.args.get("db") or node.args.get("catalog"):
        raise SqlRefused(
            f"Qualified table name {node.sql(dialect='duckdb')!r} is not allowed: write the bare table name, "
            f"one of {', '.join(allowed)}."
        )
    if node.name.lower() not in names:
        raise SqlRefused(f"Unknown table {node.name!r}. Available tables: {_allowed_text(allowed)}.")
