"""Structured mode's one LLM call per turn: pick a tool and fill its arguments, constrained by a JSON schema.

The embedded server turns the schema into a grammar, so the reply always parses; the call is capped at a few dozen
tokens (a tool name and its arguments), which on two CPU cores is the difference between seconds and minutes.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from typing import Any

import openai
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langchain_core.tools import BaseTool
from langchain_openai.chat_models.base import BaseChatOpenAI

from agent.drivers import Call, Decision
from agent.route_check import CallChecker
from agent.route_schema import NONE, route_schema
from agent.transcript import text_of

log = logging.getLogger(__name__)
ROUTE_MAX_TOKENS = int(os.environ.get("SALESCAST_ROUTE_MAX_TOKENS", "120"))
WARM_TIMEOUT = float(os.environ.get("SALESCAST_WARM_TIMEOUT", "240"))


class Router:
    """Asks the model for ``{"tool", "args"}`` and turns the reply into a ``Decision`` (no calls: answer directly)."""

    mode = "structured"

    def __init__(self, llm: BaseChatModel, tools: list[BaseTool], checker: CallChecker) -> None:
        self.llm = llm
        self.checker = checker  # the turn runs each routed call past it (``agent.route_check``)
        self.tools = tools
        self.names = [t.name for t in tools]
        self._runnables: dict[tuple[bool, frozenset[str]], Any] = {}
        self._warming: threading.Thread | None = None

    def warm(self, system: str) -> None:
        """Have the server evaluate the system prompt now, in the background, so it sits in its prefix cache.

        The prompt is most of a cold turn's cost (hundreds of tokens at ~65 tokens/s on 2 cores, far less on a
        busy machine); evaluated once at session start, every question then costs only its own few tokens.
        """
        if not isinstance(self.llm, BaseChatOpenAI) or self._warming is not None:
            return
        primer = self.llm.model_copy(update={"max_tokens": 1})
        messages = [SystemMessage(content=system), HumanMessage(content="Question:")]
        self._warming = threading.Thread(target=_quietly, args=(primer, messages), name="route-warm", daemon=True)
        self._warming.start()

    def wait_warm(self, timeout: float | None = None) -> None:
        """Block until the warm-up request finished (benchmarks: time questions, not the cold start)."""
        if self._warming is not None:
            self._warming.join(timeout)

    def decide(
        self, messages: list[BaseMessage], allow_none: bool = True, exclude: frozenset[str] = frozenset()
    ) -> Decision:
        """One routing call; ``exclude`` takes tools out of the schema (ones the checks refused this turn), and
        ``allow_none=False`` takes out ``none``: a small model asked again tends to repeat itself otherwise."""
        out = self._runnable(allow_none, exclude).invoke(messages)
        raw = out["raw"] if isinstance(out, dict) else out
        return parse_route(text_of(raw), [n for n in self.names if n not in exclude])

    def _runnable(self, allow_none: bool, exclude: frozenset[str]) -> Any:
        key = (allow_none, exclude)
        if key not in self._runnables:
            tools = [t for t in self.tools if t.name not in exclude]
            self._runnables[key] = _structured(self.llm, route_schema(tools, allow_none=allow_none))
        return self._runnables[key]


def _quietly(model: BaseChatModel, messages: list[BaseMessage]) -> None:
    try:
        model.invoke(messages, timeout=WARM_TIMEOUT)  # longer than a turn's: the whole prompt is evaluated here
    except (openai.APIError, OSError) as exc:  # costs the first question its speed; that turn reports errors
        log.warning("warming the router's prompt failed: %s", exc)


def _structured(llm: BaseChatModel, schema: dict[str, Any]) -> Any:
    """The model with the schema as ``response_format`` and a short generation cap; test models reply as text."""
    if not isinstance(llm, BaseChatOpenAI):
        return llm
    capped = llm.model_copy(update={"max_tokens": ROUTE_MAX_TOKENS})
    return capped.with_structured_output(schema, method="json_schema", include_raw=True)


def parse_route(text: str, names: list[str]) -> Decision:
    """The tool call (``None`` arguments dropped, so tool defaults apply) or a problem to report back."""
    cleaned = re.sub(r"^```(?:json)?\s*|\s*```$", "", text.strip())
    try:
        reply = json.loads(cleaned)
    except ValueError:
        return Decision(problem='Reply with one JSON object: {"tool": <name>, "args": {...}} or {"tool": "none"}.')
    if not isinstance(reply, dict):
        return Decision(problem="Reply with one JSON object, not a list or a value.")
    tool = reply.get("tool")
    if tool == NONE:
        return Decision(answer="")
    if tool not in names:
        return Decision(problem=f"Unknown tool {tool!r}. Use one of: {', '.join(names)}, or {NONE}.")
    args = reply.get("args") or {}
    if not isinstance(args, dict):
        return Decision(problem=f"'args' for {tool} must be a JSON object.")
    return Decision(calls=[Call(tool, {k: v for k, v in args.items() if v is not None}, f"route_{tool}")])
