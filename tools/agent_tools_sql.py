"""``query_sales``: free SQL for the questions the analytics tools do not cover, through the one guarded path.

The description carries the merchant's own table documentation (read from its tenant database, so it never names
a column that does not exist) and the DuckDB dialect hint, because the failures seen with small models were SQL
written in another dialect. The merchant is bound here; ``run_sql`` opens only that merchant's tenant file.
"""

from __future__ import annotations

from langchain_core.tools import BaseTool
from pydantic import BaseModel, ConfigDict, Field

from forecasting.warehouse.schema import render
from tools.agent_tools_base import ToolOutput, make_tool
from tools.guarded_sql import describe_merchant, run_sql

LLM_ROWS = 50


class QuerySalesInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sql: str = Field(description="one read-only DuckDB SELECT over the tables listed in the description")


def _last_week(merchant: str) -> str:
    result = run_sql(merchant, "SELECT max(week_start) FROM sales")
    return str(result.rows[0][0]) if result.rows else "unknown"


def sql_description(merchant: str) -> str:
    return (
        "Run one read-only SQL SELECT over the merchant's own tables, for questions the other tools do not answer "
        f"(at most {LLM_ROWS} rows come back; aggregate). The data's last week starts {_last_week(merchant)}. "
        "Tables:\n" + render(describe_merchant(merchant))
    )


def _query(merchant: str):
    def query_sales(sql: str) -> ToolOutput:
        result = run_sql(merchant, sql)
        rows = result.rows[:LLM_ROWS]
        data = {
            "columns": result.columns,
            "rows": rows,
            "truncated": result.truncated or len(result.rows) > LLM_ROWS,
            "sql": result.sql,
        }
        summary = f"{len(result.rows)} row(s) in {result.seconds:.2f} s"
        return ToolOutput(data=data, summary=summary, sql=[result.sql])

    return query_sales


def sql_tool(merchant: str) -> BaseTool:
    return make_tool("query_sales", sql_description(merchant), QuerySalesInput, _query(merchant))
