"""What a chat turn emits while it runs, so the CLI, the web app and the eval all show the same thing.

The agent loop yields these events in order: for each tool call a ``StepStarted`` then a ``StepFinished`` (with any
charts or files the tool made), then ``AnswerChunk`` pieces of the final text, then exactly one ``Done`` carrying the
whole ``TurnResult``. Consumers that only want the end result read ``Done``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class Artifact(BaseModel):
    """Something a tool made that the UI shows next to the answer: an interactive chart or a downloadable file."""

    kind: Literal["chart", "file"]
    title: str
    figure_json: str | None = Field(default=None, description="plotly figure as JSON (kind == 'chart')")
    path: str | None = Field(default=None, description="absolute path of the file (kind == 'file')")


class ToolStep(BaseModel):
    """One tool call as the merchant may see it: which tool, with what, how long, and a one-line result."""

    name: str
    args: dict[str, Any]
    seconds: float
    ok: bool
    summary: str = Field(description="a short human-readable result or the error message")
    sql: list[str] = Field(default_factory=list, description="the SQL the step ran, with its parameters")


class StepStarted(BaseModel):
    type: Literal["step_started"] = "step_started"
    name: str
    args: dict[str, Any]


class StepFinished(BaseModel):
    type: Literal["step_finished"] = "step_finished"
    step: ToolStep
    artifacts: list[Artifact] = []


class AnswerChunk(BaseModel):
    type: Literal["answer_chunk"] = "answer_chunk"
    text: str


class TurnResult(BaseModel):
    answer: str
    tool_calls: list[ToolStep]
    artifacts: list[Artifact]
    llm: str
    seconds: float
    grounded: bool = Field(description="every number in the answer was found in (or derived from) a tool result")
    error: str | None = Field(default=None, description="why the turn ended early (LLM down, time or step limit)")
    ungrounded: list[str] = Field(
        default_factory=list, description="numbers of the model's first draft that no tool result backed"
    )
    mode: str | None = Field(default=None, description="how tools were chosen: native or structured")


class Done(BaseModel):
    type: Literal["done"] = "done"
    result: TurnResult


AgentEvent = StepStarted | StepFinished | AnswerChunk | Done
