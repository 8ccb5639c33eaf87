"""Test chat models for the agent: replies given in advance, and a record of what the model was shown.

LangChain's ``FakeMessagesListChatModel`` replays replies but does not keep the messages it received; the tests
need both (to check that an error was reported back to the model, or that a tool result reached it).
"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field


class RecordingModel(BaseChatModel):
    """Replays ``replies`` in order (the last one repeats) and records every message list it was given."""

    replies: list[BaseMessage]
    seen: list[list[BaseMessage]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "recording-fake"

    def bind_tools(self, tools: Any, **kwargs: Any) -> RecordingModel:
        return self

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        self.seen.append(list(messages))
        reply = self.replies[min(len(self.seen) - 1, len(self.replies) - 1)]
        return ChatResult(generations=[ChatGeneration(message=reply)])


def call(name: str, args: dict[str, Any], n: int = 0) -> AIMessage:
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": f"c{n}", "type": "tool_call"}])


def say(text: str) -> AIMessage:
    return AIMessage(content=text)


def step(obj: dict[str, Any]) -> AIMessage:
    """A structured-mode reply: one JSON object as text."""
    return AIMessage(content=json.dumps(obj))
