"""Checks a routed call against the merchant's words before it runs.

A small model must fill every argument the routing schema shows it (that is what makes it fill ``horizon`` and
``product`` reliably), so it also fills arguments the question never asked for: a period on "do deals work?", a
price cut and a feature ad on "what if I run a deal?", a PDF nobody asked for, a product called "baseball", a
date of its own for "in 1992". Each rule keeps what the text supports and takes the rest from the text itself
(periods through the tools' own parser, store numbers, full product names); when the tool does not fit the
question at all (a report for a poem, a past-sales tool for next week, the data summary for store cities) the call
goes back to the model with the reason and that tool leaves the schema (``agent.routed_turn``); a model that runs
out of routing calls gets the out-of-scope reply. The text checked is the one the model saw, so follow-ups ("and
in store 5?") keep what the earlier turn named. The cues are deliberately plain regular expressions
(``agent.route_cues``): each one vetoes or corrects a choice the model made; none picks a tool from scratch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.drivers import Call
from agent.route_cues import (
    BY_PRODUCT_CUE,
    BY_STORE_CUE,
    COMPARE_CUE,
    DOMAIN_CUE,
    FORECAST_CUE,
    FUTURE_CUE,
    GRAIN_CUE,
    LEVER_CUES,
    PAST_TOOLS,
    RANK_CUE,
    TOOL_CUES,
    WHAT_IF_CUE,
    WHY_CUE,
    WORST_CUE,
    attribute_named,
    has_time,
    mentioned,
    named_product,
    named_stores,
    price_change,
)
from agent.route_periods import Span, period_spans, readable, reads_as
from agent.route_schema import ROUTE_ARGS
from tools.analytics_core import DataRange, reader
from tools.guarded_sql import describe_merchant, run_sql

EMPTY = {"", "null", "none", "n/a", "all", "any"}
MAX_GROUPS = 100  # a text column with more distinct values (addresses, zips) names stores, not groups of them


@dataclass(frozen=True)
class Checked:
    """The call to run (possibly corrected), or the reason to ask the model again."""

    call: Call | None
    problem: str | None = None
    wrong_tool: bool = False  # the tool itself does not fit (not only its arguments): don't offer it again


@dataclass(frozen=True)
class Vocabulary:
    """What the checks need to know about one merchant: its data range, products and store attributes."""

    data: DataRange
    products: tuple[str, ...]
    store_columns: tuple[str, ...]
    store_values: tuple[str, ...] = ()  # values of the stores' text attributes: cities, price tiers
    stores: tuple[str, ...] = ()  # store ids, lower-case

    @property
    def n_stores(self) -> int:
        return len(self.stores)


def vocabulary(merchant: str) -> Vocabulary:
    with reader(merchant) as rd:
        data, products, stores = rd.data_range(), tuple(rd.products()), tuple(s.lower() for s in rd.stores())
    views = {v.name: v for v in describe_merchant(merchant)}
    if "stores" not in views:
        return Vocabulary(data, products, (), (), stores)
    columns = tuple(c.name for c in views["stores"].columns if c.name != "store")
    text = [c.name for c in views["stores"].columns if c.name != "store" and c.type == "VARCHAR"]
    return Vocabulary(data, products, columns, _attribute_values(merchant, text), stores)


def _attribute_values(merchant: str, columns: list[str]) -> tuple[str, ...]:
    """Values of the stores' text columns that label groups of stores (few distinct values), e.g. cities."""
    values: list[str] = []
    for column in columns:
        sql = f'SELECT DISTINCT "{column}" FROM stores WHERE "{column}" IS NOT NULL LIMIT {MAX_GROUPS + 1}'
        rows = [str(r[0]) for r in run_sql(merchant, sql).rows]
        if len(rows) <= MAX_GROUPS:
            values += rows
    return tuple(values)


