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


def _when(scope: dict) -> str:
    return scope.get("period") or f"{scope['start']} to {scope['end']}"


def _top_items(d: dict) -> str:
    by_revenue = d["metric"] == "revenue"
    rows = []
    for item in d["items"]:
        name = f"store {item['name']}" if d["by"] == "store" else item["name"]
        units, revenue = f"{number(item['units'])} units", money(item.get("revenue"))
        amounts = f"{revenue} ({units})" if by_revenue else f"{units} ({revenue})"
        share = f", {item['share_pct']}% of the total" if item.get("share_pct") is not None else ""
        rows.append(f"{item['rank']}. {name}: {amounts}{share}")
    lead = f"{'Worst' if d.get('rank') == 'worst' else 'Top'} {d['by']}s by {d['metric']} in {_when(d['scope'])}:"
    total = f"All {d['n_items']} {d['by']}s together: {number(d['total_units'])} units"
    total += f", {money(d['total_revenue'])} revenue." if d.get("total_revenue") is not None else "."
    return "\n".join([lead, *rows, total])


def _sales_trend(d: dict) -> str:
    points = d["points"][-8:]
    lines = [f"- {p['period']}: {number(p['units'])} units{_and_revenue(p.get('revenue'))}"
             + (" (partial)" if p.get("partial") else "") for p in points]  # fmt: skip
    shown = f" The last {len(points)} of {len(d['points'])} {d['grain']}s:" if len(d["points"]) > len(points) else ""
    lead = (f"From {d['scope']['start']} to {d['scope']['end']} you sold {number(d['total_units'])} units"
            f"{_and_revenue(d.get('total_revenue'))} ({len(d['points'])} {d['grain']}s).{shown}")  # fmt: skip
    return "\n".join([lead, *lines])


def _and_revenue(value: float | None) -> str:
    return f" ({money(value)})" if value is not None else ""


def _compare_periods(d: dict) -> str:
    a, b = d["period_a"], d["period_b"]
    pct = f" ({d['change_units_pct']:+.2f}%)" if d.get("change_units_pct") is not None else ""
    text = (
        f"{b['label']}: {number(b['units'])} units over {b['weeks']} weeks, against {number(a['units'])} units over "
        f"{a['weeks']} weeks in {a['label']}: a change of {number(d['change_units'])} units{pct}."
    )
    if a["weeks"] != b["weeks"] and a.get("mean_weekly_units") and b.get("mean_weekly_units"):
        text += (f" The periods hold different numbers of weeks; per week that is {number(b['mean_weekly_units'])} "
                 f"against {number(a['mean_weekly_units'])} units.")  # fmt: skip
    return text


def _promotion_effect(d: dict) -> str:
    who = ", ".join(d["scope"].get("products") or []) or "your products"
    lines = []
    for s in d["signals"]:
        if s.get("lift") is None:
            continue
        lines.append(
            f"- {s['signal']}: {number(s['mean_units_with'])} units per store-week with it against "
            f"{number(s['mean_units_without'])} without, {s['lift']}x ({s['weeks_with']} weeks with it)."
        )
    missing = f" Not recorded in your data: {', '.join(d['not_recorded'])}." if d.get("not_recorded") else ""
    if not lines:
        return f"No promotion weeks for {who} in this period, so I cannot measure an effect.{missing}"
    caveats = " ".join([*d.get("notes", [])[:2], d.get("caveat", "")]).strip()
    return "\n".join([f"Promotions and sales of {who} ({_when(d['scope'])}):", *lines, caveats + missing]).strip()


def _price_history(d: dict) -> str:
    s = d["summary"]
    paid = f" Shoppers paid {money(s['price_paid'])} on average after deals." if s.get("price_paid") else ""
    return (
        f"{d['product']} ({_when(d['scope'])}): average shelf price {money(s['mean_price'])}, lowest "
        f"{money(s['min_price'])} (week of {s['min_week']}), highest {money(s['max_price'])} (week of "
        f"{s['max_week']}).{paid}"
    )


def _data_coverage(d: dict) -> str:
    more = " (the first ones)" if d.get("products_truncated") else ""
    return (
        f"Your data runs from the week of {d['first_week']} to the week of {d['last_week']}: {number(d['rows'])} "
        f"rows, {d['n_products']} products and {d['n_stores']} stores. Products{more}: {', '.join(d['products'])}."
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
    "sales_query": _sales_query, "top_items": _top_items, "sales_trend": _sales_trend, "compare_periods": _compare_periods,
    "promotion_effect": _promotion_effect, "price_history": _price_history, "data_coverage": _data_coverage,
    "query_sales": _query_sales, "forecast": _forecast, "explain_forecast": _explain, "what_if": _what_if,
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
