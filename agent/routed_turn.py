"""A structured-mode turn: one routing call, the tool, and an answer rendered from its result.

Designed for a small model on a CPU: the model only picks a tool and fills its arguments (``agent.router``); the
answer is written by ``agent.render`` from the tool result, so it is grounded by construction and costs no second
generation. Another routing call (at most three in all) happens only when a call's arguments were unusable (a
validation error, SQL the guard or DuckDB refused, SQL that found nothing) or did not fit the question
(``agent.route_check``; a tool that does not fit is then taken out of the schema), with the reason shown to the
model; a ``none`` for a question about the merchant's data is asked once more with ``none`` taken out of the
schema; an unknown or ambiguous name is not retried, its message with the closest matches is the answer.
Out-of-scope questions get a fixed reply without numbers.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from langchain_core.messages import AIMessage

from agent.drivers import Call
from agent.events import AgentEvent
from agent.grounding import Grounder
from agent.loop import LLMDown, ReplyCutOff, Turn, TurnState, _guard_llm, sources
from agent.render import NOT_ROUTED, OUT_OF_SCOPE, render_answer
from agent.route_prompt import route_messages
from agent.route_schema import NONE
from agent.transcript import feedback, text_of
from tools.agent_tools_base import ToolOutput

MAX_ROUTES = int(os.environ.get("SALESCAST_ROUTE_CALLS", "3"))
CUT_OFF_RETRY = "Your reply was cut off at its length limit. Reply with a shorter JSON object: fewer arguments, "\
    "a shorter SQL query."  # fmt: skip
CUT_OFF_ADVICE = "Ask a shorter or simpler question, or raise SALESCAST_ROUTE_MAX_TOKENS."
RETRYABLE_TOOLS = {"query_sales"}  # SQL errors are the model's to fix; a name error is the merchant's


@dataclass
class RouteBudget:
    """What is left of a turn's routing: calls, whether ``none`` may still be chosen, tools the checks refused."""

    calls_left: int
    allow_none: bool = True
    refused: frozenset[str] = frozenset()

    def take(self) -> bool:
        if self.calls_left <= 0:
            return False
        self.calls_left -= 1
        return True


class RoutedTurn(Turn):
    """``Turn`` with the structured-mode flow (see the module docstring); events and result are the same."""

    def run(self, question: str, history: list[dict[str, Any]] | None = None) -> Iterator[AgentEvent]:
        started = time.perf_counter()
        state = TurnState(messages=route_messages(self.system, question, history))
        try:
            yield from self._route(state, question, started)
        except LLMDown as exc:
            state.error = str(exc)
        answer = self._compose(state, question)
        missing = Grounder(sources(question, history, state)).check(answer)
        yield from self._finish(state, answer, not missing, [], started)

    def _route(self, state: TurnState, question: str, started: float) -> Iterator[AgentEvent]:
        budget = RouteBudget(calls_left=min(MAX_ROUTES, self.limits.max_steps))
        while budget.take():
            if time.perf_counter() - started > self.limits.max_seconds:
                state.error = f"Stopped after {self.limits.max_seconds:.0f} s."
                return
            try:
                decision = _guard_llm(self.label, partial(self.driver.decide, state.messages, budget.allow_none,
                                                          budget.refused))  # fmt: skip
            except ReplyCutOff as exc:
                self._cut_off(state, budget, exc)
                continue
            if decision.problem:
                state.messages.append(feedback(decision.problem))
            elif not decision.calls:
                if not self._doubted_none(state, question, budget):
                    state.answer = OUT_OF_SCOPE
                    return
            elif (yield from self._checked_call(state, question, decision.calls[0], budget)):
                return

    def _cut_off(self, state: TurnState, budget: RouteBudget, exc: ReplyCutOff) -> None:
        """A routing reply cut at its token limit: ask for a shorter one while calls are left, else say so."""
        state.messages.append(feedback(CUT_OFF_RETRY))
        if budget.calls_left <= 0:
            state.error = f"{exc} {CUT_OFF_ADVICE}"

    def _doubted_none(self, state: TurnState, question: str, budget: RouteBudget) -> bool:
        """A ``none`` for a question about the merchant's data is asked once more, with ``none`` out of the schema."""
        doubt = self.driver.checker.doubt_none(question) if budget.allow_none else None
        if doubt:
            state.messages += [AIMessage(content=json.dumps({"tool": NONE})), feedback(doubt)]
            budget.allow_none, budget.calls_left = False, max(budget.calls_left, 1)
        return doubt is not None

    def _checked_call(
        self, state: TurnState, question: str, routed: Call, budget: RouteBudget
    ) -> Generator[AgentEvent, None, bool]:
        """Check the routed call, run it, and say whether the turn is done (else the reason is in the transcript)."""
        checked = self.driver.checker.check(routed, question, text_of(state.messages[1]))
        if checked.call is None:
            state.messages += [_said(routed), feedback(checked.problem or "")]
            budget.refused |= {routed.name} if checked.wrong_tool else set()
            return False
        call = with_question(checked.call, question)
        output = yield from self._run_call(state, call)
        if output.ok and empty_sql(call, output) and budget.calls_left > 0:
            hint = self.driver.checker.period_hint(question)
            state.messages += [_said(call), feedback(f"That query found no data. Check its filters: a period is "
                                                     f"week_start BETWEEN two DATEs.{hint}")]  # fmt: skip
            return False
        if output.ok or not retryable(call, output):
            return True
        state.messages += [_said(call), feedback(f"That failed: {output.summary} Fix the arguments, "
                                                 "or choose another tool.")]  # fmt: skip
        return False

    def _compose(self, state: TurnState, question: str) -> str:
        if state.answer is not None:
            return state.answer
        if state.results:
            return render_answer(state.results)
        if state.error:
            return state.error
        # every routed call was refused: say so, rather than calling a question about the data out of scope
        return NOT_ROUTED if self.driver.checker.doubt_none(question) else OUT_OF_SCOPE


def _said(call: Call) -> AIMessage:
    """The model's routing reply as it would have written it, so a retry sees what it is correcting."""
    return AIMessage(content=json.dumps({"tool": call.name, "args": call.args}))


def with_question(call: Call, question: str) -> Call:
    """A report prints the merchant's question; the router need not copy it (fewer tokens to generate)."""
    if call.name == "generate_report" and "question" not in call.args:
        return Call(call.name, {**call.args, "question": question}, call.id)
    return call


def empty_sql(call: Call, output: ToolOutput) -> bool:
    """SQL that ran but found nothing (no rows, or only NULL aggregates): almost always a wrong filter."""
    rows = output.data.get("rows") if call.name == "query_sales" and isinstance(output.data, dict) else None
    return rows is not None and all(value is None for row in rows for value in row)


def retryable(call: Call, output: ToolOutput) -> bool:
    """Whether another routing call could fix this failure: bad arguments or bad SQL, not an unknown name."""
    return output.summary.startswith("Invalid arguments") or call.name in RETRYABLE_TOOLS
