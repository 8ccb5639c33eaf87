"""The one JSON shape a small model fills in structured mode: a tool and its arguments, or ``none``.

A small model is reliable when it only has to fill a constrained, typed choice, so the schema is a union with one
branch per tool (``{"tool": <name>, "args": {...}}``) plus ``{"tool": "none"}`` for questions outside the
merchant's data; the server compiles it to a grammar, so every reply parses. Each branch shows only the arguments
that matter for a chat question, all of them required (optional ones nullable): a model that must write
``"horizon": 1`` gets "next week" right far more often than one that may silently skip the argument.
"""

from __future__ import annotations

from typing import Any

from langchain_core.tools import BaseTool

NONE = "none"

# Arguments the router fills, in the order the model writes them; the rest keep their defaults (or, like a
# report's question, are filled by the turn itself).
ROUTE_ARGS: dict[str, list[str]] = {
    "top_items": ["by", "metric", "rank", "n", "period", "product", "store"],
    "sales_trend": ["grain", "period", "product", "store"],
    "compare_periods": ["period_a", "period_b", "product", "store"],
    "promotion_effect": ["product", "store", "period"],
    "price_history": ["product", "store", "period"],
    "data_coverage": [],
    "query_sales": ["sql"],
    "forecast": ["product", "store", "horizon"],
    "explain_forecast": ["product", "store", "week"],
    "what_if": ["product", "store", "price", "deal", "feature", "weeks"],
    "backtest_accuracy": [],
    "make_chart": ["kind", "product", "store", "period"],
    "generate_report": ["product", "store", "format"],
}


def route_schema(tools: list[BaseTool], allow_none: bool = True) -> dict[str, Any]:
    """``{"name", "schema"}`` for ``with_structured_output``: one branch per tool, then ``none`` (unless a tool
    must be chosen: the question was judged to be about the merchant's data)."""
    branches = [_branch(tool) for tool in tools]
    if allow_none:
        branches.append({"type": "object", "properties": {"tool": {"type": "string", "enum": [NONE]}},
                         "required": ["tool"], "additionalProperties": False})  # fmt: skip
    return {"name": "route", "schema": {"anyOf": branches}}


def routed_args(tool: BaseTool) -> list[str]:
    """The arguments the router fills for ``tool`` (all of a tool not listed in ``ROUTE_ARGS``)."""
    props = _properties(tool)
    wanted = ROUTE_ARGS.get(tool.name, list(props))
    return [name for name in wanted if name in props]


def _branch(tool: BaseTool) -> dict[str, Any]:
    props = _properties(tool)
    names = routed_args(tool)
    args = {"type": "object", "properties": {n: _typed(props[n]) for n in names}, "required": names,
            "additionalProperties": False}  # fmt: skip
    return {"type": "object", "properties": {"tool": {"type": "string", "enum": [tool.name]}, "args": args},
            "required": ["tool", "args"], "additionalProperties": False}  # fmt: skip


def _properties(tool: BaseTool) -> dict[str, Any]:
    schema = tool.tool_call_schema.model_json_schema() if tool.tool_call_schema else {}
    return schema.get("properties", {})


def _typed(spec: dict[str, Any]) -> dict[str, Any]:
    """The argument's type without titles, descriptions and bounds (the grammar cannot use them; pydantic checks)."""
    if "anyOf" in spec:
        return {"anyOf": [_typed(s) for s in spec["anyOf"]]}
    if "enum" in spec:
        return {"type": spec.get("type", "string"), "enum": spec["enum"]}
    return {"type": spec["type"]} if "type" in spec else {}
