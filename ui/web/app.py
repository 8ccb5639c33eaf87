"""The page: header with sign-out, the chat with example questions, and the merchant's side panel.

Everything merchant-specific (panel, examples) is filled in on page load from the signed-in user, so one app
serves every merchant and a page never shows another merchant's names.
"""

from __future__ import annotations

import gradio as gr

from ui.users import UserError, merchant_of
from ui.web.chat import make_chat
from ui.web.conversation import Conversation
from ui.web.errors import friendly
from ui.web.examples import example_questions
from ui.web.panel import panel_markdown
from ui.web.render import reports_html

TITLE = "salescast"
CSS = """
#panel { font-size: 0.92em; }
#examples .gallery { gap: 6px; }
"""


def on_load(request: gr.Request) -> tuple[str, str, gr.Dataset]:
    """Header, side panel and examples for whoever is signed in."""
    try:
        merchant = merchant_of(request.username)
    except UserError as exc:
        return f"## {TITLE}", f"⚠️ {exc}", gr.Dataset(samples=[])
    try:
        samples = [[q] for q in example_questions(merchant)]
        panel = panel_markdown(merchant)
    except Exception as exc:  # noqa: BLE001 - a broken warehouse shows a message, not a dead page
        return f"## {TITLE} · {merchant}", f"⚠️ {friendly(exc, merchant)}", gr.Dataset(samples=[])
    header = f"## {TITLE} · `{merchant}`\nAnswers from your own sales data, computed by tools you can inspect."
    return header, panel, gr.Dataset(samples=samples)


def build_app(llm: str | None = None) -> gr.Blocks:
    with gr.Blocks(title=TITLE) as demo:
        conversation = gr.State(Conversation())
        with gr.Row():
            header = gr.Markdown(f"## {TITLE}", elem_id="header")
            gr.Button("Sign out", link="/logout", variant="secondary", size="sm", scale=0, elem_id="signout")
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    label="Chat",
                    elem_id="chat",
                    height=620,
                    buttons=["copy"],
                    feedback_options=None,
                    placeholder="Ask about your sales, forecasts, prices and promotions.",
                )
                box = gr.Textbox(
                    placeholder="e.g. Forecast my best seller for the next 8 weeks",
                    show_label=False,
                    elem_id="question",
                    submit_btn=True,
                    autofocus=True,
                )
                examples = gr.Dataset(components=[box], samples=[], label="Try", elem_id="examples")
            with gr.Column(scale=1, min_width=280):
                panel = gr.Markdown("Loading…", elem_id="panel")
                gr.Markdown("**Reports**")
                reports = gr.HTML(reports_html([]), elem_id="reports")
        chat = make_chat(llm)
        outputs = [box, chatbot, conversation, reports]
        box.submit(chat, [box, conversation], outputs, api_name="chat")
        examples.click(lambda sample: sample[0], examples, box, queue=False, api_name=False).then(
            chat, [box, conversation], outputs, api_name=False
        )
        chatbot.clear(lambda: (Conversation(), reports_html([])), None, [conversation, reports], api_name=False)
        demo.load(on_load, None, [header, panel, examples], api_name=False)
    return demo
