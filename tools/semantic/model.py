"""A merchant's semantic model: the measures, dimensions and names its questions can use, read from its tenant
tables and corrected by a YAML file the merchant can edit.

Why a declared model: a small LLM picks well among a few named business terms and badly when it must write SQL or
choose among narrow tools. So the model the LLM sees is the merchant's vocabulary (its products, brands, categories,
stores, store attributes, holidays, the words it uses for "everything"), and deterministic code turns a choice of
terms into SQL. The model is built from this merchant's tenant connection only, so no name from another merchant
can appear in it. Overrides: ``$SALESCAST_HOME/semantic/<merchant>.yaml`` (the merchant's own), else the shipped
``data/semantic/<merchant>.yaml`` (the demo merchants' category words); ``salescast semantic show`` prints the result.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from forecasting.paths import data_dir, home
from tools.analytics_core import AnalyticsError, Reader, reader
from tools.semantic.catalog import ProductInfo, build_catalog
from tools.semantic.declared import (
    COST_COLUMNS,
    FIXED_DIMENSIONS,
    MAX_ATTRIBUTE_VALUES,
    MEASURES,
    PROMOTION_COLUMNS,
    STORE_ATTRIBUTE_SKIP,
    Dimension,
    Measure,
    store_dimension,
)  # fmt: skip


class Overrides(BaseModel):
    """What a merchant may declare in its YAML file; unknown keys are an error that names them."""

    model_config = ConfigDict(extra="forbid")
    category_words: list[str] = Field(default_factory=list, description="words meaning all of the merchant's products")
    category_label: str | None = Field(None, description="what the merchant sells, e.g. 'orange juice'")
    products: dict[str, dict[str, str]] = Field(default_factory=dict, description="product -> brand/size/category")
    synonyms: dict[str, str] = Field(default_factory=dict, description="merchant word -> a product, brand, category "
                                     "or store name")  # fmt: skip


class SemanticModel(BaseModel):
    merchant: str
    first_week: date
    last_week: date
    last_day: date
    measures: list[Measure]
    dimensions: list[Dimension]
    catalog: list[ProductInfo]
    stores: list[str]
    store_attributes: dict[str, dict[str, str]]  # column -> store -> value as text
    events: dict[str, list[date]]  # holiday -> the weeks it falls in
    category_words: list[str]
    category_label: str | None
    synonyms: dict[str, str]
    sources: list[str]  # the override files read

    @property
    def chain(self) -> bool:
        return self.stores == ["chain"]

    def dimension(self, name: str) -> Dimension:
        for dim in self.dimensions:
            if dim.name == name:
                return dim
        raise AnalyticsError(f"Unknown dimension {name!r}; known: {', '.join(d.name for d in self.dimensions)}.")

    def measure(self, name: str) -> Measure:
        for m in self.measures:
            if m.name == name:
                return m
        raise AnalyticsError(f"Unknown measure {name!r}; known: {', '.join(m.name for m in self.measures)}.")

    def products_where(self, attribute: str, value: str) -> list[str]:
        """Products whose brand/size/category is ``value`` (case-insensitive)."""
        want = value.lower()
        return [p.product for p in self.catalog if (getattr(p, attribute) or "").lower() == want]

    def values(self, attribute: str) -> list[str]:
        return sorted({v for p in self.catalog if (v := getattr(p, attribute))})


def override_path(merchant: str) -> Path:
    return home() / "semantic" / f"{merchant}.yaml"


def load_overrides(merchant: str) -> tuple[Overrides, list[str]]:
    """The merchant's own file if there is one, else the shipped one; a bad file is an error naming what to fix."""
    for path in (override_path(merchant), data_dir() / "semantic" / f"{merchant}.yaml"):
        if path.exists():
            try:
                return Overrides.model_validate(yaml.safe_load(path.read_text()) or {}), [str(path)]
            except (yaml.YAMLError, ValidationError) as err:
                raise AnalyticsError(f"The semantic file {path} is not valid: {_first(err)}. Fix it or delete it.")
    return Overrides(), []


