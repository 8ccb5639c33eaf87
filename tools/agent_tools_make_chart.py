"""``make_chart``: a chart on request ("show me a chart of ..."), as an artifact the UI draws beside the answer.

The forecast, explanation and what-if tools already attach their charts; this tool is for when the merchant asks
for a picture on its own, and for the sales trend, which no other tool draws. The LLM reads only a short result.
"""

from __future__ import annotations

from collections.abc import Callable

from langchain_core.tools import BaseTool

from forecasting.explain import explain
from forecasting.predict import engine
from tools import analytics as an
from tools.agent_tools_base import ToolArtifact, ToolOutput, make_tool
from tools.agent_tools_charts import drivers_artifact, forecast_artifact, trend_artifact
from tools.agent_tools_forecast import forecast_data
from tools.agent_tools_inputs import ChartInput

DESCRIPTION = (
    "Draw a chart for the merchant: 'forecast' (recent sales and the forecast band of one product in one store), "
    "'drivers' (waterfall of why that forecast is what it is) or 'sales_trend' (units over time, optionally for one "
    "product or store). Use when the merchant asks to see, show, plot or chart something."
)


def _series_chart(
    merchant: str, kind: str, product: str | None, store: str | None, horizon: int
) -> tuple[ToolArtifact, dict]:
    if not product:
        raise ValueError(f"A {kind} chart needs a product, e.g. product='tropicana 64'.")
    eng = engine(merchant)
    if kind == "forecast":
        result = eng.forecast(store, product, horizon)
        return forecast_artifact(eng, result), {"total_p50": forecast_data(result)["total_p50"]}
    explained = explain(eng, store, product, week=1)
    return drivers_artifact(explained), {"forecast_p50": explained.forecast, "base": explained.base}


def _make_chart(merchant: str) -> Callable[..., ToolOutput]:
    def make_chart(
        kind: str, product: str | None = None, store: str | None = None, horizon: int = 4, period: str | None = None
    ) -> ToolOutput:
        if kind == "sales_trend":
            fields = {"product": product, "store": store, "period": period, "grain": "week"}
            trend = an.sales_trend(merchant, {k: v for k, v in fields.items() if v is not None})
            artifact = trend_artifact(trend)
            data = {"chart": artifact.title, "points": len(trend.points), "total_units": trend.total_units}
        else:
            artifact, facts = _series_chart(merchant, kind, product, store, horizon)
            data = {"chart": artifact.title, **facts}
        return ToolOutput(data=data, summary=f"chart: {artifact.title}", artifacts=[artifact])

    return make_chart


def chart_tool(merchant: str) -> BaseTool:
    return make_tool("make_chart", DESCRIPTION, ChartInput, _make_chart(merchant))
