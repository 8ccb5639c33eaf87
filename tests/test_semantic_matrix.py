"""Every measure × dimension × period kind of the semantic layer, each number checked against pandas.

The expected numbers are computed from the committed Parquet files in ``data/dominicks`` (not from the warehouse and
not with the layer's SQL): each measure's meaning is written out again below in pandas. Only the product catalog
(brand, size: partly inferred from names) is taken from the merchant's semantic model, since inferring it again
would test the inference, not the query.

The matrix is cut to a few hundred fast cases rather than the full product:

* ``oj``: every measure × every dimension, the period kind rotating through ``PERIODS`` by index, so that each
  dimension meets every period kind; plus every measure × every period kind with no breakdown.
* ``tuna`` (chain level, display only): the same two sweeps over its own measures and dimensions.

A breakdown is capped at ``MAX_LIMIT`` rows (top rows by the measure; for a time dimension the latest periods), so
each returned row is compared with pandas, and the row set itself with pandas' top (or latest) groups; ``groups``
must be the number of groups pandas finds. Queries ask for ``output="table"`` so no chart is drawn (the chart is not
what is under test and costs more than the query), and each merchant's semantic model is built once for the module
rather than on every call (``semantic_query`` rebuilds it each time: about 100 ms of a 140 ms query here); the model
is a function of the read-only tenant file, so the numbers are the same, and ``test_the_matrix_covers_every_term``
checks a freshly built one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tools import agent_tools_semantic
from tools.agent_tools_semantic import SalesQueryInput, semantic_query
from tools.analytics_core import NoData, Reader
from tools.semantic.declared import FIXED_DIMENSIONS, MEASURES
from tools.semantic.execute import QueryAnswer
from tools.semantic.model import SemanticModel, build_model, semantic_model
from tools.semantic.query import MAX_LIMIT

DATA = Path(__file__).resolve().parents[1] / "data" / "dominicks"

# What each demo merchant records: oj has deal and feature flags, its margin and store attributes; tuna is one "chain"
# store with display only and its wholesale price. The lists below are checked against the built models by ``test_the_matrix_covers_every_term``.
SIGNALS = {"oj": {"deal", "feature", "profit"}, "tuna": {"display", "wholesale_price"}}
STORE_ATTRIBUTES = {"oj": ["city", "price_tier", "zone"], "tuna": []}
NO_CATEGORY = {"category"}  # neither demo catalog has a category (none recorded, none inferable from the names)
FLAG_LABELS = {"deal": ("on deal", "no deal"), "feature": ("in the ad", "not in the ad"),
               "display": ("on display", "no display")}  # fmt: skip
TIME = {"week", "month", "quarter", "year"}
COUNTS = {"units", "weeks_on_deal", "weeks_on_feature", "weeks_on_display", "weeks_sold", "stores_selling",
          "products_sold"}  # fmt: skip
MONEY = {"revenue"}
DATES = {"first_sold": ("units", "min"), "last_sold": ("units", "max"), "last_on_deal": ("deal", "max"),
         "last_on_feature": ("feature", "max"), "last_on_display": ("display", "max")}  # fmt: skip

EXPLICIT = {"start": date(1991, 11, 7), "end": date(1992, 1, 16), "label": "holiday season 1991"}  # both Thursdays
PERIODS = ["all", "May 1992", "Q3 1991", "last 8 weeks", "explicit"]


def _measures(merchant: str) -> list[str]:
    return [m.name for m in MEASURES if m.needs is None or m.needs in SIGNALS[merchant]]


def _dimensions(merchant: str) -> list[str]:
    fixed = [d.name for d in FIXED_DIMENSIONS if (d.needs is None or d.needs in SIGNALS[merchant])]
    return [d for d in fixed if d not in NO_CATEGORY] + STORE_ATTRIBUTES[merchant]


def _cases(merchant: str) -> list[Any]:
    """Measure × dimension with a rotating period kind, then measure × period kind with no breakdown."""
    out = []
    for mi, measure in enumerate(_measures(merchant)):
        for di, dim in enumerate(_dimensions(merchant)):
            period = PERIODS[(mi + di) % len(PERIODS)]
            out.append(pytest.param(merchant, measure, dim, period, id=f"{merchant}-{measure}-by-{dim}-{period}"))
        for period in PERIODS:
            out.append(pytest.param(merchant, measure, None, period, id=f"{merchant}-{measure}-total-{period}"))
    return out


CASES = _cases("oj") + _cases("tuna")


# ---- the pandas side -----------------------------------------------------------------------------------------------


def _round_cents(values: pd.Series) -> pd.Series:
    """Each row's ``units * price`` to the cent, as the warehouse stores revenue. Rounded from the exact value of the
    computed product: 5975 × 0.8038 is 4802.70499... in binary, so 4802.70 (scaling by 100 first would give .71)."""
    return values.map(lambda v: round(v, 2))


def _frame(merchant: str) -> pd.DataFrame:
    df = pd.read_parquet(DATA / f"{merchant}_sales.parquet")
    df["store"] = df["store"].astype(str) if "store" in df else "chain"
    df["week_start"] = pd.to_datetime(df["week_start"]).dt.date
    df["revenue"] = _round_cents(df["units"] * df["price"])
    catalog = pd.DataFrame([p.model_dump() for p in semantic_model(merchant).catalog])  # brand, size as the model has
    df = df.merge(catalog[["product", "brand", "size", "category"]], on="product", how="left")
    if STORE_ATTRIBUTES[merchant]:
        stores = pd.read_parquet(DATA / f"{merchant}_stores.parquet")[["store", *STORE_ATTRIBUTES[merchant]]]
        stores["store"] = stores["store"].astype(str)
        df = df.merge(stores, on="store", how="left")
    calendar = pd.read_parquet(DATA / "calendar.parquet")[["week_start", "event"]]
    calendar["week_start"] = pd.to_datetime(calendar["week_start"]).dt.date
    df = df.merge(calendar, on="week_start", how="left")
    weeks = pd.to_datetime(df["week_start"])
    df["week"] = [d.isoformat() for d in df["week_start"]]
    df["month"] = weeks.dt.strftime("%Y-%m")
    df["quarter"] = weeks.dt.year.astype(str) + "-Q" + weeks.dt.quarter.astype(str)
    df["year"] = weeks.dt.year.astype(str)
    for flag in SIGNALS[merchant] & set(FLAG_LABELS):
        on, off = FLAG_LABELS[flag]
        df[f"{flag}_label"] = np.where(df[flag] > 0, on, off)  # a missing flag is "not on"
    return df


@pytest.fixture(scope="module")
def frames(built_home: Path) -> dict[str, pd.DataFrame]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SALESCAST_HOME", str(built_home))
        return {merchant: _frame(merchant) for merchant in ("oj", "tuna")}


@pytest.fixture(scope="module")
def one_model_each() -> Iterator[None]:
    """``semantic_query`` with each merchant's model built once per warehouse (see the module docstring)."""
    built: dict[tuple[str, str | None], SemanticModel] = {}

    def cached(rd: Reader) -> SemanticModel:
        key = (rd.merchant, os.environ.get("SALESCAST_HOME"))
        if key not in built:
            built[key] = build_model(rd)
        return built[key]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(agent_tools_semantic, "build_model", cached)
        yield


