"""Argument schemas of the forecasting tools: what an LLM may fill in, and nothing else (never the merchant).

Stores arrive as numbers as often as text ("store 12", 12), and price changes as numbers as often as "-10%", so
both are coerced to text before validation; names are resolved later by the engine, which answers unknown or
ambiguous names with the closest matches.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

HORIZON = Field(4, ge=1, le=52, description="weeks ahead, counted from the last data week (the model allows up to 8)")


def _text(value: object) -> object:
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def _price(value: object) -> object:
    """A bare negative number is a cut in percent (-10 means -10%); a positive one is a new unit price."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
        return f"{value:g}%"
    return _text(value)


class SeriesInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    product: str = Field(description="product as the merchant writes it, e.g. 'tropicana 64' or 'Minute Maid 64 oz'")
    store: str | None = Field(None, description="store, e.g. '12' or 'store 12'; omit for a chain-level merchant")

    _store_text = field_validator("store", mode="before")(classmethod(lambda cls, v: _text(v)))


class ForecastInput(SeriesInput):
    horizon: int = HORIZON


class ExplainInput(SeriesInput):
    week: int = Field(1, ge=1, le=52, description="which forecast week to explain: 1 = the week after the data")


class WhatIfInput(SeriesInput):
    price: str | None = Field(None, description="price change like '-10%' or '+5%', or a new unit price like '2.49'")
    deal: bool | None = Field(None, description="true: run an in-store deal; false: no deal")
    feature: bool | None = Field(None, description="true: feature the product in the weekly ad")
    weeks: str = Field("1", description="forecast weeks the change applies to: '1', '1-2' or '1,3'")
    horizon: int | None = Field(None, ge=1, le=52, description="weeks to forecast; default: the last changed week")

    _price_text = field_validator("price", mode="before")(classmethod(lambda cls, v: _price(v)))
    _weeks_text = field_validator("weeks", mode="before")(classmethod(lambda cls, v: _text(v)))


class ChartInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["forecast", "drivers"] = Field(
        description="forecast: history and forecast band; drivers: why the forecast is what it is"
    )
    product: str | None = Field(None, description="product as written, e.g. 'tropicana 64'")
    store: str | None = Field(None, description="store, e.g. '12'; omit for all stores or a chain-level merchant")
    horizon: int = HORIZON

    _store_text = field_validator("store", mode="before")(classmethod(lambda cls, v: _text(v)))


class NoInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
