"""Shared fixtures: a real warehouse built from the committed demo data in a temporary SALESCAST_HOME."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from forecasting.warehouse.build import build_warehouse

SHARED_DOMINICKS = Path(__file__).resolve().parents[2] / "shared" / "data" / "dominicks"
# An ask run by a test leaves no embedded LLM server warm behind it (tests/test_llm_warm.py sets its own timeouts).
os.environ.setdefault("SALESCAST_LLM_IDLE_S", "0")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Slow and GPU tests are opt-in, so CI on a 2-core CPU machine stays fast; run them where they fit."""
    run_slow = os.environ.get("SALESCAST_RUN_SLOW") == "1"
    has_gpu = _has_cuda()
    for item in items:
        if "slow" in item.keywords and not run_slow:
            item.add_marker(pytest.mark.skip(reason="long run: set SALESCAST_RUN_SLOW=1"))
        if "gpu" in item.keywords and not has_gpu:
            item.add_marker(pytest.mark.skip(reason="needs a CUDA device"))


def _has_cuda() -> bool:
    try:
        import torch

        return torch.cuda.is_available()
    except ImportError:
        return False


@pytest.fixture(scope="session")
def built_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse built once per session; tests that write must use ``fresh_home`` instead."""
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SALESCAST_HOME", str(home))
        build_warehouse()
    return home


@pytest.fixture
def home(built_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point salescast at the shared, read-only-by-convention warehouse."""
    monkeypatch.setenv("SALESCAST_HOME", str(built_home))
    return built_home


def private_home(source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of a shared home, made current: tests that write or damage files use one."""
    target = tmp_path / "home"
    shutil.copytree(source, target)
    monkeypatch.setenv("SALESCAST_HOME", str(target))
    return target


@pytest.fixture
def fresh_home(built_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the built warehouse for tests that ingest or rebuild."""
    return private_home(built_home, tmp_path, monkeypatch)


SMALL_MODEL = {"hidden": [64, 32], "max_epochs": 2, "patience": 10, "batch_size": 2048, "seed": 0}


@pytest.fixture(scope="session")
def trained_home(built_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo warehouse plus small real models for ``oj`` and ``tuna``, trained once per session.

    Small (two short epochs' worth) so CI stays fast; the models are real ones, saved and loaded the way the app does,
    so tools, explanations and the UI are tested against what they will see in production."""
    from forecasting.models.neural import NeuralConfig
    from forecasting.train import train_merchant

    home = tmp_path_factory.mktemp("trained")
    shutil.copytree(built_home, home, dirs_exist_ok=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SALESCAST_HOME", str(home))
        for merchant in ("tuna", "oj"):
            train_merchant(merchant, device="cpu", config=NeuralConfig(**SMALL_MODEL))
    return home


@pytest.fixture
def trained(trained_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point salescast at the shared home with trained models (read-only by convention)."""
    monkeypatch.setenv("SALESCAST_HOME", str(trained_home))
    return trained_home
