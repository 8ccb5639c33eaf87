"""The committed Parquet under data/ is a faithful conversion of the Dominick's sources."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import SHARED_DOMINICKS

DATA = Path(__file__).resolve().parents[1] / "data" / "dominicks"


def _read(name: str) -> pd.DataFrame:
    return pd.read_parquet(DATA / f"{name}.parquet")


def test_orange_juice_sales_rows_and_units() -> None:
    sales = _read("oj_sales")
    assert len(sales) == 106_139
    assert sales["store"].nunique() == 83 and sales["brand_id"].nunique() == 11
    assert sales.duplicated(["store", "brand_id", "week"]).sum() == 0
    assert (sales["units"] == np.rint(np.exp(sales["logmove"]))).all()
    assert sales["week"].between(40, 160).all()


def test_unit_price_is_price_per_ounce_times_size() -> None:
    sales = _read("oj_sales").merge(_read("oj_products"), on=["brand_id", "product"])
    assert np.allclose(sales["price"], sales["price_per_oz"] * sales["size_oz"], atol=1e-3)
    tropicana = sales[sales["product"] == "Tropicana 64 oz"]
    assert tropicana["price"].between(0.5, 5.0).all()


def test_competitor_prices_cover_every_brand_in_each_store_week() -> None:
    prices = _read("oj_prices")
    per_store_week = prices.groupby(["store", "week"])["brand_id"].nunique()
    assert (per_store_week == 11).all()
    own = _read("oj_sales").merge(prices, on=["store", "week", "brand_id"], suffixes=("", "_shelf"))
    assert np.allclose(own["price"], own["price_shelf"])


def test_stores_have_demographics_and_listing() -> None:
    stores = _read("oj_stores")
    assert len(stores) == 83
    assert stores[["income", "age60", "cpdist5"]].notna().all().all()
    assert stores["city"].notna().sum() >= 80
    assert set(stores["price_tier"].dropna()) <= {"High", "Medium", "Low", "CubFighter"}


def test_tuna_is_chain_level_with_exp_prices() -> None:
    tuna = _read("tuna_sales")
    assert len(tuna) == 338 * 7
    assert tuna["product"].nunique() == 7
    assert tuna["price"].between(0.2, 5.0).all()
    assert tuna["wholesale_price"].isna().sum() == 1  # the one e^-10.4 recording error
    assert tuna["wholesale_price"].dropna().between(0.1, 5.0).all()
    assert tuna["display"].between(0, 1).all()


def test_calendar_weeks_1_to_400() -> None:
    cal = _read("calendar")
    assert list(cal["week"]) == list(range(1, 401))
    assert str(cal.loc[0, "week_start"]) == "1989-09-14" and str(cal.loc[0, "week_end"]) == "1989-09-20"
    assert (pd.to_datetime(cal["week_end"]) - pd.to_datetime(cal["week_start"])).dt.days.eq(6).all()
    assert set(cal["event"].dropna()) == {
        "Halloween", "Thanksgiving", "Christmas", "New-Year", "Presidents Day", "Easter", "Memorial Day",
        "4th of July", "Labor Day",
    }  # fmt: skip


@pytest.mark.skipif(not SHARED_DOMINICKS.is_dir(), reason="needs ../shared/data/dominicks")
def test_conversion_script_reproduces_committed_files(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("build_demo_data", DATA.parents[1] / "scripts" / "build_demo_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    counts = module.build(SHARED_DOMINICKS, tmp_path)
    for name in counts:
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / f"{name}.parquet"), _read(name))
