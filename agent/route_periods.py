"""The periods a question names, found with the same parser the analytics tools use.

A small model asked for a period copies the merchant's phrase most of the time, but it also writes a date of its
own ("1992-06-14" for "in 1992"), a phrase the tools cannot read ("now", "next week"), or a period the question
never mentioned. Reading the periods straight from the question gives the router's answer something to be checked
against: every run of up to ``MAX_WORDS`` words that ``parse_period`` accepts is a candidate, and the longest
non-overlapping ones win ("June to August 1992" beats "August 1992").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from tools.analytics_core import AnalyticsError, DataRange
from tools.analytics_periods import _MONTHS, parse_period

MAX_WORDS = 7
TOKEN = re.compile(r"[\w'-]+(?:\.\d+)?")
VERB_MONTHS = {"may", "march"}  # "may I", "march on": a month only when capitalised


@dataclass(frozen=True)
class Span:
    phrase: str
    start: date
    end: date
    at: int  # word index in the text: earlier first


def period_spans(text: str, data: DataRange) -> list[Span]:
    """Periods named in ``text``, in the order written (longest readings, not overlapping)."""
    words = TOKEN.findall(text)
    found: list[Span] = []
    taken: set[int] = set()
    for size in range(min(MAX_WORDS, len(words)), 0, -1):
        for i in range(len(words) - size + 1):
            if taken.intersection(range(i, i + size)):
                continue
            span = _read(words[i : i + size], i, data)
            if span is not None:
                found.append(span)
                taken.update(range(i, i + size))
    return sorted(found, key=lambda s: s.at)


def _read(words: list[str], at: int, data: DataRange) -> Span | None:
    if len(words) == 1 and (words[0] in VERB_MONTHS or at == 0):  # "may I", "March on": the verb, not the month
        return None
    if words[0].lower() in ("in", "the", "of", "for", "during", "over", "from", "to", "and", "between"):
        return None  # the same period without the little word is found too; keep one reading
    phrase = " ".join(words)
    if not re.search(r"\d|week|month|quarter|year|ytd|mtd|qtd|since|" + "|".join(_MONTHS), phrase.lower()):
        return None
    try:
        start, end, _ = parse_period(phrase, data)
    except AnalyticsError:
        return None
    return Span(phrase, start, end, at)


def reads_as(value: object, spans: list[Span], data: DataRange) -> bool:
    """Whether the router's period means the same dates as one the question names."""
    if not isinstance(value, str):
        return False
    try:
        start, end, _ = parse_period(value, data)
    except AnalyticsError:
        return False
    return any((s.start, s.end) == (start, end) for s in spans)


def readable(value: object, data: DataRange) -> bool:
    try:
        parse_period(str(value), data)
    except AnalyticsError:
        return False
    return True
