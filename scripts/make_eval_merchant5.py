"""Write ``data/eval/pinwheel_sales.csv``: a SYNTHETIC toy shop chain for the twelfth held-out chat eval.

Holdout11's ``vinecrest`` (a wine & spirits chain) will have been seen by the time the chat is revised again; the next
measurement needs an ingested merchant of another trade that nobody has tuned against. Nothing here is real data:
every number comes from a seeded random generator, so the file is the same on every run
(``tests/eval/test_holdout12_facts.py`` checks that).

What the file holds ("Pinwheel Toys", a small chain of toy shops):

- weekly rows, weeks starting TUESDAY (Tuesday..Monday), 2024-12-03 .. 2026-11-24 (the week of 2026-11-24,
  Thanksgiving week, is the last; it ends on Monday 2026-11-30): 104 weeks, so 2024 is December only, 2025 is whole
  and 2026 runs January-November;
- five shops: Fairview Mall, Elm Street, Pine Ridge, Southpoint (all from the start) and Canal Square (opened
  2025-09-02, ramping up over 8 weeks); Elm Street was closed after a burst pipe in the weeks of 2026-02-10,
  2026-02-17 and 2026-02-24 (no rows those weeks);
- 19 products of four brands (Pinwheel, the house label; Brickworks; Cuddle Co; Sunny Days; the brand is the first
  word or two of the name) named "Brand Kind Size": jigsaw puzzles, arts and crafts (Crayons, Play Dough, Marker
  Set, Watercolor Paint), construction sets (Building Set, Fire Truck, Space Rocket, Castle), plush (Teddy Bear,
  Bunny, Unicorn) and outdoor toys (Water Blaster, Sidewalk Chalk, Bubble Wand, Kite), sizes in pieces (pc), counts
  (ct), packs (pk) or inches (in); Pinwheel Jigsaw Puzzle (500 pc, 1000 pc), Brickworks Building Set (250 pc,
  600 pc) and Cuddle Co Teddy Bear (12 in, 18 in) each come in two sizes;
- seasonal products: Cuddle Co Bunny 10 in is sold February-April only (Easter), Sunny Days Water Blaster 24 in
  April-September only; Brickworks Castle 900 pc is not sold at Pine Ridge (the smallest shop);
- Sunny Days Kite 42 in was out of stock in every shop in the weeks of 2026-05-05, 2026-05-12 and 2026-05-19 (its
  rows are there, with 0 units);
- columns date, store, product, units, price, promotion (0/1), feature (0/1, in that shop's weekly flyer);
- price changes: every Brickworks set rises about 10 % from 2025-08-05; Cuddle Co Unicorn 14 in is cut from 19.99
  to 16.99 from 2026-03-03; chain-wide promotions at 10-30 % off (every Brickworks and Cuddle Co product is on
  promotion in every Thanksgiving week, the Black Friday sale; the water blaster and the bubble wands in every
  4th of July week), flyer features decided per shop;
- seasons: gifts (construction sets, plush, puzzles) peak in November-December, crafts at back-to-school and
  Christmas, outdoor toys in spring and summer; Thanksgiving and the two weeks before Christmas lift the gifts,
  Christmas week less, the New-Year week is quiet; Easter lifts the bunny, chalk and bubbles, 4th of July the water
  blaster and bubbles; about 6 % growth a year.

The weeks start on Tuesday, so the Christmas weeks are those of 2024-12-24 and 2025-12-23, the New-Year weeks those
of 2024-12-31 and 2025-12-30 (both in December), the Thanksgiving weeks those of 2025-11-25 and 2026-11-24, and
Easter 2026 (April 5) falls in the week of 2026-03-31.

Load it with ``salescast data ingest --merchant pinwheel data/eval/pinwheel_sales.csv``.
Run ``python scripts/make_eval_merchant5.py [TARGET]`` to rewrite the file (or write it to TARGET).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from dateutil.easter import easter

TARGET = Path(__file__).resolve().parents[1] / "data" / "eval" / "pinwheel_sales.csv"
FIRST_WEEK = date(2024, 12, 3)  # a Tuesday
LAST_WEEK = date(2026, 11, 24)
BRICKS_RISE = date(2025, 8, 5)
UNICORN_CUT = date(2026, 3, 3)
UNICORN = "Cuddle Co Unicorn 14 in"
KITE_OUT = ("Sunny Days Kite 42 in", date(2026, 5, 5), date(2026, 5, 19))
SEED = 20261124

ALL_MONTHS = frozenset(range(1, 13))

# Monthly demand shapes (1.0 = a typical week of the product's own level).
SEASONS: dict[str, dict[int, float]] = {
    "puzzle": {1: 1.3, 2: 1.15, 3: 1.0, 4: 0.85, 5: 0.8, 6: 0.75, 7: 0.75, 8: 0.8, 9: 0.9, 10: 1.0, 11: 1.5, 12: 2.1},
    "craft": {1: 0.9, 2: 0.9, 3: 0.95, 4: 0.9, 5: 0.85, 6: 0.9, 7: 1.0, 8: 1.5, 9: 1.3, 10: 0.95, 11: 1.2, 12: 1.7},
    "bricks": {1: 0.8, 2: 0.7, 3: 0.75, 4: 0.8, 5: 0.8, 6: 0.85, 7: 0.85, 8: 0.85, 9: 0.9, 10: 1.0, 11: 1.7, 12: 2.9},
    "plush": {1: 0.7, 2: 1.2, 3: 0.8, 4: 0.85, 5: 0.8, 6: 0.75, 7: 0.75, 8: 0.8, 9: 0.85, 10: 0.95, 11: 1.5, 12: 2.5},
    "bunny": {2: 0.5, 3: 1.3, 4: 1.4},
    "outdoor": {1: 0.3, 2: 0.4, 3: 0.7, 4: 1.1, 5: 1.4, 6: 1.7, 7: 1.8, 8: 1.5, 9: 1.0, 10: 0.7, 11: 0.55, 12: 0.7},
    "water": {4: 0.5, 5: 1.1, 6: 1.8, 7: 2.1, 8: 1.6, 9: 0.6},
    "kite": {1: 0.3, 2: 0.5, 3: 1.3, 4: 1.8, 5: 1.6, 6: 1.3, 7: 1.1, 8: 1.0, 9: 1.1, 10: 0.9, 11: 0.5, 12: 0.6},
}
GIFTS = {"puzzle", "bricks", "plush"}


@dataclass(frozen=True)
class Product:
    name: str
    price: float  # shelf price at the start, USD
    units: float  # typical weekly units in a shop of size 1.0
    kind: str  # a key of SEASONS: what drives its season
    months: frozenset[int] = ALL_MONTHS  # months it is on sale
    stores: frozenset[str] | None = None  # None: every shop


NOT_PINE_RIDGE = frozenset({"Fairview Mall", "Elm Street", "Southpoint", "Canal Square"})

PRODUCTS = [
    Product("Pinwheel Jigsaw Puzzle 500 pc", 14.99, 11, "puzzle"),
    Product("Pinwheel Jigsaw Puzzle 1000 pc", 19.99, 7, "puzzle"),
    Product("Pinwheel Crayons 24 ct", 3.49, 34, "craft"),
    Product("Pinwheel Play Dough 4 pk", 6.99, 24, "craft"),
    Product("Pinwheel Marker Set 12 ct", 7.99, 17, "craft"),
    Product("Brickworks Building Set 250 pc", 24.99, 12, "bricks"),
    Product("Brickworks Building Set 600 pc", 49.99, 6, "bricks"),
    Product("Brickworks Fire Truck 180 pc", 29.99, 8, "bricks"),
    Product("Brickworks Space Rocket 320 pc", 39.99, 5, "bricks"),
    Product("Brickworks Castle 900 pc", 79.99, 3, "bricks", stores=NOT_PINE_RIDGE),
    Product("Cuddle Co Teddy Bear 12 in", 16.99, 14, "plush"),
    Product("Cuddle Co Teddy Bear 18 in", 26.99, 7, "plush"),
    Product("Cuddle Co Bunny 10 in", 12.99, 16, "bunny", months=frozenset({2, 3, 4})),
    Product(UNICORN, 19.99, 10, "plush"),
    Product("Sunny Days Water Blaster 24 in", 11.99, 19, "water", months=frozenset(range(4, 10))),
    Product("Sunny Days Sidewalk Chalk 20 ct", 5.99, 23, "outdoor"),
    Product("Sunny Days Bubble Wand 6 pk", 7.99, 21, "outdoor"),
    Product("Sunny Days Kite 42 in", 17.99, 9, "kite"),
    Product("Pinwheel Watercolor Paint 16 ct", 9.99, 9, "craft"),
]


@dataclass(frozen=True)
class Store:
    name: str
    size: float  # weekly units relative to a typical shop
    opened: date = FIRST_WEEK
    closed: frozenset[date] = field(default_factory=frozenset)

    def is_open(self, week: date) -> bool:
        return week >= self.opened and week not in self.closed

    def scale(self, week: date) -> float:
        """A shop opened after the data starts ramps up over its first 8 weeks."""
        if self.opened == FIRST_WEEK:
            return self.size
        return self.size * min(1.0, 0.5 + 0.0625 * ((week - self.opened).days // 7))


BURST_PIPE = frozenset({date(2026, 2, 10), date(2026, 2, 17), date(2026, 2, 24)})
STORES = [
    Store("Fairview Mall", 1.5),
    Store("Elm Street", 0.85, closed=BURST_PIPE),
    Store("Pine Ridge", 0.65),
    Store("Southpoint", 1.2),
    Store("Canal Square", 1.0, opened=date(2025, 9, 2)),
]


def week_of(day: date) -> date:
    """The Tuesday that starts the week holding ``day``."""
    return day - timedelta(days=(day.isoweekday() - 2) % 7)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th given weekday (Mon=0) of a month."""
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


