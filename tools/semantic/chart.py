"""A semantic query's rows as a chart: a line over time for a time breakdown, bars for any other breakdown."""

from __future__ import annotations

import plotly.graph_objects as go

from tools import charts
from tools.agent_tools_base import ToolArtifact
from tools.semantic.declared import measure
from tools.semantic.execute import QueryAnswer

TIME = {"week", "month", "quarter", "year"}


def answer_chart(answer: QueryAnswer) -> ToolArtifact | None:
    """The first measure by the first dimension; ``None`` when there is nothing to draw (a single number)."""
    q = answer.query
    if not q.by or not answer.rows:
        return None
    first, m = q.by[0], q.measures[0]
    x = [str(r.key.get(first)) for r in answer.rows]
    y = [r.values.get(m) for r in answer.rows]
    label = measure(m).label
    trace = go.Scatter(x=x, y=y, mode="lines+markers", line={"color": charts.ACTUAL}, name=label) if first in TIME \
        else go.Bar(x=x, y=y, marker_color=charts.ACTUAL, name=label)  # fmt: skip
    title = f"{label.capitalize()} by {first}: {answer.scope}"
    fig = go.Figure(trace)
    fig.update_layout(title={"text": charts.label(title), "x": 0.01}, template="plotly_white", width=charts.WIDTH,
                      height=charts.HEIGHT, yaxis_title=label)  # fmt: skip
    return ToolArtifact(kind="chart", title=title, figure_json=fig.to_json())
