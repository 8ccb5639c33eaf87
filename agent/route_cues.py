"""What a question's words say about the call it needs: cue patterns and name matching for ``agent.route_check``.

Cues are deliberately broad (a cue only keeps what the model chose; its absence is what triggers a correction), and
names are matched word by word with a little spelling slack, the way merchants write them.
"""

from __future__ import annotations

import difflib
import re

TIME_CUE = re.compile(
    r"\b(19|20)\d\d\b|\d{4}-\d\d|\b(week|month|year|quarter|q[1-4]|h[12]|half|day|today|yesterday|since|ago|"
    r"recent|lately|last|this|past|previous|prior|season|summer|winter|spring|fall|autumn|holiday|christmas|"
    r"thanksgiving|easter|ytd|jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*",
    re.IGNORECASE,
)
FUTURE_CUE = re.compile(
    r"\bnext (week|month|quarter|year|\d+|two|three|four|few|several)\b|\bwill\b.*\bsell|\bgoing to sell|"
    r"\bwhat if\b|\bif i\b|\bwould (happen|sell|change)|\bforecast|\bpredict",
    re.IGNORECASE,
)
PAST_TOOLS = {"top_items", "sales_trend", "compare_periods", "promotion_effect", "price_history"}
PRICE_CUE = (
    r"pric|cheap|expensive|cost|cut|lower|drop|rais|increas|reduc|discount|charge|markdown|\d\s*%|percent|\$|\bcents?\b"
)
LEVER_CUES = {
    "price": re.compile(PRICE_CUE, re.IGNORECASE),
    "deal": re.compile(r"deal|promo|discount|on sale|\bsale\b|coupon|offer|bogo|special", re.IGNORECASE),
    "feature": re.compile(r"featur|\bads?\b|advert|flyer|circular|mailer|display|weekly ad", re.IGNORECASE),
}
REPORT_CUE = re.compile(r"report|pdf|html|export|document|download|write-?up|share|print", re.IGNORECASE)
CHART_CUE = re.compile(r"chart|plot|graph|show|draw|visual|picture|diagram", re.IGNORECASE)
TOOL_CUES = {"generate_report": (REPORT_CUE, "a report or a file"), "make_chart": (CHART_CUE, "a chart")}
WHY_CUE = re.compile(r"\bwhy\b|explain|\bdriv|reason|\bcause|behind|factor|because", re.IGNORECASE)
STORE_CUE = re.compile(r"\bstores?\s*(?:#|no\.?|number)?\s*(\d+)\b", re.IGNORECASE)
WORD = re.compile(r"[a-z]+|\d+(?:\.\d+)?", re.IGNORECASE)
FUZZY = 0.8
GENERIC_WORDS = {"oz", "ounce", "ounces", "lb", "ml", "pack", "the", "my", "of", "and", "store"}


def mentioned(name: str, text: str, words_only: bool = True) -> bool:
    """Whether a word of ``name`` (or a close spelling of it) occurs in ``text``; sizes and units alone don't count
    unless ``words_only`` is off (a store called "12")."""
    words = {w.lower() for w in WORD.findall(text)}
    names = [w for w in WORD.findall(name.lower()) if w not in GENERIC_WORDS and (w.isalpha() or not words_only)]
    return any(w in words or (w.isalpha() and difflib.get_close_matches(w, words, n=1, cutoff=FUZZY)) for w in names)


def named_stores(text: str) -> list[str]:
    """Store numbers written as "store 12", "stores 5", "store #8"."""
    return [m[1] for m in STORE_CUE.finditer(text)]


def named_product(given: object, question: str, products: tuple[str, ...]) -> str | None:
    """The catalogue name the question spells out in full, when the router kept only part of it."""
    if not isinstance(given, str):
        return None
    text, part = _plain(question), _plain(given)
    full = [p for p in products if _plain(p) in text]
    if len(full) == 1 and part != _plain(full[0]) and part in _plain(full[0]):
        return full[0]
    return None


def attribute_named(question: str, columns: tuple[str, ...]) -> str | None:
    """The first store attribute (a column of the stores table) the question names, e.g. "price tier", "cities"."""
    text = question.lower()
    for column in columns:
        words = column.lower().replace("_", " ")
        plural = words[:-1] + "ies" if words.endswith("y") else words + "s"
        if re.search(rf"\b({re.escape(words)}|{re.escape(plural)})\b", text):
            return words
    return None


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9. ]", "", text.lower().replace("'", "")).split())
