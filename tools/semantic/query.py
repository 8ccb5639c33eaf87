"""The one analytics question shape: measures, a breakdown, filters, one or two periods, a ranking.

It is what the chat's LLM helps fill (it picks the measure, the breakdown and the ranking; the entity linker
supplies names and periods), what the MCP server exposes, and what the compiler turns into SQL. Names in filters
are the merchant's own values, already resolved; the compiler binds them as parameters.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

MAX_LIMIT = 25


class Filter(BaseModel):
    model_config = ConfigDict(extra="forbid")
    dimension: str = Field(description="a dimension of the merchant's model: product, brand, store, city, deal, ...")
    values: list[str] = Field(min_length=1, description="the merchant's own values; rows matching any are kept")
    label: str | None = Field(None, description="how the merchant wrote it, for the answer")

    def text(self) -> str:
        """How the answer names it: "Minute Maid 64 oz", "store 12", "brand Minute Maid", "price tier High"."""
        values = " or ".join(self.values)
        if self.dimension == "product":
            return values
        if self.dimension == "store":
            return f"store{'s' if len(self.values) > 1 else ''} {values}" if self.values[0].isdigit() else values
        if self.dimension in ("deal", "feature", "display"):
            return values
        return f"{self.dimension.replace('_', ' ')} {values}"


class Window(BaseModel):
    """Weeks whose ``week_start`` lies in ``[start, end]``."""

    model_config = ConfigDict(extra="forbid")
    start: date
    end: date
    label: str

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end < self.start:
            raise ValueError(f"the period ends ({self.end}) before it starts ({self.start})")
        return self


class SemanticQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    measures: list[str] = Field(default_factory=lambda: ["units"], min_length=1, max_length=4)
    by: list[str] = Field(default_factory=list, max_length=2, description="dimensions to break the totals down by")
    filters: list[Filter] = Field(default_factory=list)
    period: Window | None = Field(None, description="None: all data")
    compare: Window | None = Field(None, description="a second period the first is compared with")
    rank: Literal["top", "bottom"] | None = None
    limit: int | None = Field(None, ge=1, le=MAX_LIMIT)
    output: Literal["auto", "number", "table", "chart"] = "auto"
