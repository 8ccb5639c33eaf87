"""One embedded LLM server per home, shared by every process and kept warm between ``salescast ask`` runs.

Loading the model is most of a cold ask (about 40 s of 2 cores for the 1.5B model); a server already loaded answers
the next question at once, with the previous prompt's prefix still in its cache. So ``acquire()`` first looks in
the home's record (``agent.llm_state``): a server that is alive (server and keeper pids with their start times),
answers ``/v1/models`` with the same model name, and loaded the same model file (path, size, mtime), context window
and, when ``SALESCAST_LLM_THREADS`` pins it, thread count, is adopted; anything else recorded is stale and retired.
Otherwise a new server starts under a keeper (``agent.llm_keeper``), detached from this process, and is recorded.
All of this happens under the home's lock, so two asks at once end up on one server.

Every process using a server holds it (a file per process, dropped at exit or when the process dies); the keeper
stops the server once no holder has been alive for the idle timeout. ``salescast ask`` asks for a few minutes
(``SALESCAST_LLM_IDLE_S``); other processes (the app, tests) ask for 0, so a server they started stops when the
last of them exits, as it always did.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Self

from agent import llm_state
from agent.llm_state import ServerState
from agent.local_llm import (
    LocalLLM,
    LocalLLMError,
    context_window,
    model_file,
    selected_model,
    server_env,
)
from agent.processes import alive, terminate, terminate_pid
from forecasting import threads
from forecasting.paths import home
from forecasting.settings import SettingsError, settings

HEALTH_TIMEOUT_S = 3.0
STOP_GRACE_S = 12.0


class SharedServer(LocalLLM):
    """A server under a keeper and recorded for the home, started by this process or adopted from another.

    The same face as ``LocalLLM`` (``base_url``, ``model_name``, ``threads``, ``pid``, ``running``), so sessions and
    ``agent.revive`` need not know which; ``stop()`` lets go of the server rather than always killing it.
    """

    def __init__(self, idle_s: float, threads: int | None = None, n_ctx: int | None = None):
        super().__init__(threads=threads, n_ctx=n_ctx)
        self.idle_s = idle_s
        self.state: ServerState | None = None
        self.adopted = False

    def start(self) -> None:
        """Start a server under a keeper, wait until it answers, and record it for the home."""
        super().start()
        try:
            self.state = self._record()
        except BaseException:
            self.stop()
            raise
        llm_state.write_state(self.state)

    def _spawn(self) -> None:
        folder = llm_state.new_folder()
        self._workdir = folder
        llm_state.set_idle(folder, self.idle_s)
        llm_state.hold(folder)  # before the keeper starts, so a timeout of 0 cannot stop the server at once
        keeper = [sys.executable, "-m", "agent.llm_keeper", "--folder", str(folder), "--"]
        env = dict(server_env(), SALESCAST_HOME=str(home()))  # the keeper finds the same record, whatever its cwd
        with (folder / "server.log").open("ab") as log:
            self._proc = subprocess.Popen(
                [*keeper, *self.server_command(folder / "port")],
                stdout=log,  # never this process's stdout: whoever reads it would wait for the keeper to exit
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,  # Ctrl-C on the ask must not reach the server it leaves warm
            )

    def _record(self) -> ServerState:
        folder = Path(self._workdir)
        server = llm_state.read_pid(folder / llm_state.SERVER_PID)
        keeper = llm_state.read_pid(folder / llm_state.KEEPER_PID)
        if server is None or keeper is None:
            raise self._failure("the LLM keeper did not record its server")
        spec = selected_model()[1]
        return ServerState(
            pid=server[0],
            pid_started=server[1],
            keeper_pid=keeper[0],
            keeper_started=keeper[1],
            port=self.port,
            model_name=self.model_name,
            model_path=str(self.model_path),
            model_sha256=spec.sha256 if spec else None,
            model_stat=file_stat(self.model_path),
            threads=self.threads,
            n_ctx=self.n_ctx,
            started_at=time.time(),
            folder=str(folder),
        )

    @classmethod
    def adopt(cls, state: ServerState, idle_s: float) -> Self | None:
        """A handle on the recorded server, held by this process; None when it does not answer."""
        folder = Path(state.folder)
        if not llm_state.hold(folder):  # first, so its keeper cannot stop it between the check and our use
            return None
        if not healthy(state):
            llm_state.release(folder)
            return None
        llm_state.set_idle(folder, idle_s, raise_only=True)
        server = cls(idle_s, threads=state.threads, n_ctx=state.n_ctx)
        server.state, server.adopted, server._workdir = state, True, folder
        server.port, server.base_url = state.port, state.base_url
        server.model_name, server.model_path = state.model_name, Path(state.model_path)
        atexit.register(server.stop)
        threads.reserve(server._reservation, server.threads)
        return server

    @property
    def running(self) -> bool:
        return self.state is not None and alive(self.state.pid, self.state.pid_started)

    @property
    def pid(self) -> int | None:
        return self.state.pid if self.running else None

    def stop(self) -> None:
        """Let go of the server. It stops now when no other process holds it and its idle timeout is 0;
        otherwise its keeper stops it once the timeout has passed with no holder. Safe to call twice."""
        atexit.unregister(self.stop)
        threads.release(self._reservation)
        folder, self._workdir = self._workdir, None
        keeper, self._proc = self._proc, None
        if folder is None:
            return
        llm_state.release(Path(folder))
        if self.state is None:  # its start failed: no one else knows this server
            terminate(keeper, grace_s=STOP_GRACE_S)
            shutil.rmtree(folder, ignore_errors=True)
        elif llm_state.idle_of(Path(folder)) <= 0:
            stop_if_unused(self.state)
        if keeper is not None:
            keeper.poll()  # reap it if it has exited, so it is not left a zombie of this process


# ---------------------------------------------------------------------------------------------------- the home's server


def acquire(idle_s: float) -> SharedServer:
    """The home's server for the selected model: the recorded one when it fits, else a new one (see the module)."""
    name, path = model_file()  # outside the lock: assembling the weights once can take a minute
    with llm_state.locked():
        state = llm_state.read_state()
        if state is not None:
            if state.alive and fits(state, name, path):
                server = SharedServer.adopt(state, idle_s)
                if server is not None:
                    return server
            retire(state)
        llm_state.prune_folders()
        server = SharedServer(idle_s)
        server.start()
        return server


