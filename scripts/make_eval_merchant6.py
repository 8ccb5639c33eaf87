"""Write ``data/eval/anvil_sales.csv``: a SYNTHETIC hardware store chain for the thirteenth held-out chat eval.

Holdout12's ``pinwheel`` (a toy shop chain) will have been seen by the time the chat is revised again; the next
measurement needs an ingested merchant of another trade that nobody has tuned against. Nothing here is real data:
every number comes from a seeded random generator, so the file is the same on every run
(``tests/eval/test_holdout13_facts.py`` checks that).

What the file holds ("Anvil Hardware", a small chain of hardware stores):

- weekly rows, weeks starting SUNDAY (Sunday..Saturday), 2024-11-03 .. 2026-10-25 (the week of 2026-10-25,
  Halloween week, is the last; it ends on Saturday 2026-10-31): 104 weeks, so 2024 is November-December only,
  2025 is whole and 2026 runs January-October;
- five stores: Mill Road, Westgate, Harbor Point, Cedar Falls (all from the start) and Lakeside (opened 2025-04-06,
  ramping up over 8 weeks); Harbor Point was shut for a refit in the weeks of 2025-08-10 and 2025-08-17 (no rows);
- 19 products of five brands (Anvil, the house label; Brightline; ProCoat; FrostGuard; Ironclad; the brand is the
  first word of the name) named "Brand Kind Size": Duct Tape, Extension Cord, Garden Hose, LED Bulb, Flashlight,
  Box Fan, Interior Paint, Deck Stain, Spray Paint, Ice Melt, Snow Shovel, Claw Hammer, Tape Measure, Cordless
  Drill, Wood Screws; Anvil Extension Cord (25 ft, 50 ft), Brightline LED Bulb (4 pk, 8 pk), ProCoat Interior Paint
  (1 qt, 1 gal) and FrostGuard Ice Melt (20 lb, 50 lb) each come in two sizes;
- seasonal products: FrostGuard Snow Shovel 18 in is sold November-February only and never at Harbor Point (a
  coastal store), Brightline Box Fan 20 in May-August only;
- FrostGuard Ice Melt 50 lb was out of stock in every store in the weeks of 2026-01-25 and 2026-02-01 (its rows
  are there, with 0 units);
- columns date, store, product, units, price, promotion (0/1), feature (0/1, in that store's weekly flyer);
- price changes: every ProCoat product rises about 8 % from 2026-03-01; Ironclad Cordless Drill 20 V is cut from
  99.99 to 89.99 from 2025-09-07; chain-wide promotions at 10-30 % off (every Ironclad product is on promotion in
  every Thanksgiving week, the Black Friday sale; every ProCoat product in every Memorial Day week), flyer features
  decided per store;
- seasons: paint, stain and hoses peak in spring and summer, ice melt and shovels in winter, tools at Christmas,
  fans in summer; Memorial Day, 4th of July and Labor Day lift the paint, stain and hoses, Thanksgiving and the
  weeks before Christmas lift the tools and the lights, Halloween the flashlight; the New-Year week is quiet; about
  5 % growth a year.

Load it with ``salescast data ingest --merchant anvil data/eval/anvil_sales.csv``.
Run ``python scripts/make_eval_merchant6.py [TARGET]`` to rewrite the file (or write it to TARGET).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

TARGET = Path(__file__).resolve().parents[1] / "data" / "eval" / "anvil_sales.csv"
FIRST_WEEK = date(2024, 11, 3)  # a Sunday
LAST_WEEK = date(2026, 10, 25)
PAINT_RISE = date(2026, 3, 1)
DRILL_CUT = date(2025, 9, 7)
DRILL = "Ironclad Cordless Drill 20 V"
ICE_OUT = ("FrostGuard Ice Melt 50 lb", date(2026, 1, 25), date(2026, 2, 1))
SEED = 20261025

ALL_MONTHS = frozenset(range(1, 13))

# Monthly demand shapes (1.0 = a typical week of the product's own level).
SEASONS: dict[str, dict[int, float]] = {
    "basic": {1: 0.9, 2: 0.9, 3: 1.0, 4: 1.1, 5: 1.1, 6: 1.05, 7: 1.0, 8: 1.0, 9: 1.0, 10: 1.0, 11: 1.0, 12: 1.05},
    "cord": {1: 1.0, 2: 0.9, 3: 0.9, 4: 0.95, 5: 1.0, 6: 1.0, 7: 0.95, 8: 0.9, 9: 0.95, 10: 1.1, 11: 1.4, 12: 1.8},
    "hose": {1: 0.2, 2: 0.3, 3: 0.8, 4: 1.6, 5: 2.0, 6: 1.8, 7: 1.5, 8: 1.1, 9: 0.7, 10: 0.4, 11: 0.25, 12: 0.2},
    "lighting": {
        1: 1.2,
        2: 1.05,
        3: 0.95,
        4: 0.85,
        5: 0.8,
        6: 0.75,
        7: 0.75,
        8: 0.8,
        9: 0.95,
        10: 1.15,
        11: 1.3,
        12: 1.4,
    },
    "fan": {5: 0.8, 6: 1.6, 7: 2.0, 8: 1.4},
    "paint": {1: 0.9, 2: 0.85, 3: 1.1, 4: 1.35, 5: 1.5, 6: 1.35, 7: 1.1, 8: 1.0, 9: 1.05, 10: 0.9, 11: 0.7, 12: 0.55},
    "stain": {1: 0.1, 2: 0.15, 3: 0.6, 4: 1.5, 5: 2.0, 6: 2.1, 7: 1.8, 8: 1.4, 9: 1.0, 10: 0.5, 11: 0.15, 12: 0.1},
    "winter": {1: 2.6, 2: 2.2, 3: 1.0, 4: 0.3, 5: 0.1, 6: 0.08, 7: 0.08, 8: 0.1, 9: 0.2, 10: 0.5, 11: 1.4, 12: 2.3},
    "shovel": {11: 0.9, 12: 1.6, 1: 1.9, 2: 1.3},
    "tools": {1: 0.8, 2: 0.85, 3: 0.95, 4: 1.05, 5: 1.05, 6: 1.15, 7: 0.95, 8: 0.9, 9: 0.9, 10: 0.95, 11: 1.3, 12: 1.9},
}
OUTDOOR = {"paint", "stain", "hose"}
GIFTS = {"tools", "lighting", "cord"}


@dataclass(frozen=True)
class Product:
    name: str
    price: float  # shelf price at the start, USD
    units: float  # typical weekly units in a store of size 1.0
    kind: str  # a key of SEASONS: what drives its season
    months: frozenset[int] = ALL_MONTHS  # months it is on sale
    stores: frozenset[str] | None = None  # None: every store


NOT_HARBOR_POINT = frozenset({"Mill Road", "Westgate", "Cedar Falls", "Lakeside"})

PRODUCTS = [
    Product("Anvil Duct Tape 60 yd", 7.99, 21, "basic"),
    Product("Anvil Extension Cord 25 ft", 14.99, 9, "cord"),
    Product("Anvil Extension Cord 50 ft", 24.99, 5, "cord"),
    Product("Anvil Garden Hose 50 ft", 29.99, 6, "hose"),
    Product("Brightline LED Bulb 4 pk", 9.99, 23, "lighting"),
    Product("Brightline LED Bulb 8 pk", 16.99, 12, "lighting"),
    Product("Brightline Flashlight 300 lm", 19.99, 8, "lighting"),
    Product("Brightline Box Fan 20 in", 34.99, 7, "fan", months=frozenset({5, 6, 7, 8})),
    Product("ProCoat Interior Paint 1 gal", 36.99, 10, "paint"),
    Product("ProCoat Interior Paint 1 qt", 14.99, 8, "paint"),
    Product("ProCoat Deck Stain 1 gal", 32.99, 5, "stain"),
    Product("ProCoat Spray Paint 12 oz", 6.99, 18, "paint"),
    Product("FrostGuard Ice Melt 20 lb", 12.99, 10, "winter"),
    Product("FrostGuard Ice Melt 50 lb", 24.99, 5, "winter"),
    Product(
        "FrostGuard Snow Shovel 18 in", 27.99, 4, "shovel", months=frozenset({11, 12, 1, 2}), stores=NOT_HARBOR_POINT
    ),
    Product("Ironclad Claw Hammer 16 oz", 17.99, 6, "tools"),
    Product("Ironclad Tape Measure 25 ft", 12.99, 9, "tools"),
    Product(DRILL, 99.99, 3, "tools"),
    Product("Ironclad Wood Screws 100 ct", 8.99, 15, "basic"),
]


@dataclass(frozen=True)
class Store:
    name: str
    size: float  # weekly units relative to a typical store
    opened: date = FIRST_WEEK
    closed: frozenset[date] = field(default_factory=frozenset)

    def is_open(self, week: date) -> bool:
        return week >= self.opened and week not in self.closed

    def scale(self, week: date) -> float:
        """A store opened after the data starts ramps up over its first 8 weeks."""
        if self.opened == FIRST_WEEK:
            return self.size
        return self.size * min(1.0, 0.5 + 0.0625 * ((week - self.opened).days // 7))


REFIT = frozenset({date(2025, 8, 10), date(2025, 8, 17)})
STORES = [
    Store("Mill Road", 1.4),
    Store("Westgate", 1.0),
    Store("Harbor Point", 0.85, closed=REFIT),
    Store("Cedar Falls", 0.65),
    Store("Lakeside", 1.1, opened=date(2025, 4, 6)),
]


def week_of(day: date) -> date:
    """The Sunday that starts the week holding ``day``."""
    return day - timedelta(days=day.isoweekday() % 7)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th given weekday (Mon=0) of a month; n=-1 is the last."""
    if n < 0:
        last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


