"""``make_chart``: a chart on request ("show me a chart of ..."), as an artifact the UI draws beside the answer.

The forecast, explanation and what-if tools already attach their charts; this tool is for when the merchant asks
for a picture of a forecast or its drivers on its own. Past sales over time are charted by ``sales_query`` (its
``output='chart'``). The LLM reads only a short result.
"""

from __future__ import annotations

from collections.abc import Callable

from langchain_core.tools import BaseTool

from tools.agent_tools_base import ToolArtifact, ToolOutput, make_tool
from tools.agent_tools_charts import drivers_artifact, forecast_artifact
from tools.agent_tools_forecast import forecast_data
from tools.agent_tools_inputs import ChartInput

DESCRIPTION = (
    "Draw a chart of a forecast for the merchant: 'forecast' (recent sales and the forecast band of one product in "
    "one store) or 'drivers' (waterfall of why that forecast is what it is). For past sales over time use "
    "sales_query with output='chart'."
)


def _series_chart(
    merchant: str, kind: str, product: str | None, store: str | None, horizon: int
) -> tuple[ToolArtifact, dict]:
    from forecasting.explain import explain  # the forecasting stack, when a chart is drawn
    from forecasting.predict import engine

    if not product:
        raise ValueError(f"A {kind} chart needs a product, e.g. product='tropicana 64'.")
    eng = engine(merchant)
    if kind == "forecast":
        result = eng.forecast(store, product, horizon)
        return forecast_artifact(eng, result), {"total_p50": forecast_data(result)["total_p50"]}
    explained = explain(eng, store, product, week=1)
    return drivers_artifact(explained), {"forecast_p50": explained.forecast, "base": explained.base}


def _make_chart(merchant: str) -> Callable[..., ToolOutput]:
    def make_chart(kind: str, product: str | None = None, store: str | None = None, horizon: int = 4) -> ToolOutput:
        artifact, facts = _series_chart(merchant, kind, product, store, horizon)
        data = {"chart": artifact.title, **facts}
        return ToolOutput(data=data, summary=f"chart: {artifact.title}", artifacts=[artifact])

    return make_chart


def chart_tool(merchant: str) -> BaseTool:
    return make_tool("make_chart", DESCRIPTION, ChartInput, _make_chart(merchant))
