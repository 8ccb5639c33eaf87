"""``data_coverage`` as an agent tool: what data the merchant has (weeks, gaps, products, stores).

Every other past-sales question goes through ``sales_query`` (``tools.agent_tools_semantic``), the one semantic
query; coverage stays its own tool because it answers about the data itself, not about sales in it.
"""

from __future__ import annotations

from langchain_core.tools import BaseTool

from tools.agent_tools_base import ToolOutput, clean, make_tool, number
from tools.analytics_coverage import data_coverage
from tools.analytics_models import DataCoverage, DataCoverageArgs

NAME = "data_coverage"
DESCRIPTION = (
    "What data the merchant has: first and last week, gaps, products and stores. Use for 'what data do you have', "
    "'which products', 'how far back'."
)


def _summary(r: DataCoverage) -> str:
    return f"{r.first_week} to {r.last_week}: {r.n_products} products, {r.n_stores} stores, {number(r.rows)} rows"


def coverage_tool(merchant: str) -> BaseTool:
    """``data_coverage`` bound to ``merchant``."""

    def run(**kwargs: object) -> ToolOutput:
        result = data_coverage(merchant, {k: v for k, v in kwargs.items() if v is not None})
        return ToolOutput(data=clean(result), summary=_summary(result))

    run.__name__ = NAME
    return make_tool(NAME, DESCRIPTION, DataCoverageArgs, run)
