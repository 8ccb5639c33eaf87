"""US retail holiday calendar for merchants who bring their own data.

The demo merchants use Dominick's own week calendar; a merchant who ingests a file gets the same nine events placed
by rule, so the forecaster sees holiday weeks for any dates. The rules agree with Dominick's calendar on every
fixed-date and Monday holiday; Dominick's places some Easter and Presidents Day weeks by its own rules (tested).
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from dateutil.easter import easter


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th given weekday (Mon=0) of a month; n=-1 for the last one."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    last = nxt - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def holidays(year: int) -> dict[date, str]:
    """The nine events of Dominick's calendar, dated for one year."""
    return {
        date(year, 1, 1): "New-Year",
        _nth_weekday(year, 2, 0, 3): "Presidents Day",
        easter(year): "Easter",
        _nth_weekday(year, 5, 0, -1): "Memorial Day",
        date(year, 7, 4): "4th of July",
        _nth_weekday(year, 9, 0, 1): "Labor Day",
        date(year, 10, 31): "Halloween",
        _nth_weekday(year, 11, 3, 4): "Thanksgiving",
        date(year, 12, 25): "Christmas",
    }


def week_start_of(day: date, week_start_isodow: int) -> date:
    """The first day of the week holding ``day``, for weeks that begin on ISO weekday ``week_start_isodow``."""
    return day - timedelta(days=(day.isoweekday() - week_start_isodow) % 7)


def calendar_weeks(first: date, last: date, week_start_isodow: int) -> pd.DataFrame:
    """Weeks covering ``first``..``last`` with columns week_start, week_end, event (NULL when none)."""
    start = week_start_of(first, week_start_isodow)
    starts = [start + timedelta(weeks=i) for i in range((last - start).days // 7 + 1)]
    events: dict[date, list[str]] = {}
    for year in range(first.year - 1, last.year + 2):
        for day, name in sorted(holidays(year).items()):
            events.setdefault(week_start_of(day, week_start_isodow), []).append(name)
    return pd.DataFrame(
        {
            "week_start": starts,
            "week_end": [s + timedelta(days=6) for s in starts],
            "event": [", ".join(events[s]) if s in events else None for s in starts],
        }
    )
