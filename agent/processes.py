"""Stopping a child process politely: the embedded LLM server (``agent.local_llm``) and a served app in tests and
benchmarks (``ui.web.child``) both need SIGTERM, a grace period, then SIGKILL.

A warm LLM server outlives the process that started it (``agent.llm_shared``), so later processes must also tell
whether a recorded pid is still *that* process and stop it without a ``Popen``: a process is named by its pid and
its start time (``/proc/<pid>/stat``), because pids are recycled and a bare pid could name a stranger.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path


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


def started_ticks(pid: int) -> int | None:
    """When ``pid`` started (clock ticks since boot), or None when it is gone or a zombie (dead, not yet reaped)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return None if fields[0] in ("Z", "X") else int(fields[19])


def alive(pid: int, started: int) -> bool:
    """Whether the process ``pid`` that started at ``started`` still runs (not a recycled pid, not a zombie)."""
    return pid > 0 and started_ticks(pid) == started


def terminate_pid(pid: int, started: int, grace_s: float) -> bool:
    """SIGTERM the process ``(pid, started)``, SIGKILL it after ``grace_s``; True once it is gone.

    For processes that are not our children: we cannot ``wait()`` for them, so we watch ``/proc`` instead.
    """
    for sig, wait_s in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 5.0)):
        if not alive(pid, started):
            return True
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return True
        deadline = time.monotonic() + wait_s
        while alive(pid, started) and time.monotonic() < deadline:
            time.sleep(0.05)
    return not alive(pid, started)