class CallChecker:
    """``check`` a routed call for one merchant (see the module docstring)."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab

    def check(self, call: Call, question: str, context: str) -> Checked:
        """``call`` as the merchant's words support it; ``context`` is the question with the earlier exchange."""
        args = {k: v for k, v in call.args.items() if not (isinstance(v, str) and v.strip().lower() in EMPTY)}
        problem = self._misfit(call.name, question)
        if problem:
            return Checked(None, problem, wrong_tool=True)
        product = args.get("product")
        if isinstance(product, str) and not mentioned(product, context):
            return Checked(None, f"The question names no product like {product!r}: set product to null, or choose "
                                 "none if the question is not about the merchant's sales.")  # fmt: skip
        args = self._names(call.name, args, question, context)
        args = self._ranking(call.name, args, question)
        args, problem = self._periods(call.name, args, question, context)
        if problem:
            return Checked(None, problem)
        return Checked(_shaped(Call(call.name, args, call.id), question))

    def period_hint(self, question: str) -> str:
        """The question's periods as dates, for a model whose SQL filter found nothing."""
        spans = period_spans(question, self.vocab.data)
        named = "; ".join(f"{s.phrase} = {s.start} to {s.end}" for s in spans)
        return f" The question's period: {named}." if named else ""

    def doubt_none(self, question: str) -> str | None:
        """Why "none" looks wrong: the question names one of the merchant's products or talks sales or forecasts."""
        names = [p for p in self.vocab.products if mentioned(p, question)]
        store_words = re.search(r"\bstores?\b", question, re.IGNORECASE) and attribute_named(
            question, self.vocab.store_columns, self.vocab.store_values
        )  # "stores in Chicago", not "the weather in Chicago"
        if names or DOMAIN_CUE.search(question) or store_words:
            about = f"names {names[0]}, one of the merchant's products" if names else "is about the merchant's data"
            return f"The question {about}: choose the tool that answers it (none only if it is not about it)."
        return None

    def _misfit(self, tool: str, question: str) -> str | None:
        """Why the tool does not fit the question, if it doesn't."""
        column = attribute_named(question, self.vocab.store_columns, self.vocab.store_values)
        if tool == "data_coverage" and column:
            return (f"data_coverage knows only dates, products and the number of stores, not {column}: write a "
                    "query_sales SELECT over the stores table.")  # fmt: skip
        gate = TOOL_CUES.get(tool)
        if gate and not gate[0].search(question):
            return f"The question does not ask for {gate[1]}, so not {tool}: choose the tool that answers it, or none."
        if tool in PAST_TOOLS and FUTURE_CUE.search(question):
            return (f"{tool} reports past sales, but the question is about the coming weeks: use forecast, what_if "
                    "(a price change, deal or feature ad) or explain_forecast (why).")  # fmt: skip
        levers = [lever for lever, cue in LEVER_CUES.items() if cue.search(question)]
        if tool in ("forecast", "explain_forecast") and WHAT_IF_CUE.search(question) and levers:
            return f"The question asks what a change ({', '.join(levers)}) would do: use what_if."
        if tool == "top_items" and GRAIN_CUE.search(question) and not RANK_CUE.search(question):
            return "The question asks for sales over time, not a ranking: use sales_trend with the grain it names."
        if tool == "compare_periods" and not COMPARE_CUE.search(question):
            return "The question does not compare two periods: choose the tool that answers it, or none."
        if tool == "sales_trend" and RANK_CUE.search(question) and not GRAIN_CUE.search(question):
            return ("The question asks which stores or products rank highest or lowest: use top_items (rank "
                    "\"worst\" for the lowest).")  # fmt: skip
        return None

    def _names(self, tool: str, args: dict, question: str, context: str) -> dict:
        """Store numbers as written in the question; a product cut short ("Natural 64 oz") completed."""
        stores = named_stores(question) or named_stores(context)
        store = args.get("store")
        if store is not None and stores and str(store).lower().removeprefix("store").strip() not in stores:
            args = {**args, "store": stores[0]}
        elif store is not None and not stores and not self._a_store(str(store), context):
            args = {k: v for k, v in args.items() if k != "store"}
        if store is None and stores[:1] and "store" in ROUTE_ARGS.get(tool, []) and self.vocab.n_stores > 1:
            args = {**args, "store": stores[0]}
        full = named_product(args.get("product"), question, self.vocab.products)
        return {**args, "product": full} if full else args

    def _a_store(self, store: str, context: str) -> bool:
        """A store the conversation mentions and the merchant has; "Florida" of "Florida's Natural" is not one."""
        known = not self.vocab.stores or store.lower().removeprefix("store").strip() in self.vocab.stores
        return known and mentioned(store, context, words_only=False)

    def _ranking(self, tool: str, args: dict, question: str) -> dict:
        """A ranking of what the question names: stores ("which store sells most X") or products; one chain-level
        store is never ranked."""
        if tool != "top_items":
            return args
        if WORST_CUE.search(question):
            args = {**args, "rank": "worst"}
        if self.vocab.n_stores == 1 or (BY_PRODUCT_CUE.search(question) and not BY_STORE_CUE.search(question)):
            return {**args, "by": "product"}
        if BY_STORE_CUE.search(question) and not BY_PRODUCT_CUE.search(question):
            return {**args, "by": "store"}
        return args

    def _periods(self, tool: str, args: dict, question: str, context: str) -> tuple[dict, str | None]:
        """Periods the question names replace ones it doesn't; none named and no hint of time: all data."""
        data = self.vocab.data
        spans = period_spans(question, data) or period_spans(context, data)
        if tool == "compare_periods":
            return _two_periods(args, spans, data, context)
        if "period" not in args:
            return args, None
        if spans and not reads_as(args["period"], spans, data):
            return {**args, "period": spans[0].phrase}, None
        if not spans and not (has_time(context) and readable(args["period"], data)):
            return {k: v for k, v in args.items() if k != "period"}, None
        return args, None


