"""The router's prompt: a stable system message (cached by the embedded server after the first question), then a
user message with the few retrieved examples, what the linker found, and the question.

The system message names the merchant's measures and dimensions, so the model's choices are the merchant's terms;
names and dates never need copying, because the user message already lists them as found.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from agent.routing.examples import nearest, shown
from tools.semantic.link import Frame
from tools.semantic.model import SemanticModel
from tools.semantic.names import targets

GENERIC = """You route a merchant's question to ONE salescast tool, as JSON. Do not answer yourself.
Tools:
- sales_query: any question about PAST sales: totals, rankings, shares, counts of weeks, comparisons of periods, \
trends, prices, deal vs no deal. Choose measure, by (a breakdown, or "none"), rank ("top", "bottom" or "none") and \
limit (how many rows a ranking shows; null if not said). Names, stores and periods are already found: never repeat them.
- forecast: units in the COMING weeks (will sell, next week, next month, outlook).
- explain_forecast: why a forecast is what it is, what drives it.
- what_if: a forecast with a change: a deal, a price change or new price, a feature ad, a display.
- backtest_accuracy: how accurate or trustworthy the forecasts are.
- data_coverage: what data there is: date range, which products, how many stores.
- make_chart: a chart of the forecast ("forecast") or of its drivers ("drivers"). Charts of past sales are \
sales_query with by week or month.
- generate_report: a report, PDF or export.
- none: not about the merchant's own sales, prices, promotions or forecasts (poems, jokes, weather, news, other \
companies such as other retailers' prices, general advice)."""

MERCHANT = """Measures: {measures}.
Breakdowns (by): {dimensions}.
"sales" means units unless money (revenue, dollars) is named. The data runs from {first} to the week of {last} \
("now"); {stores}"""


def system_text(model: SemanticModel) -> str:
    measures = "; ".join(f"{m.name} ({m.means})" for m in model.measures)
    dims = ", ".join(d.name for d in model.dimensions)
    stores = "one chain-level store." if model.chain else f"{len(model.stores)} stores."
    return GENERIC + "\n" + MERCHANT.format(measures=measures, dimensions=dims, first=model.first_week,
                                            last=model.last_week, stores=stores)  # fmt: skip


def found_text(frame: Frame) -> str:
    """What the linker read, in the words the router needs to decide (never to copy)."""
    parts = [m.label() for m in frame.mentions]
    if frame.everything:
        parts.append("all products")
    parts += [w.label for w in frame.periods]
    if frame.weeks_ahead:
        parts.append(f"{frame.weeks_ahead} weeks ahead")
    parts += [f"price ${v:g}" for v in frame.money] + [f"{v:+g}%" for v in frame.percents]
    parts += [f"{'with' if on else 'without'} {lever}" for lever, on in frame.levers.items()]
    return "; ".join(parts) or "nothing"


def route_messages(
    system: str, model: SemanticModel, frame: Frame, question: str, history: list[dict[str, Any]] | None
) -> list[BaseMessage]:
    names = frozenset(w for t in targets(model) for w in t.tokens)
    examples = "\n".join(shown(item) for item in reversed(nearest(question, names)))  # the nearest last
    earlier = [m for m in history or [] if m.get("role") == "user"][-1:]
    lines = [f"Examples:\n{examples}", *(f"Earlier question: {str(m.get('content'))[:200]}" for m in earlier),
             f"Found: {found_text(frame)}", f"Question: {question}"]  # fmt: skip
    return [SystemMessage(content=system), HumanMessage(content="\n".join(lines))]
