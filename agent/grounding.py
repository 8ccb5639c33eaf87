"""Is every number in an answer backed by a tool result? The check that keeps a chat answer from inventing figures.

A number in the answer is grounded when it equals, at the precision it is written with, a number found in the tool
results (or the question, or the conversation), or one derived from two of them: a sum, a difference, a ratio or a
percentage (share or change). "About 4.85 million" matches 4,850,176; "1,200" matches 1,234 only if written as
"about 1,200" would round it (to the hundreds). Small counts (0–10) pass: "top 3", "4 weeks", "week 1" are not
claims about the data. Dates in the results contribute their parts, so "September 1992" or "1992-09-01" pass.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from dataclasses import dataclass
from itertools import combinations
from typing import Any

FREE_UP_TO = 10
PAIR_LIMIT = 400  # pairwise derivations over at most this many distinct source numbers
SCALES = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "millions": 1e6, "b": 1e9, "bn": 1e9,
          "billion": 1e9}  # fmt: skip
MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]

_NUMBER = re.compile(
    r"(?<![\w.])(?P<sign>[-−+])?\$?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?:\s?(?P<scale>k|thousand|m|mn|million|millions|b|bn|billion)\b)?",
    re.IGNORECASE,
)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")


@dataclass(frozen=True)
class Quoted:
    text: str
    value: float
    tolerance: float  # half a unit of the last written digit, times the scale


def quoted_numbers(text: str) -> list[Quoted]:
    """The numbers an answer states, with the precision each is written to."""
    text = _ISO_DATE.sub(lambda m: f"{m[1]} {int(m[2])} {int(m[3])}", text)
    out = []
    for m in _NUMBER.finditer(text):
        raw = m["num"].replace(",", "")
        scale = SCALES.get((m["scale"] or "").lower(), 1.0)
        value = float(raw) * scale * (-1 if m["sign"] in ("-", "−") else 1)
        out.append(Quoted(m.group(0).strip(), value, _tolerance(raw) * scale))
    return out


def _tolerance(raw: str) -> float:
    if "." in raw:
        return 0.5 * 10 ** -len(raw.split(".")[1])
    trailing = len(raw) - len(raw.rstrip("0"))
    return 0.5 * 10 ** min(trailing, max(len(raw) - 2, 0)) if raw.strip("0") else 0.5


def source_numbers(values: list[Any]) -> list[float]:
    """Every number inside tool results (parsed JSON or text): fields, list items and numbers written in strings."""
    found: list[float] = []
    for value in values:
        _collect(value, found)
    return found


def _collect(value: Any, found: list[float]) -> None:
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, (int, float)):
        if math.isfinite(value):
            found.append(float(value))
    elif isinstance(value, str):
        found.extend(q.value for q in quoted_numbers(value))
        found.extend(float(i + 1) for i, month in enumerate(MONTHS) if month in value.lower())
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, found)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _collect(item, found)
        _collect_sums(value, found)


def _collect_sums(items: list | tuple, found: list[float]) -> None:
    """Running totals of each numeric field across a list of records: "the next 4 weeks" sums weekly values."""
    records = [r for r in items if isinstance(r, dict)]
    keys = {k for r in records for k, v in r.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    for key in keys:
        total = 0.0
        for r in records:
            v = r.get(key)
            if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
                total += v
                found.append(total)


def parse_content(content: str) -> Any:
    try:
        return json.loads(content)
    except (TypeError, ValueError):
        return content


def derived(numbers: list[float]) -> set[float]:
    """Values one step from two source numbers: sums, differences, ratios and percentages."""
    pool = list(dict.fromkeys(abs(n) for n in numbers if n != 0))[:PAIR_LIMIT]  # first seen: totals come first
    out: set[float] = set()
    for a, b in combinations(pool, 2):
        out.update((a + b, abs(a - b), a / b, b / a, 100 * a / b, 100 * b / a, 100 * (a - b) / b, 100 * (b - a) / a))
    return out


class Grounder:
    """Holds the numbers a turn may quote; ``check`` lists the answer's numbers that none of them backs."""

    def __init__(self, sources: list[Any]) -> None:
        self.seen = source_numbers(sources)
        self.direct = sorted({abs(n) for n in self.seen})
        self._derived: list[float] | None = None

    def _all_derived(self) -> list[float]:
        if self._derived is None:
            self._derived = sorted(derived(self.seen))
        return self._derived

    def check(self, answer: str) -> list[str]:
        missing = []
        for q in quoted_numbers(answer):
            v = abs(q.value)
            if v <= FREE_UP_TO and float(v).is_integer():
                continue
            if _near(self.direct, v, q.tolerance) or _near(self._all_derived(), v, q.tolerance):
                continue
            missing.append(q.text)
        return missing


def _near(sorted_values: list[float], value: float, tolerance: float) -> bool:
    """Binary search for any source within ``tolerance`` (plus float slack) of ``value``."""
    slack = tolerance + 1e-9 * max(1.0, value)
    i = bisect.bisect_left(sorted_values, value - slack)
    return i < len(sorted_values) and sorted_values[i] <= value + slack
