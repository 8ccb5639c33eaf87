"""The embedded LLM comes back after its server process is killed (issue 17, finding 5), with real SIGKILLs.

Sessions already open used to keep calling the dead server's port: after a kill mid-answer every later turn of that
merchant failed in 0.1 s, even once another merchant's session had started a new server. Runs the small packaged
model (``qwen-0.5b``); skipped where the runtime or its weights are not installed.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent import llm_shared, local_llm
from agent.events import AnswerChunk, Done, TurnResult
from agent.revive import NOT_RESTARTED, RESTARTED
from forecasting import threads

SMALL = "qwen-0.5b"


def _small_model_installed() -> bool:
    try:
        local_llm.part_paths(local_llm.MODELS[SMALL])
    except local_llm.LocalLLMError:
        return False
    return local_llm.local_llm_status()[0]


pytestmark = [
    pytest.mark.skipif(not _small_model_installed(), reason=f"embedded LLM runtime or {SMALL} weights not installed"),
    pytest.mark.timeout(900),
]
QUESTION = "What sold best last month?"


@pytest.fixture
def embedded_env(trained_home: Path) -> Iterator[Path]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SALESCAST_HOME", str(trained_home))
        mp.setenv("SALESCAST_LOCAL_MODEL", SMALL)
        for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "SALESCAST_LLM"):
            mp.delenv(name, raising=False)
        try:
            yield trained_home
        finally:
            llm_shared.stop_local_llm()


def _session(merchant: str):
    from agent.session import ChatSession

    session = ChatSession(merchant, llm="embedded")
    session.wait_ready()
    return session


def _cpu_ticks(pid: int) -> int:
    """User + system CPU time of ``pid`` in clock ticks (``/proc/<pid>/stat`` fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def _kill_once_busy(pid: int, killed: threading.Event) -> None:
    """SIGKILL ``pid`` as soon as it has spent CPU on the turn's request, i.e. in the middle of answering it."""
    before = _cpu_ticks(pid)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and _cpu_ticks(pid) < before + 3:
        time.sleep(0.005)
    os.kill(pid, signal.SIGKILL)
    killed.set()


def _answer_and_text(events: list) -> tuple[TurnResult, str]:
    done = [e for e in events if isinstance(e, Done)]
    assert len(done) == 1 and events[-1] is done[0]
    return done[0].result, "".join(e.text for e in events if isinstance(e, AnswerChunk))


def _answered(result: TurnResult, month: str = "September 1992") -> None:
    """A real answer from the merchant's data: the ranking tool over its last month (oj's unless ``month``)."""
    assert result.error is None and result.grounded, result
    assert [s.name for s in result.tool_calls] == ["sales_query"] and month in result.answer


@pytest.mark.usefixtures("embedded_env")
def test_a_server_killed_mid_answer_is_restarted_and_the_turn_answered() -> None:
    oj, tuna = _session("oj"), _session("tuna")
    first = llm_shared.current_server()
    assert first is not None and oj.choice.server is first and tuna.choice.server is first
    killed = threading.Event()
    killer = threading.Thread(target=_kill_once_busy, args=(first.pid, killed), daemon=True)
    time.sleep(0.5)  # the server idles after its warm-up, so CPU it spends from now on is this turn's
    killer.start()
    events = list(oj.stream(QUESTION))
    killer.join(5)
    assert killed.is_set()
    result, streamed = _answer_and_text(events)
    assert result.answer.startswith(RESTARTED) and streamed == result.answer
    _answered(result)
    second = llm_shared.current_server()
    assert second is not None and second is not first and second.pid != first.pid and oj.choice.server is second
    later = tuna.ask(QUESTION)  # a session opened before the kill joins the new server, no third one starts
    assert later.answer.startswith(RESTARTED) and tuna.choice.server is second
    _answered(later, "April 1997")
    again = oj.ask(QUESTION)
    assert not again.answer.startswith(RESTARTED) and llm_shared.current_server() is second
    _answered(again)


@pytest.mark.usefixtures("embedded_env")
def test_a_session_open_while_another_merchant_restarted_the_server_uses_the_new_one() -> None:
    oj = _session("oj")
    dead = llm_shared.current_server()
    os.kill(dead.pid, signal.SIGKILL)
    while dead.running:  # the kernel reaps it within milliseconds
        time.sleep(0.01)
    tuna = _session("tuna")  # as in the attack: a new server starts for another merchant
    restarted = llm_shared.current_server()
    assert restarted is not None and restarted is not dead and tuna.choice.server is restarted
    assert threads.current().reserved == restarted.threads  # the dead server's cores were given back (finding 12)
    result = oj.ask(QUESTION)
    assert result.answer.startswith(RESTARTED)
    _answered(result)
    assert llm_shared.current_server() is restarted and oj.choice.server is restarted


@pytest.mark.usefixtures("embedded_env")
def test_a_server_that_cannot_start_again_says_why_and_a_later_turn_restarts_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    oj = _session("oj")
    dead = llm_shared.current_server()
    os.kill(dead.pid, signal.SIGKILL)
    while dead.running:
        time.sleep(0.01)
    missing = tmp_path / "gone.gguf"
    monkeypatch.setenv("SALESCAST_LOCAL_MODEL", str(missing))  # the weights vanished: no server can start
    down = oj.ask(QUESTION)
    assert down.answer.startswith(NOT_RESTARTED) and str(missing) in down.answer and down.error == down.answer
    assert llm_shared.current_server() is None and down.tool_calls == []
    monkeypatch.setenv("SALESCAST_LOCAL_MODEL", SMALL)  # fixed: the next turn starts the server and answers
    result = oj.ask(QUESTION)
    assert result.answer.startswith(RESTARTED)
    _answered(result)
    assert oj.choice.server is llm_shared.current_server() is not None
