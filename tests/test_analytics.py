"""Data coverage, period phrases and name resolution on the real demo warehouse, checked against pandas on the
committed Parquet files (past-sales numbers are ``sales_query``'s: tests/test_semantic_compile.py)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from forecasting.names import UnknownName
from forecasting.warehouse.errors import InvalidMerchantName
from tools.analytics_core import BadArgument, BadPeriod, DataRange, NoData
from tools.analytics_coverage import data_coverage
from tools.analytics_models import DataCoverageArgs
from tools.analytics_periods import ACCEPTED as ACCEPTED_PERIODS
from tools.analytics_periods import parse_period, resolve_period

DATA = Path(__file__).resolve().parents[1] / "data" / "dominicks"
CENT = 0.011


def _sales(name: str, store: str | None = None) -> pd.DataFrame:
    df = pd.read_parquet(DATA / f"{name}_sales.parquet")
    df["store"] = df["store"].astype(str) if store is None else store
    df["week_start"] = pd.to_datetime(df["week_start"]).dt.date
    df["revenue"] = (df["units"] * df["price"]).round(2)
    return df


@pytest.fixture(scope="module")
def oj() -> pd.DataFrame:
    return _sales("oj")


@pytest.fixture(scope="module")
def tuna() -> pd.DataFrame:
    return _sales("tuna", store="chain")


def _between(df: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    return df[(df["week_start"] >= start) & (df["week_start"] <= end)]


def _last_day(df: pd.DataFrame) -> date:
    return df["week_start"].max() + timedelta(days=6)


# ---- data_coverage -------------------------------------------------------------------------------------------------


def test_coverage_matches_pandas(home: Path, oj: pd.DataFrame) -> None:
    result = data_coverage("oj")
    weeks = oj["week_start"].nunique()
    series = oj.groupby(["store", "product"]).ngroups
    assert (result.first_week, result.last_week) == (oj["week_start"].min(), oj["week_start"].max())
    assert result.last_day == _last_day(oj)
    assert (result.rows, result.n_weeks, result.n_series) == (len(oj), weeks, series)
    assert (result.n_products, result.n_stores) == (oj["product"].nunique(), oj["store"].nunique())
    assert result.missing_row_share_pct == pytest.approx(100 * (1 - len(oj) / (series * weeks)), abs=0.01)
    assert {"units", "price", "deal", "feature"} <= set(result.measures)
    assert "competitor_prices" in result.tables
    assert str(result.last_week) in result.relative_periods


def test_tuna_coverage_lists_its_gaps(home: Path, tuna: pd.DataFrame) -> None:
    result = data_coverage("tuna")
    present = set(tuna["week_start"])
    first, last = min(present), max(present)
    grid = [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]
    missing = [w for w in grid if w not in present]
    listed = [g.start + timedelta(weeks=i) for g in result.gaps for i in range(g.weeks)]
    assert missing and listed == missing
    assert result.weeks_in_range == len(grid)
    assert result.missing_week_share_pct == pytest.approx(100 * len(missing) / len(grid), abs=0.01)
    assert "deal" not in result.measures and "display" in result.measures
    assert result.stores == ["chain"] and "competitor_prices" not in result.tables


# ---- periods -------------------------------------------------------------------------------------------------------

RANGE = DataRange(first_week=date(1990, 6, 14), last_week=date(1992, 10, 1), last_day=date(1992, 10, 7))


@pytest.mark.parametrize(
    ("phrase", "start", "end"),
    [
        ("last week", date(1992, 10, 1), date(1992, 10, 7)),
        ("last 4 weeks", date(1992, 9, 10), date(1992, 10, 7)),
        ("over the past two weeks", date(1992, 9, 24), date(1992, 10, 7)),
        ("last month", date(1992, 9, 1), date(1992, 9, 30)),
        ("Last 3 Months", date(1992, 7, 1), date(1992, 9, 30)),
        ("this month", date(1992, 10, 1), date(1992, 10, 7)),
        ("last quarter", date(1992, 7, 1), date(1992, 9, 30)),
        ("last 2 quarters", date(1992, 4, 1), date(1992, 9, 30)),
        ("this year", date(1992, 1, 1), date(1992, 10, 7)),
        ("last year", date(1991, 1, 1), date(1991, 12, 31)),
        ("Q3 1992", date(1992, 7, 1), date(1992, 9, 30)),
        ("1991-q1", date(1991, 1, 1), date(1991, 3, 31)),
        ("1992-09", date(1992, 9, 1), date(1992, 9, 30)),
        ("Sept 1991", date(1991, 9, 1), date(1991, 9, 30)),
        ("in 1991", date(1991, 1, 1), date(1991, 12, 31)),
        ("1992-01-01 to 1992-03-31", date(1992, 1, 1), date(1992, 3, 31)),
        ("between 1992-1-5 and 1992-02-01", date(1992, 1, 5), date(1992, 2, 1)),
        ("all data", date(1990, 6, 14), date(1992, 10, 7)),
        ("first half of 1991", date(1991, 1, 1), date(1991, 6, 30)),
        ("H2 1991", date(1991, 7, 1), date(1991, 12, 31)),
        ("summer 1991", date(1991, 6, 1), date(1991, 8, 31)),
        ("winter 1991", date(1991, 12, 1), date(1992, 2, 29)),
        ("September", date(1992, 9, 1), date(1992, 9, 30)),
        ("december", date(1991, 12, 1), date(1991, 12, 31)),
        ("since June 1992", date(1992, 6, 1), date(1992, 10, 7)),
        ("June to August 1992", date(1992, 6, 1), date(1992, 8, 31)),
        ("from Q4 1991 through 1992-02", date(1991, 10, 1), date(1992, 2, 29)),
    ],
)
def test_period_phrases_resolve_against_the_last_data_week(phrase: str, start: date, end: date) -> None:
    assert parse_period(phrase, RANGE)[:2] == (start, end)


def test_last_month_ends_before_the_month_holding_the_last_week() -> None:
    mid_month = DataRange(date(1990, 1, 4), date(1992, 6, 11), date(1992, 6, 17))
    assert parse_period("last month", mid_month)[:2] == (date(1992, 5, 1), date(1992, 5, 31))
    month_end = DataRange(date(1990, 1, 4), date(1992, 6, 24), date(1992, 6, 30))
    assert parse_period("last month", month_end)[:2] == (date(1992, 6, 1), date(1992, 6, 30))


def test_last_month_is_the_month_the_data_covers_nearly_all_of() -> None:
    two_days_short = DataRange(date(2024, 6, 1), date(2026, 5, 23), date(2026, 5, 29))
    assert parse_period("last month", two_days_short)[:2] == (date(2026, 5, 1), date(2026, 5, 31))
    a_week_short = DataRange(date(2024, 6, 1), date(2026, 5, 18), date(2026, 5, 24))
    assert parse_period("last month", a_week_short)[:2] == (date(2026, 4, 1), date(2026, 4, 30))


def test_last_year_is_the_year_before_this_year_when_the_last_week_runs_into_january() -> None:
    straddling = DataRange(date(2023, 1, 1), date(2024, 12, 29), date(2025, 1, 4))
    assert parse_period("this year", straddling)[0] == date(2024, 1, 1)
    assert parse_period("last year", straddling)[:2] == (date(2023, 1, 1), date(2023, 12, 31))


@pytest.mark.parametrize(
    "phrase", ["yesterday", "next month", "Q5 1992", "last fortnight", "1992/13/01", "", "mars to venus", "since then"]
)
def test_bad_periods_list_the_accepted_forms(phrase: str) -> None:
    with pytest.raises(BadPeriod) as err:
        parse_period(phrase, RANGE)
    assert ACCEPTED_PERIODS in str(err.value) and "1992-10-01" in str(err.value)


@pytest.mark.parametrize(
    ("phrase", "hint"),
    [("1992-13", "Month 13"), ("1992-02-30 to 1992-03-01", "YYYY-MM-DD"), ("last 0 weeks", "between 1 and")],
)
def test_impossible_periods_say_what_to_fix(phrase: str, hint: str) -> None:
    with pytest.raises(BadPeriod, match=hint):
        parse_period(phrase, RANGE)


def test_periods_follow_each_merchants_own_data(home: Path, oj: pd.DataFrame, tuna: pd.DataFrame) -> None:
    for merchant, df in (("oj", oj), ("tuna", tuna)):
        start, end, label = resolve_period(merchant, "last 4 weeks")
        assert (start, end) == (df["week_start"].max() - timedelta(weeks=3), _last_day(df))
        assert str(start) in label
    with pytest.raises(NoData, match="1990-06-14 to 1992-10-07"):
        resolve_period("oj", "1995")


# ---- names ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("product", "store", "products", "resolved_store"),
    [
        ("tropicana 64", "store 12", ["Tropicana 64 oz"], "12"),
        ("TROPICANA premium 96", "#12", ["Tropicana Premium 96 oz"], "12"),
        ("dominick's 128", 12, ["Dominicks 128 oz"], "12"),
        ("florida natural", "Store 5", ["Florida's Natural 64 oz"], "5"),
        ("Minute Maid", "all stores", ["Minute Maid 64 oz", "Minute Maid 96 oz"], None),
    ],
)
def test_names_resolve_as_merchants_write_them(
    home: Path, product: str, store: str | int, products: list[str], resolved_store: str | None
) -> None:
    scope = data_coverage("oj", product=product, store=store).scope
    assert (scope.products, scope.store) == (products, resolved_store)


def test_unknown_and_ambiguous_names_list_close_matches(home: Path) -> None:
    with pytest.raises(UnknownName, match="Did you mean: .*Tropicana Premium 64 oz") as err:
        data_coverage("oj", product="tropicanna premum")
    assert err.value.matches
    with pytest.raises(UnknownName, match="could be several products.*Minute Maid 64 oz, Minute Maid 96 oz"):
        data_coverage("oj", product="minute")
    with pytest.raises(UnknownName, match="Unknown store 'store 999'"):
        data_coverage("oj", store="store 999")


# ---- isolation and injection ---------------------------------------------------------------------------------------


def test_tuna_never_sees_oj(home: Path, oj: pd.DataFrame, tuna: pd.DataFrame) -> None:
    coverage = data_coverage("tuna")
    assert coverage.rows == len(tuna) and set(coverage.products) == set(tuna["product"])
    assert not set(coverage.products) & set(oj["product"])
    with pytest.raises(UnknownName, match="Unknown product 'tropicana 64'.*Star Kist"):
        data_coverage("tuna", product="tropicana 64")
    with pytest.raises(UnknownName):
        data_coverage("tuna", store="12")


def test_the_merchant_is_never_an_argument(home: Path) -> None:
    with pytest.raises(BadArgument, match="merchant: Extra inputs are not permitted"):
        data_coverage("tuna", merchant="oj")
    with pytest.raises(ValueError, match="Extra inputs"):
        DataCoverageArgs(merchant="oj")  # type: ignore[call-arg]
    with pytest.raises(InvalidMerchantName):
        data_coverage("oj' OR 1=1 --")
    as_model = data_coverage("tuna", DataCoverageArgs(product="star kist"))
    assert as_model == data_coverage("tuna", product="star kist") == data_coverage("tuna", {"product": "star kist"})
    with pytest.raises(BadArgument, match="not both"):
        data_coverage("tuna", DataCoverageArgs(product="star kist"), store="chain")


@pytest.mark.parametrize(
    "field",
    [
        {"product": "x' OR '1'='1"},
        {"product": "tropicana'; DROP TABLE sales; --"},
        {"store": "12 OR 1=1"},
        {"store": "12'; SELECT * FROM read_csv('/etc/passwd'); --"},
    ],
)
def test_sql_in_arguments_is_only_data(home: Path, field: dict[str, str]) -> None:
    with pytest.raises(UnknownName):
        data_coverage("oj", **field)
    assert data_coverage("oj").rows > 100_000  # still all there


def test_values_travel_as_parameters(home: Path, oj: pd.DataFrame) -> None:
    result = data_coverage("oj", product="florida's natural", store="store 12")
    for query in result.queries:
        assert "Florida" not in query.sql and "'12'" not in query.sql
    assert any("Florida's Natural 64 oz" in q.params and "12" in q.params for q in result.queries)
    rows = oj[(oj["product"] == "Florida's Natural 64 oz") & (oj["store"] == "12")]
    assert result.rows == len(rows) and result.first_week == rows["week_start"].min()
