"""Write ``data/eval/brewline_sales.csv``: a SYNTHETIC coffee-shop merchant for the ninth held-out chat eval.

Holdout8's ``pawprint`` had been seen by the time the chat routing was redesigned; the final measurement needs an
ingested merchant nobody has tuned against. Nothing here is real data: every number comes from a seeded random
generator, so the file is the same on every run (``tests/eval/test_holdout9_facts.py`` checks that).

What the file holds ("Brewline Coffee", a small chain of neighbourhood coffee shops that also sell retail bags):

- weekly rows, weeks starting Monday, 2023-04-03 .. 2025-03-31 (the week of 2025-03-31 is the last);
- five stores named by neighbourhood: Capitol Hill, Ballard, Fremont, Queen Anne (all from the start) and Georgetown
  (opened 2024-06-03, ramping up over 10 weeks); Ballard was closed for a remodel in the weeks of 2024-02-05,
  2024-02-12 and 2024-02-19 (no rows those weeks);
- 18 products of four brands (Brewline, Northbound, Cascadia, Hearth) in five categories: whole-bean coffee, ground
  coffee, cold brew, tea and pastries, each named "Brand Kind Size" (the category word is in the name: "Whole Bean",
  "Ground", "Cold Brew", "Tea", and the pastries Croissant, Muffin, Scone, Cinnamon Roll);
- Northbound Cold Brew 32 oz launched in the week of 2024-04-01; Hearth Pumpkin Scone is sold September to
  November only; Hearth Cinnamon Roll is baked for Capitol Hill, Ballard and Fremont only;
- columns date, store, product, units, price, promotion (0/1), feature (0/1, in that store's weekly email);
- a price rise of about 8 % on every coffee (whole bean, ground, cold brew) from 2024-09-02, chain-wide promotions
  at 15-30 % off with email features decided per store, a summer lift for cold brew and iced tea, an autumn-winter
  lift for chai and hot coffee, a December gift lift for whole beans, and slow growth.

Load it with ``salescast data ingest --merchant brewline data/eval/brewline_sales.csv``.
Run ``python scripts/make_eval_merchant2.py [TARGET]`` to rewrite the file (or write it to TARGET).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

TARGET = Path(__file__).resolve().parents[1] / "data" / "eval" / "brewline_sales.csv"
FIRST_WEEK = date(2023, 4, 3)
LAST_WEEK = date(2025, 3, 31)
PRICE_RISE = date(2024, 9, 2)
SEED = 20250331


@dataclass(frozen=True)
class Product:
    name: str
    price: float  # shelf price before the coffee price rise, USD
    units: float  # typical weekly units in a store of size 1.0
    kind: str  # "bean", "ground", "cold", "tea", "chai", "iced", "pastry": what drives its season and price
    launched: date = FIRST_WEEK
    months: frozenset[int] = field(default_factory=lambda: frozenset(range(1, 13)))  # months it is on sale
    stores: frozenset[str] | None = None  # None: every store


AUTUMN = frozenset({9, 10, 11})
BAKERY = frozenset({"Capitol Hill", "Ballard", "Fremont"})

PRODUCTS = [
    Product("Brewline House Blend Whole Bean 12 oz", 13.99, 22, "bean"),
    Product("Brewline Espresso Roast Whole Bean 12 oz", 14.99, 16, "bean"),
    Product("Brewline House Blend Ground 12 oz", 12.99, 18, "ground"),
    Product("Brewline Decaf Ground 12 oz", 12.99, 6, "ground"),
    Product("Brewline Cold Brew 12 oz", 4.49, 45, "cold"),
    Product("Northbound Ethiopia Whole Bean 12 oz", 17.99, 9, "bean"),
    Product("Northbound Colombia Whole Bean 12 oz", 16.99, 11, "bean"),
    Product("Northbound Breakfast Blend Ground 12 oz", 13.99, 10, "ground"),
    Product("Northbound Cold Brew 12 oz", 4.99, 28, "cold"),
    Product("Northbound Cold Brew 32 oz", 10.99, 8, "cold", date(2024, 4, 1)),
    Product("Cascadia Earl Grey Tea 20 ct", 6.99, 12, "tea"),
    Product("Cascadia Green Tea 20 ct", 6.49, 10, "tea"),
    Product("Cascadia Chai Tea 20 ct", 6.99, 9, "chai"),
    Product("Cascadia Iced Tea 16 oz", 3.49, 30, "iced"),
    Product("Hearth Butter Croissant", 3.49, 110, "pastry"),
    Product("Hearth Blueberry Muffin", 2.99, 85, "pastry"),
    Product("Hearth Pumpkin Scone", 3.29, 70, "pastry", months=AUTUMN),
    Product("Hearth Cinnamon Roll", 3.99, 60, "pastry", stores=BAKERY),
]


@dataclass(frozen=True)
class Store:
    name: str
    size: float  # weekly units relative to a typical shop
    opened: date = FIRST_WEEK
    closed: frozenset[date] = frozenset()

    def is_open(self, week: date) -> bool:
        return week >= self.opened and week not in self.closed

    def scale(self, week: date) -> float:
        """A shop opened after the data starts ramps up over its first 10 weeks."""
        if self.opened == FIRST_WEEK:
            return self.size
        return self.size * min(1.0, 0.45 + 0.055 * ((week - self.opened).days // 7))


REMODEL = frozenset({date(2024, 2, 5), date(2024, 2, 12), date(2024, 2, 19)})
STORES = [
    Store("Capitol Hill", 1.3),
    Store("Ballard", 1.0, closed=REMODEL),
    Store("Fremont", 0.9),
    Store("Queen Anne", 0.75),
    Store("Georgetown", 0.6, opened=date(2024, 6, 3)),
]
COFFEE = {"bean", "ground", "cold"}


def weeks() -> list[date]:
    return [d.date() for d in pd.date_range(FIRST_WEEK, LAST_WEEK, freq="7D")]


def shelf_price(value: float) -> float:
    """A price as a coffee shop writes it: whole dollars or halves, less a cent (13.99, 4.49)."""
    return round(max(round(value * 2) / 2, 1.0) - 0.01, 2)


def season(kind: str, week: date) -> float:
    month = week.month
    if kind in ("cold", "iced"):
        return {6: 1.6, 7: 1.8, 8: 1.7, 5: 1.25, 9: 1.2}.get(month, 0.8 if month in (12, 1, 2) else 1.0)
    if kind == "chai":
        return 1.5 if month in (10, 11, 12, 1) else 1.0
    if kind == "bean" and month == 12:
        return 1.5
    if kind in ("bean", "ground"):
        return 1.1 if month in (11, 1, 2) else 1.0
    if kind == "pastry" and week.month == 12 and week.day >= 22:
        return 0.85  # the holiday week is quiet at the counter
    return 1.0


def on_sale(product: Product, store: Store, week: date) -> bool:
    in_store = product.stores is None or store.name in product.stores
    return in_store and week >= product.launched and week.month in product.months


def promotions(rng: np.random.Generator, all_weeks: list[date]) -> dict[tuple[str, date], float]:
    """Chain-wide promotion weeks per product, with the discount of each (15-30 % off)."""
    deals = {}
    for product in PRODUCTS:
        for week in all_weeks:
            if rng.random() < 0.1:
                deals[(product.name, week)] = float(rng.choice([0.15, 0.2, 0.25, 0.3]))
    return deals


def base_price(product: Product, week: date) -> float:
    return product.price * (1.08 if product.kind in COFFEE and week >= PRICE_RISE else 1.0)


def row(rng: np.random.Generator, product: Product, store: Store, week: date, discount: float) -> dict[str, object]:
    base = base_price(product, week)
    price = shelf_price(base * (1 - discount))
    on_deal = discount > 0
    featured = (on_deal and rng.random() < 0.55) or rng.random() < 0.02
    lift = (price / base) ** -1.8 * (1.3 if on_deal else 1.0) * (1.2 if featured else 1.0)
    years = (week - FIRST_WEEK).days / 365.25
    mean = product.units * store.scale(week) * season(product.kind, week) * (1 + 0.07 * years)
    return {
        "date": week.isoformat(),
        "store": store.name,
        "product": product.name,
        "units": int(rng.poisson(mean * lift)),
        "price": f"{price:.2f}",
        "promotion": int(on_deal),
        "feature": int(featured),
    }


def rows(rng: np.random.Generator) -> list[dict[str, object]]:
    deals = promotions(rng, weeks())
    return [
        row(rng, product, store, week, deals.get((product.name, week), 0.0))
        for week in weeks()
        for store in STORES
        if store.is_open(week)
        for product in PRODUCTS
        if on_sale(product, store, week)
    ]


def write(target: Path = TARGET) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows(np.random.default_rng(SEED))).to_csv(target, index=False, lineterminator="\n")
    return target


if __name__ == "__main__":
    path = write(Path(sys.argv[1]) if len(sys.argv) > 1 else TARGET)
    print(f"wrote {path} ({path.stat().st_size:,} bytes)")
