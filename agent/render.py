"""Tool results as answers a merchant can read: the key numbers with units, dates and the caveats that matter.

In structured mode (the embedded model) these sentences *are* the answer, so they read as one: a lead sentence
with the headline number, then the detail. They quote only fields of the tool result, formatted at the precision
they are stored with, so they pass the grounding check by construction. Native mode falls back on them when a
model's own answer cannot be verified, and the scripted chat model speaks with them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tools.agent_tools_base import number
from tools.semantic.answer import answer_text

OUT_OF_SCOPE = (
    "I can only answer questions about your own sales and forecasts: best sellers, trends, promotions, prices, "
    "forecasts and why, what-if scenarios, forecast accuracy and reports. Try 'What sold best last month?'"
)
ERROR_LEAD = "I could not answer that from your data:"
NOT_ROUTED = (
    "That sounds like a question about your data, but I could not work out which of my tools answers it. Try asking "
    "it another way, naming the product, the store and the period, e.g. 'top 5 products last month', 'forecast "
    "<product> in store <number> next week' or 'do deals work for <product>?'"
)


def money(value: float | None) -> str:
    return "n/a" if value is None else f"${value:,.2f}"


def _data_coverage(d: dict) -> str:
    more = " (the first ones)" if d.get("products_truncated") else ""
    return (
        f"Your data runs from the week of {d['first_week']} to the week of {d['last_week']} (through "
        f"{d['last_day']}): {d['n_weeks']} weeks of "
        f"sales, {number(d['rows'])} rows, {d['n_products']} products and {d['n_stores']} stores. "
        f"Products{more}: {', '.join(d['products'])}."
    )


def _query_sales(d: dict) -> str:
    rows = d["rows"][:10]
    if len(rows) == 1:
        return "Result: " + ", ".join(f"{c} = {v}" for c, v in zip(d["columns"], rows[0], strict=False)) + "."
    lines = ["- " + ", ".join(f"{c} = {v}" for c, v in zip(d["columns"], row, strict=False)) for row in rows]
    count = f"more than {len(d['rows'])}" if d.get("truncated") else str(len(d["rows"]))
    head = f"Result ({count} rows):" if d["rows"] else "Result:"
    more = "(the first 10 shown)" if len(d["rows"]) > 10 else ""
    return "\n".join([head, *(lines or ["no rows"]), more]).strip()


def _forecast(d: dict) -> str:
    weeks = "; ".join(
        f"{w['week_start']}: {number(w['p50'])} ({number(w['p10'])}–{number(w['p90'])})" for w in d["weeks"]
    )
    span = "week" if d["horizon_weeks"] == 1 else f"{d['horizon_weeks']} weeks"
    return (
        f"{d['product']} in store {d['store']} should sell about {number(d['total_p50'])} units in the next {span} "
        f"after the week of {d['last_data_week']} (median forecast), likely between {number(d['total_p10'])} and "
        f"{number(d['total_p90'])}. Week by week: {weeks}. This assumes {d['assumptions']}."
    )


def _explain(d: dict) -> str:
    drivers = [x for x in d["drivers"][:4]]
    if not drivers:
        return (f"The forecast for {d['product']} in store {d['store']}, week of {d['week_start']}, is "
                f"{number(d['forecast_p50'])} units, close to a typical week ({number(d['base'])}).")  # fmt: skip
    top, rest = drivers[0], drivers[1:]
    others = "; ".join(f"{x['name']} {x['contribution']:+,.1f} ({x['description']})" for x in rest)
    return (
        f"For the week of {d['week_start']}, {d['product']} in store {d['store']} is forecast at "
        f"{number(d['forecast_p50'])} units against a typical {number(d['base'])}. The biggest driver is "
        f"{top['name']}: {top['contribution']:+,.1f} units ({top['description']})."
        + (f" Other drivers: {others}." if others else "")
    )


def _what_if(d: dict) -> str:
    revenue = f" Revenue would change by {money(d['change_revenue'])}." if d.get("change_revenue") is not None else ""
    others = "; ".join(f"{b['product']} {b['change_units']:+,.1f}" for b in d["other_products_same_store"][:3])
    text = (
        f"With {d['change']}, {d['product']} in store {d['store']} would sell about "
        f"{number(d['scenario_p50_changed_weeks'])} units instead of {number(d['baseline_p50_changed_weeks'])} "
        f"(median forecast over the changed weeks): {d['change_units']:+,.1f} units.{revenue}"
    )
    if others:
        text += f" Other products in the store: {others} units."
    return " ".join([text, *d.get("warnings", [])])


def _accuracy(d: dict) -> str:
    v = d["validation"]
    band = (f" {v['coverage80']}% of actual weeks fell inside the forecast's likely range (P10–P90; 80% is ideal)."
            if v.get("coverage80") else "")  # fmt: skip
    return (
        f"On {number(v['rows'])} held-out weeks the forecasts were off by {v['mape']:.1f}% on average (MAPE); "
        f"weighted by volume the error is {v['wape']:.1f}% (WAPE).{band} Model {d['model']}, version "
        f"{d['model_version']}."
    )


def _chart(d: dict) -> str:
    return f"Here is the chart: {d['chart']}."


def _report(d: dict) -> str:
    scenario = f", including the what-if ({d['what_if']})" if d.get("what_if") else ""
    return (f"Your report is ready{scenario}: {Path(d['path']).name}. Download it from the link next to this "
            "answer.")  # fmt: skip


def _sales_query(d: dict) -> str:
    return d.get("text") or answer_text(d)


RENDERERS: dict[str, Callable[[dict], str]] = {
    "sales_query": _sales_query, "data_coverage": _data_coverage, "query_sales": _query_sales, "forecast": _forecast, "explain_forecast": _explain, "what_if": _what_if,
    "backtest_accuracy": _accuracy, "make_chart": _chart, "generate_report": _report,
}  # fmt: skip


def render_result(name: str, content: Any) -> str:
    """One tool result as sentences; an error result as its message."""
    if isinstance(content, dict) and "error" in content:
        return f"{content['error']}"
    data = content.get("result", content) if isinstance(content, dict) else content
    renderer = RENDERERS.get(name)
    if renderer is None or not isinstance(data, dict):
        return f"{name}: {data}"
    try:
        return renderer(data)
    except (KeyError, TypeError, ValueError, AttributeError):
        return f"{name}: {data}"


def render_results(results: list[tuple[str, Any]], lead: str = "") -> str:
    """Several tool results in order, skipping the lookups that only served to find names."""
    shown = [(n, c) for n, c in results if n != "data_coverage"] or results
    body = "\n\n".join(render_result(n, c) for n, c in shown)
    return f"{lead}\n\n{body}".strip() if lead else body


def render_answer(results: list[tuple[str, Any]]) -> str:
    """The answer to a routed turn: its last result (a retry replaces a failed first call), errors explained."""
    name, content = results[-1]
    if isinstance(content, dict) and "error" in content:
        return f"{ERROR_LEAD} {content['error']}"
    return render_result(name, content)
