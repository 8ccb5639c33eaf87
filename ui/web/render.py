"""Draw a ``Conversation`` as Gradio chat messages: the question, one collapsible box per tool step, charts as
interactive plotly, report files as download links, then the streamed answer.

Kept free of any I/O so the same drawing is what the browser tests and the unit tests see.
"""

from __future__ import annotations

import json
from typing import Any

import gradio as gr
import plotly.io as pio

from agent.events import Artifact
from ui.web.conversation import Conversation, StepView, TurnView

ARGS_INLINE = 90  # characters of arguments shown next to a step's title; the full set is inside the box
THINKING = "_Working on it…_"


def messages(conversation: Conversation) -> list[gr.ChatMessage]:
    out: list[gr.ChatMessage] = []
    for turn in conversation.turns:
        out += turn_messages(turn)
    return out


def turn_messages(turn: TurnView) -> list[gr.ChatMessage]:
    out = [gr.ChatMessage(role="user", content=turn.question)]
    for number, step in enumerate(turn.steps, 1):
        out.append(step_message(step, number))
        out += [artifact_message(a) for a in step.artifacts]
    out.append(answer_message(turn))
    return out


def args_text(args: dict[str, Any]) -> str:
    return ", ".join(f"{k}={json.dumps(v, default=str)}" for k, v in args.items())


def step_message(step: StepView, number: int) -> gr.ChatMessage:
    """A collapsed box once done (spinner while running): title = tool, log = arguments, duration = seconds."""
    inline = args_text(step.args)
    if len(inline) > ARGS_INLINE:
        inline = inline[: ARGS_INLINE - 1] + "…"
    metadata: dict[str, Any] = {"title": f"⚙ {step.name}", "id": f"step-{number}", "log": inline}
    if step.seconds is None:
        metadata["status"] = "pending"
        body = "running…"
    else:
        metadata.update(status="done", duration=round(step.seconds, 2))
        if not step.ok:
            metadata["title"] = f"⚠ {step.name} failed"
        body = step.summary or ("done" if step.ok else "failed")
    details = f"```json\n{json.dumps(step.args, indent=1, default=str)}\n```"
    return gr.ChatMessage(role="assistant", content=f"{body}\n\n{details}", metadata=metadata)


def artifact_message(artifact: Artifact) -> gr.ChatMessage:
    if artifact.kind == "chart" and artifact.figure_json:
        figure = pio.from_json(artifact.figure_json)
        return gr.ChatMessage(role="assistant", content=gr.Plot(value=figure, label=artifact.title, show_label=True))
    return gr.ChatMessage(role="assistant", content={"path": artifact.path, "alt_text": artifact.title})


def answer_message(turn: TurnView) -> gr.ChatMessage:
    answer = turn.shown_answer()
    if turn.error:
        text = (answer + "\n\n" if answer else "") + f"⚠ {turn.error}"
    elif answer:
        text = answer
    else:
        text = THINKING
    return gr.ChatMessage(role="assistant", content=text)
