"""Entity linking: what a question names, found in the merchant's own vocabulary before any LLM runs.

The linker reads products, brands, categories, sizes, stores and store-attribute values (misspellings corrected
word by word against the merchant's vocabulary, "minutemaid" split), the merchant's words for everything it sells
("juice", "cans"), periods and holiday weeks, money and percentages (with the sign their verb gives: "drop the
price 10 %" is -10 %), weeks ahead ("next month"), and the levers of a what-if. The LLM then only chooses what to
compute; it is never asked to copy a name, so it cannot invent one.
"""

from __future__ import annotations

import re
from datetime import timedelta

from pydantic import BaseModel, Field
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from tools.analytics_core import DataRange
from tools.semantic.model import SemanticModel
from tools.semantic.names import Target, is_size, singular, targets, tokens
from tools.semantic.periods import find_periods
from tools.semantic.query import Window

MAX_SPAN = 7
FUZZY_CUTOFF = 85
MIN_FUZZY_LEN = 5
PRIORITY = ["product", "store", "brand", "category", "everything", "size"]  # equal spans: the first kind wins
# fmt: off
COMMON = frozenset("""
about after again against all also and any are average back been before being best big biggest both but buy by
can chain chart come compare could data deal deals did does down each ever every feature few for from get give
going good had has have her here high his how into its just last latest least less like little lot low make
many may more most much need next not now off often once only other our over per plan plot price prices report
right same sale sales sell selling sells share show since slice sold some store stores than that the their
them then there these they this those through total totals under unit units until very want was week weekly
weeks were what when where which while who why will with worst would year years your month months quarter
quarter quarters ranked rank top bottom revenue money dollars volume number numbers percent forecast predict
expect outlook happen happens promotion promo display flyer advert ad ads feature featured graph trend trends
performance performed perform order ordered stock one two three four five six seven eight nine ten eleven
twelve twenty thirty hundred thousand
""".split())  # noqa: SIM905 - words that are never names
# fmt: on
STORE_REF = re.compile(
    r"\b(?:stores?|shops?|locations?|branch(?:es)?)\s*(?:number|no\.?|nr\.?|#)?\s*#?\s*(\d+)"
    r"((?:\s*(?:,|and|&|or|vs\.?|versus)\s*#?\s*\d+)*)",
    re.IGNORECASE,
)  # fmt: skip
HASH_STORE = re.compile(r"(?<![\w$])#\s*(\d+)\b")
WORD_BEFORE_NUMBER = re.compile(r"\b([A-Za-z]{4,7})(?=\s*#?\s*\d)")
STORE_WORDS = ("store", "stores")
STORE_ABBREVIATION = re.compile(r"\b(?:str|stre|st|shp)\.?(?=\s*#?\s*\d)", re.IGNORECASE)  # "str 137"
NAME_ABBREVIATIONS = {"st": "street", "str": "street", "ave": "avenue", "av": "avenue", "rd": "road", "sq": "square",
                      "mt": "mount", "ctr": "centre", "blvd": "boulevard", "ln": "lane", "dr": "drive", "pl": "place",
                      "hts": "heights", "pk": "park"}  # fmt: skip
MONEY = re.compile(
    r"\$\s*(\d+(?:\.\d{1,2})?)|\b(\d+(?:\.\d{1,2})?)\s*(?:dollars|usd|bucks)\b|"
    r"(?<=price )(?:to |at |of |is )?(\d+\.\d{2})\b(?!\s*(?:oz|lb|kg|g|ml|l)\b)|"
    r"\b(?:charge|charging|sell it for|sell at|costs?|priced at) (\d+\.\d{2})\b"
)
PERCENT = re.compile(r"([+-]?\d+(?:\.\d+)?)\s*(?:%|percent\b|pct\b|per cent\b)", re.IGNORECASE)
DOWN_WORDS = re.compile(r"\b(cut|cuts|cutting|drop|dropping|lower|lowering|reduce|reducing|decrease|discount|"
                        r"discounting|markdown|mark down|slash|off|less|cheaper|down)\b")  # fmt: skip
UP_WORDS = re.compile(r"\b(raise|raising|increase|increasing|hike|up|more|higher|dearer|add)\b")
FUTURE = re.compile(r"\b(will|next|coming|upcoming|forecast\w*|predict\w*|expect\w*|going to|outlook|project\w*|"
                    r"tomorrow|ahead|future|plan|should i order|how much should)\b")  # fmt: skip
AHEAD = re.compile(r"\b(?:next|coming|following)\s+(\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
                   r"twelve|couple of|few)?\s*(day|week|month|quarter|year)s?\b")  # fmt: skip
