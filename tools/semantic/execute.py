"""Run a ``SemanticQuery`` on the merchant's read-only tenant connection and return typed, grounded numbers.

Beyond the main statement, a query may need two more: the same measures over the comparison period (joined back
by the breakdown's keys, with the change), and a share's denominator, which is the same scope without the most
specific filter ("share of units was Tropicana 64 oz" divides by all products; "of all Minute Maid, how big a slice
is the 96 oz" divides by Minute Maid). Every statement is recorded with its parameters for the answer's SQL step.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel

from tools.analytics_core import NoData, Reader, reader, whole
from tools.analytics_models import QueryRun
from tools.analytics_periods import bucket
from tools.semantic.compile import SHARES, compile_query, count_groups
from tools.semantic.model import SemanticModel, build_model
from tools.semantic.query import Filter, SemanticQuery, Window

SPECIFIC_FIRST = ["product", "size", "brand", "category", "store"]


class AnswerRow(BaseModel):
    key: dict[str, Any]
    values: dict[str, float | int | str | None]  # a date measure ("last week on deal") as its ISO week start
    compare: dict[str, float | int | None] | None = None
    compare_label: str | None = None  # the other period's month/week/quarter this row is set against
    change: dict[str, float | int | None] | None = None
    change_pct: dict[str, float | None] | None = None


class QueryAnswer(BaseModel):
    merchant: str
    query: SemanticQuery
    scope: str  # "Minute Maid 64 oz in store 12, May 1992"
    rows: list[AnswerRow]
    groups: int | None = None  # how many groups the breakdown has in all
    share_of: str | None = None  # what a share divides by
    share_base: dict[str, float | int | None] | None = None  # the denominators' totals
    total: dict[str, float | int | None] | None = None  # a breakdown's units/revenue over its whole scope
    compare_total: AnswerRow | None = None  # the whole scope in both periods, with the change
    queries: list[QueryRun]


ADDITIVE = ("units", "revenue")


def run_semantic(merchant: str, q: SemanticQuery) -> QueryAnswer:
    with reader(merchant) as rd:
        return execute(rd, build_model(rd), q)


def top_sellers(merchant: str, store: str | None, n: int) -> list[str]:
    """The ``n`` products with the most units over the last 8 data weeks (in ``store``, if given)."""
    return _top(merchant, "product", [Filter(dimension="store", values=[store])] if store else [], n)


def top_store(merchant: str, product: str) -> str | None:
    """The store that sold the most of ``product`` over the last 8 data weeks."""
    return next(iter(_top(merchant, "store", [Filter(dimension="product", values=[product])], 1)), None)


def _top(merchant: str, by: str, filters: list[Filter], n: int) -> list[str]:
    with reader(merchant) as rd:
        model = build_model(rd)
        window = Window(start=model.last_week - timedelta(weeks=7), end=model.last_day, label="the last 8 weeks")
        q = SemanticQuery(measures=["units"], by=[by], filters=filters, period=window, rank="top", limit=n)
        return [str(r.key[by]) for r in _rows(rd, model, q, window, filters) if r.values.get("units")]


def execute(rd: Reader, model: SemanticModel, q: SemanticQuery) -> QueryAnswer:
    rows = _rows(rd, model, q, q.period, q.filters)
    if not rows or all(v is None for r in rows for v in r.values.values()):
        raise NoData(f"No sales for {describe(q.filters, q.period)}. {model.merchant!r} has weekly data from "
                     f"{model.first_week} to {model.last_day}: pick another period, product or store.")  # fmt: skip
    share_of, share_base = _apply_shares(rd, model, q, rows) if SHARES & set(q.measures) and not q.by else (None, None)
    if q.compare is not None:
        # every group of the other period, so a top row finds its own value even where it was not top then
        times = [b for b in q.by if model.dimension(b).time]
        _apply_compare(rows, _rows(rd, model, q, q.compare, q.filters, capped=False), times)
    groups = total = both = None
    if q.by:
        c = count_groups(model, q, q.period, q.filters)
        groups = rd.rows(c.sql, c.params, record=False)[0][0]
        total = _total(rd, model, q, q.period)
        if total is not None and q.compare is not None:
            both = AnswerRow(key={}, values=total)
            _apply_compare([both], [AnswerRow(key={}, values=_total(rd, model, q, q.compare) or {})], [])
    return QueryAnswer(merchant=model.merchant, query=q, scope=describe(q.filters, q.period), rows=rows,
                       groups=groups, share_of=share_of, share_base=share_base, total=total, compare_total=both,
                       queries=list(rd.queries))  # fmt: skip


def _total(
    rd: Reader, model: SemanticModel, q: SemanticQuery, window: Window | None
) -> dict[str, float | int | None] | None:
    """Units and revenue of the whole scope over ``window``, so "how much juice in May, by product" also says how
    much in all (and a top 5 says what the rest add up to); other measures do not add up across groups."""
    additive = [m for m in q.measures if m in ADDITIVE]
    if not additive:
        return None
    whole_scope = SemanticQuery(measures=additive, filters=q.filters, period=window)
    return _rows(rd, model, whole_scope, window, q.filters)[0].values


def _rows(rd: Reader, model: SemanticModel, q: SemanticQuery, window: Window | None,
          filters: list[Filter], capped: bool = True) -> list[AnswerRow]:  # fmt: skip
    c = compile_query(model, q, window, filters, capped)
    out = []
    for raw in rd.rows(c.sql, c.params):
        key = {name: _key(name, value) for name, value in zip(c.keys, raw)}
        values = {name: _value(v) for name, v in zip(c.measures, raw[len(c.keys) :])}
        out.append(AnswerRow(key=key, values=values))
    if q.by and q.rank is None and all(model.dimension(b).time for b in q.by):
        out.reverse()  # fetched latest first so a long series keeps its end
    return out


def _key(dimension: str, value: Any) -> Any:
    if isinstance(value, date) and dimension in ("month", "quarter", "year"):
        return bucket(dimension, value)[0]
    return value.isoformat() if isinstance(value, date) else value


def _value(value: Any) -> float | int | str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    return whole(round(float(value), 2))


def _apply_shares(
    rd: Reader, model: SemanticModel, q: SemanticQuery, rows: list[AnswerRow]
) -> tuple[str, dict[str, float | int | None]]:
    """Turn each share's total into a percent of the scope without its most specific filter."""
    target = _share_target(q.filters)
    rest = [f for f in q.filters if f is not target]
    shares = SemanticQuery(measures=[m for m in q.measures if m in SHARES])
    base = _rows(rd, model, shares, q.period, rest)[0].values
    for row in rows:
        for m in shares.measures:
            total = base.get(m)
            row.values[m] = round(100.0 * row.values[m] / total, 2) if total and row.values[m] is not None else None
    return describe(rest, q.period), base


