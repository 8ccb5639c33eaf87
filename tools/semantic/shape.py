"""The query's shape as the question's own words state it: the measures named ("revenue", "average price", "how
many weeks ... on deal", "margin"), a breakdown named ("which store", "by month", "the biggest week", "top 3
products"), the direction of a ranking, and a promotion set against its absence ("on deal vs not").

Why words before the LLM: the small router confuses neighbouring terms ("the highest-revenue store" became the
highest price, "by what percent did units grow" a share). Every measure and dimension declares the words that name
it (``tools.semantic.declared``), so linking them is the same kind of step as linking names: deterministic, in
the merchant's model, and the router only decides what the words leave open.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from tools.semantic.declared import DIMENSION_WORDS, GRAIN_ADJECTIVES, MEASURE_WORDS, PROMOTION_COLUMNS
from tools.semantic.model import SemanticModel

SHARE = re.compile(r"\b(share|slice|portion|proportion|fraction|contribut\w*|percent(age)? of|what part of)\b|"
                   r"%\s+of\b")  # fmt: skip
MONEY = MEASURE_WORDS["revenue"]
TOP = re.compile(r"\b(best|biggest|largest|highest|greatest|top|most|busiest|strongest|leading|peak|record|"
                 r"fastest|most popular|best[- ]selling|top[- ]selling)\b")  # fmt: skip
BOTTOM = re.compile(r"\b(worst|smallest|lowest|least|fewest|slowest|quietest|weakest|bottom|poorest|"
                    r"least popular|worst[- ]selling|slowest[- ]selling)\b")  # fmt: skip
RANKED = rf"(?:{TOP.pattern[2:-2]}|{BOTTOM.pattern[2:-2]})"
NUMBER = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
COUNT_WORD = r"(\d+|two|three|four|five|six|seven|eight|nine|ten)"
BETWEEN = r"(?!(?:last|this|next|previous|past|that|the|in|of|for|on|at|by)\b)"  # "best last week" is a period
CONTRAST = re.compile(
    r"\b(vs\.?|versus|compared?|comparison|against|than|or not|and without|with and without|without|"
    r"normal|regular|ordinary|non[- ]?(deal|promo|sale|ad|display|feature)\w*|off[- ](deal|promo\w*|sale)|wasn'?t|weren'?t|isn'?t|no (deal|ad|display|"
    r"promo\w*|feature))\b"
)  # fmt: skip
WHEN_LAST = re.compile(r"\bwhen\b.{0,60}\blast\b(?!\s+(?:week|month|year|quarter|yr|\d))|\bthe last time\b|"
                       r"\bmost recent(ly)?\b")  # fmt: skip
WHEN_FIRST = re.compile(r"\bwhen\b.{0,60}\b(first|start\w*|began|begin\w*|open\w*|launch\w*)\b")
AVERAGE = re.compile(r"\b(average|typical|normal|usual|on average|per week|a week)\b")
COUNT_WEEKS = re.compile(r"\b(how many|number of|count of|in how many)\s+((?!(?:the|that|this|last|a)\b)\w+\s+){0,2}"
                         r"weeks?\b|\bhow often\b|"
                         r"\bhow many times\b")  # fmt: skip


class Shape(BaseModel):
    """What the words fix; None/empty: the router decides."""

    measures: list[str] = Field(default_factory=list)
    by: str | None = None
    rank: Literal["top", "bottom"] | None = None
    limit: int | None = None
    contrast: str | None = None  # a promotion dimension set against its absence


def read_shape(question: str, levers: dict[str, bool], model: SemanticModel) -> Shape:
    """The shape ``question``'s words fix for ``model``'s merchant (``levers``: the promotions it names)."""
    text = re.sub(r"\bavg\b\.?", "average", " ".join(question.lower().replace("’", "'").split()))
    have = {m.name for m in model.measures}
    flags = [d for d in PROMOTION_COLUMNS if _has_dim(model, d)]
    promo = [_flag(lever, flags) for lever in levers]
    promo = [p for p in dict.fromkeys(promo) if p]
    shape = Shape(rank=_rank(text))
    shape.contrast = promo[0] if promo and CONTRAST.search(text) and not COUNT_WEEKS.search(text) else None
    shape.measures = _measures(text, have, promo)
    if (
        shape.contrast
        and AVERAGE.search(text)
        and "avg_weekly_units" in have
        and "avg_weekly_units" not in shape.measures
    ):
        shape.measures = ["avg_weekly_units", *[m for m in shape.measures if m != "units"]][
            :4
        ]  # "average units in a deal week"
    shape.by, shape.limit = _breakdown(text, model)
    if shape.by is None and shape.contrast is not None:
        shape.by = shape.contrast
    if shape.by == shape.contrast and shape.contrast is not None:
        shape.rank, shape.limit = None, None  # both sides shown, not a ranking
    return shape


def _has_dim(model: SemanticModel, name: str) -> bool:
    return any(d.name == name for d in model.dimensions)


def _flag(lever: str, flags: list[str]) -> str | None:
    """A promotion word as the merchant's recorded flag ("promotion" is the deal flag, else the one recorded)."""
    if lever in flags:
        return lever
    return flags[0] if lever == "deal" and flags else None


