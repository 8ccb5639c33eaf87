"""The whole web site: our sign-in and download routes on a FastAPI app, with the Gradio chat mounted at ``/``.

Gradio asks ``Sessions.user_of`` who is signed in (``auth_dependency``), so every Gradio route needs our session.
``Gate`` sends a browser without a session from the page to the sign-in form, and closes Gradio's file routes: the
app never gives Gradio a file to serve (reports go through ``downloads.py``, which checks the merchant), so
those routes could only ever serve something that should not be public.
"""

from __future__ import annotations

import gradio as gr
from fastapi import FastAPI
from starlette.requests import HTTPConnection
from starlette.responses import PlainTextResponse, RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from ui.users import working_demo_users
from ui.web.app import CSS, build_app
from ui.web.downloads import downloads_router
from ui.web.sessions import Sessions
from ui.web.signin import SignIn, signin_router
from ui.web.throttle import Throttle

CLOSED = ("/gradio_api/file=", "/gradio_api/file/", "/file=", "/file/")


class Gate:
    """Pure ASGI (it must not buffer Gradio's streamed answers)."""

    def __init__(self, app: ASGIApp, sessions: Sessions) -> None:
        self.app, self.sessions = app, sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            if path.startswith(CLOSED):
                await PlainTextResponse("Not found", status_code=404)(scope, receive, send)
                return
            if path == "/" and scope["method"] in ("GET", "HEAD") and not self._signed_in(scope):
                await RedirectResponse("login", status_code=303)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _signed_in(self, scope: Scope) -> bool:
        return self.sessions.user_of(HTTPConnection(scope)) is not None


def create_blocks(llm: str | None, concurrency: int, threads: int) -> gr.Blocks:
    blocks = build_app(llm)
    blocks.max_threads = threads  # read by .queue(): the worker threads for chat turns
    return blocks.queue(default_concurrency_limit=concurrency)


def create_site(
    llm: str | None, demo: bool, concurrency: int, threads: int, host: str = "127.0.0.1", port: int = 7860
) -> FastAPI:
    """The app to serve; ``demo`` shows and accepts the demo sign-ins."""
    sessions = Sessions()
    site = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    signin = SignIn(sessions, working_demo_users() if demo else {}, demo, Throttle())
    site.include_router(signin_router(signin))
    site.include_router(downloads_router(sessions))
    site.add_middleware(Gate, sessions=sessions)
    return gr.mount_gradio_app(
        site,
        create_blocks(llm, concurrency, threads),
        path="/",
        server_name=host,
        server_port=port,
        auth_dependency=sessions.user_of,
        show_error=False,
        footer_links=[],
        run_history=False,  # would keep merchants' questions in the browser's storage
        ssr_mode=False,
        css=CSS,
    )