def _two_periods(args: dict, spans: list[Span], data: DataRange, context: str) -> tuple[dict, str | None]:
    """The model's pair when both read and one is named (or time is hinted at); else the first two named."""
    a, b = args.get("period_a"), args.get("period_b")
    both = readable(a, data) and readable(b, data)
    if both and (reads_as(a, spans, data) or reads_as(b, spans, data)):
        return args, None
    if len(spans) >= 2:
        first, second = sorted(spans[:2], key=lambda s: s.start)
        return {**args, "period_a": first.phrase, "period_b": second.phrase}, None
    if both and has_time(context):
        return args, None
    return args, "compare_periods needs two periods the question names: choose the tool that answers it."


def _levers(args: dict, question: str) -> dict:
    """The levers the question names: the model's when they are among them, else the named ones switched on (a
    price only when the question writes it as a percentage); a question that names none keeps the model's."""
    named = {lever for lever, cue in LEVER_CUES.items() if cue.search(question)}
    chosen = {lever for lever in LEVER_CUES if args.get(lever) not in (None, False)}
    if not named:
        return args
    kept = {k: v for k, v in args.items() if k not in LEVER_CUES or k in named}
    if not chosen & named:
        kept |= {lever: True for lever in named & {"deal", "feature"}}
    price = price_change(question)
    if "price" in named and price and ("price" in kept or not chosen & named):
        kept["price"] = price
    return kept


def _shaped(call: Call, question: str) -> Call:
    """Tool-specific corrections: the levers named, the report format asked for, why-questions explained."""
    args = call.args
    if call.name == "what_if":
        args = _levers(args, question)
    if call.name == "make_chart" and args.get("kind") == "forecast" and not FORECAST_CUE.search(question):
        args = {**args, "kind": "sales_trend"}  # "plot last 8 weeks" is history, not a forecast
    if call.name == "generate_report":
        args = {**args, "format": "pdf" if re.search(r"\bpdf\b", question, re.IGNORECASE) else "html"}
    if call.name == "forecast" and WHY_CUE.search(question):
        return Call("explain_forecast", {k: v for k, v in args.items() if k in ("product", "store")}, call.id)
    return Call(call.name, args, call.id)
