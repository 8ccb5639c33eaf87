"""From the router's reply and the linker's frame to the tool calls that answer: every name, store, period, price
and horizon comes from the frame, the router only chose the tool and the query's shape.

A name that fits several products ("Minute Maid": 64 and 96 oz) is answered for each: a sales query breaks down by
product, a forecast or what-if runs once per product (up to ``MAX_EACH``). A question a tool cannot answer without a
name it lacks (a forecast of nothing) gets a question back that lists what the merchant can name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from agent.drivers import Call
from agent.routing.tool_words import CHART
from tools.semantic.declared import PROMOTION_COLUMNS
from tools.semantic.link import Frame, Mention
from tools.semantic.model import SemanticModel
from tools.semantic.resolve import CATALOG
from tools.semantic.shape import Shape, read_shape

MAX_EACH = 3
MAX_HORIZON = 8
SHARES = ("share_units", "share_revenue")
UNWORDED = ("units", "revenue", "avg_price")  # measures the router may pick when the question's words name none
COMPANION = {"units": "revenue", "revenue": "units", "share_units": "units", "share_revenue": "revenue"}
PDF = re.compile(r"\bpdf\b", re.IGNORECASE)
SERIES_TOOLS = {"forecast", "explain_forecast", "what_if", "make_chart", "generate_report"}


@dataclass
class Plan:
    calls: list[Call] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # said before the results ("forecasts go 8 weeks ahead")
    answer: str | None = None  # a question back instead of a call


def plan(reply: dict[str, Any], frame: Frame, model: SemanticModel) -> Plan:
    tool = reply.get("tool")
    if tool == "forecast" and _levers(frame):  # a price, deal or ad the forecast would ignore: that is a what-if
        tool = "what_if"
    if tool == "data_coverage" and frame.of(*CATALOG, "store"):  # "how many weeks of data for Georgetown"
        tool, reply = "sales_query", {"tool": "sales_query", "measure": "weeks_sold", "by": "none"}
    if tool == "sales_query":
        return Plan(calls=[Call("sales_query", sales_args(reply, frame, model), "route_sales_query")])
    if tool in ("data_coverage", "backtest_accuracy"):
        return Plan(calls=[Call(tool, {}, f"route_{tool}")])
    if tool in SERIES_TOOLS:
        return _series(tool, reply, frame, model)
    return Plan()


def sales_args(reply: dict[str, Any], frame: Frame, model: SemanticModel) -> dict[str, Any]:
    """The query: what the question's words fix (``read_shape``), the router's reply for what they leave open."""
    shape = read_shape(frame.question, frame.levers, model)
    measures = _measures(shape, reply)
    by, rank, limit = _ranking(shape, reply, measures[0] in SHARES or len(frame.periods) > 1)
    filters, several = _filters(frame, model)
    by = [b for b in by if len(filters.get(b, [])) != 1 and not _one_value(model, b, filters.get("product"))]
    if measures[0] in SHARES and set(filters) & set(CATALOG):  # "Star Kist's share": of all, not of its own brand
        by = [b for b in by if b not in CATALOG]
    elif not by and len(filters.get("product", [])) > 1:  # a brand or kind: each product, and the total below
        several = "product"
    if not by and several and not (measures[0] in SHARES and several in CATALOG):  # a share is of the whole
        by = [several]
    _promotion_filters(frame, shape, measures, by, filters, model)
    args: dict[str, Any] = {"measures": measures, "by": by, "filters": filters, "rank": rank if by else None,
                            "limit": min(limit, 25) if limit else (5 if rank and by else None)}  # fmt: skip
    if frame.periods:
        args["period"] = frame.periods[0].model_dump(mode="json")
    if len(frame.periods) > 1:
        args["compare_to"] = frame.periods[1].model_dump(mode="json")
    if CHART.search(frame.question.lower()):
        args["output"] = "chart"
    return args


def _one_value(model: SemanticModel, dimension: str, products: list[str] | None) -> bool:
    """A breakdown by the one store, or by the one brand all the products named share ("Tropicana Premium" by
    brand), is no breakdown: one row that hides what each product did."""
    if dimension not in CATALOG or dimension == "product" or not products:
        return False
    info = {p.product: p for p in model.catalog}
    return len({getattr(info[p], dimension) for p in products if p in info}) == 1


def _measures(shape: Shape, reply: dict[str, Any]) -> list[str]:
    """The measures the words name, else the router's; a share only where the words ask for a part of a whole."""
    measures = shape.measures or [str(reply.get("measure") or "units")]
    if not shape.measures and measures[0] in SHARES:  # "by what percent did units grow" is no share
        measures = [COMPANION[measures[0]]]
    elif not shape.measures and measures[0] not in UNWORDED:  # "peak month" is no highest price: words name those
        measures = ["units"]
    if len(measures) == 1 and measures[0] in COMPANION:
        measures.append(COMPANION[measures[0]])
    return list(dict.fromkeys(measures))


