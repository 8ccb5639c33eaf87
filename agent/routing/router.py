"""Structured mode's one LLM call per turn, on the semantic design: the linker reads the question first, the model
then picks the tool and (for past sales) the query's shape, constrained by the merchant's own terms.

The embedded server compiles the schema to a grammar, so the reply always parses; it is capped at a few dozen
tokens. The system prompt is evaluated once at session start (``warm``) and then sits in the server's prefix cache.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from typing import Any

import openai
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langchain_openai.chat_models.base import BaseChatOpenAI

from agent.routing.prompt import system_text
from agent.routing.schema import NONE, reply_schema
from agent.transcript import text_of
from forecasting.settings import settings
from tools.semantic.model import SemanticModel

log = logging.getLogger(__name__)
TOOLS = {"sales_query", "make_chart", "forecast", "explain_forecast", "what_if", "backtest_accuracy",
         "data_coverage", "generate_report", NONE}  # fmt: skip


class SemanticRouter:
    """Asks the model for the routing reply of one question (see the module docstring)."""

    mode = "structured"

    def __init__(self, llm: BaseChatModel, model: SemanticModel) -> None:
        self.llm = llm
        self.model = model
        self.system = system_text(model)
        self._runnables: dict[frozenset[str], Any] = {}
        self._warming: threading.Thread | None = None

    def warm(self) -> None:
        """Evaluate the system prompt now, in the background, so the first question pays only for its own words."""
        if not isinstance(self.llm, BaseChatOpenAI) or self._warming is not None:
            return
        primer = self.llm.model_copy(update={"max_tokens": 1})
        messages = [SystemMessage(content=self.system), HumanMessage(content="Examples:")]
        self._warming = threading.Thread(target=_quietly, args=(primer, messages), name="route-warm", daemon=True)
        self._warming.start()

    def wait_warm(self, timeout: float | None = None) -> None:
        if self._warming is not None:
            self._warming.join(timeout)

    def decide(
        self, messages: list[BaseMessage], exclude: frozenset[str] = frozenset()
    ) -> tuple[dict[str, Any] | None, str | None]:
        """``(reply, None)`` or ``(None, problem to tell the model)``; ``exclude``: tools it may not choose."""
        out = self._runnable(exclude).invoke(messages)
        raw = out["raw"] if isinstance(out, dict) else out
        reply, problem = parse_reply(text_of(raw))
        if reply is not None and reply.get("tool") in exclude:  # test models are not held by a grammar
            return None, f"Choose another tool than {reply['tool']}."
        return reply, problem

    def _runnable(self, exclude: frozenset[str]) -> Any:
        if exclude not in self._runnables:
            schema = reply_schema([m.name for m in self.model.measures], [d.name for d in self.model.dimensions],
                                  exclude)  # fmt: skip
            self._runnables[exclude] = _structured(self.llm, schema)
        return self._runnables[exclude]


def parse_reply(text: str) -> tuple[dict[str, Any] | None, str | None]:
    cleaned = re.sub(r"^```(?:json)?\s*|\s*```$", "", text.strip())
    try:
        reply = json.loads(cleaned)
    except ValueError:
        return None, 'Reply with one JSON object such as {"tool": "sales_query", ...} or {"tool": "none"}.'
    if not isinstance(reply, dict) or reply.get("tool") not in TOOLS:
        return None, f"Reply with one JSON object whose tool is one of: {', '.join(sorted(TOOLS))}."
    return reply, None


def _quietly(model: BaseChatModel, messages: list[BaseMessage]) -> None:
    try:
        model.invoke(messages, timeout=settings().warm_timeout)
    except (openai.APIError, OSError) as exc:  # costs the first question its speed; that turn reports errors
        log.warning("warming the router's prompt failed: %s", exc)


def _structured(llm: BaseChatModel, schema: dict[str, Any]) -> Any:
    """The model with the schema as ``response_format`` and a short cap; test models reply as plain text."""
    if not isinstance(llm, BaseChatOpenAI):
        return llm
    capped = llm.model_copy(update={"max_tokens": settings().route_max_tokens})
    return capped.with_structured_output(schema, method="json_schema", include_raw=True)
