"""Reading a merchant's question with keywords: which tool, which period, which product and store.

This is the scripted chat model's "understanding". It is deliberately plain (ordered keyword rules, regular
expressions) so that tests and the browser UI get the same tool calls every time, for any merchant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SERIES_TOOLS = {"forecast", "explain_forecast", "what_if", "generate_report", "make_chart"}
SALES_SHAPES = {"compare", "trend", "chart", "promotion", "price", "ranking"}  # answered by one ``sales_query`` each
FORECAST_CHART = re.compile(r"forecast|why|driver")  # other charts are of past sales
WORST_CUE = re.compile(r"\b(worst|weakest|lowest|least|slowest|bottom|poorest)\b", re.IGNORECASE)

# (tool, pattern) in priority order: the first rule that matches the question wins.
RULES: list[tuple[str, str]] = [
    ("query_sales", r"\bselect\b.+\bfrom\b|\bcit(?:y|ies)\b|\bprice tier\b"),
    ("generate_report", r"\breport\b"),
    ("what_if", r"\bwhat if\b|\bwhat happens if\b|\bif (i|we)\b.*\b(price|deal|promo|discount|feature|cut|raise)"),
    ("explain_forecast", r"\bwhy\b|\bexplain\b|\bdrivers?\b|\bdriving\b|\bdrives\b"),
    ("backtest_accuracy", r"\baccura|\btrust\b|\bmape\b|\berror rate\b|\breliab"),
    ("make_chart", r"\bchart\b|\bplot\b|\bgraph\b|\bshow me\b.*\b(trend|forecast)\b"),
    ("forecast", r"\bforecast|\bpredict|\bwill\b.*\bsell\b|\bnext (\d+ |few |couple of )?(week|month)|\bexpect"),
    ("compare", r"\bcompare\b|\bvs\.?\b|\bversus\b|\bcompared\b"),
    ("trend", r"\btrend|\bover time\b|\bmonthly\b|\bweekly\b|\bby month\b|\bper month\b|\bquarterly\b"),
    ("promotion", r"\bpromotion|\bpromo\b|\bdeals?\b|\blift\b|\bfeature ad"),
    ("price", r"\bprice|\bcost\b|\bexpensive\b|\bcheap"),
    ("ranking", (r"\btop\b|\bbest\b|\bsold (the )?most\b|\bmost popular\b|\bbestsell|\bworst\b|\btotal\b|\bhow much\b"
     r"|\bhow many units\b|\bsales\b|\bsold\b|\brevenue\b")),
    ("data_coverage", (r"\bdata\b|\bcoverage\b|\bhow far back\b|\bwhich products\b|\bwhat products\b|\bstores do\b"
     r"|\bproducts do\b|\bwhat do you have\b")),
]  # fmt: skip

PERIODS = [
    r"last \d+ (?:weeks|months|quarters|years)", r"last (?:week|month|quarter|year)", r"this (?:month|quarter|year)",
    r"year to date", r"all data",
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december) \d{4}",
    r"\d{4}-q[1-4]", r"q[1-4] \d{4}", r"\d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}", r"\d{4}-\d{2}", r"(?<![\d-])\d{4}(?![\d-])",
]  # fmt: skip
SIZE_WORDS = {"oz", "fl", "ml", "l", "lb", "lbs", "g", "kg", "ct", "pk", "pack"}


def intent(question: str) -> str | None:
    """The tool a question asks for (for past sales, the shape of its ``sales_query``: one of ``SALES_SHAPES``), or
    None when it is not about the merchant's sales (out of scope)."""
    text = question.lower()
    for tool, pattern in RULES:
        if re.search(pattern, text):
            return "chart" if tool == "make_chart" and not FORECAST_CHART.search(text) else tool
    return None


def periods(question: str) -> list[str]:
    """Period phrases in the question, in the order written ("Q3 1992 vs Q2 1992" gives both)."""
    text = question.lower()
    spans: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for pattern in PERIODS:
        for m in re.finditer(pattern, text):
            if not any(a <= m.start() < b for a, b in taken):
                spans.append((m.start(), m.group(0)))
                taken.append((m.start(), m.end()))
    return [p for _, p in sorted(spans)]


def sql_in(question: str) -> str:
    """The SQL a question carries, else one of the few store-attribute queries the scripted model knows."""
    if m := re.search(r"\bselect\b.*", question, re.IGNORECASE | re.DOTALL):
        return m.group(0).strip().rstrip("?")
    if m := re.search(r"\b(\w+) price tier\b", question, re.IGNORECASE):
        return f"SELECT count(*) AS stores FROM stores WHERE lower(price_tier) = '{m[1].lower()}'"
    return "SELECT city, count(*) AS stores FROM stores GROUP BY city ORDER BY stores DESC, city LIMIT 1"


