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
from ui.web.downloads import offer


class StepView(BaseModel):
    name: str
    args: dict[str, Any]
    seconds: float | None = None  # None while the tool runs
    ok: bool | None = None
    summary: str = ""
    artifacts: list[Artifact] = []  # file artifacts carry the path of the copy offered for download


class TurnView(BaseModel):
    question: str
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

    def files(self) -> list[str]:
        return [a.path for s in self.steps for a in s.artifacts if a.kind == "file" and a.path]


class Conversation(BaseModel):
    turns: list[TurnView] = []

    def agent_history(self) -> list[dict[str, str]]:
        """Earlier questions and answers, in the role/content shape chat models take."""
        history: list[dict[str, str]] = []
        for turn in self.turns:
            if turn.done and turn.answer and not turn.error:
                history += [{"role": "user", "content": turn.question}, {"role": "assistant", "content": turn.answer}]
        return history

    def files(self) -> list[str]:
        return [path for turn in self.turns for path in turn.files()]


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
    view.artifacts = [_offered(a) for a in event.artifacts if a.kind == "chart" or _exists(a.path)]
    turn.file_names.update({a.path: Path(a.path).name for a in event.artifacts if a.kind == "file" and a.path})


def _exists(path: str | None) -> bool:
    return bool(path) and Path(path).is_file()


def _offered(artifact: Artifact) -> Artifact:
    if artifact.kind == "file" and artifact.path:
        return artifact.model_copy(update={"path": str(offer(artifact.path))})
    return artifact
