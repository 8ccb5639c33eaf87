"""One chat turn: ask the LLM for a step, run the tools it picks, repeat, then check the answer's numbers.

Bounded on every side, because a chat must always answer: at most ``max_steps`` model steps and ``max_seconds`` of
wall time; a malformed tool call is reported back to the model (it may fix it ``max_malformed`` times); a tool error
is a result the model reads, never an exception; an unreachable LLM ends the turn with a message that says so. The
answer must pass the grounding check; if it does not, the model gets one rewrite, and after that the merchant gets
the tool results rendered plainly instead of unverified numbers.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from typing import Any

import openai
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.tools import BaseTool
from pydantic import ValidationError

from agent.drivers import Call, Decision, NativeDriver
from agent.events import AgentEvent, AnswerChunk, Artifact, Done, StepFinished, StepStarted, ToolStep, TurnResult
from agent.grounding import Grounder, parse_content
from agent.render import render_results
from agent.transcript import feedback, history_messages
from forecasting.settings import settings
from tools.agent_tools_base import ToolOutput, failure

log = logging.getLogger(__name__)

UNVERIFIED = "I could not verify every number in my draft answer against your data, so here is what the tools found:"
NO_RESULTS = "I could not find those numbers in your data. Ask me about your sales, prices, promotions or forecasts."


@dataclass
class Limits:
    max_steps: int = field(default_factory=lambda: settings().agent_steps)
    max_seconds: float = field(default_factory=lambda: settings().agent_timeout)
    max_malformed: int = 2


class LLMDown(RuntimeError):
    """The LLM could not be reached or failed; the message is what the merchant reads."""


class ReplyCutOff(LLMDown):
    """The model's reply stopped at its token limit before it was complete (a structured reply then cannot parse);
    asking again for a shorter reply may work."""


@dataclass
class TurnState:
    """What a turn accumulates: the transcript, the steps shown to the merchant and the results the answer may use."""

    messages: list[BaseMessage]
    steps: list[ToolStep] = field(default_factory=list)
    artifacts: list[Artifact] = field(default_factory=list)
    results: list[tuple[str, Any]] = field(default_factory=list)
    answer: str | None = None
    error: str | None = None
    malformed: int = 0
    notes: list[str] = field(default_factory=list)  # said before the results (a horizon cut to the model's reach)


class Turn:
    """Runs one question through ``driver`` and ``tools``, yielding the events of ``agent.events`` in order."""

    def __init__(
        self,
        driver: NativeDriver | Any,
        tools: list[BaseTool],
        system: str,
        label: str,
        limits: Limits | None = None,
    ) -> None:
        self.driver, self.system, self.label = driver, system, label
        self.tools = {t.name: t for t in tools}
        self.limits = limits or Limits()

    def run(self, question: str, history: list[dict[str, Any]] | None = None) -> Iterator[AgentEvent]:
        started = time.perf_counter()
        messages = [SystemMessage(content=self.system), *history_messages(history), HumanMessage(content=question)]
        state = TurnState(messages=messages)
        try:
            yield from self._steps(state, started)
        except LLMDown as exc:
            state.error = str(exc)
        answer, grounded, first_missing = self._final(state, Grounder(sources(question, history, state)))
        yield from self._finish(state, answer, grounded, first_missing, started)

    def _finish(
        self, state: TurnState, answer: str, grounded: bool, missing: list[str], started: float
    ) -> Iterator[AgentEvent]:
        """The answer in chunks, then the one ``Done``."""
        for chunk in chunks(answer):
            yield AnswerChunk(text=chunk)
        yield Done(result=TurnResult(
            answer=answer, tool_calls=state.steps, artifacts=state.artifacts, llm=self.label,
            seconds=round(time.perf_counter() - started, 3), grounded=grounded, error=state.error,
            ungrounded=missing, mode=self.driver.mode,
        ))  # fmt: skip

    def _steps(self, state: TurnState, started: float) -> Iterator[AgentEvent]:
        for _ in range(self.limits.max_steps):
            if time.perf_counter() - started > self.limits.max_seconds:
                state.error = f"Stopped after {self.limits.max_seconds:.0f} s without a final answer."
                return
            decision = self._ask(state.messages)
            if decision.problem:
                state.malformed += 1
                if state.malformed > self.limits.max_malformed:
                    state.error = "The model kept sending tool calls that could not be read."
                    return
                state.messages.append(feedback(decision.problem))
                continue
            if not decision.calls:
                state.answer = decision.answer or ""
                return
            yield from self._run_calls(state, decision)
        state.error = f"No final answer after {self.limits.max_steps} steps."

    def _run_calls(self, state: TurnState, decision: Decision) -> Iterator[AgentEvent]:
        outcomes = []
        for call in decision.calls:
            output = yield from self._run_call(state, call)
            outcomes.append((call, output.content()))
        self.driver.record(state.messages, decision, outcomes)

    def _run_call(self, state: TurnState, call: Call) -> Generator[AgentEvent, None, ToolOutput]:
        """Run one tool call, record it in ``state`` and return its output."""
        yield StepStarted(name=call.name, args=call.args)
        began = time.perf_counter()
        output = self._execute(call)
        step = ToolStep(name=call.name, args=call.args, seconds=round(time.perf_counter() - began, 3),
                        ok=output.ok, summary=output.summary, sql=output.sql)  # fmt: skip
        artifacts = [Artifact(**a.model_dump()) for a in output.artifacts]
        state.steps.append(step)
        state.artifacts.extend(artifacts)
        state.results.append((call.name, parse_content(output.content())))
        yield StepFinished(step=step, artifacts=artifacts)
        return output

    def _ask(self, messages: list[BaseMessage]) -> Decision:
        return _guard_llm(self.label, lambda: self.driver.decide(messages))

    def _execute(self, call: Call) -> ToolOutput:
        tool = self.tools.get(call.name)
        if tool is None:
            return failure(f"Unknown tool {call.name!r}. Tools: {', '.join(self.tools)}.")
        try:
            message = tool.invoke({"name": call.name, "args": call.args, "id": call.id, "type": "tool_call"})
        except ValidationError as exc:
            return failure(f"Invalid arguments for {call.name}: {argument_problems(exc)}. Fix them and call again.")
        except Exception as exc:  # a tool bug must not end the chat; the model and the merchant see what failed
            log.exception("tool %s failed", call.name)
            return failure(f"{call.name} failed: {type(exc).__name__}: {exc}")
        artifact = getattr(message, "artifact", None)
        return (
            artifact
            if isinstance(artifact, ToolOutput)
            else ToolOutput(data={"text": str(message.content)}, summary=str(message.content)[:200])
        )

    def _final(self, state: TurnState, grounder: Grounder) -> tuple[str, bool, list[str]]:
        """(answer, grounded, numbers the first draft could not back)."""
        if state.answer is None:
            lead = f"{state.error} " if state.error else ""
            text = render_results(state.results, lead=lead + "Here is what the tools found:") if state.results else (
                state.error or NO_RESULTS)  # fmt: skip
            return text, not grounder.check(text), []
        missing = grounder.check(state.answer)
        if not missing and state.answer.strip():
            return state.answer, True, []
        retry = self._rewrite(state, missing)
        if retry and not grounder.check(retry):
            return retry, True, missing
        text = render_results(state.results, lead=UNVERIFIED) if state.results else NO_RESULTS
        return text, not grounder.check(text), missing

    def _rewrite(self, state: TurnState, missing: list[str]) -> str:
        if not missing:
            note = "Your answer was empty. Answer the question from the tool results."
        else:
            note = (f"These numbers in your answer are not in the tool results: {', '.join(missing)}. Rewrite the "
                    "answer using only numbers from the tool results.")  # fmt: skip
        state.messages += [AIMessage(content=state.answer or ""), feedback(note)]
        try:
            return _guard_llm(self.label, lambda: self.driver.final(state.messages))
        except LLMDown as exc:
            state.error = str(exc)
            return ""


def sources(question: str, history: list[dict[str, Any]] | None, state: TurnState) -> list[Any]:
    """What an answer's numbers may come from: the question, the conversation, the tool results and the turn's own
    error message (it names the model, e.g. "qwen2.5-coder-1.5b", which is not a figure)."""
    errors = [state.error] if state.error else []
    return [question, *(m.get("content", "") for m in history or []), *(c for _, c in state.results), *errors]


def _guard_llm(label: str, call: Any) -> Any:
    """Run an LLM call; a connection failure, timeout or server error becomes ``LLMDown`` with a clear message, a
    reply cut at its length limit ``ReplyCutOff``."""
    try:
        return call()
    except openai.LengthFinishReasonError as exc:
        usage = getattr(getattr(exc, "completion", None), "usage", None)
        limit = f" ({usage.completion_tokens} tokens)" if usage else ""
        raise ReplyCutOff(f"The language model's reply ({label}) was cut off at its length limit{limit} before "
                          "it was complete.") from exc  # fmt: skip
    except (openai.APIConnectionError, openai.APITimeoutError, ConnectionError, TimeoutError) as exc:
        raise LLMDown(f"The language model ({label}) is not reachable: {type(exc).__name__}: {exc}") from exc
    except openai.OpenAIError as exc:  # an API error, or a reply the client could not accept (content filter)
        raise LLMDown(f"The language model ({label}) returned an error: {exc}") from exc


def argument_problems(exc: ValidationError) -> str:
    parts = []
    for e in exc.errors():
        where = ".".join(str(p) for p in e.get("loc", ())) or "arguments"
        if e.get("type") == "extra_forbidden":
            parts.append(f"{where} is not an argument of this tool" + (
                " (the merchant is fixed by the session)" if where == "merchant" else ""))  # fmt: skip
        else:
            parts.append(f"{where}: {e.get('msg')}")
    return "; ".join(parts)


def chunks(text: str, words: int = 8) -> list[str]:
    """The answer in pieces of a few words (whitespace kept), so a UI can show it as it arrives."""
    tokens = re.findall(r"\S+\s*|\s+", text)
    return ["".join(tokens[i : i + words]) for i in range(0, len(tokens), words)] or [""]