def _window(period: str, df: pd.DataFrame) -> tuple[date, date] | None:
    if period == "all":
        return None
    if period == "May 1992":
        return date(1992, 5, 1), date(1992, 5, 31)
    if period == "Q3 1991":
        return date(1991, 7, 1), date(1991, 9, 30)
    if period == "last 8 weeks":  # the last data week and the seven before it, to the last data day
        last = df["week_start"].max()
        return last - timedelta(weeks=7), last + timedelta(days=6)
    return EXPLICIT["start"], EXPLICIT["end"]


def _distinct_where(df: pd.DataFrame, keys: list[str], mask: pd.Series, column: str, index: pd.Index) -> pd.Series:
    """How many distinct ``column`` values each group has among its rows where ``mask`` holds (0 where none)."""
    counted = df[mask].groupby(keys, dropna=False)[column].nunique()
    return counted.reindex(index, fill_value=0)


def _expected(df: pd.DataFrame, measure: str, dim: str | None) -> dict[Any, Any]:
    """The measure per group of ``dim`` (one group ``""`` when there is no breakdown), by its meaning."""
    column = f"{dim}_label" if dim in FLAG_LABELS else dim
    if dim is None:
        df, column = df.assign(_all=""), "_all"
    keys = [column]
    groups = df.groupby(keys, dropna=False)
    index = groups.size().index
    units = groups["units"].sum()
    if measure == "units":
        out = units
    elif measure == "revenue":
        out = groups["revenue"].sum()
    elif measure == "avg_price":
        out = groups["price"].mean()
    elif measure == "min_price":
        out = groups["price"].min()
    elif measure == "max_price":
        out = groups["price"].max()
    elif measure in ("share_units", "share_revenue"):
        part = units if measure == "share_units" else groups["revenue"].sum()
        total = part.sum()  # of everything in the period: no filter to drop
        out = 100.0 * part / total if total else part * np.nan
    elif measure.startswith("weeks_on_"):
        flag = measure.removeprefix("weeks_on_")
        out = _distinct_where(df, keys, df[flag] > 0, "week_start", index)
    elif measure == "weeks_sold":
        out = _distinct_where(df, keys, df["units"] > 0, "week_start", index)
    elif measure == "stores_selling":
        out = _distinct_where(df, keys, df["units"] > 0, "store", index)
    elif measure == "products_sold":
        out = _distinct_where(df, keys, df["units"] > 0, "product", index)
    elif measure == "avg_weekly_units":
        out = units / groups["week_start"].nunique()
    elif measure == "units_per_store_week":
        out = groups["units"].mean()
    elif measure == "margin_pct":
        out = groups["profit"].mean()
    elif measure == "wholesale_cost":
        out = groups["wholesale_price"].mean()
    elif measure == "median_units":
        out = groups["units"].median()
    elif measure in DATES:
        flag, pick = DATES[measure]
        hits = df[df[flag] > 0].groupby(keys, dropna=False)["week_start"]
        out = (hits.min() if pick == "min" else hits.max()).map(lambda d: d.isoformat()).reindex(index)
    elif measure == "unit_margin":
        out = df.assign(_m=df["price"] - df["wholesale_price"]).groupby(keys, dropna=False)["_m"].mean()
    else:
        raise AssertionError(f"the matrix has no pandas meaning for {measure!r}")
    return {_norm(k[0] if isinstance(k, tuple) else k): _plain(v) for k, v in out.items()}


