"""Run ``salescast serve`` in a child process on a free port and wait until it answers.

The browser tests and the concurrency benchmark talk to the app exactly as a merchant's browser would, so they start
the real command in its own process (its own Gradio event loop and thread pool) rather than inside the caller.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

from agent.processes import terminate
from forecasting.paths import REPO_ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppProcess:
    """``with AppProcess(home, llm="scripted") as app: app.url`` – the server is stopped on exit."""

    def __init__(
        self,
        home: Path,
        llm: str | None = "scripted",
        users: Path | None = None,
        log: Path | None = None,
        args: Sequence[str] = (),
        env: dict[str, str] | None = None,
    ):
        """``args`` are more ``serve`` options (``--no-demo``), ``env`` more environment variables for the child."""
        self.home, self.llm, self.users, self.args, self.extra_env = home, llm, users, list(args), env or {}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log or Path(os.environ.get("TMPDIR", "/tmp")) / f"salescast-serve-{self.port}.log"
        self._proc: subprocess.Popen | None = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def _env(self) -> dict[str, str]:
        env = {**os.environ, "SALESCAST_HOME": str(self.home), "GRADIO_ANALYTICS_ENABLED": "False"}
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
        if self.users is not None:
            env["SALESCAST_USERS"] = str(self.users)
        return {**env, **self.extra_env}

    def start(self, timeout_s: float = 180.0) -> None:
        cmd = [sys.executable, "-m", "ui.cli", "serve", "--port", str(self.port)]
        if self.llm:
            cmd += ["--llm", self.llm]
        cmd += self.args
        with self.log_path.open("wb") as log:
            self._proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=self._env(), cwd=REPO_ROOT)
        self._wait(timeout_s)

    def _wait(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                raise RuntimeError(f"salescast serve exited ({self._proc.returncode}):\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "/login", timeout=2) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"salescast serve did not answer within {timeout_s:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        terminate(proc, grace_s=15)
