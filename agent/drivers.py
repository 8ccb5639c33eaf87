"""Native tool calling for capable models, and the ``Decision`` every way of asking an LLM produces.

Capable hosted models call tools natively (``bind_tools``) and write their own answer, which the loop checks for
grounding. Small local models cannot call tools natively; structured mode (``agent.routing``) asks them for one
grammar-constrained choice instead and yields the same ``Decision``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.tools import BaseTool

from agent.transcript import text_of

FINAL = "final_answer"


@dataclass
class Call:
    name: str
    args: dict[str, Any]
    id: str


@dataclass
class Decision:
    calls: list[Call] = field(default_factory=list)
    answer: str | None = None
    problem: str | None = None  # the reply was malformed: tell the model this and ask again
    message: BaseMessage | None = None


class NativeDriver:
    """Tool calls through the model's own tool-calling API (OpenAI ``tools``)."""

    mode = "native"

    def __init__(self, llm: BaseChatModel, tools: list[BaseTool]) -> None:
        self.llm = llm
        try:
            self.bound = llm.bind_tools(tools)
        except NotImplementedError:  # fake test models emit tool calls without binding
            self.bound = llm

    def decide(self, messages: list[BaseMessage]) -> Decision:
        reply = self.bound.invoke(messages)
        if reply.invalid_tool_calls:
            bad = reply.invalid_tool_calls[0]
            why = bad.get("error") or "bad JSON arguments"
            return Decision(problem=f"Your call of {bad.get('name')!r} could not be read ({why}). Call the tool "
                            "again with valid JSON arguments.", message=reply)  # fmt: skip
        if reply.tool_calls:
            calls = [Call(c["name"], dict(c.get("args") or {}), c.get("id") or f"call_{i}")
                     for i, c in enumerate(reply.tool_calls)]  # fmt: skip
            return Decision(calls=calls, message=reply)
        return Decision(answer=text_of(reply), message=reply)

    def record(self, messages: list[BaseMessage], decision: Decision, results: list[tuple[Call, str]]) -> None:
        messages.append(decision.message or AIMessage(content=""))
        for call, content in results:
            messages.append(ToolMessage(content=content, tool_call_id=call.id, name=call.name))

    def final(self, messages: list[BaseMessage]) -> str:
        return text_of(self.llm.invoke(messages))
