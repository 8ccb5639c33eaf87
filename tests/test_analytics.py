"""Sales analytics on the real demo warehouse, each number checked against pandas on the committed Parquet files."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from forecasting.warehouse.errors import InvalidMerchantName
from tools.analytics import (
    ACCEPTED_PERIODS,
    CAVEAT,
    MAX_ROWS,
    BadArgument,
    BadPeriod,
    NoData,
    TopItemsArgs,
    UnknownName,
    compare_periods,
    data_coverage,
    price_history,
    promotion_effect,
    resolve_period,
    sales_trend,
    top_items,
)
from tools.analytics_core import DataRange
from tools.analytics_periods import parse_period

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


# ---- top_items -----------------------------------------------------------------------------------------------------


def test_top_products_by_units_last_quarter_match_pandas(home: Path, oj: pd.DataFrame) -> None:
    result = top_items("oj", period="last quarter", n=3)
    now = _last_day(oj) + timedelta(days=1)
    q_start = date(now.year, 3 * ((now.month - 1) // 3) + 1, 1)
    start = date(q_start.year - (q_start.month == 1), (q_start.month - 4) % 12 + 1, 1)
    window = _between(oj, start, q_start - timedelta(days=1))
    totals = window.groupby("product")[["units", "revenue"]].sum().sort_values("units", ascending=False)

    assert (result.scope.start, result.scope.end) == (start, q_start - timedelta(days=1))
    assert [i.name for i in result.items] == list(totals.index[:3])
    assert [i.units for i in result.items] == list(totals["units"][:3])
    assert [i.revenue for i in result.items] == pytest.approx(list(totals["revenue"][:3]), abs=CENT * len(window))
    assert result.total_units == totals["units"].sum()
    assert result.n_items == len(totals)
    shares = 100 * totals["units"] / totals["units"].sum()
    assert [i.share_pct for i in result.items] == pytest.approx(list(shares[:3]), abs=0.01)
    assert result.others_share_pct == pytest.approx(shares[3:].sum(), abs=0.02)
    assert result.notes and "top 3 of 11" in result.notes[0]


def test_top_stores_by_revenue_for_one_product_match_pandas(home: Path, oj: pd.DataFrame) -> None:
    result = top_items("oj", by="store", metric="revenue", product="tropicana 64", start="1991-01-01", n=5)
    rows = oj[(oj["product"] == "Tropicana 64 oz") & (oj["week_start"] >= date(1991, 1, 1))]
    totals = rows.groupby("store")["revenue"].sum().sort_values(ascending=False)

    assert result.scope.products == ["Tropicana 64 oz"]
    assert [i.name for i in result.items] == list(totals.index[:5])
    assert [i.revenue for i in result.items] == pytest.approx(list(totals[:5]), abs=1.0)
    assert result.total_revenue == pytest.approx(totals.sum(), rel=1e-9, abs=len(rows) * CENT)
    assert result.n_items == rows["store"].nunique()


def test_worst_stores_list_the_weakest_first(home: Path, oj: pd.DataFrame) -> None:
    result = top_items("oj", by="store", rank="worst", start="1992-01-01", n=3)
    totals = oj[oj["week_start"] >= date(1992, 1, 1)].groupby("store")["units"].sum().sort_values()
    assert result.rank == "worst" and [i.name for i in result.items] == list(totals.index[:3])
    assert [i.units for i in result.items] == list(totals[:3]) and "bottom 3 of" in result.notes[0]


def test_tuna_top_products_cover_every_product(home: Path, tuna: pd.DataFrame) -> None:
    result = top_items("tuna", metric="revenue", n=25)
    totals = tuna.groupby("product")["revenue"].sum().sort_values(ascending=False)
    assert [i.name for i in result.items] == list(totals.index)
    assert result.others_share_pct == pytest.approx(0.0, abs=0.01)
    assert sum(i.share_pct for i in result.items) == pytest.approx(100.0, abs=0.05)


def test_row_limits(home: Path, oj: pd.DataFrame) -> None:
    stores = top_items("oj", by="store", n=MAX_ROWS)
    assert len(stores.items) == MAX_ROWS == 25
    assert stores.n_items == oj["store"].nunique() > MAX_ROWS
    with pytest.raises(BadArgument, match="n: .*less than or equal to 25"):
        top_items("oj", n=26)
    trend = sales_trend("oj", grain="week")
    assert len(trend.points) <= MAX_ROWS
    coverage = data_coverage("oj")
    assert len(coverage.stores) == MAX_ROWS and coverage.stores_truncated


def test_recorded_queries_reproduce_the_numbers(home: Path) -> None:
    result = top_items("oj", product="minute maid", store="store 12", period="1992", n=2)
    assert result.queries and all("?" in q.sql for q in result.queries)
    con = duckdb.connect(str(home / "tenants" / "oj.duckdb"), read_only=True)
    try:
        rows = con.execute(result.queries[-1].sql, result.queries[-1].params).fetchall()
    finally:
        con.close()
    assert [r[0] for r in rows] == [i.name for i in result.items]
    assert [r[1] for r in rows] == [i.units for i in result.items]


# ---- sales_trend ---------------------------------------------------------------------------------------------------


def test_monthly_trend_matches_pandas(home: Path, oj: pd.DataFrame) -> None:
    result = sales_trend("oj", product="tropicana 64", store=12, grain="month", period="this year")
    last = oj["week_start"].max()
    rows = oj[(oj["product"] == "Tropicana 64 oz") & (oj["store"] == "12")]
    rows = _between(rows, date(last.year, 1, 1), _last_day(oj))
    months = rows.groupby(rows["week_start"].map(lambda d: d.strftime("%Y-%m")))
    expected = months.agg(units=("units", "sum"), revenue=("revenue", "sum"), weeks=("week_start", "nunique"))

    assert result.grain == "month"
    assert [p.period for p in result.points] == list(expected.index)
    assert [p.units for p in result.points] == list(expected["units"])
    assert [p.weeks for p in result.points] == list(expected["weeks"])
    assert [p.revenue for p in result.points] == pytest.approx(list(expected["revenue"]), abs=0.05)
    assert [p.mean_weekly_units for p in result.points] == pytest.approx(
        list(expected["units"] / expected["weeks"]), abs=0.01
    )
    assert result.total_units == rows["units"].sum()
    assert result.points[-1].partial and not result.points[0].partial  # the last month runs past the data


def test_weekly_trend_is_coarsened_to_fit_and_says_so(home: Path, oj: pd.DataFrame) -> None:
    result = sales_trend("oj", grain="week")
    assert oj["week_start"].nunique() > MAX_ROWS
    assert result.grain_requested == "week" and result.grain != "week"
    assert any("coarsened" in n for n in result.notes)
    assert sum(p.units for p in result.points) == oj["units"].sum() == result.total_units
    assert result.points[0].partial  # the data starts mid-period


def test_yearly_tuna_trend_counts_weeks_with_data(home: Path, tuna: pd.DataFrame) -> None:
    result = sales_trend("tuna", grain="year")
    years = tuna.groupby(tuna["week_start"].map(lambda d: str(d.year)))
    assert [p.period for p in result.points] == list(years.groups)
    assert [p.units for p in result.points] == list(years["units"].sum())
    assert [p.weeks for p in result.points] == list(years["week_start"].nunique())
    assert result.points[0].partial and result.points[-1].partial
    assert not any(p.partial for p in result.points[1:-1])


# ---- compare_periods -----------------------------------------------------------------------------------------------


def test_compare_quarters_for_a_brand_matches_pandas(home: Path, oj: pd.DataFrame) -> None:
    result = compare_periods("oj", period_a="Q3 1991", period_b="1992-Q3", product="Minute Maid")
    brand = oj[oj["product"].str.startswith("Minute Maid")]
    a = _between(brand, date(1991, 7, 1), date(1991, 9, 30))
    b = _between(brand, date(1992, 7, 1), date(1992, 9, 30))

    assert result.scope.brand == "Minute Maid"
    assert result.scope.products == ["Minute Maid 64 oz", "Minute Maid 96 oz"]
    assert (result.period_a.units, result.period_b.units) == (a["units"].sum(), b["units"].sum())
    assert result.period_a.weeks == a["week_start"].nunique()
    assert result.change_units == b["units"].sum() - a["units"].sum()
    assert result.change_units_pct == pytest.approx(100 * (b["units"].sum() / a["units"].sum() - 1), abs=0.01)
    assert result.change_revenue_pct == pytest.approx(100 * (b["revenue"].sum() / a["revenue"].sum() - 1), abs=0.01)


def test_compare_date_ranges_of_different_length(home: Path, tuna: pd.DataFrame) -> None:
    first, second = ("1992-01-01", "1992-03-31"), (date(1993, 1, 1), date(1993, 1, 31))
    result = compare_periods("tuna", period_a=first, period_b=second, product="star kist")
    star = tuna[tuna["product"] == "Star Kist 6 oz"]
    a = _between(star, date(1992, 1, 1), date(1992, 3, 31))
    b = _between(star, *second)
    assert result.period_a.mean_weekly_units == pytest.approx(a["units"].mean(), abs=0.01)
    assert result.period_b.mean_weekly_units == pytest.approx(b["units"].mean(), abs=0.01)
    assert any("mean_weekly_units" in n for n in result.notes)


def test_compare_rejects_a_backwards_range(home: Path) -> None:
    with pytest.raises(BadPeriod, match="swap"):
        compare_periods("oj", period_a=("1992-03-01", "1992-01-01"), period_b="last month")


# ---- promotion_effect ----------------------------------------------------------------------------------------------


def test_promotion_effect_matches_pandas_and_carries_the_caveat(home: Path, oj: pd.DataFrame) -> None:
    result = promotion_effect("oj", product="tropicana 64", period="last year")
    year = _last_day(oj).year - 1
    rows = _between(oj[oj["product"] == "Tropicana 64 oz"], date(year, 1, 1), date(year, 12, 31))
    by_signal = {s.signal: s for s in result.signals}

    assert set(by_signal) == {"deal", "feature"} and result.not_recorded == ["display"]
    for column in ("deal", "feature"):
        on, off = rows[rows[column] > 0], rows[rows[column] == 0]
        signal = by_signal[column]
        assert (signal.weeks_with, signal.weeks_without) == (len(on), len(off))
        assert signal.mean_units_with == pytest.approx(on["units"].mean(), abs=0.01)
        assert signal.mean_units_without == pytest.approx(off["units"].mean(), abs=0.01)
        assert signal.lift == pytest.approx(on["units"].mean() / off["units"].mean(), abs=0.001)
        assert signal.mean_price_with == pytest.approx(on["price"].mean(), abs=1e-4)
    assert result.caveat == CAVEAT
    assert "naive" in result.caveat.lower() and "not the causal effect" in result.caveat
    assert any("price cut" in n for n in result.notes)


def test_tuna_records_only_display(home: Path, tuna: pd.DataFrame) -> None:
    result = promotion_effect("tuna")
    assert [s.signal for s in result.signals] == ["display"]
    assert sorted(result.not_recorded) == ["deal", "feature"]
    assert result.signals[0].weeks_with == (tuna["display"] > 0).sum()
    assert any("pooled" in n for n in result.notes)
    assert result.caveat


# ---- price_history -------------------------------------------------------------------------------------------------


def test_weekly_prices_and_competitors_match_pandas(home: Path, oj: pd.DataFrame) -> None:
    result = price_history("oj", product="Tropicana 64", store="store 12", period="last 8 weeks")
    last = oj["week_start"].max()
    own = _between(oj[(oj["product"] == "Tropicana 64 oz") & (oj["store"] == "12")], last - timedelta(weeks=7), last)

    assert result.grain == "week" and result.product == "Tropicana 64 oz"
    assert [p.start for p in result.points] == sorted(own["week_start"])
    assert [p.mean_price for p in result.points] == pytest.approx(list(own.sort_values("week_start")["price"]))
    assert [p.deal_share_pct for p in result.points] == list(100.0 * own.sort_values("week_start")["deal"])
    assert result.summary.min_price == pytest.approx(own["price"].min())
    assert result.summary.max_price == pytest.approx(own["price"].max())
    assert result.summary.mean_price_per_oz == pytest.approx(own["price"].mean() / 64, abs=1e-5)

    shelf = pd.read_parquet(DATA / "oj_prices.parquet")
    shelf["week_start"] = pd.to_datetime(shelf["week_start"]).dt.date
    shelf = shelf[(shelf["store"] == 12) & (shelf["product"] != "Tropicana 64 oz")]
    joined = own[["week_start", "price"]].merge(shelf, on="week_start", suffixes=("_own", ""))
    expected = joined.groupby("product").agg(mean=("price", "mean"))
    expected["gap"] = joined.assign(gap=joined["price_own"] - joined["price"]).groupby("product")["gap"].mean()
    got = {c.competitor: c for c in result.competitors}
    assert set(got) == set(expected.index)
    for name, row in expected.iterrows():
        assert got[name].mean_price == pytest.approx(row["mean"], abs=1e-4)
        assert got[name].gap == pytest.approx(row["gap"], abs=1e-4)


def test_price_history_over_all_data_fits_and_tuna_has_no_competitors(home: Path, tuna: pd.DataFrame) -> None:
    result = price_history("tuna", product="star kist")
    assert len(result.points) <= MAX_ROWS and result.grain != "week"
    assert result.competitors == [] and any("competitor" in n for n in result.notes)
    star = tuna[tuna["product"] == "Star Kist 6 oz"]
    assert result.summary.mean_price == pytest.approx(star["price"].mean(), abs=1e-4)
    assert result.summary.min_week == star.loc[star["price"].idxmin(), "week_start"]


def test_price_history_needs_one_product(home: Path) -> None:
    with pytest.raises(BadArgument, match="Minute Maid 64 oz, Minute Maid 96 oz"):
        price_history("oj", product="Minute Maid")
    with pytest.raises(BadArgument, match="product: Field required"):
        price_history("oj")


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
    with pytest.raises(BadArgument, match="either a period"):
        top_items("oj", period="last month", start="1992-01-01")
    with pytest.raises(BadArgument, match="YYYY-MM-DD"):
        top_items("oj", start="last month")


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
    scope = top_items("oj", product=product, store=store).scope
    assert (scope.products, scope.store) == (products, resolved_store)


def test_unknown_and_ambiguous_names_list_close_matches(home: Path) -> None:
    with pytest.raises(UnknownName, match="Did you mean: .*Tropicana Premium 64 oz") as err:
        top_items("oj", product="tropicanna premum")
    assert err.value.matches
    with pytest.raises(UnknownName, match="could be several products.*Minute Maid 64 oz, Minute Maid 96 oz"):
        sales_trend("oj", product="minute")
    with pytest.raises(UnknownName, match="Unknown store 'store 999'"):
        data_coverage("oj", store="store 999")


# ---- isolation and injection ---------------------------------------------------------------------------------------


def test_tuna_never_sees_oj(home: Path, oj: pd.DataFrame, tuna: pd.DataFrame) -> None:
    tops = top_items("tuna", n=25)
    assert {i.name for i in tops.items} == set(tuna["product"])
    assert not {i.name for i in tops.items} & set(oj["product"])
    coverage = data_coverage("tuna")
    assert coverage.rows == len(tuna) and set(coverage.products) == set(tuna["product"])
    with pytest.raises(UnknownName, match="Unknown product 'tropicana 64'.*Star Kist"):
        top_items("tuna", product="tropicana 64")
    with pytest.raises(UnknownName):
        top_items("tuna", store="12")


def test_the_merchant_is_never_an_argument(home: Path) -> None:
    with pytest.raises(BadArgument, match="merchant: Extra inputs are not permitted"):
        top_items("tuna", merchant="oj")
    with pytest.raises(ValueError, match="Extra inputs"):
        TopItemsArgs(merchant="oj")  # type: ignore[call-arg]
    with pytest.raises(InvalidMerchantName):
        top_items("oj' OR 1=1 --")
    as_model = top_items("tuna", TopItemsArgs(n=2, metric="revenue"))
    assert as_model == top_items("tuna", n=2, metric="revenue") == top_items("tuna", {"n": 2, "metric": "revenue"})
    with pytest.raises(BadArgument, match="not both"):
        top_items("tuna", TopItemsArgs(n=2), n=3)


@pytest.mark.parametrize(
    "field",
    [
        {"product": "x' OR '1'='1"},
        {"product": "tropicana'; DROP TABLE sales; --"},
        {"store": "12 OR 1=1"},
        {"store": "12'; SELECT * FROM read_csv('/etc/passwd'); --"},
        {"period": "1992-01-01' OR 1=1 --"},
        {"period": "last 4 weeks; DROP TABLE sales"},
    ],
)
def test_sql_in_arguments_is_only_data(home: Path, field: dict[str, str]) -> None:
    with pytest.raises((UnknownName, BadPeriod)):
        top_items("oj", **field)
    assert data_coverage("oj").rows > 100_000  # still all there


def test_values_travel_as_parameters(home: Path, oj: pd.DataFrame) -> None:
    result = sales_trend("oj", product="florida's natural", store="store 12", period="last 8 weeks")
    for query in result.queries:
        assert "Florida" not in query.sql and "'12'" not in query.sql
    assert "Florida's Natural 64 oz" in result.queries[-1].params and "12" in result.queries[-1].params
    rows = oj[(oj["product"] == "Florida's Natural 64 oz") & (oj["store"] == "12")]
    assert (
        result.total_units == _between(rows, oj["week_start"].max() - timedelta(weeks=7), _last_day(oj))["units"].sum()
    )
