"""A merchant's sales as dense arrays, the shape every forecaster here trains on.

Series are (store, product) pairs; time is the merchant's weeks from first to last, with NaN where a week is not
recorded. Competitor prices are read from the same sales rows (the other products of the store that week), so any
merchant with several products gets cross-price features, not just the demo.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
import pandas as pd

from forecasting.warehouse.connect import open_tenant

STORE_NUMERIC = ["age60", "educ", "ethnic", "income", "hhlarge", "workwom", "hval150", "sstrdist", "sstrvol",
                 "cpdist5", "cpwvol5"]  # fmt: skip
TIER_CODES = {"CubFighter": 0.0, "Low": 1.0, "Medium": 2.0, "High": 3.0}


@dataclass
class Panel:
    merchant: str
    stores: list[str]  # (S,)
    products: list[str]  # (P,)
    series_store: np.ndarray  # (N,) index into stores
    series_product: np.ndarray  # (N,) index into products
    week_starts: list[date]  # (T,) consecutive weeks
    units: np.ndarray  # (N, T) units sold, NaN = not recorded
    log_price: np.ndarray  # (N, T) log of price per ounce where sizes are known, else of the unit price
    deal: np.ndarray  # (N, T) 0..1
    feature: np.ndarray  # (N, T) 0..1, feature advertising or (where that is not recorded) display
    store_log_price: np.ndarray  # (S, P, T) the same log prices laid out by store, for competitor features
    event_by_week: dict[date, str]  # week start -> holiday/event name; the calendar reaches past the data
    store_static: np.ndarray  # (S, k) standardised store attributes (k may be 0)
    product_log_size: np.ndarray  # (P,) log size in ounces, 0 where unknown
    unit_price: np.ndarray  # (N, T) price of one unit (for revenue), NaN where unknown

    @property
    def n_series(self) -> int:
        return len(self.series_store)

    @property
    def n_weeks(self) -> int:
        return self.units.shape[1]

    def week_index(self, day: date) -> int:
        return (day - self.week_starts[0]).days // 7

    def week_start_at(self, index: int) -> date:
        return self.week_starts[0] + timedelta(weeks=index)

    def event_on(self, week_start: date) -> str | None:
        return self.event_by_week.get(week_start)

    def series_index(self, store: str, product: str) -> int:
        hits = np.flatnonzero(
            (self.series_store == self.stores.index(store)) & (self.series_product == self.products.index(product))
        )
        if not len(hits):
            raise KeyError(f"no sales recorded for {product!r} in store {store!r}")
        return int(hits[0])


def subset(panel: Panel, stores: list[str]) -> Panel:
    """The panel restricted to some stores (every product kept): small, fast models for tests and trials."""
    keep_stores = [panel.stores.index(s) for s in stores]
    remap = np.full(len(panel.stores), -1)
    remap[keep_stores] = np.arange(len(keep_stores))
    rows = np.flatnonzero(np.isin(panel.series_store, keep_stores))
    return replace(
        panel,
        stores=[panel.stores[i] for i in keep_stores],
        series_store=remap[panel.series_store[rows]],
        series_product=panel.series_product[rows],
        units=panel.units[rows],
        log_price=panel.log_price[rows],
        deal=panel.deal[rows],
        feature=panel.feature[rows],
        store_log_price=panel.store_log_price[keep_stores],
        store_static=panel.store_static[keep_stores],
        unit_price=panel.unit_price[rows],
    )


def latest_value(values: np.ndarray) -> np.ndarray:
    """Each row's last finite value (NaN for a row with none)."""
    idx = np.where(np.isfinite(values), np.arange(values.shape[1]), -1).max(axis=1)
    out = np.full(len(values), np.nan)
    out[idx >= 0] = values[idx >= 0, idx[idx >= 0]]
    return out


