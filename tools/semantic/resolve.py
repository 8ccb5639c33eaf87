"""Filters and periods written as text (by a hosted LLM, an MCP client or a person) resolved to the merchant's own
values, with the same linker the chat uses, so "minute maid" and "Minute Maid 64 oz" mean the same wherever they
come from; what cannot be resolved fails with the known values listed.
"""

from __future__ import annotations

from rapidfuzz import fuzz, process

from tools.analytics_core import BadArgument, BadPeriod, DataRange
from tools.analytics_periods import parse_period
from tools.semantic.link import link
from tools.semantic.model import SemanticModel
from tools.semantic.names import is_size, tokens
from tools.semantic.periods import find_periods
from tools.semantic.query import Filter, Window

CATALOG = ("product", "brand", "category", "size")
FLAGS = {"deal": ("on deal", "no deal"), "feature": ("in the ad", "not in the ad"),
         "display": ("on display", "no display")}  # fmt: skip
CLOSE = 70  # WRatio (sizes left out) from which a value is offered as "did you mean"
NEAR_BEST = 15
YES = {"yes", "true", "on", "1", "with", "on deal", "in the ad", "on display", "featured", "promoted"}


def resolve_filter(model: SemanticModel, dimension: str, given: str | list[str]) -> Filter:
    """One dimension's values as written, as the merchant's own values of that (or a narrower) dimension."""
    texts = [given] if isinstance(given, str) else list(given)
    model.dimension(dimension)  # unknown dimensions fail with the known ones listed
    if dimension in FLAGS:
        on, off = FLAGS[dimension]
        return Filter(dimension=dimension, values=[on if str(t).lower() in YES else off for t in texts])
    values: list[str] = []
    found_dim = dimension
    for text in texts:
        dim, vals = _one(model, dimension, str(text))
        found_dim = dim if len(texts) == 1 else dimension if dim != dimension else dim
        values += vals
    return Filter(dimension=found_dim, values=list(dict.fromkeys(values)))


def _one(model: SemanticModel, dimension: str, text: str) -> tuple[str, list[str]]:
    exact = [v for v in _known(model, dimension) if v.lower() == text.strip().lower()]
    if exact:
        return dimension, exact
    frame = link(f"store {text}" if dimension == "store" and text.strip().isdigit() else text, model)
    wanted = CATALOG if dimension in CATALOG else (dimension,)
    hits = [m for m in frame.mentions if m.dimension in wanted]
    if dimension in CATALOG and frame.everything and not hits and not frame.unlinked:  # "all juice"
        return "product", [p.product for p in model.catalog]
    if hits and not (dimension in CATALOG and frame.unlinked):  # "Sunny Delight 64 oz" is no 64 oz product
        m = hits[0]
        if m.dimension == dimension or dimension != "product":
            return m.dimension, m.values
        return "product", frame.products(model)
    raise BadArgument(unknown_text(model, dimension, text))


def unknown_text(model: SemanticModel, dimension: str, text: str) -> str:
    """ "Unknown product 'x'. Did you mean: ...?" with the closest of the merchant's values, else the known ones."""
    known = _known(model, dimension)
    if dimension == "store":  # numbers: "999" is not close to "9"
        return f"Unknown store {text!r}. Known: {', '.join(known[:20])}{', ...' if len(known) > 20 else ''}."
    scored = process.extract(_name_part(text), {v: _name_part(v) for v in known}, scorer=fuzz.WRatio, limit=5)
    best = scored[0][1] if scored else 0
    close = [v for _, score, v in scored if score >= CLOSE and score >= best - NEAR_BEST]
    if close:
        return f"Unknown {dimension} {text!r}. Did you mean: {', '.join(close)}?"
    return f"Unknown {dimension} {text!r}. Known: {', '.join(known[:20])}{', ...' if len(known) > 20 else ''}."


def _known(model: SemanticModel, dimension: str) -> list[str]:
    if dimension == "product":
        return [p.product for p in model.catalog]
    if dimension in CATALOG:
        return model.values(dimension)
    if dimension == "store":
        return model.stores
    if dimension in model.store_attributes:
        return sorted(set(model.store_attributes[dimension].values()))
    if dimension == "event":
        return sorted(model.events)
    return []


def resolve_window(model: SemanticModel, given: str | Window | dict | None) -> Window | None:
    """A period phrase ("May 1992", "Easter week 1992", "last 8 weeks") or explicit window; None = all data."""
    if given is None or isinstance(given, Window):
        return given
    if isinstance(given, dict):
        return Window.model_validate(given)
    data = DataRange(model.first_week, model.last_week, model.last_day)
    try:
        start, end, label = parse_period(given, data)
        return Window(start=start, end=end, label=label)
    except BadPeriod:
        found = find_periods(given, data, model.events)
        if found:
            return found[0]
        raise


def _name_part(text: str) -> str:
    """The words of a name without its size: "64 oz" must not make every 64 oz product look close."""
    return " ".join(w for w in tokens(text) if not is_size(w)) or text.lower()
