"""Words that settle the tool before (or after) the router: a question about the forecasts' accuracy or about what
data there is names its tool outright, and a report or a chart is only made when the question asks for one.

Why: the router confuses the tools a question's nouns share ("how far off were your juice forecasts" went to
``forecast`` and asked which product; "how much did we make per can ... on average" became a report). Like the
measures' words (``tools.semantic.declared``), these are declared once, per tool, not per phrasing.
"""

from __future__ import annotations

import re

ACCURACY = re.compile(
    r"\b(accura\w*|inaccura\w*|mape|wape|backtest\w*|forecast errors?|error rate|track record)\b|"
    r"\b(how far off|off by|how close|how good|how wrong|how reliable|trust|reliab\w*|tested on past)\b.{0,50}"
    r"\b(forecast\w*|predict\w*|you|model)\b|\b(forecast\w*|predict\w*)\b.{0,50}\b(how far off|off by|wrong|miss\w*)\b"
)  # fmt: skip
COVERAGE = re.compile(
    r"\b(date range|how far back|what (period|dates|time span|range)\b.{0,40}\bcover\w*|first week,? (and )?last week|"
    r"how many weeks of (data|history|records)|what data (do|does) (you|we|i) have|when does (the|my|our) data)\b"
)  # fmt: skip
WHY = re.compile(r"\bwhy\b.{0,80}\b(forecast\w*|predict\w*|expect\w*|next|coming|will)\b|"
                 r"\bwhat('s| is) driving\b.{0,40}\b(forecast\w*|predict\w*)\b")  # fmt: skip
REPORT = re.compile(r"\b(report|pdf|html|export|download|document|write[- ]?up|one[- ]pager)s?\b")
CHART = re.compile(r"\b(chart|plot|graph|visuali[sz]e|draw|picture)\b")
NEEDS_WORDS = {"generate_report": REPORT, "make_chart": CHART}


def named_tool(question: str) -> str | None:
    """The tool the question's words name outright, if any."""
    text = question.lower()
    if ACCURACY.search(text):
        return "backtest_accuracy"
    if COVERAGE.search(text):
        return "data_coverage"
    if WHY.search(text):
        return "explain_forecast"
    return None


def lacks_words(tool: str, question: str) -> bool:
    """A report or chart chosen for a question that asks for neither."""
    pattern = NEEDS_WORDS.get(tool)
    return pattern is not None and not pattern.search(question.lower())
