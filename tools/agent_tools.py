"""Every tool the chat agent may call, built for one merchant.

The merchant is bound here, when a chat session starts, and is never a tool argument: every argument schema forbids
unknown fields, so an LLM that tries ``merchant="tuna"`` gets a validation error back instead of another merchant's
data. The report tool joins the list only where the report builder is installed, never as a stub.
"""

from __future__ import annotations

import importlib.util

from langchain_core.tools import BaseTool

from forecasting.warehouse.connect import known_merchants
from forecasting.warehouse.errors import WarehouseError
from tools.agent_tools_base import ToolArtifact, ToolOutput
from tools.agent_tools_coverage import coverage_tool
from tools.agent_tools_forecast import forecast_tools
from tools.agent_tools_make_chart import chart_tool
from tools.agent_tools_semantic import semantic_tool
from tools.agent_tools_sql import sql_tool


def has_reports() -> bool:
    return importlib.util.find_spec("tools.report_builder") is not None


def build_tools(merchant: str) -> list[BaseTool]:
    """All agent tools bound to ``merchant`` (which must exist in the warehouse)."""
    if merchant not in known_merchants():
        raise WarehouseError(f"Unknown merchant {merchant!r}; known: {', '.join(known_merchants()) or 'none'}.")
    tools = [semantic_tool(merchant), coverage_tool(merchant), sql_tool(merchant), *forecast_tools(merchant),
             chart_tool(merchant)]  # fmt: skip
    if has_reports():
        from tools.agent_tools_report import report_tool

        tools.append(report_tool(merchant))
    return tools


__all__ = ["ToolArtifact", "ToolOutput", "build_tools", "has_reports"]
