"""The backtest reproduces the published OJ protocol exactly and scores what it says it scores."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from forecasting.backtest.metrics import score
from forecasting.backtest.protocol import dominicks_week, dominicks_week_start, oj_ms, rolling
from forecasting.backtest.runner import run_protocol
from forecasting.models.baselines import Naive
from forecasting.panel import Panel, load_panel
from forecasting.warehouse.connect import open_tenant


def test_oj_ms_rounds_match_the_published_split() -> None:
    proto = oj_ms()
    assert len(proto.rounds) == 10
    assert [dominicks_week(r.origin) for r in proto.rounds] == list(range(135, 154, 2))
    targets = [dominicks_week(t) for r in proto.rounds for t in r.targets]
    assert targets == list(range(137, 157))  # every test week 137..156 exactly once, in order
    assert all(r.steps() == [2, 3] for r in proto.rounds)  # gap 2: week t+1 is never forecast
    assert {dominicks_week(r.first_train) for r in proto.rounds} == {40}


def test_dominicks_week_numbering_is_the_calendars() -> None:
    assert dominicks_week_start(1).isoformat() == "1989-09-14"
    assert dominicks_week(dominicks_week_start(137) + timedelta(days=6)) == 137


def test_rolling_protocol_ends_at_the_last_week() -> None:
    last = dominicks_week_start(160)
    proto = rolling(last, rounds=3, horizon=2)
    assert proto.rounds[-1].targets[-1] == last
    assert all(r.steps() == [1, 2] for r in proto.rounds)


class Spy(Naive):
    """Naive forecasts, recording what the runner asked for and what history it could have seen."""

    name = "spy"

    def __init__(self) -> None:
        self.calls: list[tuple[int, int, list[int]]] = []
        self.fits: list[tuple[int, int]] = []

    def fit(self, panel: Panel, origin: int, first: int = 0) -> None:
        self.fits.append((origin, first))

    def predict(self, panel: Panel, origin: int, steps: list[int]) -> np.ndarray:
        self.calls.append((origin, steps))
        return super().predict(panel, origin, steps)


@pytest.fixture(scope="module")
def oj_panel(built_home: Path) -> Panel:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SALESCAST_HOME", str(built_home))
        return load_panel("oj")


def test_runner_retrains_every_round_on_the_protocol_weeks(oj_panel: Panel) -> None:
    spy = Spy()
    _, rows = run_protocol(oj_panel, oj_ms(), [lambda: spy])
    weeks = [dominicks_week(oj_panel.week_starts[o]) for o, _ in spy.fits]
    assert weeks == list(range(135, 154, 2))
    assert {dominicks_week(oj_panel.week_starts[first]) for _, first in spy.fits} == {40}
    assert [steps for _, steps in spy.calls] == [[2, 3]] * 10
    scored = sorted({dominicks_week(oj_panel.week_starts[w]) for w in rows["spy"]["week"]})
    assert scored == list(range(137, 157))


def test_scored_rows_are_every_observed_test_row(oj_panel: Panel, built_home: Path, monkeypatch) -> None:
    monkeypatch.setenv("SALESCAST_HOME", str(built_home))
    results, _ = run_protocol(oj_panel, oj_ms(), [Naive])
    first, last = dominicks_week_start(137), dominicks_week_start(156)
    with open_tenant("oj") as con:
        expected = con.execute(
            "SELECT count(*) FROM sales WHERE week_start BETWEEN ? AND ? AND units > 0", [first, last]
        ).fetchone()[0]
    assert results[0].scores.rows == expected == 17534


def test_naive_reproduces_the_published_naive_figure(oj_panel: Panel) -> None:
    results, _ = run_protocol(oj_panel, oj_ms(), [Naive])
    assert results[0].scores.mape == pytest.approx(110.2, abs=0.1)  # published Naive: 109.67 (own run: 110.2)
    assert results[0].scores.coverage80 is None


def test_score_formulas_on_hand_computed_rows() -> None:
    y = np.array([100.0, 200.0, np.nan, 0.0, 50.0])
    p50 = np.array([110.0, 150.0, 5.0, 3.0, 50.0])
    point = np.array([100.0, 180.0, 5.0, 3.0, 40.0])
    s = score(y, p50, np.array([10.0, 10.0, 1.0, 1.0, 5.0]), p50 - 20, p50 + 20, point=point)
    assert s.rows == 3
    assert s.mape == pytest.approx(100 * (0 + 20 / 200 + 10 / 50) / 3, abs=1e-3)
    assert s.mape_p50 == pytest.approx(100 * (10 / 100 + 50 / 200 + 0) / 3, abs=1e-3)
    assert s.wape == pytest.approx(100 * 30 / 350, abs=1e-3)
    assert s.mase == pytest.approx((0 / 10 + 20 / 10 + 10 / 5) / 3, abs=1e-4)
    assert s.coverage80 == pytest.approx(100 * 2 / 3, abs=0.01)
