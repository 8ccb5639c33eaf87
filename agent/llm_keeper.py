"""The keeper of a warm embedded LLM server: the server's parent, which stops it once nobody has used it for a while.

Why a process of its own: ``salescast ask`` exits after one answer, and the next ask should find the model loaded
rather than spend half a minute loading it again; but a model left running forever holds a gigabyte and the CPU
threads it was given. The keeper starts the server as its child, then every ``TICK_S`` looks at the processes that
hold the server (``agent.llm_state``, one file each, dropped when they exit or die): once none has been alive for
the folder's idle timeout it stops the server. It takes the home's lock for that and looks once more, so a process
adopting the server at that moment cannot be handed one that is about to go.

Lifetimes are tied both ways: the server exits by itself when its parent (this keeper) is gone (``--parent-pid``),
and the keeper exits when the server does, removing the home's record when it still names its server. A server
that died by itself leaves its folder and log behind for diagnosis; the next start removes such folders.

Run by ``agent.llm_shared``: ``python -m agent.llm_keeper --folder F -- <server command>``; its own output and the
server's go to ``F/server.log``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from agent import llm_state
from agent.processes import terminate

TICK_S = 0.5
CLEANUP_LOCK_S = 2.0


class Stopped(Exception):
    """SIGTERM arrived: stop the server and tidy up (raised from the signal handler)."""


def _on_sigterm(*_: object) -> None:
    raise Stopped


def wait_until_idle(proc: subprocess.Popen, folder: Path) -> bool:
    """Block until the server has had no live holder for the idle timeout (True) or exited by itself (False)."""
    last_used = time.monotonic()
    while proc.poll() is None:
        if llm_state.live_holders(folder):
            last_used = time.monotonic()
        elif time.monotonic() - last_used >= llm_state.idle_of(folder) and _release_record(proc.pid, folder):
            return True
        try:
            proc.wait(timeout=TICK_S)
        except subprocess.TimeoutExpired:
            pass
    return False


def _release_record(pid: int, folder: Path) -> bool:
    """Under the home's lock, with no holder come in meanwhile, drop the record so no one adopts the server now.

    When the lock is busy (someone is starting or adopting), wait for the next tick rather than block.
    """
    with llm_state.locked(wait=False) as got:
        if not got or llm_state.live_holders(folder):
            return False
        llm_state.clear_state(pid)
        return True


def _forget(pid: int) -> None:
    """Drop the record of a server that is gone; a short wait for the lock, then leave it (readers check pids)."""
    deadline = time.monotonic() + CLEANUP_LOCK_S
    while time.monotonic() < deadline:
        with llm_state.locked(wait=False) as got:
            if got:
                llm_state.clear_state(pid)
                return
        time.sleep(0.1)


def run(folder: Path, command: list[str]) -> int:
    """Start ``command`` (the server), keep it until idle or SIGTERM, then stop it; returns the exit code."""
    signal.signal(signal.SIGTERM, _on_sigterm)
    llm_state.write_pid(folder / llm_state.KEEPER_PID, os.getpid())
    proc: subprocess.Popen | None = None
    clean = True
    try:
        proc = subprocess.Popen([*command, "--parent-pid", str(os.getpid())], stdin=subprocess.DEVNULL)
        llm_state.write_pid(folder / llm_state.SERVER_PID, proc.pid)
        clean = wait_until_idle(proc, folder)
        if not clean:
            print(f"llm keeper: the server exited by itself with code {proc.returncode}", flush=True)
    except Stopped:
        print("llm keeper: stopped", flush=True)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not cut the cleanup short
        terminate(proc, grace_s=10)
        if proc is not None:
            _forget(proc.pid)
        if clean:
            shutil.rmtree(folder, ignore_errors=True)
    return 0 if clean else 1


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    split = argv.index("--") if "--" in argv else len(argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", required=True, type=Path, help="the server's folder under $SALESCAST_HOME/run")
    args = parser.parse_args(argv[:split])
    command = argv[split + 1 :]
    if not command:
        parser.error("give the server command after --")
    return run(args.folder, command)


if __name__ == "__main__":
    sys.exit(main())
