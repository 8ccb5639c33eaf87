"""A ``SemanticQuery`` as parameterised DuckDB SQL over one merchant's tenant tables.

Only the declared fragments of ``tools.semantic.declared`` become SQL text; every value (a product name, a date, a
catalog attribute) is a ``?`` parameter. The product catalog (brands and categories, possibly inferred or declared
in the merchant's file) travels as a ``VALUES`` list of parameters, so a brand that is not a column in the tenant
file still groups and filters like one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tools.semantic.model import SemanticModel
from tools.semantic.query import MAX_LIMIT, Filter, SemanticQuery, Window

SHARES = {"share_units", "share_revenue"}


@dataclass
class Compiled:
    sql: str
    params: list[Any] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # output columns that are dimensions, then the measures
    measures: list[str] = field(default_factory=list)


def compile_query(
    model: SemanticModel, q: SemanticQuery, window: Window | None, filters: list[Filter], capped: bool = True
) -> Compiled:
    """SQL for ``q``'s measures over ``window`` and ``filters`` (the caller varies them for comparisons and the
    denominators of shares); ``capped=False`` keeps every group (a comparison period's rows are looked up by key)."""
    dims = [model.dimension(name) for name in q.by]
    measures = [model.measure(name) for name in q.measures]
    joins = {d.join for d in dims} | {model.dimension(f.dimension).join for f in filters}
    params: list[Any] = []
    cte = _catalog_cte(model, params) if "catalog" in joins else ""
    select = [f"{d.sql} AS {d.name}" for d in dims]
    for m in measures:
        expr = m.sql
        if m.name in SHARES:
            expr = f"100.0 * {m.sql} / nullif(sum({m.sql}) OVER (), 0)" if dims else m.sql
        select.append(f"{expr} AS {m.name}")
    where, where_params = _where(model, window, filters)
    params += where_params
    sql = f"{cte}SELECT {', '.join(select)} FROM sales s{_joins(joins)}{where}"
    if dims:
        sql += " GROUP BY " + ", ".join(str(i + 1) for i in range(len(dims)))
        sql += _order(q, dims, len(dims) + 1) + (f" LIMIT {_limit(q)}" if capped else "")
    return Compiled(sql=sql, params=params, keys=[d.name for d in dims], measures=[m.name for m in measures])


def count_groups(model: SemanticModel, q: SemanticQuery, window: Window | None, filters: list[Filter]) -> Compiled:
    """How many groups the breakdown has in all (the answer says "top 5 of 83 stores")."""
    dims = [model.dimension(name) for name in q.by]
    joins = {d.join for d in dims} | {model.dimension(f.dimension).join for f in filters}
    params: list[Any] = []
    cte = _catalog_cte(model, params) if "catalog" in joins else ""
    where, where_params = _where(model, window, filters)
    keys = ", ".join(d.sql for d in dims)
    sql = f"{cte}SELECT count(*) FROM (SELECT DISTINCT {keys} FROM sales s{_joins(joins)}{where})"
    return Compiled(sql=sql, params=params + where_params)


def _catalog_cte(model: SemanticModel, params: list[Any]) -> str:
    rows = []
    for p in model.catalog:
        rows.append("(CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS VARCHAR))")
        params += [p.product, p.brand, p.size, p.category]
    return f"WITH catalog(product, brand, size, category) AS (VALUES {', '.join(rows)}) "


def _joins(joins: set[str]) -> str:
    sql = ""
    if "catalog" in joins:
        sql += " LEFT JOIN catalog k ON k.product = s.product"
    if "stores" in joins:
        sql += " LEFT JOIN stores st ON st.store = s.store"
    if "calendar" in joins:
        sql += " LEFT JOIN calendar c ON c.week_start = s.week_start"
    return sql


def _where(model: SemanticModel, window: Window | None, filters: list[Filter]) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if window is not None:
        clauses.append("s.week_start BETWEEN ? AND ?")
        params += [window.start, window.end]
    for f in filters:
        dim = model.dimension(f.dimension)
        clauses.append(f"{dim.sql} IN ({', '.join('?' for _ in f.values)})")
        params += list(f.values)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _order(q: SemanticQuery, dims: list[Any], first_measure: int) -> str:
    if q.rank is None and all(d.time for d in dims):  # the latest periods; the runner puts them back in order
        return " ORDER BY " + ", ".join(f"{i + 1} DESC" for i in range(len(dims)))
    direction = "ASC" if q.rank == "bottom" else "DESC"
    return f" ORDER BY {first_measure} {direction} NULLS LAST, 1"


def _limit(q: SemanticQuery) -> int:
    return q.limit or MAX_LIMIT
