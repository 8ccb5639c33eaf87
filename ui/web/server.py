"""Run the web app: Gradio's sign-in backed by the users file, a queue wide enough for many merchants at once.

The queue lets chat turns of different sessions run in parallel (Gradio's default is one at a time per event),
so one merchant's slow forecast does not hold up another's question.
"""

from __future__ import annotations

import os

import gradio as gr

from ui.users import verify
from ui.web.app import CSS, build_app
from ui.web.chat import warm_up

DEFAULT_CONCURRENCY = int(os.environ.get("SALESCAST_WEB_CONCURRENCY", "32"))
AUTH_MESSAGE = (
    "Sign in with your salescast account. Demo: <b>oj</b> / <b>oj-demo</b> or <b>tuna</b> / <b>tuna-demo</b>."
)


def create_app(llm: str | None = None, concurrency: int = DEFAULT_CONCURRENCY) -> gr.Blocks:
    return build_app(llm).queue(default_concurrency_limit=concurrency)


def launch(
    host: str = "127.0.0.1", port: int = 7860, llm: str | None = None, block: bool = True, quiet: bool = False
) -> gr.Blocks:
    """Start serving; with ``block=False`` return once the server is up (tests and benchmarks use this)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    demo = create_app(llm)
    warm_up()
    demo.launch(
        server_name=host,
        server_port=port,
        auth=verify,
        auth_message=AUTH_MESSAGE,
        prevent_thread_lock=not block,
        show_error=False,
        quiet=quiet,
        inbrowser=False,
        share=False,
        footer_links=[],
        run_history=False,  # would keep merchants' questions in the browser's storage
        ssr_mode=False,
        max_threads=max(40, DEFAULT_CONCURRENCY * 2),
        css=CSS,
    )
    return demo