def _measures(text: str, have: set[str], promo: list[str]) -> list[str]:
    """Measures in the order written; a word consumed by a specific measure ("lowest price") is not read again by a
    general one ("price")."""
    found: list[tuple[int, str]] = []
    rest = text
    for pattern, named in ((WHEN_LAST, [f"last_on_{p}" for p in promo] or ["last_sold"]), (WHEN_FIRST, ["first_sold"])):
        if m := pattern.search(rest):
            found += [(m.start(), n) for n in named if n in have]
            rest = rest[: m.start()] + " " * (m.end() - m.start()) + rest[m.end() :]
    if COUNT_WEEKS.search(text):
        counted = [f"weeks_on_{p}" for p in promo] or ["weeks_sold"]
        found += [(COUNT_WEEKS.search(text).start(), m) for m in counted if m in have]
        rest = COUNT_WEEKS.sub(" ", rest)
    for name, pattern in MEASURE_WORDS.items():
        if name not in have:
            continue
        for m in pattern.finditer(rest):
            found.append((m.start(), name))
        rest = pattern.sub(lambda m: " " * len(m[0]), rest)
    names = [n for _, n in sorted(found)]
    names = list(dict.fromkeys(names))
    if SHARE.search(text):
        base = "share_revenue" if "revenue" in names else "share_units"
        names = [base] + [n for n in names if n not in ("units", "revenue")]
    return [n for n in names if n in have][:4]


def _rank(text: str) -> Literal["top", "bottom"] | None:
    top, bottom = TOP.search(text), BOTTOM.search(text)
    if top and bottom:
        return "top" if top.start() < bottom.start() else "bottom"
    return "top" if top else "bottom" if bottom else None


def _breakdown(text: str, model: SemanticModel) -> tuple[str | None, int | None]:
    """The dimension a question breaks down or ranks by, and how many rows it asks for (one for "which store")."""
    best: tuple[int, str, int | None] | None = None
    for dim in model.dimensions:
        words = DIMENSION_WORDS.get(dim.name) or _attribute_words(dim.name)
        if dim.name == "product" and model.category_words:  # "which juice sold the fewest": which product
            words = "|".join([words, *(re.escape(w.lower()) for w in model.category_words)])
        if words is None:
            continue
        for pattern, limit_of in _breakdown_patterns(words):
            m = pattern.search(text)
            if m and (best is None or m.start() < best[0]):
                best = (m.start(), dim.name, limit_of(m))
    for grain, adjective in GRAIN_ADJECTIVES.items():
        m = re.search(rf"(?<!average )\b(?:{adjective})\s+(?:\w+\s+)?(?:sales|units|revenue|totals?|figures|numbers|"
                      rf"trend|volumes?)\b", text)  # fmt: skip
        if m and _has_dim(model, grain) and (best is None or m.start() < best[0]):
            best = (m.start(), grain, None)
    if best is None:
        return None, None
    return best[1], best[2]


def _attribute_words(column: str) -> str:
    """ "city" -> city/cities, "price_tier" -> price tier(s)."""
    words = re.escape(column.replace("_", " "))
    return rf"{words[:-1]}(?:y|ies)" if words.endswith("y") else rf"{words}(?:e?s)?"


def _breakdown_patterns(words: str) -> list[tuple[re.Pattern[str], object]]:
    """ "which/what (three) stores", "top 3 stores", "(the) best single week", "by/per/each/every month"."""
    plural = rf"(?:{words})\b(?!\s*#?\s*\d)"  # "store 12" names a store, it breaks nothing down
    return [
        (re.compile(rf"\b(?:which|what)\s+(?:{COUNT_WORD}\s+)?(?:\w+[- ])?{plural}"),
         lambda m: _count(m[1]) or _singular(m[0])),
        (re.compile(rf"\b(?:top|bottom|best|worst)\s+{COUNT_WORD}\s+(?:\w+[- ]){{0,2}}{plural}"),
         lambda m: _count(m[1])),
        (re.compile(rf"\b{COUNT_WORD}\s+{RANKED}(?:[- ]\w+)?\s+{plural}"), lambda m: _count(m[1])),
        (re.compile(rf"\b{RANKED}(?:[- ]{BETWEEN}\w+){{0,2}}\s+{plural}"), lambda m: _singular(m[0])),
        (re.compile(rf"\b(?:by|each|for each|broken down by|split by|ranked by)\s+{plural}"), lambda m: None),
        (re.compile(rf"\b(?:{words})[- ]by[- ]{plural}"), lambda m: None),
    ]  # fmt: skip


def _count(word: str | None) -> int | None:
    if not word:
        return None
    return int(word) if word.isdigit() else NUMBER.get(word)


def _singular(matched: str) -> int | None:
    """ "which store" asks for one row, "which stores" for several (the router's or the default limit)."""
    return None if matched.rstrip().endswith("s") and not matched.rstrip().endswith("ss") else 1
