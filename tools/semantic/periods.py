"""The periods a question names, as windows of the merchant's weeks: phrases the period parser reads ("May",
"Q3 1992", "last 8 weeks"), holiday weeks ("Easter week 1992", "Thanksgiving"), and periods named relative to
another ("the week before", "a year earlier", "same period last year").

Every run of up to ``MAX_WORDS`` words that ``parse_period`` accepts is a candidate, the longest non-overlapping
ones win ("June to August 1992" beats "August 1992"); relative phrases then refer to the period written before
them. Future periods ("next month") are not windows of data: the linker reads them as weeks ahead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from rapidfuzz import fuzz, process

from tools.analytics_core import AnalyticsError, DataRange
from tools.analytics_periods import _MONTHS, parse_period
from tools.semantic.query import Window

MAX_WORDS = 7
TOKEN = re.compile(r"[\w'-]+(?:\.\d+)?")
VERB_MONTHS = {"may", "march"}  # "may I", "march on": a month only when capitalised
LITTLE = {"in", "the", "of", "for", "during", "over", "from", "to", "and", "between", "than", "vs", "versus"}
EVENT_WORDS = {
    "Christmas": ["christmas", "xmas"],
    "Easter": ["easter"],
    "Thanksgiving": ["thanksgiving"],
    "Halloween": ["halloween"],
    "New-Year": ["new year", "new years", "new year's", "new-year", "new year's day"],
    "Presidents Day": ["presidents day", "presidents' day", "president's day"],
    "Memorial Day": ["memorial day"],
    "4th of July": ["4th of july", "fourth of july", "july 4th", "july 4", "independence day"],
    "Labor Day": ["labor day", "labour day"],
}
WEEK_BEFORE = re.compile(r"\b(the )?(week|wk) (before|prior|earlier)\b|\bprevious week\b|\bweek before it\b")
WEEK_AFTER = re.compile(r"\b(the )?week after\b|\bfollowing week\b")
YEAR_BEFORE = re.compile(
    r"\b(same (period|time|week|month|quarter|days?) (a |one )?(last|previous|prior) year|"
    r"(a|one|the) year (before|earlier|ago)|year before|previous year|prior year|same \w+ a year (before|earlier))\b"
)


@dataclass(frozen=True)
class Found:
    window: Window
    at: int  # word index: earlier first
    event: str | None = None


ORDINAL_QUARTER = re.compile(r"\b(first|second|third|fourth|1st|2nd|3rd|4th) quarter(?: of)?,? ((?:19|20)\d\d)\b",
                             re.IGNORECASE)  # fmt: skip
QUARTER_NUMBER = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
ABBREVIATED = {"yr": "year", "yrs": "years", "wk": "week", "wks": "weeks", "mo": "month", "mos": "months",
               "qtr": "quarter", "qtrs": "quarters", "ytd": "year to date"}  # fmt: skip
ABBREVIATION = re.compile(r"\b(" + "|".join(ABBREVIATED) + r")\b", re.IGNORECASE)
SAME_IN_YEAR = re.compile(r"\b(?:the )?same (month|quarter|week|period) (?:of|in) ((?:19|20)\d\d)\b", re.IGNORECASE)
POSSESSIVE = re.compile(r"\b(week|month|quarter|year)['’]s\b", re.IGNORECASE)
MONTH_NAMES = [name for name in _MONTHS if len(name) > 4]
MONTH_TYPO_CUTOFF = 80


def normalised(text: str) -> str:
    """The ways merchants write periods that the parser does not read, rewritten to ones it does: "last year's"
    (possessive), "last yr" (abbreviated), "the first quarter of 2024" (Q1 2024), "augst 1992" (a misspelt month)."""
    text = ABBREVIATION.sub(lambda m: ABBREVIATED[m[1].lower()], POSSESSIVE.sub(r"\1", text))
    text = ORDINAL_QUARTER.sub(lambda m: f"Q{QUARTER_NUMBER[m[1].lower()]} {m[2]}", text)
    return re.sub(r"[A-Za-z]{5,}", _month_spelling, text)


def _month_spelling(match: re.Match[str]) -> str:
    word = match[0]
    if word.lower() in _MONTHS or len(word) > 10:
        return word
    best = process.extractOne(word.lower(), MONTH_NAMES, scorer=fuzz.ratio, score_cutoff=MONTH_TYPO_CUTOFF)
    return best[0] if best and abs(len(best[0]) - len(word)) <= 2 else word


def find_periods(text: str, data: DataRange, events: dict[str, list[date]]) -> list[Window]:
    """Windows named in ``text``, in the order written, relative ones resolved against the one before them."""
    text = normalised(text)
    original = text
    for relative in (YEAR_BEFORE.search(text.lower()), SAME_IN_YEAR.search(text)):
        if relative:  # "same period last year", "the same quarter of 2024" name no period of their own
            text = text[: relative.start()] + " " * (relative.end() - relative.start()) + text[relative.end() :]
    words = TOKEN.findall(text)
    taken: set[int] = set()
    found = _event_spans(words, events, taken) + _phrase_spans(words, data, taken)
    found.sort(key=lambda f: f.at)
    return _with_relative(original.lower(), found, events, data)


def _phrase_spans(words: list[str], data: DataRange, taken: set[int]) -> list[Found]:
    found = []
    for size in range(min(MAX_WORDS, len(words)), 0, -1):
        for i in range(len(words) - size + 1):
            if taken.intersection(range(i, i + size)):
                continue
            window = _read(words[i : i + size], i, data)
            if window is not None:
                found.append(Found(window, i))
                taken.update(range(i, i + size))
    return found


def _read(words: list[str], at: int, data: DataRange) -> Window | None:
    if len(words) == 1 and (words[0] in VERB_MONTHS or (at == 0 and words[0].lower() in VERB_MONTHS)):
        return None
    if words[0].lower() in LITTLE or words[-1].lower() in LITTLE:
        return None  # the same period without the little word is found too; keep one reading
    phrase = " ".join(words)
    if not re.search(r"\d|week|month|quarter|year|ytd|mtd|qtd|since|" + "|".join(_MONTHS), phrase.lower()):
        return None
    if re.search(r"\bnext\b|\bcoming\b", phrase.lower()):
        return None
    try:
        start, end, label = parse_period(phrase, data)
    except AnalyticsError:
        return None
    return Window(start=start, end=end, label=label)


def _event_spans(words: list[str], events: dict[str, list[date]], taken: set[int]) -> list[Found]:
    """ "Easter week 1992", "Thanksgiving 1991", "Christmas": the holiday's week in that year, else its latest."""
    lowered = [w.lower().strip("'") for w in words]
    found = []
    for event, names in EVENT_WORDS.items():
        weeks = events.get(event)
        if not weeks:
            continue
        for name in names:
            size = len(name.split())
            for i in range(len(words) - size + 1):
                if " ".join(lowered[i : i + size]) != name or taken.intersection(range(i, i + size)):
                    continue
                span, week = _event_week(lowered, i, size, weeks)
                if week is not None:
                    found.append(Found(_event_window(event, week), i, event))
                    taken.update(span)
    return found


