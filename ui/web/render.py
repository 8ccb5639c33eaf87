"""Draw a ``Conversation`` as Gradio chat messages: the question, one collapsible box per tool step, charts as
interactive plotly, report files as download links, then the streamed answer. Every text goes through
``shown`` (no server paths, long cells and messages cut).

Kept free of any I/O so the same drawing is what the browser tests and the unit tests see.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

import gradio as gr
import plotly.io as pio

from agent.events import Artifact
from ui.web.conversation import Conversation, StepView, TurnView
from ui.web.downloads import Download
from ui.web.shown import cap, redact_paths, shown

ARGS_INLINE = 90  # characters of arguments shown next to a step's title; the full set is inside the box
THINKING = "_Working on it…_"


def messages(conversation: Conversation) -> list[gr.ChatMessage]:
    out: list[gr.ChatMessage] = []
    for turn in conversation.turns:
        out += turn_messages(turn)
    return out


def turn_messages(turn: TurnView) -> list[gr.ChatMessage]:
    out = [gr.ChatMessage(role="user", content=cap(turn.question))]
    for number, step in enumerate(turn.steps, 1):
        out.append(step_message(step, number))
        out += [chart_message(a) for a in step.artifacts if a.kind == "chart" and a.figure_json]
        out += [download_message(d) for d in step.downloads]
    out.append(answer_message(turn))
    return out


def args_text(args: dict[str, Any]) -> str:
    return ", ".join(f"{k}={json.dumps(v, default=str)}" for k, v in args.items())


def step_message(step: StepView, number: int) -> gr.ChatMessage:
    """A collapsed box once done (spinner while running): title = tool, log = arguments, duration = seconds."""
    inline = redact_paths(args_text(step.args))
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
    details += "".join(f"\n\n```sql\n{statement}\n```" for statement in step.sql)
    return gr.ChatMessage(role="assistant", content=shown(f"{body}\n\n{details}"), metadata=metadata)


def chart_message(artifact: Artifact) -> gr.ChatMessage:
    figure = pio.from_json(artifact.figure_json)
    return gr.ChatMessage(role="assistant", content=gr.Plot(value=figure, label=artifact.title, show_label=True))


def download_message(download: Download) -> gr.ChatMessage:
    return gr.ChatMessage(role="assistant", content=f"📄 [{download.name}]({download.url})")


def reports_html(downloads: list[Download]) -> str:
    """The Reports box: one download link per file offered in this conversation."""
    if not downloads:
        return '<p class="empty">Reports you ask for appear here.</p>'
    links = [f'<li><a href="{escape(d.url)}" download="{escape(d.name)}">{escape(d.name)}</a></li>' for d in downloads]
    return f"<ul>{''.join(links)}</ul>"


def answer_message(turn: TurnView) -> gr.ChatMessage:
    answer = turn.shown_answer()
    if turn.error:
        text = (answer + "\n\n" if answer else "") + f"⚠ {turn.error}"
    elif answer:
        text = answer
    else:
        text = THINKING
    return gr.ChatMessage(role="assistant", content=shown(text))
