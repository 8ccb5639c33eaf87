"""``generate_report``: the explanation report (forecast, drivers, accuracy, optional what-if) as a file to download.

The report builder computes every number itself from the forecaster and the warehouse, so the LLM only chooses
the series and, optionally, a scenario; it gets back the file's path, which the UI offers as a download.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from langchain_core.tools import BaseTool
from pydantic import Field

from tools.agent_tools_base import ToolArtifact, ToolOutput, make_tool
from tools.agent_tools_inputs import SeriesInput

DESCRIPTION = (
    "Write a report (HTML or PDF) for one product in one store: forecast with its range, why (drivers), forecast "
    "accuracy, and optionally a what-if scenario (price/deal/feature). Use for 'give me a report', 'export', 'PDF'."
)


class ReportInput(SeriesInput):
    question: str = Field("", description="the merchant's question, printed at the top of the report")
    price: str | None = Field(None, description="optional what-if: price change like '-10%' or a new price")
    deal: bool | None = Field(None, description="optional what-if: run a deal")
    feature: bool | None = Field(None, description="optional what-if: feature ad")
    weeks: str = Field("1", description="forecast weeks the what-if applies to: '1', '1-2'")
    format: Literal["html", "pdf"] = Field("html", description="html (interactive) or pdf")


def _report(merchant: str) -> Callable[..., ToolOutput]:
    def generate_report(
        product: str,
        store: str | None = None,
        question: str = "",
        price: str | None = None,
        deal: bool | None = None,
        feature: bool | None = None,
        weeks: str = "1",
        format: str = "html",
    ) -> ToolOutput:
        from forecasting.whatif import Change  # the forecasting stack, when a report is written
        from tools.report_builder import make_report

        levers = {"price": price, "deal": deal, "feature": feature}
        change = Change(**levers, weeks=weeks) if any(v is not None for v in levers.values()) else None
        path = make_report(merchant, store, product, question, whatif=change, fmt=format)
        title = f"Report: {product}" + (f", store {store}" if store else "")
        data = {"path": str(path), "format": format, "what_if": change.describe() if change else None}
        return ToolOutput(data=data, summary=f"report written: {path.name}",
                          artifacts=[ToolArtifact(kind="file", title=title, path=str(path.resolve()))])  # fmt: skip

    return generate_report


def report_tool(merchant: str) -> BaseTool:
    return make_tool("generate_report", DESCRIPTION, ReportInput, _report(merchant))