YEARS = (2024, 2025, 2026)
THANKSGIVING = {week_of(nth_weekday(y, 11, 3, 4)) for y in YEARS}
CHRISTMAS = {week_of(date(y, 12, 25)) for y in YEARS}
BEFORE_CHRISTMAS = {w - timedelta(days=d) for w in CHRISTMAS for d in (7, 14)}
NEW_YEAR = {week_of(date(y, 1, 1)) for y in (2025, 2026, 2027)}
EASTER = {week_of(easter(y)) for y in YEARS}
JULY_4TH = {week_of(date(y, 7, 4)) for y in YEARS}


def weeks() -> list[date]:
    return [d.date() for d in pd.date_range(FIRST_WEEK, LAST_WEEK, freq="7D")]


def shelf_price(value: float) -> float:
    """A price as a toy shop writes it: whole dollars or halves, less a cent (14.99, 3.49)."""
    return round(max(round(value * 2) / 2, 1.0) - 0.01, 2)


def season(product: Product, week: date) -> float:
    base = SEASONS[product.kind].get(week.month, 0.05)
    if product.kind in GIFTS:
        if week in THANKSGIVING:
            base *= 1.7
        if week in BEFORE_CHRISTMAS:
            base *= 1.5
        if week in CHRISTMAS:
            base *= 1.15
    if week in NEW_YEAR:
        base *= 0.6
    if week in EASTER:
        base *= 2.4 if product.kind == "bunny" else 1.5 if product.name.startswith("Sunny Days") else 1.0
    if week in JULY_4TH and product.kind in {"water", "outdoor"}:
        base *= 1.6
    return base


