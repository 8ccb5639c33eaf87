"""A deterministic chat model that drives the real agent loop and tools without any LLM.

It reads the question with keyword rules (``agent.scripted_intent``), emits native tool calls like a capable hosted
model would, and, once the tools have answered, writes its answer from the tool results with the same plain
renderer the loop falls back on. Names it needs (a product, a store) come from the merchant's own data: it first
calls ``data_coverage`` and picks what the question (or the conversation) names, else the first one listed, so it
works for any merchant. It keeps no state between calls, so one instance serves many sessions at once.
"""

from __future__ import annotations

import re
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from agent import scripted_intent as si
from agent.grounding import parse_content
from agent.render import OUT_OF_SCOPE, render_results
from agent.transcript import is_feedback

NEEDS_NAMES = {"forecast", "explain_forecast", "what_if", "generate_report", "make_chart", *si.SALES_SHAPES} - {
    "ranking"
}


class ScriptedChatModel(BaseChatModel):
    """Keyword-routed tool calls, then an answer rendered from the tool results (see the module docstring)."""

    @property
    def _llm_type(self) -> str:
        return "salescast-scripted"

    def bind_tools(self, tools: Any, **kwargs: Any) -> ScriptedChatModel:
        return self

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=respond(messages))])


def respond(messages: list[BaseMessage]) -> AIMessage:
    """The next message: a tool call while something is still to be looked up, else the answer."""
    start = _question_index(messages)
    question = str(messages[start].content) if start is not None else ""
    earlier = [str(m.content) for m in reversed(messages[: start or 0]) if isinstance(m, (HumanMessage, AIMessage))]
    turn = messages[start + 1 :] if start is not None else []
    results = [(m.name or "", parse_content(str(m.content))) for m in turn if isinstance(m, ToolMessage)]
    shape = si.intent(question)
    if shape is None:
        return AIMessage(content=OUT_OF_SCOPE)
    tool = "sales_query" if shape in si.SALES_SHAPES else shape
    done = {name for name, _ in results}
    if any(isinstance(c, dict) and "error" in c for _, c in results):
        return AIMessage(content=_relay_error(results))
    if shape in NEEDS_NAMES and "data_coverage" not in done:
        return _call("data_coverage", {}, len(messages))
    if tool not in done:
        coverage = next((c.get("result", {}) for n, c in results if n == "data_coverage"), {})
        return _call(tool, arguments(shape, question, earlier, coverage), len(messages))
    return AIMessage(content=render_results(results))


def _question_index(messages: list[BaseMessage]) -> int | None:
    for i in range(len(messages) - 1, -1, -1):
        m = messages[i]
        if isinstance(m, HumanMessage) and not is_feedback(m):
            return i
    return None


def _call(name: str, args: dict[str, Any], n: int) -> AIMessage:
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": f"call_{n}", "type": "tool_call"}])


def _relay_error(results: list[tuple[str, Any]]) -> str:
    errors = [c["error"] for _, c in results if isinstance(c, dict) and "error" in c]
    return "I could not answer that from your data: " + " ".join(errors)


def arguments(shape: str, question: str, earlier: list[str], coverage: dict[str, Any]) -> dict[str, Any]:
    """The tool's arguments from the question, the conversation and the merchant's names."""
    if shape == "query_sales":
        return {"sql": si.sql_in(question)}
    if shape in si.SALES_SHAPES:
        return sales_arguments(shape, question, earlier, coverage)
    if shape in ("data_coverage", "backtest_accuracy"):
        return {}
    return _series_args(shape, question, _series(question, earlier, coverage))


def sales_arguments(shape: str, question: str, earlier: list[str], coverage: dict[str, Any]) -> dict[str, Any]:
    """One ``sales_query`` for a past-sales shape; names go as written (the tool resolves them, or lists the
    known ones), the product only when the question names one and always for a price history."""
    found = si.periods(question)
    named = _named(question, coverage)
    product = _series(question, earlier, coverage)["product"]
    args: dict[str, Any] = {"measures": ["revenue", "units"] if si.wants_revenue(question) else ["units", "revenue"]}
    filters: dict[str, str] = {"product": product} if named or shape == "price" else {}
    store = si.find_store([question], coverage.get("stores", []))
    if store and not si.wants_stores(question):
        filters["store"] = store
    if filters:
        args["filters"] = filters
    if shape == "ranking":
        args |= {"by": ["store" if si.wants_stores(question) else "product"], "limit": si.top_n(question),
                 "rank": "bottom" if si.wants_worst(question) else "top"}  # fmt: skip
    elif shape == "compare":
        found = found if len(found) >= 2 else ["last year", "this year"]
        args["compare_to"] = found[1]
    elif shape in ("trend", "chart"):
        args["by"] = ["month" if re.search(r"month", question.lower()) else "week"]
        args["output"] = "chart" if shape == "chart" else "auto"
    elif shape == "promotion":
        args |= {"measures": ["avg_weekly_units", "weeks_sold"], "by": ["deal"]}
    elif shape == "price":
        args |= {"measures": ["avg_price", "min_price", "max_price"]}
    return args | ({"period": found[0]} if found else {})


def _series_args(tool: str, question: str, series: dict[str, Any]) -> dict[str, Any]:
    if tool == "forecast":
        return series | {"horizon": si.horizon(question)}
    if tool == "what_if":
        c = si.change(question)
        return series | {k: v for k, v in vars(c).items() if v is not None}
    if tool == "make_chart":
        return series | {"kind": "drivers" if re.search(r"why|driver", question.lower()) else "forecast"}
    if tool == "generate_report":
        return series | {"question": question}
    return series


def _named(question: str, coverage: dict[str, Any]) -> bool:
    return si.find_product([question], coverage.get("products", [])) is not None


def _series(question: str, earlier: list[str], coverage: dict[str, Any]) -> dict[str, Any]:
    """Product and store: named in the question, else in the conversation, else the merchant's first ones."""
    products, stores = coverage.get("products", []), coverage.get("stores", [])
    product = (
        si.find_product([question], products)
        or si.product_phrase(question)
        or si.brand_hint(question, products)
        or si.find_product(earlier, products)
        or (products[0] if products else "")
    )
    store = si.find_store([question, *earlier], stores)
    if store is None and stores and stores != ["chain"]:
        store = stores[0]
    return {"product": product} | ({"store": store} if store else {})
