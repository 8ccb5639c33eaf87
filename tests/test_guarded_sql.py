"""Correct answers through the guarded SQL path, checked against pandas on the committed Parquet."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tools.guarded_sql import SqlError, SqlTimeout, describe_merchant, run_sql
from tools.sql_guard import SqlRefused

DATA = Path(__file__).resolve().parents[1] / "data" / "dominicks"


def test_units_and_revenue_by_product_last_four_weeks(home: Path) -> None:
    result = run_sql(
        "oj",
        """WITH last AS (SELECT max(week_start) AS w FROM sales)
           SELECT product, sum(units) AS units, round(sum(revenue), 2) AS revenue
           FROM sales, last WHERE week_start > last.w - INTERVAL 28 DAY
           GROUP BY product ORDER BY product""",
    )
    sales = pd.read_parquet(DATA / "oj_sales.parquet")
    recent = sales[sales["week"] > sales["week"].max() - 4]
    expected = (
        recent.assign(revenue=recent["units"] * recent["price"])
        .groupby("product")[["units", "revenue"]]
        .sum()
        .sort_index()
    )
    assert result.columns == ["product", "units", "revenue"]
    assert [r[0] for r in result.rows] == list(expected.index)
    assert [r[1] for r in result.rows] == list(expected["units"])
    assert [r[2] for r in result.rows] == pytest.approx(
        list(expected["revenue"]), rel=1e-6
    )  # revenue is kept to the cent per row
    assert result.truncated is False


def test_tuna_total_units_match_source(home: Path) -> None:
    result = run_sql("tuna", "SELECT product, sum(units) FROM sales GROUP BY 1 ORDER BY 1")
    tuna = pd.read_parquet(DATA / "tuna_sales.parquet").groupby("product")["units"].sum().sort_index()
    assert result.rows == [[p, int(u)] for p, u in tuna.items()]


def test_competitor_prices_match_the_other_brands(home: Path) -> None:
    result = run_sql(
        "oj",
        "SELECT competitor, competitor_price FROM competitor_prices "
        "WHERE store = '12' AND product = 'Tropicana 64 oz' AND week_start = DATE '1991-01-03' ORDER BY 1",
    )
    prices = pd.read_parquet(DATA / "oj_prices.parquet")
    week = prices[(prices["store"] == 12) & (prices["week_start"].astype(str) == "1991-01-03")]
    expected = week[week["product"] != "Tropicana 64 oz"].sort_values("product")
    assert [r[0] for r in result.rows] == list(expected["product"])
    assert [r[1] for r in result.rows] == pytest.approx(list(expected["price"]))


def test_rows_are_capped_with_truncated_flag(home: Path) -> None:
    result = run_sql("oj", "SELECT * FROM sales", max_rows=25)
    assert len(result.rows) == 25 and result.truncated is True
    assert isinstance(result.rows[0][0], str)  # dates come back as ISO text, ready for JSON


def test_slow_query_is_interrupted_with_a_clear_error(home: Path) -> None:
    with pytest.raises(SqlTimeout, match="stopped after 1 s"):
        run_sql("oj", "SELECT count(*) FROM sales a, sales b, sales c", timeout_s=1)


def test_errors_name_the_allowed_tables_and_columns(home: Path) -> None:
    with pytest.raises(SqlError) as bad_column:
        run_sql("oj", "SELECT unitz FROM sales")
    assert "units" in str(bad_column.value) and "sales(week_start" in str(bad_column.value)
    with pytest.raises(SqlRefused) as bad_table:
        run_sql("oj", "SELECT * FROM orders")
    assert "Unknown table 'orders'" in str(bad_table.value) and "products(product" in str(bad_table.value)


def test_schema_documents_every_column(home: Path) -> None:
    views = {v.name: v for v in describe_merchant("oj")}
    assert set(views) == {"sales", "products", "stores", "calendar", "competitor_prices"}
    assert all(c.meaning for v in views.values() for c in v.columns)
    assert "display" in [c.name for c in describe_merchant("tuna")[0].columns]
