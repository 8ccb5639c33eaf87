"""The embedded LLM server kept warm between ``salescast ask`` runs (``agent.llm_shared``), with real processes.

A second ask adopts the server the first left running, ``salescast llm stop`` stops it whoever holds it, an idle
timeout of 0 stops it when its last holder lets go, a server killed with SIGKILL is replaced on the next use, and two
homes never share one. Runs the small packaged model (``qwen-0.5b``); skipped where the runtime or weights are
missing. Loading a model is most of each test's time, so the tests hand servers on: each one takes the home's state
as the previous left it and makes what it needs only when it is not there (``_warm``, ``_held``).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent import llm_shared, llm_state, local_llm
from agent.processes import alive
from tests.test_cli import salescast
from tests.test_llm_restart import SMALL, _small_model_installed
from ui.cli_llm import llm_app

pytestmark = [
    pytest.mark.skipif(not _small_model_installed(), reason=f"embedded LLM runtime or {SMALL} weights not installed"),
    pytest.mark.timeout(600),
]
QUESTION = "What sold best last month?"
WARM_S = "120"  # long enough to outlast the module; the fixture stops what is left


@pytest.fixture(scope="module")
def homes(built_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """Two private homes (``a`` is current) sharing one weights cache, so the model is assembled once."""
    a, b = (tmp_path_factory.mktemp(name) / "home" for name in ("warm-a", "warm-b"))
    for target in (a, b):
        shutil.copytree(built_home, target)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SALESCAST_HOME", str(a))
        mp.setenv("SALESCAST_LOCAL_MODEL", SMALL)
        mp.setenv("SALESCAST_LLM_CACHE", str(tmp_path_factory.mktemp("llm-cache")))
        mp.setenv("SALESCAST_LLM_IDLE_S", WARM_S)
        for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "SALESCAST_LLM"):
            mp.delenv(name, raising=False)
        try:
            yield a, b
        finally:
            llm_shared.stop_local_llm()
            for home in (a, b):
                mp.setenv("SALESCAST_HOME", str(home))
                llm_shared.stop_warm()


def _ask(home: Path) -> dict:
    done = salescast("ask", "--merchant", "oj", "--llm", "embedded", "--json", QUESTION, home=home)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    answer = json.loads(done.stdout)
    assert SMALL.replace("qwen-", "qwen2.5-coder-") in answer["llm"], answer
    return answer


def _use(home: Path, keep_warm: bool = False) -> int:
    """Another process takes the home's server (adopting or starting it) and exits at once; returns its pid.

    Lighter than an ask (it imports only ``agent.llm_shared``), for tests about processes, not answers."""
    code = f"from agent import llm_shared\nwith llm_shared.keep_warm({'' if keep_warm else 0}):\n"
    code += "    print(llm_shared.shared_server().pid)"
    env = {**os.environ, "SALESCAST_HOME": str(home)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return int(done.stdout)


def _llm_cli(home: Path, *args: str) -> dict:
    """``salescast llm ...`` in this process (the real command costs seconds of imports; two tests run it)."""
    done = CliRunner().invoke(llm_app, [*args, "--json"], env={"SALESCAST_HOME": str(home)})
    assert done.exit_code == 0, done.output
    return json.loads(done.stdout)


def _record(home: Path) -> llm_state.ServerState | None:
    """The home's ``run/llm.json``, read as a person would (not through this process's current home)."""
    path = home / "run" / "llm.json"
    return llm_state.ServerState(**json.loads(path.read_text())) if path.is_file() else None


def _warm(home: Path) -> llm_state.ServerState:
    """The home's live recorded server, left warm by another process when there was none."""
    state = _record(home)
    if state is None or not state.alive:
        _use(home, keep_warm=True)
        state = _record(home)
    assert state is not None and state.alive
    return state


def _held() -> local_llm.LocalLLM:
    """A server this (test) process holds with an idle timeout of 0, as the web app does: started, or adopted."""
    server = llm_shared.current_server()
    if server is None or llm_state.idle_of(Path(server.state.folder)) > 0:
        llm_shared.stop_local_llm()
        llm_shared.stop_warm()  # one kept warm by an ask would outlive our hold
        server = llm_shared.shared_server()
    return server


