"""Backtest protocols: which weeks each round trains on and which it is scored on.

``oj-ms`` reproduces the published Dominick's orange juice benchmark (Microsoft "forecasting" repository): 10 rounds,
training on weeks 40..t for t = 135, 137, ..., 153, forecasting weeks t+2 and t+3 (gap 2: week t+1 is not yet
known), so the test weeks are 137..156, scored by MAPE over every observed row. Weeks are Dominick's week numbers
(week 1 starts 1989-09-14).
"""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel

DOMINICKS_WEEK1 = date(1989, 9, 14)


class Round(BaseModel):
    origin: date  # last week of training data
    targets: list[date]  # weeks forecast and scored
    first_train: date | None = None  # earliest week used for training (None = all history)

    def steps(self) -> list[int]:
        """Horizon steps of the targets, counted in weeks after the origin."""
        return [(t - self.origin).days // 7 for t in self.targets]


class Protocol(BaseModel):
    name: str
    description: str
    rounds: list[Round]


def dominicks_week_start(week: int) -> date:
    return DOMINICKS_WEEK1 + timedelta(weeks=week - 1)


def dominicks_week(day: date) -> int:
    return (day - DOMINICKS_WEEK1).days // 7 + 1


def oj_ms() -> Protocol:
    rounds = [
        Round(
            origin=dominicks_week_start(t),
            targets=[dominicks_week_start(t + 2), dominicks_week_start(t + 3)],
            first_train=dominicks_week_start(40),
        )
        for t in range(135, 154, 2)
    ]
    return Protocol(
        name="oj-ms",
        description="Dominick's OJ benchmark: 10 rounds, train weeks 40..t (t=135..153 step 2), forecast t+2 and t+3",
        rounds=rounds,
    )


def rolling(last_week: date, rounds: int = 8, gap: int = 0, horizon: int = 4, step: int = 1) -> Protocol:
    """A generic protocol for any merchant: the last ``rounds`` origins, each forecasting ``horizon`` weeks."""
    out = []
    for r in range(rounds):
        origin = last_week - timedelta(weeks=gap + horizon + step * (rounds - 1 - r))
        targets = [origin + timedelta(weeks=gap + k) for k in range(1, horizon + 1)]
        out.append(Round(origin=origin, targets=targets))
    return Protocol(
        name="rolling",
        description=f"{rounds} rolling origins, gap {gap}, horizon {horizon}, ending {last_week}",
        rounds=out,
    )


PROTOCOLS = {"oj-ms": oj_ms}
