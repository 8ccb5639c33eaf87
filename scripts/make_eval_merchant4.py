"""Write ``data/eval/vinecrest_sales.csv``: a SYNTHETIC wine & spirits shop chain for the eleventh held-out chat eval.

Holdout10's ``greenleaf`` (a garden-centre chain) will have been seen by the time the chat is revised again; the next
measurement needs an ingested merchant of another trade that nobody has tuned against. Nothing here is real data:
every number comes from a seeded random generator, so the file is the same on every run
(``tests/eval/test_holdout11_facts.py`` checks that).

What the file holds ("Vinecrest Wine & Spirits", a small chain of liquor stores):

- weekly rows, weeks starting SATURDAY, 2024-06-01 .. 2026-05-23 (the week of 2026-05-23, Memorial Day week, is the
  last): 104 weeks, so 2024 is June-December only, 2025 is whole and 2026 runs January-May;
- five shops named by neighbourhood: Harborview, Old Town, Midtown, Lakeshore (all from the start) and Northgate
  (opened 2025-03-01, ramping up over 8 weeks); Old Town was closed for a refit in the weeks of 2025-08-02,
  2025-08-09 and 2025-08-16 (no rows those weeks);
- 19 products of four brands (Vinecrest, the house label; Copper Ridge; Old Kettle; Blue Harbor; the brand is the
  first word or two of the name) named "Brand Kind Size": red wine (Cabernet Sauvignon, Pinot Noir), white wine
  (Chardonnay), rose (Rose), sparkling wine (Prosecco, Sparkling Brut), spirits (Bourbon, Vodka, Gin, Spiced Rum) and
  beer (IPA, Lager, Pumpkin Ale, Hard Seltzer), sizes 750 ml, 1 L, 1.5 L, 1.75 L, 6 pk and 12 pk; Vinecrest Cabernet
  Sauvignon, Old Kettle Bourbon and Blue Harbor IPA each come in two sizes;
- seasonal products: Vinecrest Rose 750 ml is sold April-September only, Blue Harbor Pumpkin Ale 6 pk
  September-November only; Old Kettle Bourbon 1.75 L is not sold at Midtown (a small city-centre shop);
- Lakeshore sold no Copper Ridge Pinot Noir 750 ml in January 2026 (a supplier shortage: its rows are there, with
  0 units);
- columns date, store, product, units, price, promotion (0/1), feature (0/1, in that shop's weekly flyer);
- price changes: every Old Kettle spirit rises about 8 % from 2025-10-04; Blue Harbor Hard Seltzer 12 pk is cut from
  17.99 to 15.99 from 2026-03-07; chain-wide promotions at 10-25 % off (both sparkling wines are on promotion in
  every New-Year week, every Blue Harbor beer except the pumpkin ale in every 4th of July week), flyer features
  decided per shop;
- seasons: red wine and brown spirits peak in November-December, rose, hard seltzer and beer in summer, sparkling
  wine in December; Thanksgiving lifts wine, Christmas lifts wine and spirits, the New-Year week lifts sparkling wine
  most, Memorial Day, 4th of July and Labor Day weeks lift beer and seltzer; about 5 % growth a year.

The weeks start on Saturday, so the New-Year weeks are the weeks of 2024-12-28 and 2025-12-27 (in December).

Load it with ``salescast data ingest --merchant vinecrest data/eval/vinecrest_sales.csv``.
Run ``python scripts/make_eval_merchant4.py [TARGET]`` to rewrite the file (or write it to TARGET).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

TARGET = Path(__file__).resolve().parents[1] / "data" / "eval" / "vinecrest_sales.csv"
FIRST_WEEK = date(2024, 6, 1)  # a Saturday
LAST_WEEK = date(2026, 5, 23)
SPIRITS_RISE = date(2025, 10, 4)
SELTZER_CUT = date(2026, 3, 7)
SELTZER = "Blue Harbor Hard Seltzer 12 pk"
PINOT_SHORTAGE = ("Lakeshore", "Copper Ridge Pinot Noir 750 ml", date(2026, 1, 1), date(2026, 1, 31))
SEED = 20260523

ALL_MONTHS = frozenset(range(1, 13))

# Monthly demand shapes (1.0 = a typical week of the product's own level).
SEASONS: dict[str, dict[int, float]] = {
    "red": {1: 1.05, 2: 1.0, 3: 0.95, 4: 0.9, 5: 0.85, 6: 0.8, 7: 0.8, 8: 0.8, 9: 0.9, 10: 1.05, 11: 1.3, 12: 1.5},
    "white": {1: 0.85, 2: 0.85, 3: 0.9, 4: 1.0, 5: 1.1, 6: 1.15, 7: 1.2, 8: 1.15, 9: 1.0, 10: 0.95, 11: 1.1, 12: 1.2},
    "rose": {4: 0.7, 5: 1.2, 6: 1.5, 7: 1.6, 8: 1.3, 9: 0.7},
    "sparkling": {1: 0.6, 2: 0.9, 3: 0.7, 4: 0.8, 5: 0.9, 6: 0.9, 7: 0.8, 8: 0.8, 9: 0.8, 10: 0.9, 11: 1.2, 12: 1.9},
    "brown": {1: 1.0, 2: 0.9, 3: 0.9, 4: 0.85, 5: 0.85, 6: 0.9, 7: 0.85, 8: 0.85, 9: 0.9, 10: 1.0, 11: 1.3, 12: 1.7},
    "clear": {1: 0.8, 2: 0.8, 3: 0.9, 4: 0.95, 5: 1.05, 6: 1.15, 7: 1.2, 8: 1.15, 9: 1.0, 10: 0.95, 11: 1.05, 12: 1.4},
    "beer": {1: 0.75, 2: 0.8, 3: 0.85, 4: 0.95, 5: 1.1, 6: 1.25, 7: 1.35, 8: 1.3, 9: 1.05, 10: 0.95, 11: 0.9, 12: 0.9},
    "seltzer": {1: 0.4, 2: 0.45, 3: 0.6, 4: 0.9, 5: 1.3, 6: 1.7, 7: 1.9, 8: 1.7, 9: 1.1, 10: 0.7, 11: 0.5, 12: 0.5},
    "pumpkin": {9: 1.4, 10: 1.6, 11: 0.8},
}
WINE = {"red", "white", "rose", "sparkling"}
SPIRITS = {"brown", "clear"}
BEER = {"beer", "seltzer", "pumpkin"}


@dataclass(frozen=True)
class Product:
    name: str
    price: float  # shelf price at the start, USD
    units: float  # typical weekly units in a shop of size 1.0
    kind: str  # a key of SEASONS: what drives its season
    months: frozenset[int] = ALL_MONTHS  # months it is on sale
    stores: frozenset[str] | None = None  # None: every shop


NOT_MIDTOWN = frozenset({"Harborview", "Old Town", "Lakeshore", "Northgate"})

PRODUCTS = [
    Product("Vinecrest Cabernet Sauvignon 750 ml", 11.99, 34, "red"),
    Product("Vinecrest Cabernet Sauvignon 1.5 L", 18.99, 14, "red"),
    Product("Vinecrest Chardonnay 750 ml", 10.99, 30, "white"),
    Product("Vinecrest Rose 750 ml", 10.99, 26, "rose", months=frozenset(range(4, 10))),
    Product("Vinecrest Prosecco 750 ml", 12.99, 18, "sparkling"),
    Product("Copper Ridge Cabernet Sauvignon 750 ml", 21.99, 15, "red"),
    Product("Copper Ridge Pinot Noir 750 ml", 18.99, 16, "red"),
    Product("Copper Ridge Chardonnay 750 ml", 16.99, 17, "white"),
    Product("Copper Ridge Sparkling Brut 750 ml", 15.99, 10, "sparkling"),
    Product("Old Kettle Bourbon 750 ml", 29.99, 13, "brown"),
    Product("Old Kettle Bourbon 1.75 L", 49.99, 6, "brown", stores=NOT_MIDTOWN),
    Product("Old Kettle Vodka 1 L", 19.99, 20, "clear"),
    Product("Old Kettle Gin 750 ml", 22.99, 8, "clear"),
    Product("Old Kettle Spiced Rum 750 ml", 21.99, 9, "clear"),
    Product("Blue Harbor IPA 6 pk", 10.99, 28, "beer"),
    Product("Blue Harbor IPA 12 pk", 18.99, 19, "beer"),
    Product("Blue Harbor Lager 12 pk", 15.99, 30, "beer"),
    Product(SELTZER, 17.99, 24, "seltzer"),
    Product("Blue Harbor Pumpkin Ale 6 pk", 11.99, 22, "pumpkin", months=frozenset({9, 10, 11})),
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


REFIT = frozenset({date(2025, 8, 2), date(2025, 8, 9), date(2025, 8, 16)})
STORES = [
    Store("Harborview", 1.4),
    Store("Old Town", 1.0, closed=REFIT),
    Store("Midtown", 0.7),
    Store("Lakeshore", 1.15),
    Store("Northgate", 0.9, opened=date(2025, 3, 1)),
]


def week_of(day: date) -> date:
    """The Saturday that starts the week holding ``day``."""
    return day - timedelta(days=(day.isoweekday() - 6) % 7)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th given weekday (Mon=0) of a month; n=-1 for the last one."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


YEARS = (2024, 2025, 2026)
THANKSGIVING = {week_of(nth_weekday(y, 11, 3, 4)) for y in YEARS}
CHRISTMAS = {week_of(date(y, 12, 25)) for y in YEARS}
NEW_YEAR = {week_of(date(y, 1, 1)) for y in (2025, 2026, 2027)}
MEMORIAL_DAY = {week_of(nth_weekday(y, 5, 0, -1)) for y in YEARS}
JULY_4TH = {week_of(date(y, 7, 4)) for y in YEARS}
LABOR_DAY = {week_of(nth_weekday(y, 9, 0, 1)) for y in YEARS}


def weeks() -> list[date]:
    return [d.date() for d in pd.date_range(FIRST_WEEK, LAST_WEEK, freq="7D")]


def shelf_price(value: float) -> float:
    """A price as a liquor store writes it: whole dollars or halves, less a cent (12.99, 32.49)."""
    return round(max(round(value * 2) / 2, 1.0) - 0.01, 2)


def season(product: Product, week: date) -> float:
    base = SEASONS[product.kind].get(week.month, 0.05)
    if week in THANKSGIVING and product.kind in WINE:
        base *= 1.6
    if week in CHRISTMAS and product.kind in WINE | SPIRITS:
        base *= 1.7
    if week in NEW_YEAR:
        base *= 2.8 if product.kind == "sparkling" else 1.3 if product.kind in SPIRITS else 1.0
    if week in MEMORIAL_DAY | LABOR_DAY and product.kind in {"beer", "seltzer"}:
        base *= 1.4
    if week in JULY_4TH and product.kind in {"beer", "seltzer"}:
        base *= 1.8
    return base


def on_sale(product: Product, store: Store, week: date) -> bool:
    in_store = product.stores is None or store.name in product.stores
    return in_store and week.month in product.months


def promotions(rng: np.random.Generator, all_weeks: list[date]) -> dict[tuple[str, date], float]:
    """Chain-wide promotion weeks per product, with the discount of each (10-25 % off)."""
    deals = {}
    for product in PRODUCTS:
        for week in all_weeks:
            holiday = (product.kind == "sparkling" and week in NEW_YEAR) or (
                product.kind in {"beer", "seltzer"} and week in JULY_4TH
            )
            if holiday or rng.random() < 0.12:
                deals[(product.name, week)] = float(rng.choice([0.1, 0.15, 0.2, 0.25]))
    return deals


def base_price(product: Product, week: date) -> float:
    if product.name.startswith("Old Kettle") and week >= SPIRITS_RISE:
        return product.price * 1.08
    if product.name == SELTZER and week >= SELTZER_CUT:
        return 15.99
    return product.price


def short(product: Product, store: Store, week: date) -> bool:
    shop, name, first, last = PINOT_SHORTAGE
    return store.name == shop and product.name == name and first <= week <= last


def row(rng: np.random.Generator, product: Product, store: Store, week: date, discount: float) -> dict[str, object]:
    base = shelf_price(base_price(product, week))
    price = shelf_price(base * (1 - discount))
    on_deal = discount > 0
    featured = (on_deal and rng.random() < 0.55) or rng.random() < 0.03
    lift = (price / base) ** -1.8 * (1.2 if on_deal else 1.0) * (1.3 if featured else 1.0)
    years = (week - FIRST_WEEK).days / 365.25
    mean = product.units * store.scale(week) * season(product, week) * (1 + 0.05 * years)
    units = int(rng.poisson(mean * lift))
    return {
        "date": week.isoformat(),
        "store": store.name,
        "product": product.name,
        "units": 0 if short(product, store, week) else units,
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
