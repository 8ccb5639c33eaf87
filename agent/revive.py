"""The embedded model comes back: a session whose local server was killed or crashed gets a running one again.

A session's chat model is bound to one server's port. When that server dies (a kill, a native crash in llama.cpp,
the out-of-memory killer), every later call to that port fails at once, even after another session has started a
new server. So before a turn, and after a turn that failed, the session compares its server with this process's
current one (``agent.llm_shared.current_server``): when its own is gone it re-binds to the running one, starting it
if no session has yet, and the turn that failed is run again. The merchant is told, at the start of the answer,
that the local model stopped and was restarted (or why it could not be).
"""

from __future__ import annotations

from collections.abc import Iterator

from agent.events import AgentEvent, AnswerChunk, Done, TurnResult
from agent.llm import LLMChoice, LLMConfigError, embedded
from agent.loop import chunks

RESTARTED = "The local model stopped; it was restarted."
NOT_RESTARTED = "The local model stopped and could not be restarted:"


def stale(choice: LLMChoice) -> bool:
    """Whether ``choice`` talks to an embedded server that is no longer this process's running one."""
    from agent import llm_shared

    server = choice.server
    return server is not None and (not server.running or llm_shared.current_server() is not server)


def restart() -> tuple[LLMChoice | None, str]:
    """``(a choice bound to the running server, the note for the merchant)``; no choice when it cannot start."""
    try:
        return embedded(), RESTARTED
    except LLMConfigError as exc:
        return None, f"{NOT_RESTARTED} {exc}"


def with_note(held: list[AnswerChunk], done: Done, note: str | None) -> Iterator[AgentEvent]:
    """The answer's chunks and its ``Done``, with ``note`` leading the answer when there is one."""
    if note is None:
        yield from held
        yield done
        return
    answer = f"{note} {done.result.answer}".strip()
    for piece in chunks(answer):
        yield AnswerChunk(text=piece)
    yield Done(result=done.result.model_copy(update={"answer": answer}))


def down(note: str, choice: LLMChoice) -> Iterator[AgentEvent]:
    """The turn's events when no server could be started: ``note`` (which says why) as the answer and the error."""
    for piece in chunks(note):
        yield AnswerChunk(text=piece)
    result = TurnResult(answer=note, tool_calls=[], artifacts=[], llm=choice.label, seconds=0.0, grounded=True,
                        error=note, mode=choice.mode)  # fmt: skip
    yield Done(result=result)
