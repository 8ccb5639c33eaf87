"""Static checks on merchant SQL, before anything runs.

This is the first of two walls: the query must be one read-only SELECT over the merchant's own tables. The second
wall is the connection itself (``forecasting.warehouse.connect.open_tenant``), which cannot see other merchants,
files, URLs or extensions even if something slipped through here. The query that runs is the one re-generated from
the checked syntax tree, so the database never sees text the checker did not parse.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Mapping

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

logging.getLogger("sqlglot").setLevel(logging.ERROR)

MAX_SQL_CHARS = 20_000
MAX_NESTING = 32  # parentheses deep; real analytic queries stay under 10
_TOO_DEEP = f"Query nested too deeply (more than {MAX_NESTING} levels of parentheses): use WITH steps instead."
_STRING_OR_COMMENT = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/", re.DOTALL)

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
    _check_nesting(sql or "")
    try:
        statement = parse_single_select(sql)
        tables = {name.lower() for name in allowed}
        for node in statement.walk():
            _check_node(node, tables, allowed)
        return statement.sql(dialect="duckdb")
    except RecursionError:
        raise SqlRefused(_TOO_DEEP) from None


def _check_node(node: exp.Expression, tables: set[str], allowed: Mapping[str, list[str]]) -> None:
    if isinstance(node, _FORBIDDEN_NODES):
        raise SqlRefused(f"{node.key.upper()} is not allowed: only read-only SELECT queries run here.")
    if isinstance(node, exp.Table):
        _check_table(node, tables | visible_ctes(node), allowed)
    elif isinstance(node, exp.Lateral) and isinstance(node.this, exp.Func):
        _check_table_function(node.this, allowed)
    elif isinstance(node, exp.Func):
        _check_scalar_function(node, allowed)


def _check_nesting(sql: str) -> None:
    """Refuse deep nesting before parsing: the parser and generator recurse once per level."""
    depth = deepest = 0
    for char in _STRING_OR_COMMENT.sub(" ", sql):
        depth += (char == "(") - (char == ")")
        deepest = max(deepest, depth)
    if deepest > MAX_NESTING:
        raise SqlRefused(_TOO_DEEP)


def visible_ctes(node: exp.Expression) -> set[str]:
    """The CTE names a table reference can see: those of the WITH clauses above it, in SQL's scoping order.

    A name defined in one subquery's WITH is invisible outside that subquery, and a non-recursive CTE cannot see
    itself or the ones after it; anything else would let ``pg_settings`` defined somewhere stand for the catalog.
    """
    names: set[str] = set()
    path = [node]
    while path[-1].parent is not None:
        path.append(path[-1].parent)
    for index, ancestor in enumerate(path):
        with_ = ancestor.args.get("with_") or ancestor.args.get("with")
        if not isinstance(with_, exp.With):
            continue
        ctes = [cte.alias_or_name.lower() for cte in with_.expressions]
        inside = index >= 2 and path[index - 1] is with_
        if not inside:
            names.update(ctes)
            continue
        position = next(i for i, cte in enumerate(with_.expressions) if cte is path[index - 2])
        names.update(ctes[: position + (1 if with_.args.get("recursive") else 0)])
    return names


def _check_table(node: exp.Table, names: set[str], allowed: Mapping[str, list[str]]) -> None:
    if not isinstance(node.this, exp.Identifier):
        if isinstance(node.this, exp.Func) and not node.args.get("db"):
            _check_table_function(node.this, allowed)
            return
        raise SqlRefused(
            f"Reading from {node.this.key}(...) is not allowed: query only the tables {_allowed_text(allowed)}."
        )
    if node.args.get("db") or node.args.get("catalog"):
        raise SqlRefused(
            f"Qualified table name {node.sql(dialect='duckdb')!r} is not allowed: write the bare table name, "
            f"one of {', '.join(allowed)}."
        )
    if node.name.lower() not in names:
        raise SqlRefused(f"Unknown table {node.name!r}. Available tables: {_allowed_text(allowed)}.")


def _check_table_function(func: exp.Func, allowed: Mapping[str, list[str]]) -> None:
    name = _function_name(func).lower()
    if name not in ALLOWED_TABLE_FUNCTIONS:
        raise SqlRefused(f"Reading from {name}(...) is not allowed: query only the tables {_allowed_text(allowed)}.")
    _check_scalar_function(func, allowed)


def _check_scalar_function(func: exp.Func, allowed: Mapping[str, list[str]]) -> None:
    name = _function_name(func).lower()
    if _DENIED_FUNCTION.match(name) or (name in table_only_functions() and name not in ALLOWED_TABLE_FUNCTIONS):
        raise SqlRefused(
            f"Function {name}() is not allowed: queries may only read the tables {_allowed_text(allowed)}."
        )


@functools.cache
def table_only_functions() -> frozenset[str]:
    """DuckDB's table functions and table macros that are not also scalar ones, read from DuckDB itself.

    Read from the library in use rather than listed by hand, so a table function a new DuckDB release adds
    (``summary``, ``test_all_types``, ``truncate_duckdb_logs`` ...) is refused the day it ships.
    """
    with duckdb.connect(":memory:") as con:
        rows = con.execute(
            "SELECT function_name FROM duckdb_functions() WHERE function_type IN ('table', 'table_macro') "
            "EXCEPT SELECT function_name FROM duckdb_functions() WHERE function_type NOT IN ('table', 'table_macro')"
        ).fetchall()
    return frozenset(r[0].lower() for r in rows)