def _first(err: Exception) -> str:
    if isinstance(err, ValidationError):
        e = err.errors()[0]
        return f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
    return str(err).splitlines()[0]


def semantic_model(merchant: str) -> SemanticModel:
    with reader(merchant) as rd:
        return build_model(rd)


def build_model(rd: Reader) -> SemanticModel:
    """The model of ``rd``'s merchant, from its tenant tables and overrides."""
    data = rd.data_range()
    overrides, sources = load_overrides(rd.merchant)
    present = _present_signals(rd)
    attributes = _store_attributes(rd)
    dims = [d for d in FIXED_DIMENSIONS if d.needs is None or d.needs in present]
    dims += [store_dimension(c) for c in attributes]
    catalog = _catalog(rd, overrides)
    dims = [d for d in dims if d.join != "catalog" or any(getattr(p, d.name) for p in catalog)]
    return SemanticModel(
        merchant=rd.merchant, first_week=data.first_week, last_week=data.last_week, last_day=data.last_day,
        measures=[m for m in MEASURES if m.needs is None or m.needs in present], dimensions=dims, catalog=catalog,
        stores=rd.stores(), store_attributes=attributes, events=_events(rd),
        category_words=overrides.category_words, category_label=overrides.category_label,
        synonyms=overrides.synonyms, sources=sources,
    )  # fmt: skip


def _present_signals(rd: Reader) -> set[str]:
    """Promotion and cost columns with at least one recorded value (tuna records display and wholesale price only,
    oj the margin)."""
    cols = [c for c in (*PROMOTION_COLUMNS, *COST_COLUMNS) if c in rd.columns("sales")]
    if not cols:
        return set()
    row = rd.rows("SELECT " + ", ".join(f"count({c})" for c in cols) + " FROM sales", record=False)[0]
    return {c for c, n in zip(cols, row) if n}


def _catalog(rd: Reader, overrides: Overrides) -> list[ProductInfo]:
    columns: dict[str, dict[str, Any]] = {}
    have = rd.columns("products")
    for attribute, column in (("brand", "brand"), ("size", "size_oz"), ("category", "category")):
        if column in have:
            rows = rd.rows(f'SELECT product, "{column}" FROM products', record=False)
            columns[attribute] = {p: _size(v) if attribute == "size" else v for p, v in rows}
    return build_catalog(rd.products(), columns, overrides.products)


def _size(value: Any) -> str | None:
    if value is None:
        return None
    return f"{float(value):g} oz"


def _store_attributes(rd: Reader) -> dict[str, dict[str, str]]:
    """Store columns that group stores (few distinct values), as text per store."""
    out = {}
    for column in rd.columns("stores"):
        if column in STORE_ATTRIBUTE_SKIP:
            continue
        rows = rd.rows(f'SELECT store, CAST("{column}" AS VARCHAR) FROM stores WHERE "{column}" IS NOT NULL',
                       record=False)  # fmt: skip
        distinct = {v for _, v in rows}
        if 2 <= len(distinct) <= MAX_ATTRIBUTE_VALUES and not _numeric_measurement(distinct):
            out[column] = dict(rows)
    return out


def _numeric_measurement(values: set[str]) -> bool:
    """Shares and distances ("0.2345"): measurements, not groups."""
    return all(_is_decimal(v) for v in values) and any("." in v for v in values)


def _is_decimal(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _events(rd: Reader) -> dict[str, list[date]]:
    if "calendar" not in rd.tables():
        return {}
    rows = rd.rows("SELECT event, list(week_start ORDER BY week_start) FROM calendar WHERE event IS NOT NULL "
                   "GROUP BY event", record=False)  # fmt: skip
    return {e: list(weeks) for e, weeks in rows}