WORD_NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "couple of": 2, "few": 3}  # fmt: skip
WEEKS_PER = {"day": 1 / 7, "week": 1, "month": 4.35, "quarter": 13, "year": 52}
LEVERS = {
    "deal": re.compile(r"\b(deals?|promot\w*|promos?|on sale|sale price|discount\w*|special offer|bogo)\b"),
    "feature": re.compile(r"\b(ads?|advert\w*|flyers?|fliers?|circulars?|featur\w*|weekly ad|in the paper)\b"),
    "display": re.compile(r"\b(display\w*|end ?caps?|end-caps?|shelf talkers?)\b"),
}
# fmt: off
NOT_NAMES = frozenset("""
january february march april may june july august september october november december jan feb mar apr jun jul aug
sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday christmas xmas easter thanksgiving
halloween new year years memorial labor labour day independence presidents president fourth july valentine
valentines mother mothers father fathers super bowl black cyber i im id ive ill q1 q2 q3 q4 salescast
""".split())  # noqa: SIM905 - capitalised words that are no company or place
# fmt: on
JOINING = frozenset({"and", "or", "plus", "vs", "versus", "with"})
SELLER_AFTER = re.compile(r"(charg|sell|sold|pric|pay|paid|offer|ask|list|stock|carr|do|does|did|is|are|has|have|"
                          r"had|put|run|cost|sale|deal)")  # fmt: skip
SELLER_BEFORE = {"at", "from", "than", "vs", "versus", "like", "does", "did", "is", "are", "was", "were", "against"}
INTRODUCED = re.compile(r"\b(this is|i am|i'm|im|my name is|name's|hi|hello|dear|thanks|regards)$")
NEGATED = re.compile(r"\b(without|no|not|off|stop|end|remove|drop|skip|cancel)\b(?:\s+\w+){0,2}\s*$")


class Mention(BaseModel):
    """A name found in the question: its dimension and the merchant's values it stands for."""

    dimension: str
    values: list[str]
    text: str
    at: int
    ambiguous: bool = False  # several products fit and none is the plain reading: answer for each
    joined: bool = False  # written after "and"/"or"/"plus" next to the name before it: an alternative, not a narrowing

    def label(self) -> str:
        values = ", ".join(self.values)
        if self.dimension == "store":
            return f"store{'s' if len(self.values) > 1 else ''} {values}" if self.values[0].isdigit() else values
        if len(self.values) == 1:
            return values if self.dimension == "product" else f"{self.dimension.replace('_', ' ')} {values}"
        return f"{self.text} ({values})"


class Frame(BaseModel):
    """Everything the linker read in one question."""

    question: str
    mentions: list[Mention] = Field(default_factory=list)
    everything: bool = False  # a word for all the merchant sells ("juice")
    unknown_stores: list[str] = Field(default_factory=list)
    periods: list[Window] = Field(default_factory=list)
    money: list[float] = Field(default_factory=list)
    percents: list[float] = Field(default_factory=list)
    weeks_ahead: int | None = None
    future: bool = False
    levers: dict[str, bool] = Field(default_factory=dict)  # deal/feature/display named: True on, False without
    unlinked: list[str] = Field(default_factory=list)  # words that are neither common nor part of a name
    foreign: list[str] = Field(default_factory=list)  # capitalised names the merchant's data does not hold

    def of(self, *dimensions: str) -> list[Mention]:
        return [m for m in self.mentions if m.dimension in dimensions]

    def products(self, model: SemanticModel) -> list[str]:
        """Every product the mentions narrow to (a brand's, a category's), in the order named."""
        out: list[str] = []
        for m in self.mentions:
            if m.dimension == "product":
                out += m.values
            elif m.dimension in ("brand", "category", "size"):
                out += [p for v in m.values for p in model.products_where(m.dimension, v)]
        return list(dict.fromkeys(out))

    def stores(self) -> list[str]:
        return [v for m in self.of("store") for v in m.values]


def link(question: str, model: SemanticModel) -> Frame:
    """The frame of ``question`` for ``model``'s merchant (see the module docstring)."""
    text = HASH_STORE.sub(
        r"store \1", WORD_BEFORE_NUMBER.sub(_store_spelling, STORE_ABBREVIATION.sub("store", question))
    )
    frame = Frame(question=question)
    cleaned = _store_numbers(text, model, frame)
    words = _corrected(tokens(cleaned), model)
    _name_spans(words, model, frame)
    data = DataRange(model.first_week, model.last_week, model.last_day)
    frame.periods = find_periods(cleaned, data, model.events)  # store numbers cut: "store 2001" is no year
    lowered = " ".join(question.lower().split())
    frame.money = _money(lowered)
    frame.percents = _percents(lowered)
    frame.future = bool(FUTURE.search(lowered))
    frame.weeks_ahead = weeks_ahead(lowered)
    frame.levers = _levers(lowered)
    frame.foreign = _foreign(question, frame)
    return frame