def _ranking(
    shape: Shape, reply: dict[str, Any], shares_or_comparison: bool = False
) -> tuple[list[str], str | None, int | None]:
    """Breakdown, ranking and row count: from the words where they name a breakdown, else from the router."""
    limit = reply.get("limit") if isinstance(reply.get("limit"), int) and reply["limit"] > 0 else None
    if shape.by is not None:
        rank = shape.rank or ("top" if shape.limit == 1 else None)
        return [shape.by], rank, shape.limit or (limit if rank else None)
    by = [reply["by"]] if reply.get("by") not in (None, "none") else []
    rank = reply.get("rank") if reply.get("rank") in ("top", "bottom") else None
    if shares_or_comparison:  # a share or a comparison of two periods is of the whole scope unless a breakdown is named
        return [], None, None
    return by, rank, limit


def _promotion_filters(frame: Frame, shape: Shape, measures: list[str], by: list[str],
                       filters: dict[str, list[str]], model: SemanticModel) -> None:  # fmt: skip
    """ "units on deal in 1992": the promotion named is a filter, unless it is counted ("weeks on deal") or set
    against its absence (then it is the breakdown)."""
    if shape.contrast is not None or any(m.startswith("weeks_on_") for m in measures):
        return
    flags = {d.name for d in model.dimensions} & set(PROMOTION_COLUMNS)
    for lever, on in frame.levers.items():
        if lever in flags and lever not in by:
            filters[lever] = ["yes" if on else "no"]


def _filters(frame: Frame, model: SemanticModel) -> tuple[dict[str, list[str]], str | None]:
    """Filters by dimension, and the dimension named with several values (answered for each)."""
    out: dict[str, list[str]] = {}
    catalog = [m for m in frame.mentions if m.dimension in CATALOG]
    for m in frame.mentions:
        if m.dimension not in CATALOG:
            out.setdefault(m.dimension, []).extend(v for v in m.values if v not in out.get(m.dimension, []))
    several = next((d for d, v in out.items() if len(v) > 1), None)
    narrowing = _narrowing(catalog, model)
    if narrowing:
        for m in catalog:
            out.setdefault(m.dimension, []).extend(m.values)
    elif catalog:
        products = frame.products(model)
        out["product"] = products
        several = several or ("product" if len(products) > 1 and _alternatives(catalog) else None)
    return out, several


def _narrowing(catalog: list[Mention], model: SemanticModel) -> bool:
    """ "Minute Maid ... the 96 oz": each mention narrows the one before (then they are ANDed, and a share divides
    by the wider one); otherwise several catalog names are alternatives."""
    if len(catalog) < 2 or any(m.joined for m in catalog[1:]):  # "Blue Harbor beer and seltzer": both
        return False
    sets = [set(Frame(question="", mentions=[m]).products(model)) for m in catalog]
    return bool(set.intersection(*sets)) and any(m.dimension != "product" for m in catalog)


def _alternatives(catalog: list[Mention]) -> bool:
    return len(catalog) > 1 or any(m.ambiguous for m in catalog)


def _series(tool: str, reply: dict[str, Any], frame: Frame, model: SemanticModel) -> Plan:
    products = frame.products(model)
    if not products:
        names = ", ".join(p.product for p in model.catalog[:4])
        return Plan(answer=f"Which product do you mean? Name one, e.g. {names}.")
    stores = frame.stores()
    store = stores[0] if stores else None  # None: all stores, or the chain of a chain-level merchant
    base: dict[str, Any] = {"store": store} if store is not None else {}
    notes: list[str] = []
    if len(products) > MAX_EACH:
        notes.append(f"That names {len(products)} products; here are the first {MAX_EACH}.")
    calls = []
    for i, product in enumerate(products[:MAX_EACH]):
        args = {"product": product, **base, **_series_args(tool, reply, frame, notes if i == 0 else [])}
        calls.append(Call(tool, args, f"route_{tool}_{i}"))
    return Plan(calls=calls, notes=notes)


def _series_args(tool: str, reply: dict[str, Any], frame: Frame, notes: list[str]) -> dict[str, Any]:
    horizon = _horizon(frame, notes)
    if tool == "forecast":
        return {"horizon": horizon}
    if tool == "make_chart":
        return {"kind": reply.get("kind") if reply.get("kind") in ("forecast", "drivers") else "forecast",
                "horizon": horizon}  # fmt: skip
    levers = _levers(frame)
    if tool == "what_if":
        weeks = "1" if not frame.weeks_ahead or frame.weeks_ahead == 1 else f"1-{min(horizon, MAX_HORIZON)}"
        return {**levers, "weeks": weeks}
    if tool == "generate_report":
        return {**levers, "question": frame.question, "format": "pdf" if PDF.search(frame.question) else "html"}
    return {}


def _horizon(frame: Frame, notes: list[str]) -> int:
    weeks = frame.weeks_ahead or 4
    if weeks > MAX_HORIZON:
        notes.append(f"Forecasts reach {MAX_HORIZON} weeks ahead; this covers the next {MAX_HORIZON} of the "
                     f"{weeks} weeks asked.")  # fmt: skip
    return min(weeks, MAX_HORIZON)


def _levers(frame: Frame) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if frame.money:
        out["price"] = f"{frame.money[0]:.2f}"
    elif frame.percents:
        out["price"] = f"{frame.percents[0]:+g}%"
    for lever in ("deal", "feature"):
        if lever in frame.levers:
            out[lever] = frame.levers[lever]
    return out