YEARS = (2024, 2025, 2026)
THANKSGIVING = {week_of(nth_weekday(y, 11, 3, 4)) for y in YEARS}
CHRISTMAS = {week_of(date(y, 12, 25)) for y in YEARS}
BEFORE_CHRISTMAS = {w - timedelta(days=d) for w in CHRISTMAS for d in (7, 14)}
NEW_YEAR = {week_of(date(y, 1, 1)) for y in (2025, 2026, 2027)}
MEMORIAL_DAY = {week_of(nth_weekday(y, 5, 0, -1)) for y in YEARS}
JULY_4TH = {week_of(date(y, 7, 4)) for y in YEARS}
LABOR_DAY = {week_of(nth_weekday(y, 9, 0, 1)) for y in YEARS}
HALLOWEEN = {week_of(date(y, 10, 31)) for y in YEARS}


def weeks() -> list[date]:
    return [d.date() for d in pd.date_range(FIRST_WEEK, LAST_WEEK, freq="7D")]


def shelf_price(value: float) -> float:
    """A price as a hardware store writes it: whole dollars or halves, less a cent (14.99, 6.49)."""
    return round(max(round(value * 2) / 2, 1.0) - 0.01, 2)


def season(product: Product, week: date) -> float:
    base = SEASONS[product.kind].get(week.month, 0.05)
    if product.kind in OUTDOOR and week in MEMORIAL_DAY | JULY_4TH | LABOR_DAY:
        base *= 1.6
    if product.kind in GIFTS:
        if week in THANKSGIVING:
            base *= 1.6
        if week in BEFORE_CHRISTMAS:
            base *= 1.4
        if week in CHRISTMAS:
            base *= 1.1
    if week in HALLOWEEN and product.name.startswith("Brightline Flashlight"):
        base *= 1.7
    if week in NEW_YEAR:
        base *= 0.65
    return base