def load_panel(merchant: str) -> Panel:
    """Read the merchant's tenant database into a ``Panel``."""
    with open_tenant(merchant) as con:
        sales = con.execute("SELECT * FROM sales").df()
        products = con.execute("SELECT * FROM products").df()
        stores = con.execute("SELECT * FROM stores").df()
        calendar = con.execute("SELECT week_start, event FROM calendar ORDER BY week_start").df()
    return build_panel(merchant, sales, products, stores, calendar)


def build_panel(
    merchant: str, sales: pd.DataFrame, products: pd.DataFrame, stores: pd.DataFrame, calendar: pd.DataFrame
) -> Panel:
    sales = sales.assign(week_start=pd.to_datetime(sales["week_start"]).dt.date)
    first, last = min(sales["week_start"]), max(sales["week_start"])
    weeks = [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]
    store_names = sorted(sales["store"].unique(), key=_natural)
    product_names = sorted(sales["product"].unique())
    s_of = {s: i for i, s in enumerate(store_names)}
    p_of = {p: i for i, p in enumerate(product_names)}
    pairs = sales[["store", "product"]].drop_duplicates()
    pairs = pairs.assign(s=pairs["store"].map(s_of), p=pairs["product"].map(p_of)).sort_values(["s", "p"])
    n_of = {(s, p): i for i, (s, p) in enumerate(zip(pairs["s"], pairs["p"]))}
    rows = np.array([n_of[(s_of[s], p_of[p])] for s, p in zip(sales["store"], sales["product"])])
    cols = np.array([(d - first).days // 7 for d in sales["week_start"]])

    def dense(values: pd.Series) -> np.ndarray:
        out = np.full((len(pairs), len(weeks)), np.nan)
        out[rows, cols] = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        return out

    sizes = _sizes(products, product_names)
    series_p = pairs["p"].to_numpy()
    unit_price = dense(sales["price"])
    log_price = np.log(np.where(unit_price > 0, unit_price, np.nan) / np.exp(sizes)[series_p][:, None])
    promo2 = sales["feature"] if sales["feature"].notna().any() else sales.get("display", sales["feature"])
    store_log_price = np.full((len(store_names), len(product_names), len(weeks)), np.nan)
    store_log_price[pairs["s"].to_numpy(), series_p] = log_price
    cal = calendar.assign(week_start=pd.to_datetime(calendar["week_start"]).dt.date)
    return Panel(
        merchant=merchant,
        stores=store_names,
        products=product_names,
        series_store=pairs["s"].to_numpy(),
        series_product=series_p,
        week_starts=weeks,
        units=dense(sales["units"]),
        log_price=log_price,
        deal=np.nan_to_num(dense(sales["deal"])),
        feature=np.nan_to_num(dense(promo2)),
        store_log_price=store_log_price,
        event_by_week={d: e for d, e in zip(cal["week_start"], cal["event"]) if isinstance(e, str)},
        store_static=_store_static(stores, store_names),
        product_log_size=sizes,
        unit_price=unit_price,
    )


def _natural(name: str) -> tuple[int, str]:
    return (int(name), "") if name.isdigit() else (1 << 30, name)


def _sizes(products: pd.DataFrame, names: list[str]) -> np.ndarray:
    if "size_oz" not in products:
        return np.zeros(len(names))
    size = products.set_index("product")["size_oz"].reindex(names).astype(float)
    return np.log(size.where(size > 0)).fillna(0.0).to_numpy()


def _store_static(stores: pd.DataFrame, names: list[str]) -> np.ndarray:
    """Standardised demographics and price tier where the merchant has them; (S, 0) otherwise."""
    table = stores.set_index("store").reindex(names)
    columns = []
    for col in STORE_NUMERIC:
        if col in table and table[col].notna().any():
            x = table[col].astype(float)
            columns.append(((x - x.mean()) / (x.std() + 1e-9)).fillna(0.0).to_numpy())
    if "price_tier" in table and table["price_tier"].notna().any():
        columns.append(table["price_tier"].map(TIER_CODES).fillna(1.5).to_numpy(dtype=float) - 1.5)
    return np.stack(columns, axis=1) if columns else np.zeros((len(names), 0))