def _store_spelling(match: re.Match[str]) -> str:
    """ "stor 12", "sotre 5": a word one letter short or long of "store", or with two letters swapped, before a
    number is the word "store" (a different letter is another word: "stone 12")."""
    word = match[0].lower()
    return "store" if word not in STORE_WORDS and any(Indel.distance(word, w) <= 1 or
                                                      sorted(word) == sorted(w) for w in STORE_WORDS) else match[0]  # fmt: skip


def _store_numbers(text: str, model: SemanticModel, frame: Frame) -> str:
    """ "store 12", "stores 5 and 8", "#12": linked (or listed as unknown), then cut from the text."""
    known = set(model.stores)

    def found(match: re.Match[str]) -> str:
        numbers = [match[1], *re.findall(r"\d+", match[2] or "")]
        good = [n for n in numbers if n in known]
        frame.unknown_stores += [n for n in numbers if n not in known]
        if good:
            frame.mentions.append(Mention(dimension="store", values=good, text=match[0].strip(), at=-1))
        return " "

    return STORE_REF.sub(found, text)


def _vocabulary(model: SemanticModel) -> tuple[set[str], dict[str, list[str]]]:
    words: set[str] = set()
    joined: dict[str, list[str]] = {}
    for t in targets(model):
        words.update(w for w in t.tokens if not w.isdigit())
        for a, b in zip(t.tokens, t.tokens[1:]):
            joined[a + b] = [a, b]
    return words, joined


def _corrected(words: list[str], model: SemanticModel) -> list[str]:
    """Misspelt names corrected to the closest word of the merchant's names; "minutemaid" split in two."""
    vocab, joined = _vocabulary(model)
    out: list[str] = []
    for word in words:
        if word not in vocab and NAME_ABBREVIATIONS.get(word) in vocab:  # "elm st": Elm Street
            out.append(NAME_ABBREVIATIONS[word])
        elif word in vocab or word in COMMON or len(word) < MIN_FUZZY_LEN or word.isdigit():
            out.append(word)
        elif word in joined:
            out += joined[word]
        else:
            best = process.extractOne(word, vocab, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF) or \
                process.extractOne(singular(word), vocab, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)  # "drils"  # fmt: skip
            out.append(best[0] if best else word)
    return out


def _name_spans(words: list[str], model: SemanticModel, frame: Frame) -> None:
    """Longest spans first; each word belongs to at most one name."""
    pool = targets(model)
    taken: set[int] = set()
    for size in range(min(MAX_SPAN, len(words)), 0, -1):
        for i in range(len(words) - size + 1):
            if taken.intersection(range(i, i + size)):
                continue
            mention = _read_span(words[i : i + size], i, words, pool, model)
            if mention is None:
                continue
            taken.update(range(i, i + size))
            if mention.dimension == "everything":
                frame.everything = True
            else:
                frame.mentions.append(mention)
    frame.mentions.sort(key=lambda m: m.at)
    for before, after in zip(frame.mentions, frame.mentions[1:]):
        between = words[before.at + len(before.text.split()) : after.at]
        after.joined = before.at >= 0 and bool(JOINING & set(between))
    frame.unlinked = [w for i, w in enumerate(words) if i not in taken and w not in COMMON]


def _read_span(span: list[str], at: int, words: list[str], pool: list[Target], model: SemanticModel) -> Mention | None:
    if all(w in COMMON or is_size(w) for w in span) and not _exact(span, pool, words):
        return None
    text = " ".join(span)
    exact = _exact(span, pool, words)
    if exact is not None:
        return Mention(dimension=exact.dimension, values=[exact.value], text=text, at=at)
    if span[0] in COMMON or span[-1] in COMMON:
        return None
    return _contained(span, text, at, model)


def _exact(span: list[str], pool: list[Target], words: list[str]) -> Target | None:
    key = tuple(singular(w) for w in span)
    hits = [t for t in pool if tuple(singular(w) for w in t.tokens) == key and (t.cue is None or t.cue in words)]
    if not hits:
        return None
    return min(hits, key=lambda t: PRIORITY.index(t.dimension) if t.dimension in PRIORITY else len(PRIORITY))


def _contained(span: list[str], text: str, at: int, model: SemanticModel) -> Mention | None:
    """Products holding every word of the span ("tropicana 64", "dog food"): one, the one that adds only size
    words, the products of one brand, or several (then ambiguous: answered for each)."""
    if not any(len(w) >= 3 and not is_size(w) for w in span):
        return None
    fits = [p.product for p in model.catalog if all(_has(tokens(p.product), w) for w in span)]
    if not fits:
        return None
    if len(fits) == 1:
        return Mention(dimension="product", values=fits, text=text, at=at)
    plain = [p for p in fits if all(w in span or is_size(w) for w in tokens(p)) and _has_all_sizes(span, p)]
    if len(plain) == 1:
        return Mention(dimension="product", values=plain, text=text, at=at)
    for attribute in ("brand", "category"):
        for value in model.values(attribute):
            if sorted(model.products_where(attribute, value)) == sorted(fits):
                return Mention(dimension=attribute, values=[value], text=text, at=at)
    return Mention(dimension="product", values=fits, text=text, at=at, ambiguous=True)