def fits(state: ServerState, name: str, path: Path) -> bool:
    """Whether the recorded server runs the model and settings this process would start."""
    pinned = settings().llm_threads
    return (
        state.model_name == name
        and state.model_path == str(path)
        and state.model_stat == file_stat(path)
        and state.n_ctx == context_window()
        and (not pinned or pinned == state.threads)
    )


def retire(state: ServerState) -> None:
    """Forget a recorded server that cannot be used; signal it to stop unless another process still uses it."""
    llm_state.clear_state()
    if state.alive and not llm_state.live_holders(Path(state.folder)):
        _signal_keeper(state)


def stop_if_unused(state: ServerState) -> bool:
    """Stop the server now unless another process holds it; True when it was stopped."""
    with llm_state.locked():
        if llm_state.live_holders(Path(state.folder)):
            return False
        llm_state.clear_state(state.pid)
    stop_server(state)
    return True


def stop_warm() -> ServerState | None:
    """Stop the home's server whoever uses it (``salescast llm stop``); returns what was recorded, if anything."""
    with llm_state.locked():
        state = llm_state.read_state()
        llm_state.clear_state()
    if state is not None:
        stop_server(state)
    with llm_state.locked():
        llm_state.prune_folders()
    return state


def stop_server(state: ServerState) -> None:
    """SIGTERM the keeper (it stops its server and tidies up), then make sure the server is gone."""
    terminate_pid(state.keeper_pid, state.keeper_started, grace_s=STOP_GRACE_S)
    terminate_pid(state.pid, state.pid_started, grace_s=5.0)


