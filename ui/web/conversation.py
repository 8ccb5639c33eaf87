"""What the chat shows, kept as plain data: one ``TurnView`` per question, filled in from the agent's events.

The page is re-drawn from this state on every streamed event instead of editing Gradio's own chat value, so tool
steps, charts and downloads stay attached to the turn that made them, and the agent's history is derived from the
same record (questions and final answers only: tool chatter is not fed back to the model).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel

from agent.events import AgentEvent, AnswerChunk, Artifact, Done, StepFinished, StepStarted
from ui.web.downloads import Download, offer
from ui.web.shown import cap


class StepView(BaseModel):
    name: str
    args: dict[str, Any]
    seconds: float | None = None  # None while the tool runs
    ok: bool | None = None
    summary: str = ""
    sql: list[str] = []  # what the step ran, shown inside its box
    artifacts: list[Artifact] = []  # charts
    downloads: list[Download] = []  # files offered to the merchant of the turn


class TurnView(BaseModel):
    question: str
    merchant: str | None = None  # who the turn runs for: the only merchant its downloads are offered to
    steps: list[StepView] = []
    answer: str = ""
    error: str | None = None
    done: bool = False
    grounded: bool | None = None
    seconds: float | None = None
    file_names: dict[str, str] = {}  # server path of each file a tool made -> the name it is offered under

    def shown_answer(self) -> str:
        """The answer with server paths replaced by the file's name: where the server keeps files is not the
        merchant's business, and the download is in the Reports box anyway."""
        text = self.answer
        for path, name in self.file_names.items():
            text = text.replace(path, f"{name} (see Reports)")
        return text

    def files(self) -> list[Download]:
        return [d for s in self.steps for d in s.downloads]


class Conversation(BaseModel):
    turns: list[TurnView] = []

    def agent_history(self) -> list[dict[str, str]]:
        """Earlier questions and answers, in the role/content shape chat models take."""
        history: list[dict[str, str]] = []
        for turn in self.turns:
            if turn.done and turn.answer and not turn.error:
                answer = cap(turn.answer)  # a 20 MB cell must not be sent back to the model on every later turn
                history += [{"role": "user", "content": turn.question}, {"role": "assistant", "content": answer}]
        return history

    def files(self) -> list[Download]:
        return [d for turn in self.turns for d in turn.files()]


def apply(turn: TurnView, event: AgentEvent) -> None:
    """Fold one agent event into the turn it belongs to."""
    if isinstance(event, StepStarted):
        turn.steps.append(StepView(name=event.name, args=event.args))
    elif isinstance(event, StepFinished):
        _finish_step(turn, event)
    elif isinstance(event, AnswerChunk):
        turn.answer += event.text
    elif isinstance(event, Done):
        turn.done, turn.grounded, turn.seconds = True, event.result.grounded, event.result.seconds
        if not turn.answer.strip():
            turn.answer = event.result.answer


def _finish_step(turn: TurnView, event: StepFinished) -> None:
    pending = [s for s in turn.steps if s.seconds is None and s.name == event.step.name]
    if pending:
        view = pending[0]
    else:  # a finish without a start still deserves a line
        view = StepView(name=event.step.name, args=event.step.args)
        turn.steps.append(view)
    step = event.step
    view.args, view.seconds, view.ok, view.summary = step.args, step.seconds, step.ok, step.summary
    view.sql = step.sql
    view.artifacts = [a for a in event.artifacts if a.kind == "chart"]
    files = [a.path for a in event.artifacts if a.kind == "file" and a.path]
    if turn.merchant:  # no merchant, no download: a file is only ever offered to the one it was made for
        view.downloads = [offer(path, turn.merchant) for path in files if Path(path).is_file()]
    turn.file_names.update({path: Path(path).name for path in files})
