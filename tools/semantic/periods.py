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
    "Thanksgiving": ["thanksgiving", "black friday"],
    "Halloween": ["halloween"],
    "New-Year": ["new year", "new years", "new year's", "new-year", "new year's day"],
    "Presidents Day": ["presidents day", "presidents' day", "president's day"],
    "Memorial Day": ["memorial day"],
    "4th of July": ["4th of july", "fourth of july", "july 4th", "july 4", "independence day"],
    "Labor Day": ["labor day", "labour day"],
}
WEEK_BEFORE = re.compile(r"\b(the )?(week|wk) (just |right |immediately )?(before|prior|earlier)\b|\bprevious week\b")
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
    words: tuple[str, ...] = ()


ORDINAL_QUARTER = re.compile(r"\b(first|second|third|fourth|1st|2nd|3rd|4th) quarter(?: of)?,? ((?:19|20)\d\d)\b",
                             re.IGNORECASE)  # fmt: skip
QUARTER_NUMBER = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
ABBREVIATED = {"yr": "year", "yrs": "years", "wk": "week", "wks": "weeks", "mo": "month", "mos": "months",
               "mth": "month", "mths": "months", "mnth": "month", "mnths": "months", "qtr": "quarter",
               "qtrs": "quarters", "ytd": "year to date"}  # fmt: skip
GROWTH = re.compile(r"\b(grow|grew|grown|growth|chang\w*|increas\w*|decreas\w*|declin\w*|shr[iau]nk\w*|rise|rose|"
                    r"risen|fall|fell|fallen|drop\w*|jump\w*|up or down|down or up|percent|per cent|%)")  # fmt: skip
SPLIT_WORDS = ("to", "and")
MONTH_WORD = "|".join(sorted(_MONTHS, key=len, reverse=True))
MONTH_LIST = re.compile(rf"\b((?:{MONTH_WORD})(?:\s*,\s*(?:{MONTH_WORD}))*,?\s+(?:and|&)\s+(?:{MONTH_WORD}))\s+"
                        rf"((?:19|20)\d\d)\b", re.IGNORECASE)  # fmt: skip
MONTH_SPAN = re.compile(rf"\b({MONTH_WORD})\s*[-–]\s*({MONTH_WORD})\s+((?:19|20)\d\d)\b", re.IGNORECASE)
RELATIVE_QUARTER = re.compile(r"\b(?:(first|second|third|fourth|1st|2nd|3rd|4th)[- ]quarter|(q[1-4]))((?: of)?"
                              r"(?: \w+){0,2}?) (this|last) year\b", re.IGNORECASE)  # fmt: skip
QUARTER_NUMBER.update({"q1": 1, "q2": 2, "q3": 3, "q4": 4})
SHORT_YEAR = re.compile(r"(?:(?<=\bin )|(?<=\bof )|(?<=\bfor )|(?<=\bduring )|(?<=\bsince )|(?<=\bfrom )|(?<=\bto )|"
                        r"(?<=\bvs )|(?<=\band )|(?<=\byear ))'?(\d\d)\b(?![.,]\d)(?!\s*(?:%|percent|oz|lb|ml|l|pk|ct|"
                        r"weeks?|days?|months?|units?|stores?|cans?|bags?|bottles?|items?|products?))|'(\d\d)\b",
                        re.IGNORECASE)  # fmt: skip
YEAR_RANGE = re.compile(r"\bbetween ((?:19|20)\d\d) and ((?:19|20)\d\d)\b|\bfrom ((?:19|20)\d\d) (?:to|through|until) "
                        r"((?:19|20)\d\d)\b", re.IGNORECASE)  # fmt: skip
BEFORE_AND_SINCE = re.compile(r"\bbefore\b.*\b(since|after)\b|\b(since|after)\b.*\bbefore\b")
RELATIVE_YEAR = {"this year": 0, "last year": 1, "a year ago": 1, "the year before": 1, "previous year": 1}
ABBREVIATION = re.compile(r"\b(" + "|".join(ABBREVIATED) + r")\b", re.IGNORECASE)
SAME_IN_YEAR = re.compile(r"\b(?:the )?same (month|quarter|week|period) (?:of|in) ((?:19|20)\d\d)\b", re.IGNORECASE)
POSSESSIVE = re.compile(r"\b(week|month|quarter|year)['’]s\b", re.IGNORECASE)
MONTH_NAMES = [name for name in _MONTHS if len(name) > 4]
MONTH_TYPO_CUTOFF = 80