def _signal_keeper(state: ServerState) -> None:
    if alive(state.keeper_pid, state.keeper_started):
        with contextlib.suppress(ProcessLookupError):  # it exited just now
            os.kill(state.keeper_pid, signal.SIGTERM)


def healthy(state: ServerState) -> bool:
    """``/v1/models`` answers with the recorded model (so the port is still that server's)."""
    try:
        with urllib.request.urlopen(state.base_url + "/models", timeout=HEALTH_TIMEOUT_S) as resp:
            models = json.loads(resp.read()).get("data") or []
    except (urllib.error.URLError, OSError, ValueError):
        return False
    return any(m.get("id") == state.model_name for m in models if isinstance(m, dict))


def describe() -> dict:
    """What ``salescast llm status`` shows: the home, whether its server runs and answers, and when one is
    recorded, the record, who holds it, its idle timeout, age and log."""
    state = llm_state.read_state()
    if state is None:
        return {"home": str(home()), "running": False}
    folder = Path(state.folder)
    up = state.alive and healthy(state)
    return {
        "home": str(home()),
        "running": up,
        **asdict(state),
        "holders": llm_state.live_holders(folder) if up else [],
        "idle_s": llm_state.idle_of(folder),
        "uptime_s": round(time.time() - state.started_at, 1),
        "log": str(folder / "server.log"),
    }


def file_stat(path: Path) -> str:
    stat = Path(path).stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


# ---------------------------------------------------------------------------------------------------- per process

_shared: SharedServer | None = None
_shared_lock = threading.Lock()
_idle_s = 0.0


def idle_timeout() -> float:
    """``SALESCAST_LLM_IDLE_S``: how long a server kept warm for the CLI stays up once no process uses it."""
    try:
        return settings().llm_idle_s
    except SettingsError as exc:
        raise LocalLLMError(str(exc)) from None


@contextmanager
def keep_warm(seconds: float | None = None) -> Iterator[None]:
    """A server this process starts or adopts inside the block is left running for ``seconds`` (default
    ``idle_timeout()``) once no process uses it, i.e. after this one exits.

    ``salescast ask`` runs in such a block: the next ask then finds the model loaded. Processes that do not (the app,
    tests) stop a server they started when they exit, unless another process still uses it. A block, not a switch,
    so an ask run inside a long-lived process (a test) does not change what that process does afterwards.
    """
    global _idle_s
    before, _idle_s = _idle_s, idle_timeout() if seconds is None else max(0.0, seconds)
    try:
        yield
    finally:
        _idle_s = before


def ensure_local_llm() -> str:
    """The OpenAI base URL (``http://127.0.0.1:PORT/v1``) of this process's embedded server, started on first use."""
    return shared_server().base_url


def shared_server() -> SharedServer:
    """This process's embedded server: the home's warm one when it runs the same model, else one started now; and
    again when it died (killed, crashed, stopped for idleness). See the module docstring.

    One server per home, however many agents and processes ask: the model takes 0.7-2 GB of memory and all CPU
    cores, so a second copy would only make both slower. Sessions keep the server they were built on and compare it
    with ``current_server()`` before each turn, so one restart serves every session (``agent.revive``).
    """
    global _shared
    with _shared_lock:
        if _shared is None or not _shared.running:
            if _shared is not None:
                _shared.stop()  # a dead server's hold and exit hook
            _shared = None
            _shared = acquire(_idle_s)
        return _shared


def current_server() -> SharedServer | None:
    """The running embedded server of this process, if any; starts nothing."""
    server = _shared
    return server if server is not None and server.running else None


def stop_local_llm() -> None:
    """Let go of this process's embedded server (also done automatically at exit): it stops now unless another
    process uses it or it is kept warm (``keep_warm``)."""
    global _shared
    with _shared_lock:
        if _shared is not None:
            _shared.stop()
            _shared = None
