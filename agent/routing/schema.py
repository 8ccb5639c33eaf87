"""The router's reply shape: which tool answers, and for past sales the shape of the query.

The reply is flat and short (a tool name, then for ``sales_query`` a measure, a breakdown, a ranking and a limit),
because every token costs about 50 ms on two cores. It holds no names and no dates: the linker has them. The
measure and breakdown enums are the merchant's own model, so a reply can only name terms that exist for it. Free
SQL is not offered: in three held-out runs the small model chose it 12 times and none of its queries answered (it
invents columns such as ``period``); the semantic query expresses what those questions asked.
"""

from __future__ import annotations

from typing import Any

NONE = "none"
SIMPLE = ["forecast", "explain_forecast", "what_if", "backtest_accuracy", "data_coverage", "generate_report"]
CHART_KINDS = ["forecast", "drivers"]


FUTURE = ("forecast", "explain_forecast", "what_if")  # tools about weeks after the data


def reply_schema(measures: list[str], dimensions: list[str], exclude: frozenset[str] = frozenset()) -> dict[str, Any]:
    """``{"name", "schema"}`` for ``with_structured_output``; ``exclude`` takes tools out of the choice (a second
    routing call after the first chose a tool the question cannot be answered with)."""
    sales = _object({"tool": {"type": "string", "enum": ["sales_query"]},
                     "measure": {"type": "string", "enum": measures},
                     "by": {"type": "string", "enum": [*dimensions, NONE]},
                     "rank": {"type": "string", "enum": ["top", "bottom", NONE]},
                     "limit": {"anyOf": [{"type": "integer"}, {"type": "null"}]}})  # fmt: skip
    chart = _object({"tool": {"type": "string", "enum": ["make_chart"]},
                     "kind": {"type": "string", "enum": CHART_KINDS}})  # fmt: skip
    simple = _object({"tool": {"type": "string", "enum": [t for t in [*SIMPLE, NONE] if t not in exclude]}})
    shapes = [sales, simple] + [chart] * ("make_chart" not in exclude)
    return {"name": "route", "schema": {"anyOf": shapes}}


def _object(props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": list(props), "additionalProperties": False}
