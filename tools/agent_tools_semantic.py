"""``sales_query``: every past-sales question (totals, rankings, shares, counts, comparisons, trends, prices,
promotion averages) as one semantic query over the merchant's declared model (``tools.semantic``).

Hosted LLMs, MCP clients and the embedded model's router all fill the same arguments; names and periods may be
written as the merchant wrote them and are resolved with the chat's own linker. The answer carries the query and the
SQL it ran (with parameters), so the chat can show them as an inspectable step.
"""

from __future__ import annotations

from typing import Any, Literal

from langchain_core.tools import BaseTool
from pydantic import BaseModel, ConfigDict, Field

from tools.agent_tools_base import ToolArtifact, ToolOutput, clean, make_tool
from tools.analytics_core import reader
from tools.semantic.answer import answer_text
from tools.semantic.chart import answer_chart
from tools.semantic.declared import FIXED_DIMENSIONS, MEASURES
from tools.semantic.execute import QueryAnswer, execute, shown_sql
from tools.semantic.model import build_model
from tools.semantic.query import SemanticQuery, Window
from tools.semantic.resolve import resolve_filter, resolve_window

NAME = "sales_query"
MeasureName = Literal[tuple(m.name for m in MEASURES)]  # type: ignore[valid-type]
DESCRIPTION = (
    "Past sales of the merchant as numbers: totals, rankings (top/bottom), shares of a total, how many weeks on "
    "deal/in the ad/on display, how many stores sold it, average prices, promotion vs no promotion, one period "
    "against another, trends by week/month/quarter/year. Measures: "
    + "; ".join(f"{m.name} = {m.means}" for m in MEASURES)
    + ". Dimensions (by, filters): "
    + ", ".join(d.name for d in FIXED_DIMENSIONS)
    + ", and store attributes such as city, price_tier, zone. Periods are phrases: 'May 1992', 'last month', "
    "'Q3 1992', 'Easter week 1992', 'last 8 weeks', or {start, end, label}."
)


class SalesQueryInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    measures: list[MeasureName] = Field(default_factory=lambda: ["units", "revenue"], min_length=1, max_length=4)
    by: list[str] = Field(default_factory=list, max_length=2, description="dimensions to break down by, e.g. ['brand']")
    filters: dict[str, str | list[str]] = Field(
        default_factory=dict,
        description="dimension -> value(s) as written, e.g. {'product': 'tropicana 64', 'store': '12'}",
    )
    period: str | Window | None = Field(None, description="a period phrase; omit for all data")
    compare_to: str | Window | None = Field(None, description="a second period to compare with")
    rank: Literal["top", "bottom"] | None = None
    limit: int | None = Field(None, ge=1, le=25)
    output: Literal["auto", "number", "table", "chart"] = "auto"


def semantic_query(merchant: str, args: SalesQueryInput) -> tuple[QueryAnswer, list[ToolArtifact]]:
    with reader(merchant) as rd:
        model = build_model(rd)
        q = SemanticQuery(
            measures=list(args.measures), by=args.by,
            filters=[resolve_filter(model, dim, value) for dim, value in args.filters.items()],
            period=resolve_window(model, args.period), compare=resolve_window(model, args.compare_to),
            rank=args.rank, limit=args.limit, output=args.output,
        )  # fmt: skip
        for dim in q.by:
            model.dimension(dim)
        answer = execute(rd, model, q)
    charts = [answer_chart(answer)] if args.output == "chart" or (args.output == "auto" and _chartable(answer)) else []
    return answer, [c for c in charts if c is not None]


def _chartable(answer: QueryAnswer) -> bool:
    return len(answer.rows) > 2 and bool(answer.query.by)


def _run(merchant: str):
    def run(**kwargs: Any) -> ToolOutput:
        answer, artifacts = semantic_query(merchant, SalesQueryInput(**kwargs))
        data = clean(answer)
        data["text"] = answer_text(data)
        sql = [shown_sql(run) for run in answer.queries]
        return ToolOutput(data=data, summary=_summary(answer), artifacts=artifacts, sql=sql)

    run.__name__ = NAME
    return run


def _summary(answer: QueryAnswer) -> str:
    q = answer.query
    parts = [", ".join(q.measures)]
    if q.by:
        parts.append(f"by {', '.join(q.by)}")
    if q.rank:
        parts.append(f"{q.rank} {q.limit or ''}".strip())
    return (
        f"{' '.join(parts)} — {answer.scope}{' vs ' + q.compare.label if q.compare else ''}: {len(answer.rows)} row(s)"
    )


def semantic_tool(merchant: str) -> BaseTool:
    """``sales_query`` bound to ``merchant``; nothing an LLM fills can name another merchant."""
    return make_tool(NAME, DESCRIPTION, SalesQueryInput, _run(merchant))