def _norm(value: Any) -> Any:
    """One spelling for a group key on both sides: text, or None for a missing value."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return str(value)


def _plain(value: Any) -> float | int | str | None:
    if value is None or pd.isna(value):
        return None
    if isinstance(value, str):  # a date measure's ISO week
        return value
    return int(value) if isinstance(value, (int, np.integer)) else float(value)


def _close(got: Any, want: Any, measure: str, where: str) -> None:
    if want is None:
        assert got is None, f"{where}: expected no value, got {got}"
        return
    assert got is not None, f"{where}: expected {want}, got none"
    if measure in COUNTS or measure in DATES:
        assert got == want, f"{where}: {got} != {want}"
    else:  # answers carry cents: rounded to 2 decimals; revenue is a sum of per-row rounded cents
        assert got == pytest.approx(want, abs=0.011 if measure in MONEY else 0.0051), where


def _ranked(values: list[Any]) -> list[Any]:
    """Largest first, missing values last (``ORDER BY measure DESC NULLS LAST``)."""
    return sorted((v for v in values if v is not None), reverse=True) + [v for v in values if v is None]


# ---- the matrix ----------------------------------------------------------------------------------------------------


def _ask(merchant: str, measure: str, dim: str | None, period: str) -> QueryAnswer:
    when: Any = None if period == "all" else EXPLICIT if period == "explicit" else period
    args = SalesQueryInput(measures=[measure], by=[dim] if dim else [], period=when, output="table")
    return semantic_query(merchant, args)[0]


@pytest.mark.parametrize(("merchant", "measure", "dim", "period"), CASES)
def test_measure_by_dimension_in_period_matches_pandas(
    home: Path,
    one_model_each: None,
    frames: dict[str, pd.DataFrame],
    merchant: str,
    measure: str,
    dim: str | None,
    period: str,
) -> None:
    df = frames[merchant]
    window = _window(period, df)
    scope = df if window is None else df[(df["week_start"] >= window[0]) & (df["week_start"] <= window[1])]
    if scope.empty:
        with pytest.raises(NoData):
            _ask(merchant, measure, dim, period)
        return
    answer = _ask(merchant, measure, dim, period)
    q = answer.query
    assert (None if q.period is None else (q.period.start, q.period.end)) == window  # the phrase read as pandas did
    if period == "explicit":
        assert answer.scope == f"all products and stores, {EXPLICIT['label']}"
    expected = _expected(scope, measure, dim)
    where = f"{merchant} {measure} by {dim or 'nothing'}, {period}"

    if dim is None:
        assert len(answer.rows) == 1 and answer.rows[0].key == {}
        assert answer.groups is None
        _close(answer.rows[0].values[measure], expected[""], measure, where)
        return

    assert answer.groups == len(expected), where
    assert len(answer.rows) == min(len(expected), MAX_LIMIT), where
    got = {_norm(r.key[dim]): r.values[measure] for r in answer.rows}
    assert len(got) == len(answer.rows), f"{where}: a group came back twice"
    for key, value in got.items():
        assert key in expected, f"{where}: group {key!r} is not in the data"
        _close(value, expected[key], measure, f"{where}, {dim} {key}")
    shown = [_norm(r.key[dim]) for r in answer.rows]
    if dim in TIME:  # the latest periods, oldest first
        assert shown == sorted(expected)[-MAX_LIMIT:], where
    else:  # the top groups by the measure, largest first (ties may come in any order: compare the values)
        top = _ranked(list(expected.values()))[: len(answer.rows)]
        for got_value, want in zip([r.values[measure] for r in answer.rows], top, strict=True):
            _close(got_value, want, measure, f"{where}, ranking")


def test_the_matrix_covers_every_term(home: Path) -> None:
    """The parametrized lists are exactly the built models' measures and dimensions (less the absent category)."""
    for merchant in ("oj", "tuna"):
        model = semantic_model(merchant)
        assert _measures(merchant) == [m.name for m in model.measures]
        assert _dimensions(merchant) == [d.name for d in model.dimensions]
        assert list(model.store_attributes) == STORE_ATTRIBUTES[merchant]
        assert not any(p.category for p in model.catalog)
    assert len(CASES) == sum(len(_measures(m)) * (len(_dimensions(m)) + len(PERIODS)) for m in ("oj", "tuna"))
