"""Write ``data/eval/greenleaf_sales.csv``: a SYNTHETIC garden-centre merchant for the tenth held-out chat eval.

Holdout9's ``brewline`` (a coffee-shop chain) will have been seen by the time the chat is revised again; the next
measurement needs an ingested merchant of another trade that nobody has tuned against. Nothing here is real data:
every number comes from a seeded random generator, so the file is the same on every run
(``tests/eval/test_holdout10_facts.py`` checks that).

What the file holds ("Greenleaf Garden Centers", a small chain of garden centres):

- weekly rows, weeks starting Sunday, 2023-01-01 .. 2024-12-29 (the week of 2024-12-29 is the last), two full
  calendar years;
- five garden centres named by place: Maple Grove, Riverside, Cedar Falls, Brookfield (all from the start) and
  Westgate (opened 2024-03-03, ramping up over 8 weeks); Riverside was closed by a winter storm in the weeks of
  2024-01-14 and 2024-01-21 (no rows those weeks);
- 18 products of four brands (Greenleaf, TerraPro, Bloomwell, Hollow Creek; the brand is the first word or two of
  the name) named "Brand Kind Size": potting mix ("Potting Mix"), mulch ("Mulch"), lawn fertilizer ("Lawn
  Fertilizer"), plant food ("Flower Food", "Tomato Food"), grass seed ("Grass Seed"), bird seed ("Bird Seed"), ice
  melt ("Ice Melt") and live plants and decorations (Hanging Basket, Perennial, Poinsettia, Wreath);
- seasonal products: Bloomwell Hanging Basket 12 in is sold April-July only, Bloomwell Perennial 1 gal March-October,
  Greenleaf Ice Melt 20 lb November-March, Greenleaf Poinsettia 6 in and Hollow Creek Fresh Wreath 24 in November and
  December only; the wreath is sold at Maple Grove, Riverside and Brookfield only;
- columns date, store, product, units, price, promotion (0/1), feature (0/1, in that store's weekly flyer);
- a price rise of about 10 % on every TerraPro product from 2024-03-03; chain-wide promotions at 15-30 % off (every
  mulch is on promotion in the Memorial Day and Labor Day weeks), flyer features decided per store; a spring peak for
  soil, mulch, plants and lawn care, a second autumn peak for grass seed and lawn fertilizer, a winter peak for bird
  seed and ice melt, a Christmas season for poinsettias and wreaths; Easter, Memorial Day and 4th of July weeks lift
  the outdoor products, the weeks after Thanksgiving lift the Christmas plants; about 6 % growth a year.

Load it with ``salescast data ingest --merchant greenleaf data/eval/greenleaf_sales.csv``.
Run ``python scripts/make_eval_merchant3.py [TARGET]`` to rewrite the file (or write it to TARGET).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

TARGET = Path(__file__).resolve().parents[1] / "data" / "eval" / "greenleaf_sales.csv"
FIRST_WEEK = date(2023, 1, 1)
LAST_WEEK = date(2024, 12, 29)
PRICE_RISE = date(2024, 3, 3)
SEED = 20241229

ALL_MONTHS = frozenset(range(1, 13))

# Monthly demand shapes (1.0 = a typical week of the product's own level).
SEASONS: dict[str, dict[int, float]] = {
    "soil": {1: 0.15, 2: 0.25, 3: 0.7, 4: 1.6, 5: 2.0, 6: 1.3, 7: 0.8, 8: 0.6, 9: 0.7, 10: 0.5, 11: 0.2, 12: 0.1},
    "mulch": {1: 0.1, 2: 0.2, 3: 0.8, 4: 1.8, 5: 2.2, 6: 1.2, 7: 0.7, 8: 0.6, 9: 0.9, 10: 0.6, 11: 0.2, 12: 0.1},
    "lawn": {1: 0.1, 2: 0.2, 3: 0.8, 4: 1.8, 5: 1.5, 6: 0.8, 7: 0.5, 8: 0.6, 9: 1.3, 10: 1.0, 11: 0.3, 12: 0.1},
    "seed": {1: 0.1, 2: 0.1, 3: 0.8, 4: 1.6, 5: 1.2, 6: 0.6, 7: 0.4, 8: 0.8, 9: 1.8, 10: 1.2, 11: 0.2, 12: 0.1},
    "food": {1: 0.3, 2: 0.4, 3: 0.8, 4: 1.3, 5: 1.6, 6: 1.4, 7: 1.1, 8: 0.9, 9: 0.7, 10: 0.5, 11: 0.4, 12: 0.3},
    "bird": {1: 1.6, 2: 1.6, 3: 1.3, 4: 0.8, 5: 0.8, 6: 0.7, 7: 0.7, 8: 0.7, 9: 0.8, 10: 1.0, 11: 1.3, 12: 1.6},
    "ice": {1: 2.0, 2: 1.6, 3: 0.6, 11: 0.6, 12: 1.5},
    "basket": {4: 1.0, 5: 2.0, 6: 1.2, 7: 0.6},
    "perennial": {3: 0.5, 4: 1.4, 5: 1.8, 6: 1.3, 7: 0.8, 8: 0.6, 9: 0.8, 10: 0.5},
    "christmas": {11: 0.5, 12: 1.5},
}


@dataclass(frozen=True)
class Product:
    name: str
    price: float  # shelf price before TerraPro's price rise, USD
    units: float  # typical weekly units in a garden centre of size 1.0
    kind: str  # a key of SEASONS: what drives its season
    months: frozenset[int] = ALL_MONTHS  # months it is on sale
    stores: frozenset[str] | None = None  # None: every store


WREATH_STORES = frozenset({"Maple Grove", "Riverside", "Brookfield"})

PRODUCTS = [
    Product("Greenleaf Potting Mix 8 qt", 6.99, 40, "soil"),
    Product("Greenleaf Potting Mix 25 qt", 14.99, 22, "soil"),
    Product("TerraPro Potting Mix 16 qt", 11.99, 18, "soil"),
    Product("Greenleaf Cedar Mulch 2 cu ft", 4.49, 60, "mulch"),
    Product("Hollow Creek Black Mulch 2 cu ft", 4.99, 45, "mulch"),
    Product("TerraPro Lawn Fertilizer 15 lb", 29.99, 12, "lawn"),
    Product("TerraPro Lawn Fertilizer 5 lb", 12.99, 16, "lawn"),
    Product("Bloomwell Flower Food 1 lb", 8.99, 14, "food"),
    Product("Bloomwell Tomato Food 3 lb", 10.99, 10, "food"),
    Product("Greenleaf Grass Seed 3 lb", 19.99, 14, "seed"),
    Product("Hollow Creek Grass Seed 7 lb", 39.99, 6, "seed"),
    Product("Hollow Creek Wild Bird Seed 20 lb", 17.99, 20, "bird"),
    Product("Greenleaf Sunflower Bird Seed 10 lb", 14.99, 14, "bird"),
    Product("Bloomwell Hanging Basket 12 in", 24.99, 30, "basket", months=frozenset({4, 5, 6, 7})),
    Product("Bloomwell Perennial 1 gal", 9.99, 50, "perennial", months=frozenset(range(3, 11))),
    Product("Greenleaf Ice Melt 20 lb", 12.99, 25, "ice", months=frozenset({11, 12, 1, 2, 3})),
    Product("Greenleaf Poinsettia 6 in", 11.99, 80, "christmas", months=frozenset({11, 12})),
    Product(
        "Hollow Creek Fresh Wreath 24 in", 34.99, 20, "christmas", months=frozenset({11, 12}), stores=WREATH_STORES
    ),
]


@dataclass(frozen=True)
class Store:
    name: str
    size: float  # weekly units relative to a typical garden centre
    opened: date = FIRST_WEEK
    closed: frozenset[date] = field(default_factory=frozenset)

    def is_open(self, week: date) -> bool:
        return week >= self.opened and week not in self.closed

    def scale(self, week: date) -> float:
        """A centre opened after the data starts ramps up over its first 8 weeks."""
        if self.opened == FIRST_WEEK:
            return self.size
        return self.size * min(1.0, 0.5 + 0.0625 * ((week - self.opened).days // 7))


STORM = frozenset({date(2024, 1, 14), date(2024, 1, 21)})
STORES = [
    Store("Maple Grove", 1.35),
    Store("Riverside", 1.0, closed=STORM),
    Store("Cedar Falls", 0.85),
    Store("Brookfield", 0.7),
    Store("Westgate", 0.8, opened=date(2024, 3, 3)),
]

# Holiday weeks (Sunday-start weeks holding the day) and what they lift.
EASTER = {date(2023, 4, 9), date(2024, 3, 31)}
MEMORIAL_DAY = {date(2023, 5, 28), date(2024, 5, 26)}
JULY_4TH = {date(2023, 7, 2), date(2024, 6, 30)}
LABOR_DAY = {date(2023, 9, 3), date(2024, 9, 1)}
THANKSGIVING = {date(2023, 11, 19), date(2024, 11, 24)}
CHRISTMAS = {date(2023, 12, 24), date(2024, 12, 22)}
OUTDOOR = {"soil", "mulch", "basket", "perennial", "food"}


def weeks() -> list[date]:
    return [d.date() for d in pd.date_range(FIRST_WEEK, LAST_WEEK, freq="7D")]


def shelf_price(value: float) -> float:
    """A price as a garden centre writes it: whole dollars or halves, less a cent (12.99, 4.49)."""
    return round(max(round(value * 2) / 2, 1.0) - 0.01, 2)


def season(product: Product, week: date) -> float:
    base = SEASONS[product.kind].get(week.month, 0.05)
    if product.kind == "christmas":
        thanksgiving = next(t for t in THANKSGIVING if t.year == week.year)
        christmas = next(c for c in CHRISTMAS if c.year == week.year)
        if week < thanksgiving:
            base = 0.35
        elif week > christmas:
            base = 0.08
        elif week == christmas:
            base = 1.1
        else:
            base = 1.8
    if week in EASTER and product.kind in {"basket", "perennial", "soil"}:
        base *= 1.4
    if week in MEMORIAL_DAY and product.kind in OUTDOOR:
        base *= 1.6
    if week in JULY_4TH and product.kind in {"soil", "mulch", "food"}:
        base *= 1.25
    if week in LABOR_DAY and product.kind in {"seed", "lawn", "mulch"}:
        base *= 1.3
    return base


def on_sale(product: Product, store: Store, week: date) -> bool:
    in_store = product.stores is None or store.name in product.stores
    return in_store and week.month in product.months


def promotions(rng: np.random.Generator, all_weeks: list[date]) -> dict[tuple[str, date], float]:
    """Chain-wide promotion weeks per product, with the discount of each (15-30 % off)."""
    deals = {}
    for product in PRODUCTS:
        for week in all_weeks:
            if (product.kind == "mulch" and week in MEMORIAL_DAY | LABOR_DAY) or rng.random() < 0.12:
                deals[(product.name, week)] = float(rng.choice([0.15, 0.2, 0.25, 0.3]))
    return deals


def base_price(product: Product, week: date) -> float:
    return product.price * (1.1 if product.name.startswith("TerraPro") and week >= PRICE_RISE else 1.0)


def row(rng: np.random.Generator, product: Product, store: Store, week: date, discount: float) -> dict[str, object]:
    base = base_price(product, week)
    price = shelf_price(base * (1 - discount))
    on_deal = discount > 0
    featured = (on_deal and rng.random() < 0.6) or rng.random() < 0.03
    lift = (price / base) ** -1.6 * (1.25 if on_deal else 1.0) * (1.25 if featured else 1.0)
    years = (week - FIRST_WEEK).days / 365.25
    mean = product.units * store.scale(week) * season(product, week) * (1 + 0.06 * years)
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