def _gone(pid: int, started: int, within_s: float = 15.0) -> bool:
    deadline = time.monotonic() + within_s
    while alive(pid, started) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not alive(pid, started)


def _gone_folder(folder: Path, within_s: float = 5.0) -> bool:
    deadline = time.monotonic() + within_s
    while folder.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return not folder.exists()


def test_a_second_ask_adopts_the_server_the_first_left_warm(homes: tuple[Path, Path]) -> None:
    a, _ = homes
    llm_shared.stop_warm()
    _ask(a)
    status = salescast("llm", "status", "--json", home=a)
    assert status.returncode == 0, status.stderr
    first = json.loads(status.stdout)
    assert first["running"] and first["holders"] == [] and first["idle_s"] == float(WARM_S), first
    assert first["home"] == str(a) and Path(first["folder"]).parent == a / "run"
    _ask(a)
    second = _record(a)
    assert second is not None and second.alive
    assert (second.pid, second.started_at, second.port) == (first["pid"], first["started_at"], first["port"])


def test_a_killed_server_is_replaced_on_the_next_use(homes: tuple[Path, Path]) -> None:
    a, _ = homes
    llm_shared.stop_local_llm()
    killed = _warm(a)
    os.kill(killed.pid, signal.SIGKILL)
    assert _gone(killed.pid, killed.pid_started)
    assert _gone(killed.keeper_pid, killed.keeper_started)  # the keeper follows its server
    server = llm_shared.shared_server()
    now = _record(a)
    assert now is not None and now.alive and now.pid == server.pid != killed.pid and now.folder != killed.folder
    assert server.base_url == now.base_url and llm_shared.healthy(now)


def test_idle_timeout_0_stops_the_server_when_its_last_holder_lets_go(homes: tuple[Path, Path]) -> None:
    a, _ = homes
    server = _held()
    state = _record(a)
    assert state is not None and state.pid == server.pid
    assert _use(a) == state.pid  # another process adopts our server and exits: we still hold it, so it runs on
    after = _record(a)
    assert after is not None and (after.pid, after.started_at) == (state.pid, state.started_at) and after.alive
    assert llm_state.live_holders(Path(state.folder)) == [os.getpid()]
    llm_state.release(Path(state.folder))  # the last holder goes, as if it died: its keeper must notice alone
    assert _gone(state.pid, state.pid_started) and _gone(state.keeper_pid, state.keeper_started)
    assert _record(a) is None and _gone_folder(Path(state.folder))
    llm_shared.stop_local_llm()  # letting go of a server that is gone is quiet
    assert llm_shared.current_server() is None


def test_two_homes_never_share_a_server(homes: tuple[Path, Path]) -> None:
    a, b = homes
    ours = _held()
    in_a = _record(a)
    started = _use(b, keep_warm=True)  # a process in home b starts its own server rather than adopt a's
    other = _record(b)
    assert in_a is not None and in_a.pid == ours.pid and in_a.alive
    assert other is not None and other.pid == started != in_a.pid and other.alive and other.port != in_a.port
    assert Path(other.folder).parent == b / "run" and _record(a) == in_a  # home a's record is untouched
    assert _llm_cli(b, "stop") == {"stopped": True, "pid": other.pid}
    assert not other.alive and in_a.alive and _record(a) == in_a  # stopping b's server left a's alone


def test_llm_stop_stops_the_server_even_while_a_process_holds_it(homes: tuple[Path, Path]) -> None:
    a, _ = homes
    ours = _held()
    state = _record(a)
    assert state is not None and state.pid == ours.pid
    stopped = salescast("llm", "stop", home=a)
    assert stopped.returncode == 0 and f"pid {state.pid}" in stopped.stdout, stopped.stdout + stopped.stderr
    assert not alive(state.pid, state.pid_started) and not alive(state.keeper_pid, state.keeper_started)
    assert _record(a) is None and _gone_folder(Path(state.folder))
    assert llm_shared.current_server() is None  # our handle sees it gone; the next use would start another
    assert _llm_cli(a, "status") == {"home": str(a), "running": False}
