"""The semantic compiler and executor on the real demo warehouse, each number checked against an independent pandas
computation over the committed Parquet files (not against the same SQL), plus parameter binding and bad inputs."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from pydantic import ValidationError

from tools.agent_tools_base import clean
from tools.agent_tools_semantic import SalesQueryInput, semantic_query
from tools.analytics_core import AnalyticsError, BadArgument, BadPeriod, NoData, reader
from tools.guarded_sql import run_sql
from tools.semantic.answer import answer_text
from tools.semantic.compile import compile_query
from tools.semantic.execute import QueryAnswer, execute
from tools.semantic.model import build_model
from tools.semantic.query import Filter, SemanticQuery, Window

DATA = Path(__file__).resolve().parents[1] / "data" / "dominicks"
CENT = 0.011


@pytest.fixture(scope="module")
def oj() -> pd.DataFrame:
    df = pd.read_parquet(DATA / "oj_sales.parquet")
    df["store"] = df["store"].astype(str)
    df["week_start"] = pd.to_datetime(df["week_start"]).dt.date
    df["revenue"] = (df["units"] * df["price"]).round(2)
    brands = pd.read_parquet(DATA / "oj_products.parquet")[["product", "brand"]]
    stores = pd.read_parquet(DATA / "oj_stores.parquet")[["store", "city", "price_tier"]]
    stores["store"] = stores["store"].astype(str)
    return df.merge(brands, on="product", how="left").merge(stores, on="store", how="left")


def _ask(merchant: str = "oj", **args: object) -> QueryAnswer:
    return semantic_query(merchant, SalesQueryInput(**args))[0]


def _between(df: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    return df[(df["week_start"] >= start) & (df["week_start"] <= end)]


def _year(df: pd.DataFrame, year: int) -> pd.DataFrame:
    return _between(df, date(year, 1, 1), date(year, 12, 31))


def _keyed(answer: QueryAnswer, measure: str = "units") -> dict:
    return {next(iter(r.key.values())): r.values[measure] for r in answer.rows}


# ---- totals and breakdowns -----------------------------------------------------------------------------------------


def test_totals_of_all_data_match_pandas(home: Path, oj: pd.DataFrame) -> None:
    answer = _ask()
    assert len(answer.rows) == 1 and answer.rows[0].key == {}
    assert answer.rows[0].values["units"] == oj["units"].sum()
    assert answer.rows[0].values["revenue"] == pytest.approx(oj["revenue"].sum(), abs=1)
    assert answer.scope == "all products and stores, all data"


def test_breakdown_by_brand_joins_the_catalog(home: Path, oj: pd.DataFrame) -> None:
    answer = _ask(measures=["units"], by=["brand"])
    expected = oj.groupby("brand")["units"].sum().sort_values(ascending=False)
    assert [r.key["brand"] for r in answer.rows] == list(expected.index)  # ranked by units, largest first
    assert _keyed(answer) == expected.to_dict()
    assert answer.groups == len(expected) == 8  # 11 products, 8 brands (Tropicana Premium, Minute Maid: two sizes)


def test_a_breakdown_also_gives_the_total_of_its_scope(home: Path, oj: pd.DataFrame) -> None:
    answer = _ask(measures=["units", "revenue"], by=["product"], rank="top", limit=3, period="May 1992")
    may = _between(oj, date(1992, 5, 1), date(1992, 5, 31))
    assert len(answer.rows) == 3 and answer.total["units"] == may["units"].sum()  # the rest counted too
    assert answer.total["revenue"] == pytest.approx(may["revenue"].sum(), abs=1)
    assert _ask(measures=["avg_price"], by=["brand"]).total is None  # averages do not add up across groups


def test_breakdown_by_month_is_in_calendar_order(home: Path, oj: pd.DataFrame) -> None:
    answer = _ask(measures=["units", "revenue"], by=["month"], period="1992")
    df = _year(oj, 1992)
    months = df.assign(month=[f"{d.year}-{d.month:02d}" for d in df["week_start"]]).groupby("month")
    assert [r.key["month"] for r in answer.rows] == sorted(months.groups)  # January .. October, not ranked
    assert _keyed(answer) == months["units"].sum().to_dict()
    revenue = months["revenue"].sum()
    assert all(r.values["revenue"] == pytest.approx(revenue[r.key["month"]], abs=1) for r in answer.rows)


def test_breakdown_by_quarter_and_a_long_series_keeps_its_end(home: Path, oj: pd.DataFrame) -> None:
    quarters = oj.assign(quarter=[f"{d.year}-Q{(d.month - 1) // 3 + 1}" for d in oj["week_start"]])
    assert _keyed(_ask(measures=["units"], by=["quarter"])) == quarters.groupby("quarter")["units"].sum().to_dict()
    months = sorted({f"{d.year}-{d.month:02d}" for d in oj["week_start"]})
    assert len(months) > 25
    shown = [r.key["month"] for r in _ask(measures=["units"], by=["month"]).rows]
    assert shown == months[-25:]  # the latest 25 months, oldest first


def test_top_and_bottom_stores_with_a_limit(home: Path, oj: pd.DataFrame) -> None:
    per_store = oj.groupby("store")["units"].sum().sort_values(ascending=False)
    top = _ask(measures=["units"], by=["store"], rank="top", limit=3)
    bottom = _ask(measures=["units"], by=["store"], rank="bottom", limit=3)
    assert [(r.key["store"], r.values["units"]) for r in top.rows] == list(per_store.head(3).items())
    assert [(r.key["store"], r.values["units"]) for r in bottom.rows] == list(per_store.tail(3)[::-1].items())
    assert top.groups == bottom.groups == oj["store"].nunique() == 83


# ---- filters -------------------------------------------------------------------------------------------------------


def test_product_and_store_filters_in_a_month(home: Path, oj: pd.DataFrame) -> None:
    answer = _ask(filters={"product": "tropicana 64", "store": "12"}, period="May 1992")
    rows = _between(oj, date(1992, 5, 1), date(1992, 5, 31))
    rows = rows[(rows["product"] == "Tropicana 64 oz") & (rows["store"] == "12")]
    assert len(rows) > 0
    assert answer.rows[0].values["units"] == rows["units"].sum()
    assert answer.rows[0].values["revenue"] == pytest.approx(rows["revenue"].sum(), abs=CENT * len(rows))
    assert answer.scope == "Tropicana 64 oz, store 12, May 1992"


def test_store_attribute_filters(home: Path, oj: pd.DataFrame) -> None:
    high = _ask(measures=["units", "stores_selling"], filters={"price_tier": "High"})
    rows = oj[oj["price_tier"] == "High"]
    assert high.rows[0].values == {"units": rows["units"].sum(), "stores_selling": rows["store"].nunique()}
    assert 0 < rows["units"].sum() < oj["units"].sum()

    chicago = _ask(measures=["units"], by=["product"], filters={"city": "Chicago"})
    expected = oj[oj["city"] == "Chicago"].groupby("product")["units"].sum()
    assert _keyed(chicago) == expected.to_dict()


def test_deal_and_feature_flag_filters(home: Path, oj: pd.DataFrame) -> None:
    on_deal = _ask(measures=["units"], filters={"deal": "yes"}).rows[0].values["units"]
    no_deal = _ask(measures=["units"], filters={"deal": "no"}).rows[0].values["units"]
    assert on_deal == oj.loc[oj["deal"] > 0, "units"].sum()
    assert no_deal == oj.loc[oj["deal"] == 0, "units"].sum()
    in_ad = _ask(measures=["units"], filters={"feature": "on", "product": "Minute Maid 64 oz"}).rows[0]
    expected = oj[(oj["feature"] > 0) & (oj["product"] == "Minute Maid 64 oz")]["units"].sum()
    assert in_ad.values["units"] == expected


def test_promotion_against_none_per_store_week(home: Path, oj: pd.DataFrame) -> None:
    answer = _ask(measures=["units_per_store_week"], by=["deal"])
    means = oj.groupby(oj["deal"] > 0)["units"].mean()
    values = _keyed(answer, "units_per_store_week")
    assert values["on deal"] == pytest.approx(means[True], abs=CENT)
    assert values["no deal"] == pytest.approx(means[False], abs=CENT)


# ---- measures ------------------------------------------------------------------------------------------------------


def test_avg_price_weeks_on_deal_and_stores_selling(home: Path, oj: pd.DataFrame) -> None:
    trop = oj[oj["product"] == "Tropicana 64 oz"]
    avg = _ask(measures=["avg_price", "min_price", "max_price"], filters={"product": "Tropicana 64 oz"}, period="1992")
    prices = _year(trop, 1992)["price"]
    assert avg.rows[0].values["avg_price"] == pytest.approx(prices.mean(), abs=0.005)
    assert avg.rows[0].values["min_price"] == pytest.approx(prices.min(), abs=0.005)  # answers carry cents
    assert avg.rows[0].values["max_price"] == pytest.approx(prices.max(), abs=0.005)

    deal = _ask(measures=["weeks_on_deal"], filters={"product": "Tropicana 64 oz", "store": "5"}, period="1992")
    at_five = _year(trop[trop["store"] == "5"], 1992)
    weeks = at_five.loc[at_five["deal"] > 0, "week_start"].nunique()
    assert 0 < weeks < at_five["week_start"].nunique()
    assert deal.rows[0].values["weeks_on_deal"] == weeks

    low = _ask(measures=["stores_selling"], filters={"product": "Tropicana Premium 96 oz", "price_tier": "Low"})
    rows = oj[(oj["product"] == "Tropicana Premium 96 oz") & (oj["price_tier"] == "Low") & (oj["units"] > 0)]
    assert low.rows[0].values["stores_selling"] == rows["store"].nunique()


def test_a_products_share_divides_by_all_products(home: Path, oj: pd.DataFrame) -> None:
    answer = _ask(measures=["share_units", "share_revenue"], filters={"product": "Tropicana 64 oz"}, period="1992")
    year = _year(oj, 1992)
    mine = year[year["product"] == "Tropicana 64 oz"]
    share = answer.rows[0].values["share_units"]
    assert 0 < share < 100
    assert share == pytest.approx(100 * mine["units"].sum() / year["units"].sum(), abs=0.01)
    assert answer.rows[0].values["share_revenue"] == pytest.approx(
        100 * mine["revenue"].sum() / year["revenue"].sum(), abs=0.01
    )
    assert answer.share_base["share_units"] == year["units"].sum()
    assert answer.share_of == "all products and stores, 1992"


def test_a_share_within_a_brand_and_shares_by_brand(home: Path, oj: pd.DataFrame) -> None:
    within = _ask(measures=["share_units"], filters={"brand": "Minute Maid", "product": "Minute Maid 96 oz"})
    brand = oj[oj["brand"] == "Minute Maid"]
    expected = 100 * brand.loc[brand["product"] == "Minute Maid 96 oz", "units"].sum() / brand["units"].sum()
    assert within.rows[0].values["share_units"] == pytest.approx(expected, abs=0.01)
    assert within.share_of == "brand Minute Maid, all data"  # the most specific filter (the product) is dropped

    by_brand = _ask(measures=["share_units"], by=["brand"], limit=3)
    totals = oj.groupby("brand")["units"].sum()
    assert len(by_brand.rows) == 3  # the limit cuts the rows, not the denominator
    for row in by_brand.rows:
        assert row.values["share_units"] == pytest.approx(100 * totals[row.key["brand"]] / totals.sum(), abs=0.01)


def test_compare_gives_change_and_change_pct(home: Path, oj: pd.DataFrame) -> None:
    answer = _ask(measures=["units"], filters={"brand": "Tropicana Premium"}, period="May 1992", compare_to="May 1991")
    brand = oj[oj["brand"] == "Tropicana Premium"]
    now = _between(brand, date(1992, 5, 1), date(1992, 5, 31))["units"].sum()
    then = _between(brand, date(1991, 5, 1), date(1991, 5, 31))["units"].sum()
    row = answer.rows[0]
    assert (row.values["units"], row.compare["units"], row.change["units"]) == (now, then, now - then)
    assert row.change_pct["units"] == pytest.approx(100 * (now - then) / then, abs=0.01)
    assert answer.query.compare.label == "May 1991"

    per_store = _ask(measures=["units"], by=["store"], rank="top", limit=2, period="1992-Q2", compare_to="1991-Q2")
    q2 = _between(oj, date(1992, 4, 1), date(1992, 6, 30)).groupby("store")["units"].sum()
    q2_before = _between(oj, date(1991, 4, 1), date(1991, 6, 30)).groupby("store")["units"].sum()
    for row in per_store.rows:  # each store is compared with its own earlier quarter
        store = row.key["store"]
        assert (row.values["units"], row.compare["units"]) == (q2[store], q2_before[store])
        assert row.change["units"] == q2[store] - q2_before[store]


def test_compare_by_month_sets_each_month_against_its_place_in_the_other_period(home: Path, oj: pd.DataFrame) -> None:
    answer = _ask(measures=["units"], by=["month"], period="Q2 1992", compare_to="Q2 1991")
    for row, month in zip(answer.rows, (4, 5, 6), strict=True):
        now = _between(oj, date(1992, month, 1), date(1992, month, 28) + timedelta(days=3))
        then = _between(oj, date(1991, month, 1), date(1991, month, 28) + timedelta(days=3))
        now, then = (
            now[pd.to_datetime(now["week_start"]).dt.month == month],
            then[pd.to_datetime(then["week_start"]).dt.month == month],
        )
        assert (row.key["month"], row.compare_label) == (f"1992-{month:02d}", f"1991-{month:02d}")
        assert (row.values["units"], row.compare["units"]) == (now["units"].sum(), then["units"].sum())
    text = answer_text(clean(answer))
    assert "1. April 1992:" in text and "Against April 1991:" in text


def test_an_explicit_window_includes_both_end_weeks(home: Path, oj: pd.DataFrame) -> None:
    weeks = sorted(oj["week_start"].unique())
    start, end = weeks[10], weeks[13]
    answer = _ask(measures=["units", "weeks_sold"], period={"start": start, "end": end, "label": "four weeks"})
    rows = _between(oj, start, end)
    assert rows["week_start"].nunique() == 4
    assert answer.rows[0].values == {"units": rows["units"].sum(), "weeks_sold": 4}
    assert answer.scope == "all products and stores, four weeks"

    last = _ask(measures=["units"], period="last 8 weeks")
    assert last.rows[0].values["units"] == _between(oj, weeks[-8], weeks[-1] + timedelta(days=6))["units"].sum()


# ---- parameters, not spliced text ----------------------------------------------------------------------------------


def test_a_name_with_a_quote_is_bound_as_a_parameter(fresh_home: Path, tmp_path: Path) -> None:
    from forecasting.warehouse.ingest import ingest_file

    name = "O'Brien Orange Juice 64 oz"
    rows = ["date,store,product,units,price,promotion",
            f'2024-01-01,1,"{name}",40,2.5,1', "2024-01-01,1,Plain Juice 64 oz,10,2.0,0",
            f'2024-01-08,2,"{name}",30,2.5,0', "2024-01-08,1,Plain Juice 64 oz,12,2.0,1"]  # fmt: skip
    (tmp_path / "sales.csv").write_text("\n".join(rows) + "\n")
    ingest_file("obrien", tmp_path / "sales.csv")
    before = run_sql("obrien", "SELECT count(*), sum(units) FROM sales").rows

    answer = _ask("obrien", measures=["units", "revenue"], filters={"product": name})
    assert answer.rows[0].values == {"units": 70, "revenue": 175}
    by_brand = _ask("obrien", measures=["units"], by=["brand"])
    assert _keyed(by_brand) == {"O'Brien": 70, "Plain": 22}  # the inferred brand travels as a parameter too
    for run in answer.queries + by_brand.queries:
        assert "O'Brien" not in run.sql and "Brien" not in run.sql
    assert name in answer.queries[0].params
    assert run_sql("obrien", "SELECT count(*), sum(units) FROM sales").rows == before

    with reader("obrien") as rd:
        model = build_model(rd)
        q = SemanticQuery(filters=[Filter(dimension="product", values=[name])],
                          period=Window(start=date(2024, 1, 1), end=date(2024, 1, 31), label="January 2024"))  # fmt: skip
        compiled = compile_query(model, q, q.period, q.filters)
    assert "Brien" not in compiled.sql and "2024" not in compiled.sql
    assert compiled.sql.count("?") == len(compiled.params)
    assert compiled.params[-3:] == [date(2024, 1, 1), date(2024, 1, 31), name]


# ---- bad inputs: errors that say what to fix -----------------------------------------------------------------------


def test_unknown_measure_names_the_known_ones(home: Path) -> None:
    with pytest.raises(ValidationError, match="units"):
        SalesQueryInput(measures=["unitz"])
    with reader("oj") as rd:
        model = build_model(rd)
        with pytest.raises(AnalyticsError, match=r"Unknown measure 'unitz'; known: units, revenue"):
            execute(rd, model, SemanticQuery(measures=["unitz"]))
    with pytest.raises(AnalyticsError, match=r"Unknown measure 'weeks_on_deal'; known: .*weeks_on_display"):
        _ask("tuna", measures=["weeks_on_deal"])  # tuna records display, never deals


def test_unknown_dimension_names_the_known_ones(home: Path) -> None:
    with pytest.raises(AnalyticsError, match=r"Unknown dimension 'colour'; known: product, brand.*price_tier"):
        _ask(by=["colour"])
    with pytest.raises(AnalyticsError, match=r"Unknown dimension 'colour'"):
        _ask(filters={"colour": "red"})


def test_unknown_product_lists_the_merchants_products(home: Path) -> None:
    with pytest.raises(BadArgument, match=r"Unknown product 'Sunny Delight'\. Known: .*Tropicana 64 oz"):
        _ask(filters={"product": "Sunny Delight"})
    with pytest.raises(BadArgument, match=r"Unknown product 'Sunny Delight 64 oz'"):  # not every 64 oz product
        _ask(filters={"product": "Sunny Delight 64 oz"})
    with pytest.raises(BadArgument, match=r"'Tropicana 32 oz'\. Did you mean: Tropicana 64 oz, Tropicana Premium"):
        _ask(filters={"product": "Tropicana 32 oz"})  # a size the brand does not come in is no Tropicana 64 oz
    with pytest.raises(BadArgument, match=r"Did you mean: Minute Maid 64 oz, Minute Maid 96 oz\?"):
        _ask(filters={"product": "Minute Maid Light 64 oz"})
    everything = _ask(measures=["units"], filters={"product": "all juice"})
    assert everything.rows[0].values["units"] == _ask(measures=["units"]).rows[0].values["units"]
    with pytest.raises(BadArgument, match=r"Unknown store '999'\. Known: 2, 5, 8"):
        _ask(filters={"store": "999"})


def test_a_window_that_ends_before_it_starts(home: Path) -> None:
    with pytest.raises(ValidationError, match=r"ends \(1992-05-01\) before it starts \(1992-06-01\)"):
        Window(start=date(1992, 6, 1), end=date(1992, 5, 1), label="backwards")
    with pytest.raises(ValidationError, match="before it starts"):
        SalesQueryInput(period={"start": "1992-06-01", "end": "1992-05-01", "label": "backwards"})
    with pytest.raises(BadPeriod, match="swap them"):
        _ask(period="1992-06-01 to 1992-05-01")


def test_a_limit_over_25_and_a_period_without_data(home: Path) -> None:
    with pytest.raises(ValidationError, match="less than or equal to 25"):
        SalesQueryInput(by=["store"], limit=26)
    with pytest.raises(ValidationError, match="less than or equal to 25"):
        SemanticQuery(by=["store"], limit=26)
    with pytest.raises(NoData, match=r"1990-06-14 to 1992-10-07"):
        _ask(period="1985")