def normalised(text: str, data: DataRange | None = None) -> str:
    """The ways merchants write periods that the parser does not read, rewritten to ones it does: "last year's"
    (possessive), "last yr" (abbreviated), "the first quarter of 2024" (Q1 2024), "the second quarter of last
    year", "augst 1992" (a misspelt month), "June, July and August 1991" and "January-September 1991" (spans)."""
    text = ABBREVIATION.sub(lambda m: ABBREVIATED[m[1].lower()], POSSESSIVE.sub(r"\1", text))
    text = re.sub(r"[A-Za-z]{5,}", _month_spelling, text)
    text = ORDINAL_QUARTER.sub(lambda m: f"Q{QUARTER_NUMBER[m[1].lower()]} {m[2]}", text)
    if data is not None:
        this = data.last_week.year
        text = RELATIVE_QUARTER.sub(lambda m: f"Q{QUARTER_NUMBER[(m[1] or m[2]).lower()]} "
                                    f"{this if m[4].lower() == 'this' else this - 1}{m[3].replace(' of', '')}", text)  # fmt: skip
        text = SHORT_YEAR.sub(lambda m: _full_year(m, data), text)
        if not GROWTH.search(text.lower()):  # "between 1992 and 1994" is one stretch unless a change is asked
            text = YEAR_RANGE.sub(lambda m: f"{m[1] or m[3]}-01-01 through {m[2] or m[4]}-12-31", text)
    text = MONTH_SPAN.sub(lambda m: _span(m[1], m[2], m[3]), text)
    return MONTH_LIST.sub(_month_list, text)


def _full_year(match: re.Match[str], data: DataRange) -> str:
    """ "in 92", "'93": the century that puts the year inside the merchant's data, else the text as written."""
    short = int(match[1] or match[2])
    for century in (1900, 2000):
        if data.first_week.year <= century + short <= data.last_week.year:
            return str(century + short)
    return match[0]


def _span(first: str, last: str, year: str) -> str:
    """ "January-September 1991" as the ISO range the parser reads."""
    start = date(int(year), _MONTHS[first.lower()], 1)
    end_month = _MONTHS[last.lower()]
    end = (date(int(year) + (end_month == 12), end_month % 12 + 1, 1)) - timedelta(days=1)
    return f"{start} through {end}"


def _month_list(match: re.Match[str]) -> str:
    """Months sharing one year: consecutive ones ("June, July and August 1991") are one span, others each get the
    year ("June and August 1991" is June 1991 and August 1991)."""
    names = re.findall(MONTH_WORD, match[1], re.IGNORECASE)
    months = [_MONTHS[w.lower()] for w in names]
    if months == list(range(months[0], months[0] + len(months))):
        return _span(names[0], names[-1], match[2])
    return " and ".join(f"{name} {match[2]}" for name in names)


def _month_spelling(match: re.Match[str]) -> str:
    word = match[0]
    if word.lower() in _MONTHS or len(word) > 10:
        return word
    best = process.extractOne(word.lower(), MONTH_NAMES, scorer=fuzz.ratio, score_cutoff=MONTH_TYPO_CUTOFF)
    return best[0] if best and abs(len(best[0]) - len(word)) <= 2 else word


def find_periods(text: str, data: DataRange, events: dict[str, list[date]]) -> list[Window]:
    """Windows named in ``text``, in the order written, relative ones resolved against the one before them."""
    text = normalised(text, data)
    original = text
    for relative in (YEAR_BEFORE.search(text.lower()), SAME_IN_YEAR.search(text)):
        if relative:  # "same period last year", "the same quarter of 2024" name no period of their own
            text = text[: relative.start()] + " " * (relative.end() - relative.start()) + text[relative.end() :]
    words = TOKEN.findall(text)
    taken: set[int] = set()
    found = _event_spans(words, events, taken, data) + _phrase_spans(words, data, taken)
    found.sort(key=lambda f: f.at)
    growth = bool(GROWTH.search(original.lower()))
    if growth:
        found = [part for f in found for part in _split_range(f, data)]
    found = _outermost_last(_distinct(found))
    windows = _with_relative(original.lower(), found, events, data)
    windows = _in_year_of(windows, found, events)
    if growth and len(windows) == 2 and windows[1].start > windows[0].start:
        windows.reverse()  # growth is of the later period against the earlier one
    return windows


def _phrase_spans(words: list[str], data: DataRange, taken: set[int]) -> list[Found]:
    found = []
    for size in range(min(MAX_WORDS, len(words)), 0, -1):
        for i in range(len(words) - size + 1):
            if taken.intersection(range(i, i + size)):
                continue
            window = _read(words[i : i + size], i, data)
            if window is not None:
                found.append(Found(window, i, words=tuple(words[i : i + size])))
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


