"""A merchant's chat: the tools bound to that merchant, one LLM, and a turn per question.

This is the agent's public face for the CLI, the web UI and the eval. The session keeps no per-turn state (each
question gets a fresh turn; earlier turns come in as ``history``), so one session may serve several questions at
once from different threads. Native mode (capable models) runs the tool loop and lets the model write the answer;
structured mode (the small embedded model) routes each question with one constrained call and renders the answer.
An embedded server that died is replaced before the next turn, or right after the turn it broke, which then runs
again (``agent.revive``).
"""

from __future__ import annotations

import threading
from collections.abc import Generator, Iterator
from typing import Any

from agent import revive
from agent.drivers import NativeDriver
from agent.events import AgentEvent, AnswerChunk, Done, TurnResult
from agent.llm import LLMChoice, choose
from agent.loop import Limits, Turn
from agent.prompt import system_prompt
from agent.routing.router import SemanticRouter
from agent.routing.turn import SemanticTurn
from tools.agent_tools import build_tools
from tools.semantic.model import semantic_model


class ChatSession:
    """Questions from one merchant, answered with that merchant's data only."""

    def __init__(self, merchant: str, llm: str | None = None, limits: Limits | None = None) -> None:
        self._setup(merchant, choose(llm), limits)

    def _setup(self, merchant: str, choice: LLMChoice, limits: Limits | None) -> None:
        self.merchant = merchant
        self.tools = build_tools(merchant)
        self.limits = limits or Limits()
        self._rebind = threading.Lock()
        self._bind(choice)

    def _bind(self, choice: LLMChoice) -> None:
        """Use ``choice`` for the turns that start from now on (turns already running keep theirs)."""
        self.choice = choice
        if choice.mode == "structured":
            self.driver: NativeDriver | SemanticRouter = SemanticRouter(choice.model, semantic_model(self.merchant))
            self.system = self.driver.system
            self.driver.warm()
        else:
            self.system = system_prompt(self.merchant)
            self.driver = NativeDriver(choice.model, self.tools)

    def wait_ready(self, timeout: float | None = None) -> None:
        """Wait for the embedded model's prompt warm-up, if any (started with the session, in the background)."""
        if isinstance(self.driver, SemanticRouter):
            self.driver.wait_warm(timeout)

    @property
    def llm_label(self) -> str:
        return self.choice.label

    def stream(self, question: str, history: list[dict[str, Any]] | None = None) -> Iterator[AgentEvent]:
        """The turn's events as they happen: steps, answer chunks, then one ``Done``."""
        note = None
        if revive.stale(self.choice):  # the server died since the last turn (or another session replaced it)
            note, ok = self._revive()
            if not ok:
                yield from revive.down(note, self.choice)
                return
        held, done = yield from self._attempt(question, history)
        if note is None and done.result.error and revive.stale(self.choice):  # the server died during this turn
            note, ok = self._revive()
            if ok:
                held, done = yield from self._attempt(question, history)
        yield from revive.with_note(held, done, note)

    def _attempt(
        self, question: str, history: list[dict[str, Any]] | None
    ) -> Generator[AgentEvent, None, tuple[list[AnswerChunk], Done]]:
        """Run one turn, yielding its steps; its answer chunks and ``Done`` are returned, as a retry replaces them
        (they all come at the end of a turn, so holding them back delays nothing)."""
        turn_type = SemanticTurn if isinstance(self.driver, SemanticRouter) else Turn
        turn = turn_type(self.driver, self.tools, self.system, self.choice.label, self.limits)
        held: list[AnswerChunk] = []
        for event in turn.run(question, history):
            if isinstance(event, Done):
                return held, event
            if isinstance(event, AnswerChunk):
                held.append(event)
            else:
                yield event
        raise RuntimeError("the agent loop ended without a result")  # the loop always yields Done

    def _revive(self) -> tuple[str, bool]:
        """Re-bind to a running embedded server (starting one if needed): ``(note for the merchant, ok)``."""
        with self._rebind:  # one restart per session, whichever of its turns notices first
            if not revive.stale(self.choice):
                return revive.RESTARTED, True
            choice, note = revive.restart()
            if choice is not None:
                self._bind(choice)
            return note, choice is not None

    def ask(self, question: str, history: list[dict[str, Any]] | None = None) -> TurnResult:
        """The whole turn at once."""
        for event in self.stream(question, history):
            if isinstance(event, Done):
                return event.result
        raise RuntimeError("the agent loop ended without a result")  # the loop always yields Done


def session_for(
    merchant: str, model: Any, label: str, mode: str = "native", limits: Limits | None = None
) -> ChatSession:
    """A session over a given chat model (tests: fake models; eval: a shared scripted model)."""
    session = ChatSession.__new__(ChatSession)
    session._setup(merchant, LLMChoice(model, label, mode), limits)
    return session
