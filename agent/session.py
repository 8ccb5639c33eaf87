"""A merchant's chat: the tools bound to that merchant, one LLM, and a turn per question.

This is the agent's public face for the CLI, the web UI and the eval. The session keeps no per-turn state (each
question gets a fresh turn; earlier turns come in as ``history``), so one session may serve several questions at
once from different threads. Native mode (capable models) runs the tool loop and lets the model write the answer;
structured mode (the small embedded model) routes each question with one constrained call and renders the answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from agent.drivers import NativeDriver
from agent.events import AgentEvent, Done, TurnResult
from agent.llm import LLMChoice, choose
from agent.loop import Limits, Turn
from agent.prompt import system_prompt
from agent.route_check import CallChecker, vocabulary
from agent.route_prompt import route_system
from agent.routed_turn import RoutedTurn
from agent.router import Router
from tools.agent_tools import build_tools


class ChatSession:
    """Questions from one merchant, answered with that merchant's data only."""

    def __init__(self, merchant: str, llm: str | None = None, limits: Limits | None = None) -> None:
        self._setup(merchant, choose(llm), limits)

    def _setup(self, merchant: str, choice: LLMChoice, limits: Limits | None) -> None:
        self.merchant = merchant
        self.tools = build_tools(merchant)
        self.choice = choice
        self.limits = limits or Limits()
        if choice.mode == "structured":
            self.system = route_system(merchant)
            checker = CallChecker(vocabulary(merchant))
            self.driver: NativeDriver | Router = Router(choice.model, self.tools, checker)
            self.driver.warm(self.system)
        else:
            self.system = system_prompt(merchant)
            self.driver = NativeDriver(choice.model, self.tools)

    def wait_ready(self, timeout: float | None = None) -> None:
        """Wait for the embedded model's prompt warm-up, if any (started with the session, in the background)."""
        if isinstance(self.driver, Router):
            self.driver.wait_warm(timeout)

    @property
    def llm_label(self) -> str:
        return self.choice.label

    def stream(self, question: str, history: list[dict[str, Any]] | None = None) -> Iterator[AgentEvent]:
        """The turn's events as they happen: steps, answer chunks, then one ``Done``."""
        turn_type = RoutedTurn if isinstance(self.driver, Router) else Turn
        turn = turn_type(self.driver, self.tools, self.system, self.choice.label, self.limits)
        yield from turn.run(question, history)

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
