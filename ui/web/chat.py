"""One chat turn in the web app: resolve the signed-in merchant, stream the agent's events, redraw after each.

The merchant comes from the signed-in username (``gr.Request.username`` via the users file) and is the only
merchant the agent session is created for; nothing in the question can widen it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import gradio as gr

from agent.events import AnswerChunk
from ui.users import merchant_of
from ui.web.conversation import Conversation, TurnView, apply
from ui.web.errors import friendly
from ui.web.render import messages, reports_html

if TYPE_CHECKING:
    from agent.session import ChatSession

log = logging.getLogger(__name__)
_sessions: dict[tuple[str, str | None], ChatSession] = {}
_sessions_lock = threading.Lock()

REDRAW_EVERY_S = 0.05  # answer chunks arrive per token; redrawing (and re-sending charts) for each is wasteful
Update = tuple[str, list[gr.ChatMessage], Conversation, str]
ChatFn = Callable[[str, Conversation | None, gr.Request], Iterator[Update]]


def _update(conversation: Conversation) -> Update:
    return "", messages(conversation), conversation, reports_html(conversation.files())


def session_for(merchant: str, llm: str | None) -> ChatSession:
    """One agent session per merchant, shared by its browser tabs: a session holds no per-turn state and is
    thread-safe, and building it (tools, LLM client) is work worth doing once."""
    from agent.session import ChatSession  # heavy (LangChain); imported on first use, or early by ``warm_up``

    with _sessions_lock:
        key = (merchant, llm)
        if key not in _sessions:
            _sessions[key] = ChatSession(merchant, llm=llm)
        return _sessions[key]


def warm_up() -> None:
    """Import the agent in the background so the first question does not wait for it."""
    threading.Thread(target=lambda: __import__("agent.session"), name="salescast-warm-up", daemon=True).start()


def make_chat(llm: str | None = None) -> ChatFn:
    """The streaming handler for the message box; ``llm`` picks the agent's chat model (None: its default)."""

    def chat(message: str, conversation: Conversation | None, request: gr.Request) -> Iterator[Update]:
        conversation = conversation if conversation is not None else Conversation()
        question = (message or "").strip()
        if not question:
            yield _update(conversation)
            return
        history = conversation.agent_history()
        turn = TurnView(question=question)
        conversation.turns.append(turn)
        yield _update(conversation)
        yield from _run_turn(turn, conversation, history, request, llm)
        turn.done = True
        yield _update(conversation)

    return chat


def _run_turn(
    turn: TurnView, conversation: Conversation, history: list[dict], request: gr.Request, llm: str | None
) -> Iterator[Update]:
    merchant = None
    try:
        merchant = turn.merchant = merchant_of(request.username)
        last = 0.0
        for event in session_for(merchant, llm).stream(turn.question, history):
            apply(turn, event)
            now = time.monotonic()
            if not isinstance(event, AnswerChunk) or now - last >= REDRAW_EVERY_S:
                last = now
                yield _update(conversation)
    except Exception as exc:  # the page must survive any failure of one turn
        log.exception("chat turn failed for %s", merchant)
        turn.error = friendly(exc, merchant)
