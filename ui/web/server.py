"""Run the web site (``site.py``) with uvicorn in a background thread, with a queue wide enough for many merchants.

The queue lets chat turns of different sessions run in parallel (Gradio's default is one at a time per event),
so one merchant's slow forecast does not hold up another's question. ``launch`` returns once the server answers,
so the command line can print the address only when it is true.
"""

from __future__ import annotations

import os
import threading
import time

import uvicorn

from forecasting.settings import settings
from ui.web.chat import warm_up
from ui.web.downloads import remove_legacy_copies
from ui.web.site import create_site


class ServerError(RuntimeError):
    """The web server could not start; the message says what to change."""


class Running:
    """A started server: ``block_thread()`` until it stops, ``close()`` to stop it."""

    def __init__(self, server: uvicorn.Server, thread: threading.Thread) -> None:
        self.server, self.thread = server, thread

    def block_thread(self) -> None:
        while self.thread.is_alive():
            self.thread.join(0.5)

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(15)


def launch(
    host: str = "127.0.0.1", port: int = 7860, llm: str | None = None, demo: bool = False, timeout_s: float = 60.0
) -> Running:
    """Start serving in the background and return once the server is up (or raise ``ServerError``)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    remove_legacy_copies()
    concurrency = settings().web_concurrency
    threads = max(40, concurrency * 2)
    site = create_site(llm, demo, concurrency, threads, host, port)
    config = uvicorn.Config(site, host=host, port=port, log_level="warning", lifespan="on", timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="salescast-web", daemon=True)
    thread.start()
    warm_up()
    deadline = time.monotonic() + timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise ServerError(f"The web server could not listen on {host}:{port}; is the port in use? Try --port.")
        time.sleep(0.05)
    return Running(server, thread)
