"""Plumbing shared by the sales analytics: one tenant connection, parameterised queries, scopes, arguments, errors.

Why a separate path from ``tools.guarded_sql``: these functions write their own fixed SQL, so user values (names,
dates) travel only as bound parameters, never as SQL text; what varies in the text is picked from whitelists (a
column, a date grain). Every statement that produces a reported number is recorded with its parameters, so a report
can show where each figure came from. Connections are the merchant's sandboxed, read-only tenant file
(``open_tenant``), so a function called for one merchant cannot see another merchant's rows.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar

import duckdb
from pydantic import BaseModel, ValidationError

from forecasting.warehouse.connect import open_tenant
from forecasting.warehouse.errors import WarehouseError
from tools.analytics_models import QueryRun, ScopeInfo

MAX_ROWS = 25
QUERY_TIMEOUT_S = 10.0

M = TypeVar("M", bound=BaseModel)


class AnalyticsError(WarehouseError):
    """An analytics request that cannot be answered as asked; the message says what to change."""


class BadArgument(AnalyticsError):
    pass


class BadPeriod(AnalyticsError):
    pass


class NoData(AnalyticsError):
    pass


def bind_args(model: type[M], args: M | Mapping[str, Any] | None, fields: Mapping[str, Any]) -> M:
    """The validated arguments, given either as the args model (how a tool wrapper passes them) or as keywords.

    Both forms go through the same model, so a misspelt or out-of-range argument fails the same way either way.
    """
    if args is not None and fields:
        raise BadArgument(f"Pass either a {model.__name__} or keyword arguments, not both.")
    if isinstance(args, model):
        return args
    if args is not None and not isinstance(args, Mapping):
        raise BadArgument(f"Expected {model.__name__} arguments, got {type(args).__name__}.")
    return parse_args(model, **{**(args or {}), **fields})


def parse_args(model: type[M], **values: Any) -> M:
    """Validate a function's arguments, turning pydantic's report into one fixable sentence."""
    try:
        return model(**values)
    except ValidationError as err:
        parts = [_problem(e) for e in err.errors()]
        raise BadArgument("Invalid arguments — " + "; ".join(parts) + ".") from None


def _problem(error: Any) -> str:
    where = ".".join(str(p) for p in error["loc"]) or "arguments"
    text = f"{where}: {error['msg']}"
    if error["loc"] and error["loc"][0] in ("start", "end") and error["type"].startswith("date"):
        text += " (write dates as YYYY-MM-DD; put phrases like 'last month' in period)"
    return text


@dataclass(frozen=True)
class DataRange:
    first_week: date
    last_week: date
    last_day: date

    def text(self, merchant: str) -> str:
        return f"{merchant!r} has weekly data from {self.first_week} to {self.last_day}"


@dataclass(frozen=True)
class Scope:
    """Which rows of ``sales`` a question is about; every value is bound as a parameter."""

    products: list[str] | None = None
    brand: str | None = None
    store: str | None = None
    start: date | None = None
    end: date | None = None
    label: str | None = None

    def clauses(self, prefix: str = "") -> tuple[list[str], list[Any]]:
        """SQL conditions (``prefix`` qualifies the columns in a join) and their parameters, in order."""
        sql: list[str] = []
        params: list[Any] = []
        if self.products is not None:
            sql.append(f"{prefix}product IN ({', '.join('?' for _ in self.products)})")
            params += self.products
        if self.store is not None:
            sql.append(f"{prefix}store = ?")
            params.append(self.store)
        if self.start is not None:
            sql.append(f"{prefix}week_start >= ?")
            params.append(self.start)
        if self.end is not None:
            sql.append(f"{prefix}week_start <= ?")
            params.append(self.end)
        return sql, params

    def where(self, *extra: str, prefix: str = "") -> tuple[str, list[Any]]:
        """``WHERE ...`` for this scope plus fixed ``extra`` conditions, and its parameters."""
        sql, params = self.clauses(prefix)
        sql += list(extra)
        return ("WHERE " + " AND ".join(sql)) if sql else "", params

    def describe(self) -> str:
        what = f"brand {self.brand}" if self.brand else (self.products[0] if self.products else "all products")
        where = f"store {self.store}" if self.store else "all stores"
        when = ""
        if self.start or self.end:
            when = f" from {self.start or 'the start'} to {self.end or 'the end'}"
        return f"{what} in {where}{when}"

    def info(self, data: DataRange) -> ScopeInfo:
        return ScopeInfo(
            products=self.products,
            brand=self.brand,
            store=self.store,
            start=self.start or data.first_week,
            end=self.end or data.last_day,
            period=self.label,
        )


@dataclass
class Reader:
    """One merchant's tenant connection, the queries run on it, and cached lookups (names, data range)."""

    merchant: str
    con: duckdb.DuckDBPyConnection
    queries: list[QueryRun] = field(default_factory=list)
    _cache: dict[str, Any] = field(default_factory=dict)

    def rows(self, sql: str, params: Sequence[Any] = (), record: bool = True) -> list[tuple]:
        """Run one statement and fetch all of it (DuckDB refuses new work while a result is half read)."""
        text = " ".join(sql.split())
        timer = threading.Timer(QUERY_TIMEOUT_S, self.con.interrupt)
        timer.start()
        try:
            rows = self.con.execute(text, list(params)).fetchall()
        except duckdb.InterruptException as err:
            raise AnalyticsError(f"Query stopped after {QUERY_TIMEOUT_S:g} s: narrow the period or filter.") from err
        finally:
            timer.cancel()
        if record:
            self.queries.append(QueryRun(sql=text, params=[_plain(p) for p in params]))
        return rows

    def _cached(self, key: str, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        if key not in self._cache:
            self._cache[key] = self.rows(sql, params, record=False)
        return self._cache[key]

    def columns(self, table: str) -> list[str]:
        sql = (
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ? "
            "ORDER BY ordinal_position"
        )
        return [r[0] for r in self._cached(f"columns:{table}", sql, [table])]

    def data_range(self) -> DataRange:
        row = self._cached("range", "SELECT min(week_start), max(week_start), max(week_end) FROM sales")[0]
        if row[0] is None:
            raise NoData(f"{self.merchant!r} has no sales yet: load some with `salescast data ingest`.")
        return DataRange(row[0], row[1], row[2] or row[1] + timedelta(days=6))

    def products(self) -> list[str]:
        sql = "SELECT product FROM products UNION SELECT product FROM sales ORDER BY product"
        return [r[0] for r in self._cached("products", sql)]

    def stores(self) -> list[str]:
        sql = (
            "SELECT store FROM (SELECT store FROM stores UNION SELECT store FROM sales) "
            "ORDER BY TRY_CAST(store AS INTEGER) NULLS LAST, store"
        )
        return [r[0] for r in self._cached("stores", sql)]

    def brands(self) -> dict[str, list[str]]:
        if "brand" not in self.columns("products"):
            return {}
        sql = "SELECT brand, list(product ORDER BY product) FROM products WHERE brand IS NOT NULL GROUP BY brand"
        return {b: list(p) for b, p in self._cached("brands", sql)}

    def tables(self) -> list[str]:
        sql = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1"
        return [r[0] for r in self._cached("tables", sql)]

    def no_data(self, scope: Scope) -> NoData:
        return NoData(
            f"No sales for {scope.describe()}. {self.data_range().text(self.merchant)}: pick dates inside it, "
            "or another product or store."
        )


@contextmanager
def reader(merchant: str) -> Iterator[Reader]:
    """A fresh read-only tenant connection per call, closed afterwards (never held across an ingest)."""
    if not isinstance(merchant, str):
        raise BadArgument(f"The merchant must be a name like 'oj', not {type(merchant).__name__}.")
    with open_tenant(merchant) as con:
        yield Reader(merchant, con)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)


def whole(value: Any) -> int | float | None:
    """Units as whole numbers when they are whole (so answers read "8256 units", not "8256.0")."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(float(value), 2)