def _event_week(words: list[str], i: int, size: int, weeks: list[date]) -> tuple[range, date | None]:
    """The week of the year written next to the holiday (within two words either side), else the latest."""
    end = i + size
    while end < len(words) and words[end] in ("week", "day", "weekend"):
        end += 1
    for j in [*range(end, min(end + 2, len(words))), *range(max(0, i - 2), i)]:
        if re.fullmatch(r"(19|20)\d\d", words[j]):
            year = int(words[j])
            match = [w for w in weeks if w.year == year]
            return range(min(i, j), max(end, j + 1)), match[0] if match else None
    return range(i, end), weeks[-1]


def _event_window(event: str, week: date) -> Window:
    return Window(start=week, end=week, label=f"{event} week {week.year} (week of {week})")


def _year_to_date(data: DataRange) -> Window:
    start, end, label = parse_period("this year", data)
    return Window(start=start, end=end, label=label)


def _with_relative(text: str, found: list[Found], events: dict[str, list[date]], data: DataRange) -> list[Window]:
    """Add "the week before" / "a year earlier" as a second window when only one period was written."""
    windows = [f.window for f in found]
    if not found and YEAR_BEFORE.search(text):  # "vs the same period last year": this year so far is the base
        found = [Found(_year_to_date(data), 0)]
        windows = [found[0].window]
    if len(found) != 1:
        return windows
    base = found[0]
    if same := SAME_IN_YEAR.search(text):  # "Q1 2025 against the same quarter of 2024"
        return [*windows, _in_year(base.window, int(same[2]))]
    if WEEK_BEFORE.search(text):
        return [*windows, _shift_weeks(base.window, -1, "the week before")]
    if WEEK_AFTER.search(text):
        return [*windows, _shift_weeks(base.window, 1, "the week after")]
    if YEAR_BEFORE.search(text):
        return [*windows, _year_before(base, events)]
    return windows


def _in_year(w: Window, year: int) -> Window:
    years = w.start.year - year
    start, end = _minus_year(w.start, years), _minus_year(w.end, years)
    return Window(start=start, end=end, label=f"the same period of {year} ({start} to {end})")


def _shift_weeks(w: Window, weeks: int, label: str) -> Window:
    days = timedelta(weeks=weeks)
    start, end = w.start + days, w.end + days
    return Window(start=start, end=end, label=f"{label} (week of {start})" if start == end else label)


def _year_before(base: Found, events: dict[str, list[date]]) -> Window:
    if base.event is not None:  # the same holiday a year earlier, wherever its week fell
        earlier = [w for w in events[base.event] if w.year == base.window.start.year - 1]
        if earlier:
            return _event_window(base.event, earlier[0])
    start, end = _minus_year(base.window.start), _minus_year(base.window.end)
    return Window(start=start, end=end, label=f"the same period a year earlier ({start} to {end})")


def _minus_year(day: date, years: int = 1) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)
