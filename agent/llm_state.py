"""Where a warm embedded LLM server is written down, so that later processes in the same home can find it.

One server per ``$SALESCAST_HOME``: ``run/llm.json`` names it (server and keeper as pid + start time, port, model
file and its identity, threads, context window, when it started). ``run/llm.lock`` (``flock``) serialises starting,
adopting and stopping, so two asks at once start one server, not two. Each server has a folder ``run/llm-*/`` with
its log, its port file, its idle timeout and one file per process that uses it (``holders/``): its keeper
(``agent.llm_keeper``) counts idle time only while no holder is alive. Everything lives under the home, so tests
and other installations with a home of their own never see each other's servers.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from agent.processes import alive, started_ticks
from forecasting.paths import home

FOLDER_PREFIX = "llm-"
SERVER_PID = "server.pid"
KEEPER_PID = "keeper.pid"
IDLE_FILE = "idle_s"
HOLDERS = "holders"
UNCLAIMED_S = 600.0  # a folder no keeper ever claimed (its start failed) is removed after this


@dataclass(frozen=True)
class ServerState:
    """A running warm server, as recorded in ``run/llm.json``."""

    pid: int
    pid_started: int
    keeper_pid: int
    keeper_started: int
    port: int
    model_name: str
    model_path: str
    model_sha256: str | None  # the packaged model's checked hash; None for a GGUF given by path
    model_stat: str  # "size:mtime_ns" of the file it loaded: a file replaced since is another model
    threads: int
    n_ctx: int
    started_at: float  # seconds since the epoch
    folder: str

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def alive(self) -> bool:
        return alive(self.pid, self.pid_started) and alive(self.keeper_pid, self.keeper_started)


def run_dir() -> Path:
    return home() / "run"


def state_path() -> Path:
    return run_dir() / "llm.json"


def read_state() -> ServerState | None:
    """The recorded server, alive or not; None when there is none or the file is unreadable (then it is stale)."""
    try:
        return ServerState(**json.loads(state_path().read_text()))
    except (OSError, ValueError, TypeError):
        return None


def write_state(state: ServerState) -> None:
    """Replace the record atomically, so a reader never sees half a file (``llm status`` reads without the lock)."""
    _write_atomic(state_path(), json.dumps(asdict(state), indent=1))


def clear_state(pid: int | None = None) -> None:
    """Remove the record; with ``pid``, only when it still names that server (another may have replaced it)."""
    state = read_state()
    if pid is None or state is None or state.pid == pid:
        state_path().unlink(missing_ok=True)


@contextmanager
def locked(wait: bool = True) -> Iterator[bool]:
    """Hold the home's server lock; with ``wait=False`` yields False at once when another process has it.

    ``flock`` is released by the kernel when its holder dies, so a killed ask never leaves the lock taken.
    """
    run_dir().mkdir(parents=True, exist_ok=True)
    with (run_dir() / "llm.lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# ---------------------------------------------------------------------------------------------------- folders


def new_folder() -> Path:
    run_dir().mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX, dir=run_dir()))
    (folder / HOLDERS).mkdir()
    return folder


def write_pid(path: Path, pid: int) -> None:
    """``"<pid> <start time>"``, so a reader can tell the process from a later one with a recycled pid."""
    _write_atomic(path, f"{pid} {started_ticks(pid) or 0}")


def read_pid(path: Path) -> tuple[int, int] | None:
    try:
        pid, started = path.read_text().split()
        return int(pid), int(started)
    except (OSError, ValueError):
        return None


def set_idle(folder: Path, seconds: float, raise_only: bool = False) -> None:
    """Set how long the keeper waits after the last holder left; ``raise_only`` keeps a longer one already set
    (an ask that adopts the app's server wants it warm after the app exits; it must not cut another's timeout)."""
    if raise_only:
        seconds = max(seconds, idle_of(folder))
    _write_atomic(folder / IDLE_FILE, repr(float(seconds)))


def idle_of(folder: Path) -> float:
    try:
        return float((folder / IDLE_FILE).read_text())
    except (OSError, ValueError):
        return 0.0


def hold(folder: Path) -> bool:
    """Mark this process as using the server of ``folder``; False when the folder is gone (its keeper tidied up)."""
    try:
        _holder_file(folder).touch()
    except FileNotFoundError:
        return False
    return True


def release(folder: Path) -> None:
    _holder_file(folder).unlink(missing_ok=True)


def _holder_file(folder: Path) -> Path:
    pid = os.getpid()
    return folder / HOLDERS / f"{pid}-{started_ticks(pid) or 0}"


def live_holders(folder: Path) -> list[int]:
    """The pids still using the server; files of processes that died without letting go are removed."""
    pids = []
    for entry in _entries(folder / HOLDERS):
        try:
            pid, started = (int(part) for part in entry.name.split("-"))
        except ValueError:
            pid, started = 0, 0
        if alive(pid, started):
            pids.append(pid)
        else:
            entry.unlink(missing_ok=True)
    return pids


def prune_folders() -> None:
    """Remove the folders of servers whose keeper is gone (a killed keeper cannot tidy up after itself)."""
    for folder in _entries(run_dir()):
        if not folder.name.startswith(FOLDER_PREFIX):
            continue
        keeper = read_pid(folder / KEEPER_PID)
        if keeper is None and _age_s(folder) < UNCLAIMED_S:
            continue  # being started right now (the keeper has not written its pid yet)
        if keeper is None or not alive(*keeper):
            shutil.rmtree(folder, ignore_errors=True)


def _age_s(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:  # its keeper removed it just now
        return 0.0


def _entries(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except OSError:
        return []


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
