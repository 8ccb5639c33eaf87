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
RANK_WORDS = r"top|best|worst|most|least|which|rank|biggest|largest|highest|lowest|weakest|strongest"
RANK_CUE = re.compile(rf"\b({RANK_WORDS})\b", re.IGNORECASE)
RANK_OR_TOTAL_CUE = re.compile(
    rf"\b({RANK_WORDS}|rank\w*|where|total\w*|how (much|many)|revenue|units|sold|sell\w*|sales|money|made|earn\w*|"
    r"mov\w+)\b",
    re.IGNORECASE,
)
COVERAGE_CUE = re.compile(r"data|cover|range|how far|how long|when|first|earliest|latest|products?|items?|brands?|"
                          r"how many stores|carry|list|period|have|history", re.IGNORECASE)  # fmt: skip
PROMOTION_CUE = re.compile(r"deal|promo|featur|\bads?\b|advert|flyer|circular|display|discount|\bsale\b|lift|coupon",
                           re.IGNORECASE)  # fmt: skip
TOOL_CUES = {
    "generate_report": (REPORT_CUE, "a report or a file"),
    "make_chart": (CHART_CUE, "a chart"),
    "top_items": (RANK_OR_TOTAL_CUE, "a ranking or a total"),
    "data_coverage": (COVERAGE_CUE, "what data there is"),
    "price_history": (re.compile(PRICE_CUE + r"|paid|priced", re.IGNORECASE), "prices"),
    "promotion_effect": (PROMOTION_CUE, "promotions"),
}
FORECAST_CUE = re.compile(r"forecast|predict|next|expect|\bwill\b|coming|ahead|future", re.IGNORECASE)
WHY_CUE = re.compile(r"\bwhy\b|explain|\bdriv|reason|\bcause|behind|factor|because|\bpush|\bpull|affect|influenc|"
                     r"impact|contribut|how come|what makes|based on", re.IGNORECASE)  # fmt: skip
COMPARE_CUE = re.compile(
    r"compar|\bvs\.?\b|versus|\bthan\b|against|up or down|\bchang|differ|\bgr[eo]w|\bdrop|declin|increas|decreas|"
    r"\bbetter\b|\bworse\b|\bfell\b|\brose\b",
    re.IGNORECASE,
)
BY_STORE_CUE = re.compile(r"\b(which|what|top|best|worst|\d+|my) stores?\b|\bby store\b|\bper store\b|\bwhere\b",
                          re.IGNORECASE)  # fmt: skip
BY_PRODUCT_CUE = re.compile(r"\b(which|what|top|best|worst|\d+|my) (products?|items?|brands?)\b|\bby product\b|"
                            r"\b(best|top|biggest|worst)[ -]?sellers?\b",
                            re.IGNORECASE)  # fmt: skip
WORST_CUE = re.compile(r"\b(worst|weakest|lowest|least|slowest|bottom|poorest)\b", re.IGNORECASE)
PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(%|percent)", re.IGNORECASE)
PRICE_DOWN = re.compile(r"cut|lower|drop|reduc|cheaper|discount|off\b|decreas|markdown", re.IGNORECASE)
PRICE_UP = re.compile(r"rais|increas|hike|more expensive|up\b", re.IGNORECASE)
WHAT_IF_CUE = re.compile(r"\bif\b|\bwould\b|\bwere\b|\bhappens? with\b|suppose|imagine", re.IGNORECASE)
GRAIN_CUE = re.compile(
    r"\b(yearly|monthly|weekly|quarterly|annual|(month|week|year|quarter) by (month|week|year|quarter)|"
    r"(per|by|each) (year|month|week|quarter)|over time|trend)",
    re.IGNORECASE,
)
DOMAIN_CUE = re.compile(
    r"\b(sell|sells|sold|selling|sales|revenue|units|forecasts?|predict\w*|promotions?|deals?|feature ads?|"
    r"displays?|stores? \d+|best.?sellers?|accura\w*|mape|wape|mase|forecast errors?|reliab\w*|advertis\w*)\b",
    re.IGNORECASE,
)
STORE_CUE = re.compile(r"\bstores?\s*(?:#|no\.?|number)?\s*(\d+)\b", re.IGNORECASE)
WORD = re.compile(r"[a-z]+|\d+(?:\.\d+)?", re.IGNORECASE)
FUZZY = 0.8
GENERIC_WORDS = {"oz", "ounce", "ounces", "lb", "ml", "pack", "the", "my", "of", "and", "store"}


def mentioned(name: str, text: str, words_only: bool = True) -> bool:
    """Whether a word of ``name`` (or a close spelling of it) occurs in ``text``; sizes and units alone don't count
    unless ``words_only`` is off (a store called "12")."""
    words = {w.lower() for w in WORD.findall(text)}
    names = [w for w in WORD.findall(name.lower())
             if w not in GENERIC_WORDS and len(w) > 1 and (w.isalpha() or not words_only)]  # fmt: skip
    return any(w in words or (w.isalpha() and difflib.get_close_matches(w, words, n=1, cutoff=FUZZY)) for w in names)


def has_time(text: str) -> bool:
    """A hint of a period; grain words ("yearly totals", "month by month") say how to group, not which period."""
    return bool(TIME_CUE.search(GRAIN_CUE.sub(" ", text)))


def price_change(question: str) -> str | None:
    """A relative price change written as a percentage with a direction ("cut by 20%" = "-20%"), if the question
    has exactly one."""
    percents = PERCENT.findall(question)
    down, up = bool(PRICE_DOWN.search(question)), bool(PRICE_UP.search(question))
    if len(percents) != 1 or down == up:
        return None
    return f"{'-' if down else '+'}{percents[0][0]}%"


def named_stores(text: str) -> list[str]:
    """Store numbers written as "store 12", "stores 5", "store #8"."""
    return [m[1] for m in STORE_CUE.finditer(text)]


def named_product(given: object, question: str, products: tuple[str, ...]) -> str | None:
    """The catalogue name the question spells out in full, when the router kept only part of it or more."""
    if not isinstance(given, str):
        return None
    text, part = _plain(question), _plain(given)
    full = [p for p in products if _plain(p) in text]
    if len(full) == 1 and part != _plain(full[0]) and (part in _plain(full[0]) or _plain(full[0]) in part):
        return full[0]  # "Natural 64 oz" or "Monthly Star Kist 6 oz": the name the question spells out
    return None


def attribute_named(question: str, columns: tuple[str, ...], values: tuple[str, ...] = ()) -> str | None:
    """The first store attribute the question names: a column of the stores table ("price tier", "cities") or one
    of their values ("Chicago", "High")."""
    text = question.lower()
    for column in columns:
        words = column.lower().replace("_", " ")
        plural = words[:-1] + "ies" if words.endswith("y") else words + "s"
        if re.search(rf"\b({re.escape(words)}|{re.escape(plural)})\b", text):
            return words
    for value in values:
        if len(value) >= 3 and re.search(rf"\b{re.escape(value.lower())}\b", text):
            return value
    return None


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9. ]", "", text.lower().replace("'", "")).split())
