"""The sales analytics (``tools.analytics``) as agent tools: the common questions answered without free SQL.

Small models pick these far more reliably than they write SQL, so the descriptions say plainly which question each
answers. Periods are phrases relative to the merchant's last data week, exactly as ``tools.analytics`` reads them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langchain_core.tools import BaseTool
from pydantic import BaseModel, ConfigDict, Field

from tools import analytics as an
from tools.agent_tools_base import ToolOutput, clean, make_tool, number

PERIODS = f"Periods are phrases: {an.ACCEPTED_PERIODS}."


class ComparePeriodsInput(BaseModel):
    """Both periods as phrases: a small model fills strings far more reliably than (start, end) pairs."""

    model_config = ConfigDict(extra="forbid")
    period_a: str = Field(description="baseline period, e.g. 'last year', '1991-09', 'Q3 1991'")
    period_b: str = Field(description="period compared with the baseline, e.g. 'this year', '1992-09'")
    product: str | None = Field(None, description="product or brand as written, e.g. 'tropicana 64'; omit for all")
    store: str | None = Field(None, description="store as written, e.g. 'store 12'; omit for all stores")


def _top_summary(r: an.TopItems) -> str:
    head = ", ".join(f"{i.name} ({number(i.units if r.metric == 'units' else i.revenue)})" for i in r.items[:3])
    return f"{'top' if r.rank == 'best' else 'bottom'} {r.by}s by {r.metric}, {r.scope.start} to {r.scope.end}: {head}"


def _trend_summary(r: an.SalesTrend) -> str:
    return f"{len(r.points)} {r.grain}s from {r.scope.start} to {r.scope.end}: {number(r.total_units)} units in total"


def _compare_summary(r: an.PeriodComparison) -> str:
    pct = f" ({r.change_units_pct:+.1f}%)" if r.change_units_pct is not None else ""
    return f"{r.period_a.label} {number(r.period_a.units)} → {r.period_b.label} {number(r.period_b.units)} units{pct}"


def _promo_summary(r: an.PromotionEffect) -> str:
    parts = [f"{s.signal} lift {s.lift:.2f}x" for s in r.signals if s.lift is not None]
    return "; ".join(parts) or "no promotion weeks in scope"


def _price_summary(r: an.PriceHistory) -> str:
    s = r.summary
    return f"{r.product}: mean price {s.mean_price:.2f}, from {s.min_price:.2f} to {s.max_price:.2f}"


def _coverage_summary(r: an.DataCoverage) -> str:
    return f"{r.first_week} to {r.last_week}: {r.n_products} products, {r.n_stores} stores, {number(r.rows)} rows"


def _wrap(fn: Callable[..., BaseModel], merchant: str, summary: Callable[[Any], str]) -> Callable[..., ToolOutput]:
    def run(**kwargs: Any) -> ToolOutput:
        result = fn(merchant, {k: v for k, v in kwargs.items() if v is not None})
        return ToolOutput(data=clean(result), summary=summary(result))

    run.__name__ = fn.__name__
    return run


def _compare(merchant: str) -> Callable[..., ToolOutput]:
    def run(period_a: str, period_b: str, product: str | None = None, store: str | None = None) -> ToolOutput:
        args = an.ComparePeriodsArgs(period_a=period_a, period_b=period_b, product=product, store=store)
        result = an.compare_periods(merchant, args)
        return ToolOutput(data=clean(result), summary=_compare_summary(result))

    return run


SPECS: list[tuple[str, str, type[BaseModel], Callable[..., BaseModel], Callable[[Any], str]]] = [
    ("top_items", ("Best (or top-N) selling products or stores over a period, by units or revenue, with each one's "
     "share of the total; rank='worst' lists the weakest first. Use for 'what sold best', 'top 5 stores', "
     f"'worst sellers', 'total sales last month'. {PERIODS}"),
     an.TopItemsArgs, an.top_items, _top_summary),
    ("sales_trend", ("Units and revenue per week, month, quarter or year for all sales or one product/store: "
     f"'how are sales trending', 'monthly sales of X this year'. {PERIODS}"),
     an.SalesTrendArgs, an.sales_trend, _trend_summary),
    ("promotion_effect", ("How deals, feature ads and displays went with sales: mean units with vs without a "
     f"promotion (lift). Use for 'do my promotions work', 'deal effect on X'. {PERIODS}"),
     an.PromotionEffectArgs, an.promotion_effect, _promo_summary),
    ("price_history", ("Shelf price of one product over time (mean/min/max, share on deal) and competitors' prices. "
     f"Use for 'what did X cost', 'price of X last year'. {PERIODS}"),
     an.PriceHistoryArgs, an.price_history, _price_summary),
    ("data_coverage", ("What data the merchant has: first and last week, gaps, products and stores. Use for 'what "
     "data do you have', 'which products', 'how far back'."),
     an.DataCoverageArgs, an.data_coverage, _coverage_summary),
]  # fmt: skip

COMPARE_DESCRIPTION = (
    "Compare total units and revenue of two periods (e.g. this month vs the same month last year, or Q3 vs Q2), "
    f"optionally for one product or store. {PERIODS}"
)


def analytics_tools(merchant: str) -> list[BaseTool]:
    """The analytics tools bound to ``merchant``; no argument an LLM fills can name another merchant."""
    tools = [make_tool(name, desc, schema, _wrap(fn, merchant, summ)) for name, desc, schema, fn, summ in SPECS]
    tools.insert(2, make_tool("compare_periods", COMPARE_DESCRIPTION, ComparePeriodsInput, _compare(merchant)))
    return tools
