"""Periods as merchants say them ("last month", "1992-09", "Q3 1992"), read against the merchant's own data.

The demo data ends in 1992 (oj) and 1997 (tuna), so "last month" cannot mean the calendar today: every relative
period counts back from the merchant's last data week. "Now" is the day after the last data day, so "last quarter" is
the latest *complete* one in the data, "last month" the latest month it covers all or nearly all of (less than a
week missing), while "this month/quarter/year" is the one holding the
last data week, up to its end; "last year" is the year before that one (a last week from 29 December to 4 January
makes its year "this year", not the year before).

Convention used by every sales query: a period ``(start, end)`` selects the weeks whose ``week_start`` lies
in ``[start, end]``; a week that straddles two months counts in the month it starts in.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from tools.analytics_core import BadPeriod, DataRange, NoData, Reader, reader

Period = tuple[date, date, str]

ACCEPTED = (
    "last week, last N weeks, this month, last month, last N months, this quarter, last quarter, last N quarters, "
    "this year (or year to date), last year, last N years, all data, 1992 (a year), 1992-09 (a month), "
    "September 1992, September (the latest), 1992-Q3 or Q3 1992, first half of 1992 or H1 1992, summer 1992, "
    "1992-01-01 to 1992-03-31, June to August 1992, since June 1992"
)
_SEASONS = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12}

_COUNTS = {
    word: i + 2
    for i, word in enumerate(
        ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
    )
}

_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        ["january jan", "february feb", "march mar", "april apr", "may", "june jun", "july jul",
         "august aug", "september sep sept", "october oct", "november nov", "december dec"]
    )
    for name in names.split()
}  # fmt: skip
_ISO = r"(\d{4}-\d{1,2}-\d{1,2})"


def resolve_period(merchant: str, text: str) -> Period:
    """``(start, end, label)`` for a period phrase, counted back from ``merchant``'s last data week.

    Raises ``BadPeriod`` listing the accepted forms, or ``NoData`` (with the data range) when nothing falls in it.
    """
    with reader(merchant) as rd:
        return period_of(rd, text)


def period_of(rd: Reader, text: str) -> Period:
    data = rd.data_range()
    start, end, label = parse_period(text, data)
    count = rd.rows("SELECT count(*) FROM sales WHERE week_start BETWEEN ? AND ?", [start, end], record=False)[0][0]
    if count == 0:
        raise NoData(f"No data for {label} ({start} to {end}). {data.text(rd.merchant)}: pick a period inside it.")
    return start, end, label


def check_order(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and end < start:
        raise BadPeriod(f"The end date {end} is before the start date {start}: swap them.")


def parse_period(text: str, data: DataRange) -> Period:
    """Pure parsing, no database: ``(start, end, label)`` relative to ``data``."""
    phrase = _normalise(text)
    for parser in (_relative_single, _relative_count, _absolute, _part_of_year, _span):
        found = parser(phrase, data)
        if found is not None:
            check_order(found[0], found[1])
            return found
    raise BadPeriod(
        f"Could not read the period {text!r}. Accepted forms: {ACCEPTED}. Relative periods count back from the "
        f"last data week ({data.last_week}); the data runs from {data.first_week} to {data.last_day}."
    )


def _normalise(text: str) -> str:
    """One spelling per phrase: "over the past two weeks" reads as "last 2 weeks"."""
    phrase = " ".join(str(text).lower().replace("_", " ").split()).strip(" .?!")
    phrase = re.sub(r"^((the|in|during|for|over|from|of)\s+)+(?=.)", "", phrase)
    phrase = re.sub(r"^(past|previous|latest|most recent)\b", "last", phrase)
    phrase = re.sub(r"^last (\w+) ", lambda m: f"last {_COUNTS.get(m[1], m[1])} ", phrase)
    return re.sub(r"^last 1 (week|month|quarter|year)$", r"last \1", phrase)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _month_name(day: date) -> str:
    return day.strftime("%B %Y")


def _quarter_name(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _relative_single(phrase: str, data: DataRange) -> Period | None:
    now = data.last_day + timedelta(days=1)  # "today", as far as the data knows
    this_month, this_quarter = _month_start(data.last_week), _quarter_start(data.last_week)
    last_quarter = _add_months(_quarter_start(now), -3)
    last_month = _latest_full_month(data)
    if phrase in ("last week", "this week"):
        return data.last_week, data.last_day, f"{phrase} (week of {data.last_week})"
    if phrase in ("this month", "month to date", "mtd"):
        return this_month, data.last_day, f"{phrase} ({_month_name(this_month)} to {data.last_day})"
    if phrase == "last month":
        return last_month, _add_months(last_month, 1) - timedelta(days=1), f"last month ({_month_name(last_month)})"
    if phrase in ("this quarter", "quarter to date", "qtd"):
        return this_quarter, data.last_day, f"{phrase} ({_quarter_name(this_quarter)} to {data.last_day})"
    if phrase == "last quarter":
        end = _add_months(last_quarter, 3) - timedelta(days=1)
        return last_quarter, end, f"last quarter ({_quarter_name(last_quarter)})"
    if phrase in ("this year", "year to date", "ytd"):
        return date(data.last_week.year, 1, 1), data.last_day, f"{phrase} ({data.last_week.year} to {data.last_day})"
    if phrase == "last year":  # the year before "this year", even when the last week runs into January
        year = data.last_week.year - 1
        return date(year, 1, 1), date(year, 12, 31), f"last year ({year})"
    if phrase in ("all", "all data", "all time", "everything"):
        return data.first_week, data.last_day, "all data"
    return None


def _latest_full_month(data: DataRange) -> date:
    """The latest month the data covers all or nearly all of: the month of the last data day when less than a week
    of it is missing (data to 29 May: May), else the month before (data to 7 October: September)."""
    month = _month_start(data.last_day)
    missing = (_add_months(month, 1) - timedelta(days=1) - data.last_day).days
    return month if missing < 7 else _add_months(month, -1)


def _relative_count(phrase: str, data: DataRange) -> Period | None:
    match = re.fullmatch(r"last (\d+) (week|month|quarter|year)s?", phrase)
    if not match:
        return None
    count, unit = int(match[1]), match[2]
    if not 1 <= count <= 1000:
        raise BadPeriod(f"Use between 1 and 1000 {unit}s, not {count}.")
    now = data.last_day + timedelta(days=1)
    label = f"last {count} {unit}s"
    if unit == "week":
        start = data.last_week - timedelta(weeks=count - 1)
        return start, data.last_day, f"{label} ({start} to {data.last_day})"
    step = {"month": 1, "quarter": 3, "year": 12}[unit]
    anchor = {"month": _month_start, "quarter": _quarter_start, "year": lambda d: date(d.year, 1, 1)}[unit](now)
    start, end = _add_months(anchor, -step * count), anchor - timedelta(days=1)
    return start, end, f"{label} ({start} to {end})"


def _absolute(phrase: str, data: DataRange) -> Period | None:
    if match := re.fullmatch(rf"(?:between )?{_ISO}\s*(?:to|until|through|and|\.\.|–|—|-)\s*{_ISO}", phrase):
        start, end = _iso(match[1]), _iso(match[2])
        return start, end, f"{start} to {end}"
    if re.fullmatch(r"\d{4}", phrase):
        year = int(phrase)
        return date(year, 1, 1), date(year, 12, 31), phrase
    if match := re.fullmatch(r"(\d{4})[-/](\d{1,2})", phrase):
        return _month(int(match[1]), int(match[2]))
    if (match := re.fullmatch(r"([a-z]+),? (\d{4})", phrase)) and match[1] in _MONTHS:
        return _month(int(match[2]), _MONTHS[match[1]])
    quarter = re.fullmatch(r"(\d{4})[- ]?q([1-4])", phrase) or re.fullmatch(r"q([1-4])[- ]?(\d{4})", phrase)
    if quarter:
        year, q = (quarter[1], quarter[2]) if len(quarter[1]) == 4 else (quarter[2], quarter[1])
        start = date(int(year), 3 * int(q) - 2, 1)
        return start, _add_months(start, 3) - timedelta(days=1), _quarter_name(start)
    return None


def _part_of_year(phrase: str, data: DataRange) -> Period | None:
    """Halves, seasons (winter 1991 = December 1991 to February 1992) and a month named without a year."""
    half = re.fullmatch(r"(first|1st|second|2nd) half(?: of)? (\d{4})", phrase)
    if half or (half := re.fullmatch(r"h([12])[- ]?(\d{4})", phrase)):
        first = half[1] in ("first", "1st", "1")
        start = date(int(half[2]), 1 if first else 7, 1)
        return start, _add_months(start, 6) - timedelta(days=1), f"{'first' if first else 'second'} half of {half[2]}"
    if (season := re.fullmatch(r"([a-z]+)(?: of)? (\d{4})", phrase)) and season[1] in _SEASONS:
        start = date(int(season[2]), _SEASONS[season[1]], 1)
        end = _add_months(start, 3) - timedelta(days=1)
        return start, end, f"{season[1]} {season[2]} ({start} to {end})"
    if phrase in _MONTHS:  # the latest one that has begun by the last data week
        month = _MONTHS[phrase]
        year = data.last_week.year if month <= data.last_week.month else data.last_week.year - 1
        return _month(year, month)
    return None


def _span(phrase: str, data: DataRange) -> Period | None:
    """``since X`` and ``X to Y`` for any periods X and Y; "June to August 1992" lends the year to June.

    A part that does not read makes the whole phrase unreadable: the error then quotes what the merchant wrote."""
    try:
        return _span_of(phrase, data)
    except BadPeriod:
        return None


def _span_of(phrase: str, data: DataRange) -> Period | None:
    if match := re.fullmatch(r"since (.+)", phrase):
        start = parse_period(match[1], data)[0]
        return start, data.last_day, f"since {start} ({start} to {data.last_day})"
    match = re.fullmatch(r"between (.+?)\s+and\s+(.+)", phrase) or re.fullmatch(
        r"(.+?)\s+(?:to|until|through|-|–|—)\s+(.+)", phrase
    )
    if not match:
        return None
    end = parse_period(match[2], data)[1]
    first = match[1]
    if first in _MONTHS and (year := re.search(r"\d{4}", match[2])):
        first = f"{first} {year[0]}"
    start = parse_period(first, data)[0]
    return start, end, f"{start} to {end}"


def _iso(text: str) -> date:
    try:
        return date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
    except ValueError as err:
        raise BadPeriod(f"{text!r} is not a valid date: write it as YYYY-MM-DD.") from err


def _month(year: int, month: int) -> Period:
    if not 1 <= month <= 12:
        raise BadPeriod(f"Month {month} does not exist: write months as YYYY-MM with MM from 01 to 12.")
    start = date(year, month, 1)
    return start, _add_months(start, 1) - timedelta(days=1), _month_name(start)


# ---- grains: how weeks are grouped into reported periods ----------------------------------------------------------


def bucket(grain: str, start: date) -> tuple[str, date]:
    """Label and last day of the period of ``grain`` that begins on ``start``."""
    if grain == "week":
        return start.isoformat(), start + timedelta(days=6)
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    end = _add_months(start, months) - timedelta(days=1)
    label = {"month": start.strftime("%Y-%m"), "quarter": _quarter_name(start), "year": str(start.year)}[grain]
    return label, end
