"""Checks a routed call against the merchant's words before it runs.

A small model must fill every argument the routing schema shows it (that is what makes it fill ``horizon`` and
``product`` reliably), so it also fills arguments the question never asked for: a period on "do deals work?", a
price cut and a feature ad on "what if I run a deal?", a PDF nobody asked for, a product called "baseball". Each
rule below keeps only what the text supports; when the tool itself is not asked for (a report for a poem) or the
product is nowhere in the conversation, the call goes back to the model once with the reason, and a model that
insists gets the out-of-scope reply. The text checked is the one the model saw: the question plus the last
exchange, so follow-ups ("and in store 5?") keep what the earlier turn named.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from agent.drivers import Call

TIME_CUE = re.compile(
    r"\b(19|20)\d\d\b|\d{4}-\d\d|\b(week|month|year|quarter|q[1-4]|day|today|yesterday|since|ago|recent|lately|"
    r"last|this|past|previous|prior|season|summer|winter|spring|fall|autumn|holiday|christmas|thanksgiving|easter|"
    r"ytd|jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*",
    re.IGNORECASE,
)
PRICE_CUE = (
    r"pric|cheap|expensive|cost|cut|lower|rais|increas|reduc|discount|charge|markdown|\d\s*%|percent|\$|\bcents?\b"
)
LEVER_CUES = {
    "price": re.compile(PRICE_CUE, re.IGNORECASE),
    "deal": re.compile(r"deal|promo|discount|on sale|\bsale\b|coupon|offer|bogo|special", re.IGNORECASE),
    "feature": re.compile(r"featur|\bads?\b|advert|flyer|circular|mailer|display|weekly ad", re.IGNORECASE),
}
REPORT_CUE = re.compile(r"report|pdf|html|export|document|download|write-?up|share|print", re.IGNORECASE)
CHART_CUE = re.compile(r"chart|plot|graph|show|draw|visual|picture|diagram", re.IGNORECASE)
TOOL_CUES = {"generate_report": (REPORT_CUE, "a report or a file"), "make_chart": (CHART_CUE, "a chart")}
WHY_CUE = re.compile(r"\bwhy\b|explain|\bdriv|reason|\bcause", re.IGNORECASE)
WORD = re.compile(r"[a-z]+|\d+(?:\.\d+)?", re.IGNORECASE)
FUZZY = 0.8
GENERIC_WORDS = {"oz", "ounce", "ounces", "lb", "ml", "pack", "the", "my", "of", "and"}


@dataclass(frozen=True)
class Checked:
    """The call to run (possibly corrected), or the reason to ask the model again."""

    call: Call | None
    problem: str | None = None


def check_call(call: Call, question: str, context: str) -> Checked:
    """``call`` as the merchant's words support it; ``context`` is the question with the earlier exchange."""
    gate = TOOL_CUES.get(call.name)
    if gate and not gate[0].search(question):
        return Checked(None, f"The question does not ask for {gate[1]}, so not {call.name}: choose the tool that "
                             "answers it, or none if it is not about the merchant's sales.")  # fmt: skip
    product = call.args.get("product")
    if isinstance(product, str) and product.strip() and not mentioned(product, context):
        return Checked(None, f"The question names no product like {product!r}: set product to null, or choose "
                             "none if the question is not about the merchant's sales.")  # fmt: skip
    args = _without_unasked_period(call.args, context)
    if call.name == "what_if":
        args = _named_levers(args, question)
    if call.name == "generate_report":
        args = {**args, "format": "pdf" if re.search(r"\bpdf\b", question, re.IGNORECASE) else "html"}
    if call.name == "forecast" and WHY_CUE.search(question):
        args = {k: v for k, v in args.items() if k in ("product", "store")}
        return Checked(Call("explain_forecast", args, call.id))
    return Checked(Call(call.name, args, call.id))


def mentioned(name: str, text: str) -> bool:
    """Whether a word of ``name`` (or a close spelling of it) occurs in ``text``; sizes and units alone don't count."""
    words = {w.lower() for w in WORD.findall(text)}
    names = [w for w in WORD.findall(name.lower()) if w.isalpha() and w not in GENERIC_WORDS]
    return any(w in words or difflib.get_close_matches(w, words, n=1, cutoff=FUZZY) for w in names)


def _without_unasked_period(args: dict, context: str) -> dict:
    """A period the text gives no hint of is the model's invention: all data (the tool's default) instead."""
    if args.get("period") and not TIME_CUE.search(context):
        return {k: v for k, v in args.items() if k != "period"}
    return args


def _named_levers(args: dict, question: str) -> dict:
    """Only the levers the question names; if it names none the model's choice stands (the tool needs one)."""
    named = {
        lever for lever, cue in LEVER_CUES.items() if args.get(lever) not in (None, False) and cue.search(question)
    }
    if not named:
        return args
    return {k: v for k, v in args.items() if k not in LEVER_CUES or k in named}