def horizon(question: str) -> int:
    text = question.lower()
    if m := re.search(r"next (\d+) weeks?", text):
        return int(m[1])
    if m := re.search(r"next (\d+) months?", text):
        return min(4 * int(m[1]), 8)
    if re.search(r"next week\b", text):
        return 1
    return 4


def top_n(question: str) -> int:
    m = re.search(r"\btop (\d+)", question.lower())
    return min(int(m[1]), 25) if m else 5


@dataclass
class Change:
    price: str | None
    deal: bool | None
    feature: bool | None
    weeks: str


def change(question: str) -> Change:
    """The levers a what-if question pulls; a deal when it names none (the most common merchant what-if)."""
    text = question.lower()
    price = None
    if m := re.search(r"(\d+(?:\.\d+)?)\s*%", text):
        cut = re.search(r"\b(cut|lower|reduce|drop|discount|off|decrease)", text)
        price = f"{'-' if cut else '+'}{m[1]}%"
    elif m := re.search(r"\$\s?(\d+(?:\.\d+)?)", text):
        price = m[1]
    deal = True if re.search(r"\bdeal|\bpromo|\bpromotion|\bsale\b", text) else None
    feature = True if re.search(r"\bfeature|\bad\b|\badvert|\bflyer", text) else None
    if price is None and deal is None and feature is None:
        deal = True
    weeks = "1"
    if m := re.search(r"next (\d+) weeks", text):
        weeks = f"1-{min(int(m[1]), 8)}" if int(m[1]) > 1 else "1"
    return Change(price, deal, feature, weeks)


def _words(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9.]+", " ", text.lower()).split()


def find_product(texts: list[str], products: list[str]) -> str | None:
    """The product named in the newest text that names one: all its non-size words present, most words wins."""
    for text in texts:
        words = set(_words(text))
        best, best_len = None, 0
        for product in products:
            key = [w for w in _words(product) if w not in SIZE_WORDS]
            if key and all(w in words for w in key) and len(key) > best_len:
                best, best_len = product, len(key)
        if best:
            return best
    return None


_AFTER = r"\b(?:forecast|predict|of|for|on|about)\s+"
_UNTIL = (r"(?=\s+(?:in|at|for|over|next|by|this|last|will|to|sales|sell|from|during|with|vs|versus|and)\b"
          r"|\s*[?.!,;:]|$)")  # fmt: skip
NOT_NAMES = {"the", "my", "a", "an", "me", "it", "this", "that", "price", "prices", "sales", "forecast", "forecasts",
             "deal", "deals", "promotion", "promotions", "store", "stores", "week", "weeks", "month", "months", "year",
             "units", "products", "product", "everything", "all", "next", "data", "team", "report"}  # fmt: skip


def product_phrase(question: str) -> str | None:
    """The words naming a product after "forecast", "of", "for"... as the merchant wrote them, misspellings kept
    ("tropicanna 64"): the tool resolves them or answers with the closest matches, never a silent substitute."""
    for m in re.finditer(_AFTER + r"(.+?)" + _UNTIL, question, re.IGNORECASE):
        words = m[1].split()
        while words and words[0].lower() in ("the", "my", "a", "an", "for", "of", "on", "about"):
            words = words[1:]
        if words and not all(w.lower() in NOT_NAMES or w.isdigit() for w in words):
            return " ".join(words)
    return None


def brand_hint(question: str, products: list[str]) -> str | None:
    """A word of the question that is part of some product name ('tropicana'): passed on so the tool can answer
    with the candidates when it does not pick out one product."""
    vocabulary = {w for p in products for w in _words(p) if len(w) >= 3 and w not in SIZE_WORDS}
    hits = [w for w in _words(question) if w in vocabulary]
    return " ".join(dict.fromkeys(hits)) or None


def find_store(texts: list[str], stores: list[str]) -> str | None:
    for text in texts:
        for m in re.finditer(r"\bstore\s*#?\s*([\w-]+)", text, re.IGNORECASE):
            if m[1] in stores or m[1].isdigit():
                return m[1]
    return None


def wants_stores(question: str) -> bool:
    return bool(re.search(r"\b(which|what|top|best|worst)( \d+)? stores?\b|\bstores? (sold|did|had)\b|\bby store\b",
                          question.lower()))  # fmt: skip


def wants_worst(question: str) -> bool:
    return bool(WORST_CUE.search(question))


def wants_revenue(question: str) -> bool:
    return bool(re.search(r"\brevenue\b|\bdollars?\b|\$|\bmoney\b|\bearn", question.lower()))