def on_sale(product: Product, store: Store, week: date) -> bool:
    in_store = product.stores is None or store.name in product.stores
    return in_store and week.month in product.months


def holiday_sale(product: Product, week: date) -> bool:
    black_friday = week in THANKSGIVING and product.name.startswith("Ironclad")
    return black_friday or (week in MEMORIAL_DAY and product.name.startswith("ProCoat"))


def promotions(rng: np.random.Generator, all_weeks: list[date]) -> dict[tuple[str, date], float]:
    """Chain-wide promotion weeks per product, with the discount of each (10-30 % off)."""
    deals = {}
    for product in PRODUCTS:
        for week in all_weeks:
            if holiday_sale(product, week) or rng.random() < 0.1:
                deals[(product.name, week)] = float(rng.choice([0.1, 0.15, 0.2, 0.25, 0.3]))
    return deals


def base_price(product: Product, week: date) -> float:
    if product.name.startswith("ProCoat") and week >= PAINT_RISE:
        return product.price * 1.08
    if product.name == DRILL and week >= DRILL_CUT:
        return 89.99
    return product.price


def out_of_stock(product: Product, week: date) -> bool:
    name, first, last = ICE_OUT
    return product.name == name and first <= week <= last


def row(rng: np.random.Generator, product: Product, store: Store, week: date, discount: float) -> dict[str, object]:
    base = shelf_price(base_price(product, week))
    price = shelf_price(base * (1 - discount))
    on_deal = discount > 0
    featured = (on_deal and rng.random() < 0.45) or rng.random() < 0.03
    lift = (price / base) ** -1.5 * (1.15 if on_deal else 1.0) * (1.3 if featured else 1.0)
    years = (week - FIRST_WEEK).days / 365.25
    mean = product.units * store.scale(week) * season(product, week) * (1 + 0.05 * years)
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