def on_sale(product: Product, store: Store, week: date) -> bool:
    in_store = product.stores is None or store.name in product.stores
    return in_store and week.month in product.months


def black_friday(product: Product, week: date) -> bool:
    return week in THANKSGIVING and product.name.startswith(("Brickworks", "Cuddle Co"))


def promotions(rng: np.random.Generator, all_weeks: list[date]) -> dict[tuple[str, date], float]:
    """Chain-wide promotion weeks per product, with the discount of each (10-30 % off)."""
    deals = {}
    summer = {"Sunny Days Water Blaster 24 in", "Sunny Days Bubble Wand 6 pk"}
    for product in PRODUCTS:
        for week in all_weeks:
            holiday = black_friday(product, week) or (product.name in summer and week in JULY_4TH)
            if holiday or rng.random() < 0.11:
                deals[(product.name, week)] = float(rng.choice([0.1, 0.15, 0.2, 0.25, 0.3]))
    return deals


def base_price(product: Product, week: date) -> float:
    if product.name.startswith("Brickworks") and week >= BRICKS_RISE:
        return product.price * 1.1
    if product.name == UNICORN and week >= UNICORN_CUT:
        return 16.99
    return product.price


def out_of_stock(product: Product, week: date) -> bool:
    name, first, last = KITE_OUT
    return product.name == name and first <= week <= last


def row(rng: np.random.Generator, product: Product, store: Store, week: date, discount: float) -> dict[str, object]:
    base = shelf_price(base_price(product, week))
    price = shelf_price(base * (1 - discount))
    on_deal = discount > 0
    featured = (on_deal and rng.random() < 0.5) or rng.random() < 0.03
    lift = (price / base) ** -1.6 * (1.15 if on_deal else 1.0) * (1.35 if featured else 1.0)
    years = (week - FIRST_WEEK).days / 365.25
    mean = product.units * store.scale(week) * season(product, week) * (1 + 0.06 * years)
    units = int(rng.poisson(mean * lift))
    return {
        "date": week.isoformat(),
        "store": store.name,
        "product": product.name,
        "units": 0 if out_of_stock(product, week) else units,
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
