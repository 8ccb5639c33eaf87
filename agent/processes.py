"""Stopping a child process politely: the embedded LLM server (``agent.local_llm``) and a served app in tests and
benchmarks (``ui.web.child``) both need SIGTERM, a grace period, then SIGKILL."""

from __future__ import annotations

import subprocess


def terminate(proc: subprocess.Popen | None, grace_s: float) -> None:
    """SIGTERM, wait up to ``grace_s``, then SIGKILL; nothing for a process that is gone or was never started."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
