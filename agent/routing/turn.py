"""A structured-mode turn on the semantic design: link, route (one LLM call), plan, run, render.

The answer is rendered from the tool results (``agent.render``), so it is grounded by construction and costs no
second generation. A reply that does not parse is asked again once; a tool about the weeks ahead chosen for a
question about the past is chosen again without those tools. A question that names a company, place or thing
the merchant's data does not hold ("Kroger", "Home Depot") is answered with that, before any model runs, instead
of silently answering for all of the merchant's own sales. A short follow-up ("why?", "and store 8?") borrows the names, stores and
periods it leaves out from the question before it.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any

from langchain_core.messages import AIMessage

from agent.events import AgentEvent
from agent.grounding import Grounder
from agent.loop import LLMDown, ReplyCutOff, Turn, TurnState, _guard_llm, sources
from agent.render import ERROR_LEAD, OUT_OF_SCOPE, render_result
from agent.routing.plan import plan
from agent.routing.prompt import route_messages
from agent.routing.router import SemanticRouter
from agent.routing.schema import FUTURE
from agent.transcript import feedback
from tools.semantic.link import Frame, link
from tools.semantic.resolve import CATALOG

MAX_ROUTES = 2
CUT_OFF_ADVICE = "Ask a shorter or simpler question, or raise SALESCAST_ROUTE_MAX_TOKENS."
FOLLOW_UP = re.compile(r"^\s*(and|now|what about|how about|same|why|then|also|ok|okay)\b", re.IGNORECASE)
SHORT = 5  # words: a question this short leans on the one before
PAST = re.compile(r"\b(was|were|did|had|sold|went|came|made|has been|have been|wasn'?t|weren'?t|didn'?t)\b")
HYPOTHETICAL = re.compile(r"\bwhat if\b|\bif (i|we|you)\b|\bwould\b|\bsuppose\b|\bimagine\b|\bshould (i|we)\b|"
                          r"\bscenario\b|\bwhat happens\b")  # fmt: skip


class SemanticTurn(Turn):
    driver: SemanticRouter

    def run(self, question: str, history: list[dict[str, Any]] | None = None) -> Iterator[AgentEvent]:
        started = time.perf_counter()
        model = self.driver.model
        frame = with_history(link(question, model), history, model)
        state = TurnState(messages=route_messages(self.driver.system, model, frame, question, history))
        if frame.foreign:
            state.answer = not_in_data(frame.foreign)
        else:
            try:
                yield from self._route(state, frame)
            except LLMDown as exc:
                state.error = str(exc)
        answer = self._compose(state)
        names = [", ".join(p.product for p in model.catalog)]  # a question back lists them ("Tropicana 64 oz")
        missing = Grounder([*sources(question, history, state), *names]).check(answer)
        yield from self._finish(state, answer, not missing, [], started)

    def _route(self, state: TurnState, frame: Frame) -> Iterator[AgentEvent]:
        self._exclude: frozenset[str] = frozenset()
        for _ in range(MAX_ROUTES):
            try:
                reply, problem = _guard_llm(self.label, lambda: self.driver.decide(state.messages, self._exclude))
            except ReplyCutOff as exc:
                state.messages.append(feedback("Your reply was cut off. Reply with a shorter JSON object."))
                state.error = f"{exc} {CUT_OFF_ADVICE}"
                continue
            if problem:
                state.messages.append(feedback(problem))
                continue
            state.error = None
            if (yield from self._answer(state, reply, frame)):
                return

    def _answer(self, state: TurnState, reply: dict[str, Any], frame: Frame) -> Iterator[AgentEvent]:
        """Run the plan; ``False`` when the model should choose again: a tool about the future for a question about
        the past (then without those tools to choose from)."""
        if reply.get("tool") in FUTURE and _about_the_past(frame) and not self._exclude:
            self._exclude = frozenset(FUTURE)
            state.messages += [AIMessage(content=json.dumps(reply)),
                               feedback("The question is about a past period, not the weeks ahead. Choose again.")]  # fmt: skip
            return False
        p = plan(reply, frame, self.driver.model)
        state.notes = p.notes
        if p.answer is not None:
            state.answer = p.answer
            return True
        if not p.calls:  # "none"
            state.answer = OUT_OF_SCOPE
            return True
        for call in p.calls:
            yield from self._run_call(state, call)
        return True

    def _compose(self, state: TurnState) -> str:
        if state.answer is not None:
            return state.answer
        if not state.results:
            return state.error or OUT_OF_SCOPE
        body = "\n\n".join(_rendered(name, content) for name, content in state.results)
        notes = " ".join(state.notes)
        return f"{notes}\n\n{body}".strip() if notes else body


def _about_the_past(frame: Frame) -> bool:
    """A period of the data is named, or the verbs are past ("weeks it was in the ad"), and nothing points ahead or
    supposes ("in 1991", "last year"; not "next month", not "what if we had")."""
    if frame.future or frame.weeks_ahead or HYPOTHETICAL.search(frame.question.lower()):
        return False
    return bool(frame.periods) or bool(PAST.search(frame.question.lower()))


def not_in_data(names: list[str]) -> str:
    listed = " and ".join(f"'{n}'" for n in names)
    return (f"I can't find {listed} in your data: salescast holds only your own sales, prices and promotions, so I "
            f"can't answer about other companies, places or products. Ask about your own products, brands and "
            f"stores instead, e.g. 'What sold best last month?'")  # fmt: skip


def _rendered(name: str, content: Any) -> str:
    if isinstance(content, dict) and "error" in content:
        return f"{ERROR_LEAD} {content['error']}"
    return render_result(name, content)


def with_history(frame: Frame, history: list[dict[str, Any]] | None, model: Any) -> Frame:
    """A short or follow-up question takes the names, stores and periods it lacks from the last question."""
    earlier = [m for m in history or [] if m.get("role") == "user"]
    words = len(frame.question.split())
    if not earlier or not (FOLLOW_UP.search(frame.question) or words <= SHORT):
        return frame
    before = link(str(earlier[-1].get("content") or ""), model)
    mentions = list(frame.mentions)
    if not frame.of(*CATALOG) and not frame.everything:
        mentions += before.of(*CATALOG)
    if not frame.of("store"):
        mentions += before.of("store")
    periods = frame.periods or before.periods
    return frame.model_copy(update={"mentions": mentions, "periods": periods,
                                    "weeks_ahead": frame.weeks_ahead or before.weeks_ahead})  # fmt: skip
