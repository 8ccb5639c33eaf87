"""Structured mode's one LLM call per turn: pick a tool and fill its arguments, constrained by a JSON schema.

The embedded server turns the schema into a grammar, so the reply always parses; the call is capped at a few dozen
tokens (a tool name and its arguments), which on two CPU cores is the difference between seconds and minutes.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.tools import BaseTool
from langchain_openai.chat_models.base import BaseChatOpenAI

from agent.drivers import Call, Decision
from agent.route_schema import NONE, route_schema
from agent.transcript import text_of

ROUTE_MAX_TOKENS = int(os.environ.get("SALESCAST_ROUTE_MAX_TOKENS", "160"))


class Router:
    """Asks the model for ``{"tool", "args"}`` and turns the reply into a ``Decision`` (no calls: answer directly)."""

    mode = "structured"

    def __init__(self, llm: BaseChatModel, tools: list[BaseTool]) -> None:
        self.names = [t.name for t in tools]
        self.runnable = _structured(llm, route_schema(tools))

    def decide(self, messages: list[BaseMessage]) -> Decision:
        out = self.runnable.invoke(messages)
        raw = out["raw"] if isinstance(out, dict) else out
        return parse_route(text_of(raw), self.names)


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