def _share_target(filters: list[Filter]) -> Filter | None:
    rank = {name: i for i, name in enumerate(SPECIFIC_FIRST)}
    return min(filters, key=lambda f: rank.get(f.dimension, len(rank)), default=None)


def _apply_compare(rows: list[AnswerRow], other: list[AnswerRow], times: list[str]) -> None:
    """Each row against the same group of the other period; a month/week/quarter is matched by its place in its
    period ("April 1992 against April 1991": the first month against the first month)."""
    now_key, then_key = _aligned(rows, times), _aligned(other, times)
    by_key = {then_key(r): r for r in other}
    for row in rows:
        match = by_key.get(now_key(row))
        then = match.values if match else {}
        if match and times:
            row.compare_label = ", ".join(str(match.key[t]) for t in times)
        row.compare = {m: then.get(m) for m in row.values}
        row.change = {m: _minus(v, then.get(m)) for m, v in row.values.items()}
        row.change_pct = {m: _pct(then.get(m), v) for m, v in row.values.items()}


def _aligned(rows: list[AnswerRow], times: list[str]) -> Any:
    places = {t: {v: i for i, v in enumerate(sorted({r.key[t] for r in rows}))} for t in times}
    return lambda r: tuple(sorted((k, places[k][v] if k in places else v) for k, v in r.key.items()))


def _minus(new: Any, old: Any) -> float | int | None:
    if not isinstance(new, (int, float)) or not isinstance(old, (int, float)):
        return None  # missing, or a date
    return whole(round(new - old, 2))


def _pct(old: Any, new: Any) -> float | None:
    if not isinstance(new, (int, float)) or not isinstance(old, (int, float)) or old == 0:
        return None
    return round(100.0 * (new - old) / old, 2)


def shown_sql(run: QueryRun) -> str:
    """A statement as the chat shows it: the catalog's ``VALUES`` rows summarised, then the bound parameters."""
    sql, params = run.sql, list(run.params)
    match = re.match(r"WITH catalog\(product, brand, size, category\) AS \(VALUES (.*?)\) SELECT", sql)
    if match:
        rows = match[1].count("(CAST(")
        sql = sql[: match.start(1)] + f"/* {rows} products: name, brand, size, category */" + sql[match.end(1) :]
        params = params[4 * rows :]
    return sql + (f"\n-- parameters: {json.dumps(params, default=str)}" if params else "")


def describe(filters: list[Filter], window: Window | None) -> str:
    what = ", ".join(f.text() for f in filters) or "all products and stores"
    return f"{what}, {window.label}" if window else f"{what}, all data"
