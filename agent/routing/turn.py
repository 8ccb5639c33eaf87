"""A structured-mode turn on the semantic design: link, route (one LLM call), plan, run, render.

The answer is rendered from the tool results (``agent.render``), so it is grounded by construction and costs no
second generation. A reply that does not parse is asked again once. The router chooses again, without the tool it
chose, when that tool cannot be what the question means: a tool about the weeks ahead for a question about the past,
a report or chart nobody asked for, "none" for a question about the merchant's own names and numbers. Words that
name a tool outright (accuracy, coverage, why the forecast) win over its choice. A question that names a company,
place or thing the merchant's data does not hold ("Kroger", "Home Depot") is answered with that, before any model
runs. A forecast-type answer that names no product or no store is made for the best sellers or the product's best
store, and says so. A short follow-up ("why?", "and store 8?") borrows the names, stores and periods it leaves out
from the question before it.
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
from agent.routing.plan import MAX_EACH, SERIES_TOOLS, plan
from agent.routing.prompt import route_messages
from agent.routing.router import SemanticRouter
from agent.routing.schema import FUTURE, NONE
from agent.routing.tool_words import lacks_words, named_tool
from agent.transcript import feedback
from tools.semantic.execute import top_sellers, top_store
from tools.semantic.link import Frame, Mention, link
from tools.semantic.resolve import CATALOG
from tools.semantic.shape import read_shape

MAX_ROUTES = 3
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
        model = self.driver.model
        reply = _named(reply, frame)
        again = self._choose_again(reply, frame)
        if again is not None:
            state.messages += [AIMessage(content=json.dumps(reply)), feedback(again)]
            return False
        frame = _with_best_store(reply, _with_best_sellers(reply, frame, model, state), model, state)
        p = plan(reply, frame, model)
        state.notes = [*state.notes, *p.notes]
        if p.answer is not None:
            state.answer = p.answer
            return True
        if not p.calls:  # "none"
            state.answer = OUT_OF_SCOPE
            return True
        for call in p.calls:
            yield from self._run_call(state, call)
        return True

    def _choose_again(self, reply: dict[str, Any], frame: Frame) -> str | None:
        """Why the router must choose again (and without which tools), or None: a tool about the weeks ahead for
        a question about the past, a report or chart nobody asked for, "none" for a question about the merchant's
        own products and numbers."""
        tool = str(reply.get("tool"))
        if tool in FUTURE and _about_the_past(frame, self.driver.model) and not set(FUTURE) & self._exclude:
            self._exclude |= frozenset(FUTURE)
            return "The question is about a past period, not the weeks ahead. Choose again."
        if lacks_words(tool, frame.question) and tool not in self._exclude:
            self._exclude |= {tool}
            return f"The question asks for no {tool.replace('_', ' ').replace('generate ', '')}. Choose again."
        if tool == NONE and _about_own_data(frame, self.driver.model) and NONE not in self._exclude:
            self._exclude |= {NONE}
            return "The question is about the merchant's own products and numbers. Choose a tool."
        return None

    def _compose(self, state: TurnState) -> str:
        if state.answer is not None:
            return state.answer
        if not state.results:
            return state.error or OUT_OF_SCOPE
        body = "\n\n".join(_rendered(name, content) for name, content in state.results)
        notes = " ".join(state.notes)
        return f"{notes}\n\n{body}".strip() if notes else body


def _about_the_past(frame: Frame, model: Any) -> bool:
    """A period of the data is named, or the verbs are past ("weeks it was in the ad"), and nothing points ahead or
    supposes ("in 1991", "last year"; not "next month", not "what if we had")."""
    if frame.future or frame.weeks_ahead or HYPOTHETICAL.search(frame.question.lower()):
        return False
    contrast = read_shape(frame.question, frame.levers, model).contrast  # "its average week in the ad vs not"
    return bool(frame.periods) or bool(PAST.search(frame.question.lower())) or contrast is not None


def _named(reply: dict[str, Any], frame: Frame) -> dict[str, Any]:
    """The tool the question's words name outright (accuracy, coverage) wins over the router's choice; coverage of
    a named product or store stays a sales query (``plan``)."""
    named = named_tool(frame.question)
    if named is None or reply.get("tool") == named or (named == "data_coverage" and reply.get("tool") == "sales_query"
                                                       and frame.of(*CATALOG, "store")):  # fmt: skip
        return reply
    return {"tool": named}


def _about_own_data(frame: Frame, model: Any) -> bool:
    """Names of the merchant's and something to compute (a measure, a period, a price, a promotion, weeks ahead)."""
    shape = read_shape(frame.question, frame.levers, model)
    if not (frame.of(*CATALOG, "store") or frame.everything):  # no names: a measure of a period ("July units")
        return bool(shape.measures and frame.periods)
    return bool(shape.measures or frame.periods or frame.money or frame.percents or frame.levers or frame.weeks_ahead)


def _with_best_sellers(reply: dict[str, Any], frame: Frame, model: Any, state: TurnState) -> Frame:
    """A forecast, why, what-if, chart or report that names no product is made for the merchant's best sellers
    lately (in the store named), and the answer says so, instead of asking which product."""
    tool = reply.get("tool")
    if tool not in SERIES_TOOLS or frame.products(model):
        return frame
    stores = frame.stores()
    top = top_sellers(model.merchant, stores[0] if stores else None, 1 if tool == "generate_report" else MAX_EACH)
    if not top:
        return frame
    where = f" at {'store ' + stores[0] if stores[0].isdigit() else stores[0]}" if stores else ""
    plural = "s" if len(top) > 1 else ""
    state.notes = [f"You named no product, so this is for your best seller{plural}{where} lately: {', '.join(top)}."]
    mention = Mention(dimension="product", values=top, text="best sellers", at=10_000)
    return frame.model_copy(update={"mentions": [*frame.mentions, mention]})


def _with_best_store(reply: dict[str, Any], frame: Frame, model: Any, state: TurnState) -> Frame:
    """A forecast-type answer for one product at a merchant with several stores and none named is made for the
    product's best-selling store lately, and the answer says so, instead of refusing."""
    products = frame.products(model)
    if reply.get("tool") not in SERIES_TOOLS or frame.stores() or model.chain or len(model.stores) < 2 or not products:
        return frame
    store = top_store(model.merchant, products[0])
    if store is None:
        return frame
    named = f"store {store}" if store.isdigit() else store
    note = f"You named no store, so this is for {products[0]}'s best-selling store lately, {named}."
    state.notes = [*state.notes, note]
    return frame.model_copy(update={"mentions": [*frame.mentions, Mention(dimension="store", values=[store],
                                                                          text=named, at=-1)]})  # fmt: skip


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