def _has_all_sizes(span: list[str], product: str) -> bool:
    return all(w in tokens(product) for w in span if is_size(w))


def _has(name: list[str], word: str) -> bool:
    w = singular(word)
    return any(n == word or singular(n) == w or (len(word) >= 4 and n.startswith(word)) for n in name)


def _foreign(question: str, frame: Frame) -> list[str]:
    """Runs of capitalised words inside a sentence ("Kroger", "Home Depot") none of which is a name, a period or a
    common word: another company, a place or a product the merchant does not have. A run holding one of the
    merchant's names ("Tropicana Pure Premium") is that name written loosely, not a foreign one; a question in
    title case says nothing this way."""
    words = re.findall(r"[\w'’&.-]+|[?!:;]", question)
    capitalised = [w for w in words if w[:1].isupper()]
    if len(capitalised) > len(words) / 2:
        return []
    unlinked, runs, run = set(frame.unlinked), [], []
    padded = [*words, "."]
    for i, word in enumerate(padded):
        if word[:1].isupper() and i > 0 and words[i - 1][-1:] not in ("?", "!", ":", ";", ".") and not INTRODUCED.search(
                " ".join(words[max(0, i - 3) : i]).lower()):  # fmt: skip
            run.append(word)
            continue
        if run and _as_a_seller(padded, i - len(run), i):
            runs.append(run)
        run = []
    return [re.sub(r"['’]s$", "", " ".join(r)) for r in runs if all(_unknown(w, unlinked) for w in r)]


def _as_a_seller(words: list[str], start: int, end: int) -> bool:
    """A name in the place of one that sells or prices ("Kroger charging", "at Walmart", "Walmart's price",
    "than Costco"), not a season or a word of background ("around Lent.")."""
    before = words[start - 1].lower() if start > 0 else ""
    after = words[end].lower() if end < len(words) else ""
    return (bool(re.search(r"['’]s$", words[end - 1])) or bool(SELLER_AFTER.match(after))
            or before in SELLER_BEFORE)  # fmt: skip


def _unknown(word: str, unlinked: set[str]) -> bool:
    parts = tokens(word)
    if not parts or (word.isupper() and len(word) <= 5) or any(p in NOT_NAMES for p in parts):
        return False  # an acronym (OJ, PDF, YTD), a month, a weekday, a holiday
    return all(p in unlinked or singular(p) in unlinked for p in parts if not p.isdigit())


def _money(text: str) -> list[float]:
    return [float(next(g for g in m.groups() if g)) for m in MONEY.finditer(text)]


def _percents(text: str) -> list[float]:
    """Each percentage with the sign its verb gives ("cut 10%" -10, "raise by 5%" +5, "10% off" -10)."""
    out = []
    for m in PERCENT.finditer(text):
        value = float(m[1])
        if m[1].startswith(("+", "-")):
            out.append(value)
            continue
        before, after = text[max(0, m.start() - 40) : m.start()], text[m.end() : m.end() + 12]
        down = DOWN_WORDS.search(before + " " + after.split(" and ")[0])
        up = UP_WORDS.search(before)
        out.append(-value if down and not (up and up.start() > down.start()) else value)
    return out


def weeks_ahead(text: str) -> int | None:
    """Weeks ahead a question asks about: "next week" 1, "next 6 weeks" 6, "next month" 4, "next quarter" 13."""
    m = AHEAD.search(text)
    if m is None:
        if re.search(r"\b(tomorrow|this weekend|next few days)\b", text):
            return 1
        m = re.search(r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve)[- ](week|month|quarter)s?\b"
                      r"(?= (?:outlook|forecast|ahead|horizon|view|plan))", text)  # fmt: skip
        if m is None:
            return None
    count = m[1] or "one"
    n = int(count) if count.isdigit() else WORD_NUMBERS.get(count, 1)
    return max(1, round(n * WEEKS_PER[m[2]]))


def _levers(text: str) -> dict[str, bool]:
    out = {}
    for lever, pattern in LEVERS.items():
        m = pattern.search(text)
        if m:
            out[lever] = not NEGATED.search(text[: m.start()])
    return out


def horizon_weeks(days: int) -> int:
    return max(1, -(-days // 7)) if days else 1


__all__ = ["Frame", "Mention", "link", "timedelta", "weeks_ahead"]
