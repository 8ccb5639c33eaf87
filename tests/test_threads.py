"""Thread counts from the cores actually free (issue 17, finding 12).

Training took 55 s quiet and 1,175 s beside one other torch process: both started one thread per core on two
cores. These tests check the policy's counts for given cores and load, that it reads the cores this process may
use (affinity) and the ones a real busy process takes, and that training, forecasting and the LLM server apply it.
No timings here: the slowdown is measured in benchmarks/bench_threads.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from forecasting import threads
from forecasting.threads import Cores, pick


@pytest.mark.parametrize(
    ("cores", "expected"),
    [
        (Cores(allowed=2, busy=0.0), 2),  # quiet: every core
        (Cores(allowed=2, busy=0.4), 2),  # a little background noise is not a core
        (Cores(allowed=2, busy=1.0), 1),  # one other torch job on one core
        (Cores(allowed=2, busy=2.0), 1),  # the attack: another job on both cores; never zero
        (Cores(allowed=2, busy=5.0), 1),  # a load above the cores still leaves one thread
        (Cores(allowed=8, busy=1.2), 7),
        (Cores(allowed=8, busy=0.3, reserved=2), 6),  # the LLM server's cores are left to it
        (Cores(allowed=2, busy=0.0, reserved=2), 1),
        (Cores(allowed=1, busy=0.0), 1),
    ],
)
def test_pick_leaves_busy_and_reserved_cores(cores: Cores, expected: int) -> None:
    assert pick(cores) == expected


@pytest.fixture
def one_core(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """This process limited to its first allowed core (as ``taskset`` or a container would), restored after."""
    before = os.sched_getaffinity(0)
    core = min(before)
    monkeypatch.delenv(threads.TORCH_ENV, raising=False)
    monkeypatch.setattr(threads, "_measured", None)
    os.sched_setaffinity(0, {core})
    try:
        yield core
    finally:
        os.sched_setaffinity(0, before)


def test_the_cores_counted_are_the_ones_this_process_may_use(one_core: int) -> None:
    assert threads.allowed_cores() == 1 and threads.current().allowed == 1
    assert threads.threads_for() == 1


def test_a_busy_process_on_the_same_core_counts_at_once(one_core: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The 1-minute load average lags a job that just started; the /proc/stat sample sees it now."""
    spinner = subprocess.Popen(
        ["taskset", "-c", str(one_core), sys.executable, "-c", "while True: pass"]
    )  # a real process spinning on our one core
    try:
        monkeypatch.setattr(
            threads.os, "getloadavg", lambda: (0.0, 0.0, 0.0)
        )  # the average lags; the sample must see it
        assert threads.busy_cores(sample_s=0.5) >= 0.7
    finally:
        spinner.kill()
        spinner.wait()


def test_environment_overrides_win_and_bad_values_say_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(threads.TORCH_ENV, "3")
    assert threads.threads_for() == 3
    monkeypatch.setenv(threads.TORCH_ENV, "many")
    with pytest.raises(ValueError, match="SALESCAST_THREADS='many'"):
        threads.threads_for()


def test_reserved_cores_are_counted_until_released() -> None:
    threads.reserve("test-server", 1)
    try:
        assert threads.current().reserved == 1
    finally:
        threads.release("test-server")
    assert threads.current().reserved == 0


def test_training_and_forecasting_apply_the_policy(fresh_home: Path, one_core: int) -> None:
    from forecasting.models.neural import NeuralConfig
    from forecasting.predict import Engine
    from forecasting.train import train_merchant
    from tests.conftest import SMALL_MODEL

    torch.set_num_threads(2)  # torch's own default on two cores: one per core, busy or not
    train_merchant("oj", device="cpu", config=NeuralConfig(**SMALL_MODEL))
    assert torch.get_num_threads() == 1
    torch.set_num_threads(2)
    engine = Engine("oj")
    engine.forecast(engine.panel.stores[0], engine.panel.products[0], horizon=4)
    assert torch.get_num_threads() == 1


def test_the_llm_server_takes_the_free_cores_or_its_setting(one_core: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from agent import local_llm

    monkeypatch.delenv(local_llm.LLM_THREADS_ENV, raising=False)
    assert local_llm.LocalLLM().threads == 1
    monkeypatch.setenv(local_llm.LLM_THREADS_ENV, "2")
    assert local_llm.LocalLLM().threads == 2
