"""Message helpers shared by the loop, the drivers and the scripted model: the chat transcript's conventions.

The loop adds messages of its own (a malformed call reported back, a grounding retry); they are marked, so a
model that looks for "the merchant's last question" (the scripted one) never mistakes them for one.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

FEEDBACK = "salescast_feedback"
HISTORY_MESSAGES = 8  # earlier turns kept: a small model's context is short and old turns rarely matter
HISTORY_CHARS = 1500


def feedback(text: str) -> HumanMessage:
    """A message from the loop, not the merchant."""
    return HumanMessage(content=text, additional_kwargs={FEEDBACK: True})


def is_feedback(message: BaseMessage) -> bool:
    return bool(message.additional_kwargs.get(FEEDBACK))


def text_of(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, list):
        return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
    return str(content or "")


def history_messages(history: list[dict[str, Any]] | None) -> list[BaseMessage]:
    """OpenAI-style ``{role, content}`` turns as chat messages; other roles are dropped, long texts cut."""
    out: list[BaseMessage] = []
    for item in (history or [])[-HISTORY_MESSAGES:]:
        role, content = item.get("role"), str(item.get("content") or "")[:HISTORY_CHARS]
        if role == "user":
            out.append(HumanMessage(content=content))
        elif role == "assistant":
            out.append(AIMessage(content=content))
    return out