def _split_range(f: Found, data: DataRange) -> list[Found]:
    """ "from 1991 to 1992" in a question about growth is two periods, not one range; each half must read as a
    period of its own."""
    for k, word in enumerate(f.words):
        if word.lower() in SPLIT_WORDS and 0 < k < len(f.words) - 1:
            left, right = _read(list(f.words[:k]), f.at, data), _read(list(f.words[k + 1 :]), f.at + k + 1, data)
            if left is not None and right is not None:
                return [Found(left, f.at, words=f.words[:k]), Found(right, f.at + k + 1, words=f.words[k + 1 :])]
    return [f]


def _distinct(found: list[Found]) -> list[Found]:
    """ "September 1992 ... September of the year before": a bare month read again as the same window is not a
    second period (the relative phrase supplies it)."""
    out: list[Found] = []
    for f in found:
        if all((f.window.start, f.window.end) != (o.window.start, o.window.end) for o in out):
            out.append(f)
    return out


def _outermost_last(found: list[Found]) -> list[Found]:
    """ "Lakeside opened in April 2025 ... which product sold the fewest there in 2025?": a period inside one written
    after it is background, not a second period to compare with."""
    if (
        len(found) == 2
        and found[1].window.start <= found[0].window.start
        and found[0].window.end <= found[1].window.end
    ):
        return [found[1]]
    return found


def _in_year_of(windows: list[Window], found: list[Found], events: dict[str, list[date]]) -> list[Window]:
    """ "Memorial Day week 1992 against 1991", "May 1992 vs 1991": a bare year after a shorter period means that
    period in that year (the holiday's own week there)."""
    if len(windows) != 2 or len(found) != 2 or not re.fullmatch(r"(19|20)\d\d", windows[1].label):
        return windows
    first, year = found[0], int(windows[1].label)
    if (first.window.end - first.window.start).days > 300 or first.window.start.year == year:
        return windows
    if first.event is not None:
        weeks = [w for w in events.get(first.event, []) if w.year == year]
        return [windows[0], _event_window(first.event, weeks[0])] if weeks else windows
    return [windows[0], _in_year(first.window, year)]


def _event_spans(words: list[str], events: dict[str, list[date]], taken: set[int], data: DataRange) -> list[Found]:
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
                span, week = _event_week(lowered, i, size, weeks, data.last_week)
                if week is not None:
                    found.append(Found(_event_window(event, week), i, event))
                    taken.update(span)
    return found


def _event_week(words: list[str], i: int, size: int, weeks: list[date], last: date) -> tuple[range, date | None]:
    """The week of the year written next to the holiday (a year within five words after it or "last year" within
    four, two before), else the latest in the data (the calendar runs on past the data's end)."""
    this = last.year
    end = i + size
    while end < len(words) and words[end] in ("week", "day", "weekend"):
        end += 1
    for phrase, back in RELATIVE_YEAR.items():
        n = len(phrase.split())
        for j in range(end, min(end + 4, len(words) - n + 1)):
            if " ".join(words[j : j + n]) == phrase:
                match = [w for w in weeks if w.year == this - back]
                return range(i, j + n), match[0] if match else None
    for j in [*range(end, min(end + 5, len(words))), *range(max(0, i - 2), i)]:
        if re.fullmatch(r"(19|20)\d\d", words[j]):
            year = int(words[j])
            match = [w for w in weeks if w.year == year]
            return range(min(i, j), max(end, j + 1)), match[0] if match else None
    return range(i, end), max((w for w in weeks if w <= last), default=weeks[-1])


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
    if BEFORE_AND_SINCE.search(text) and not (WEEK_BEFORE.search(text) or WEEK_AFTER.search(text)):
        return _before_and_since(base.window, data)
    if same := SAME_IN_YEAR.search(text):  # "Q1 2025 against the same quarter of 2024"
        return [*windows, _in_year(base.window, int(same[2]))]
    if WEEK_BEFORE.search(text):
        return [*windows, _shift_weeks(base.window, -1, "the week before")]
    if WEEK_AFTER.search(text):
        return [*windows, _shift_weeks(base.window, 1, "the week after")]
    if YEAR_BEFORE.search(text):
        return [*windows, _year_before(base, events)]
    return windows


def _before_and_since(w: Window, data: DataRange) -> list[Window]:
    """ "the price before the change in March and since": from the period's start on, against everything before."""
    before_end = w.start - timedelta(days=1)
    return [Window(start=w.start, end=data.last_day, label=f"since {w.start} ({w.start} to {data.last_day})"),
            Window(start=data.first_week, end=before_end, label=f"before {w.start} ({data.first_week} to {before_end})")]  # fmt: skip


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
