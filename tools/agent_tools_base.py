"""What every agent tool returns, and the one wrapper that turns a merchant-bound function into a LangChain tool.

A tool's result goes into an LLM's context, so it is small JSON (``ToolOutput.data``); what the merchant sees beside
the answer (charts, files) travels separately as artifacts, never through the model. Expected failures (an unknown
product, a refused query, a missing model) become results with ``ok=False`` and a message the LLM can relay or fix,
not exceptions, so one bad argument never ends a chat turn.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Literal

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from forecasting.warehouse.errors import WarehouseError
from tools.guarded_sql import SqlError
from tools.sql_guard import SqlRefused

EXPECTED_ERRORS: tuple[type[Exception], ...] = (WarehouseError, SqlError, SqlRefused, ValueError, FileNotFoundError)


class ToolArtifact(BaseModel):
    """Mirrors ``agent.events.Artifact`` (tools may not import the agent layer)."""

    kind: Literal["chart", "file"]
    title: str
    figure_json: str | None = None
    path: str | None = None


class ToolOutput(BaseModel):
    ok: bool = True
    data: dict[str, Any] = Field(default_factory=dict, description="the small grounded result the LLM reads")
    summary: str = Field(description="one line for the merchant: what the tool found, or the error")
    artifacts: list[ToolArtifact] = Field(default_factory=list)
    sql: list[str] = Field(default_factory=list, description="statements the tool ran, for the merchant to inspect")

    def content(self) -> str:
        """The JSON text the LLM reads; errors are marked so the model knows to relay or fix them."""
        body = {"result": self.data} if self.ok else {"error": self.summary}
        return json.dumps(body, default=_json_default, ensure_ascii=False, separators=(",", ":"))


def _json_default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return str(value)


def failure(message: str) -> ToolOutput:
    return ToolOutput(ok=False, summary=message)


def guarded(fn: Callable[..., ToolOutput]) -> Callable[..., tuple[str, ToolOutput]]:
    """Run ``fn`` and return LangChain's (content, artifact) pair; expected errors become error results."""

    def run(**kwargs: Any) -> tuple[str, ToolOutput]:
        try:
            output = fn(**kwargs)
        except EXPECTED_ERRORS as exc:
            output = failure(str(exc))
        return output.content(), output

    run.__name__ = getattr(fn, "__name__", "tool")
    run.__doc__ = fn.__doc__
    return run


def make_tool(name: str, description: str, args_schema: type[BaseModel], fn: Callable[..., ToolOutput]) -> BaseTool:
    """A typed tool whose ToolMessage carries the ``ToolOutput`` as its artifact."""
    return StructuredTool.from_function(
        func=guarded(fn),
        name=name,
        description=description,
        args_schema=args_schema,
        response_format="content_and_artifact",
    )


def clean(value: Any, drop: frozenset[str] = frozenset({"queries", "merchant"})) -> Any:
    """JSON-ready copy without the provenance fields the LLM does not need (SQL text, the merchant)."""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    if isinstance(value, dict):
        return {k: clean(v, drop) for k, v in value.items() if k not in drop}
    if isinstance(value, list):
        return [clean(v, drop) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def number(value: float | None, digits: int = 1) -> str:
    """A number as the answer renderer and summaries print it: thousands separators, fixed decimals."""
    if value is None:
        return "n/a"
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.{digits}f}"
