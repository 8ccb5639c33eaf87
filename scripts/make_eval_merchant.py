"""Write ``data/eval/pawprint_sales.csv``: a SYNTHETIC third merchant for the held-out chat eval (holdout8).

The demo merchants are both Dominick's grocery categories (orange juice, canned tuna); questions about a merchant
that brought its own file exercise the ingest path, store names instead of numbers and products whose brand and
category live only in the product name. Nothing here is real data: every number comes from a seeded random
generator, so the file is the same on every run (``tests/eval/test_holdout8_facts.py`` checks that).

What the file holds ("Pawprint Pet Supply", a small pet-supply chain):

- weekly rows, weeks starting Monday, 2022-03-07 .. 2024-06-24 (the week of 2024-06-24 is the last);
- four stores by name: Riverside, Oak Park, Downtown (all from the start) and Maple Grove (opened 2023-04-03);
  Downtown was closed for a refit in the weeks of 2023-08-07 and 2023-08-14 (no rows those weeks);
- 15 products of four brands (Barkley, Whiskerly, Tidy Paws, Nature's Trail) in three everyday categories
  (dog food and dog treats, cat food and cat treats, cat litter), each named "Brand Kind Size" like the demo data;
  Nature's Trail Grain-Free Dog Food 24 lb was launched in the week of 2023-09-04;
- columns date, store, product, units, price, promotion (0/1), feature (0/1, in that store's weekly flyer);
- a chain-wide price rise of about 6 % from 2023-02-06, chain-wide promotions at 15-25 % off with flyer features
  decided per store, a December lift for treats, a summer lift for litter, and slow growth.

Load it with ``salescast data ingest --merchant pawprint data/eval/pawprint_sales.csv``.
Run ``python scripts/make_eval_merchant.py`` to rewrite the file.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

TARGET = Path(__file__).resolve().parents[1] / "data" / "eval" / "pawprint_sales.csv"
FIRST_WEEK = date(2022, 3, 7)
LAST_WEEK = date(2024, 6, 24)
PRICE_RISE = date(2023, 2, 6)
SEED = 20240624


@dataclass(frozen=True)
class Product:
    name: str
    price: float  # shelf price before the 2023 rise, USD
    units: float  # typical weekly units in a store of size 1.0
    kind: str  # "food", "treats" or "litter": what drives its season
    launched: date = FIRST_WEEK


PRODUCTS = [
    Product("Barkley Adult Dog Food 15 lb", 24.99, 30, "food"),
    Product("Barkley Adult Dog Food 30 lb", 42.99, 18, "food"),
    Product("Barkley Puppy Dog Food 15 lb", 26.99, 10, "food"),
    Product("Barkley Senior Dog Food 15 lb", 25.99, 6, "food"),
    Product("Barkley Dog Biscuits 2 lb", 7.49, 25, "treats"),
    Product("Whiskerly Cat Food 7 lb", 14.99, 22, "food"),
    Product("Whiskerly Cat Food 16 lb", 28.99, 12, "food"),
    Product("Whiskerly Salmon Cat Treats 3 oz", 3.49, 40, "treats"),
    Product("Whiskerly Clumping Cat Litter 20 lb", 12.99, 20, "litter"),
    Product("Tidy Paws Clumping Cat Litter 20 lb", 13.99, 28, "litter"),
    Product("Tidy Paws Clumping Cat Litter 40 lb", 23.99, 14, "litter"),
    Product("Tidy Paws Unscented Cat Litter 20 lb", 13.49, 9, "litter"),
    Product("Nature's Trail Grain-Free Dog Food 24 lb", 49.99, 8, "food", date(2023, 9, 4)),
    Product("Nature's Trail Chicken Dog Treats 12 oz", 9.99, 15, "treats"),
    Product("Nature's Trail Salmon Cat Food 12 lb", 34.99, 7, "food"),
]

STORES = {"Riverside": 1.25, "Oak Park": 1.0, "Downtown": 0.8, "Maple Grove": 0.7}
OPENED = {"Maple Grove": date(2023, 4, 3)}
CLOSED = {"Downtown": {date(2023, 8, 7), date(2023, 8, 14)}}


def weeks() -> list[date]:
    count = (LAST_WEEK - FIRST_WEEK).days // 7 + 1
    return [FIRST_WEEK + timedelta(weeks=i) for i in range(count)]


def shelf_price(value: float) -> float:
    """A price as a shop writes it: whole dollars or halves, less a cent (13.99, 12.49)."""
    return round(round(value * 2) / 2 - 0.01, 2)


def season(kind: str, week: date) -> float:
    if kind == "treats" and week.month == 12:
        return 1.6
    if kind == "litter" and week.month in (6, 7, 8):
        return 1.15
    return 1.0


def store_scale(store: str, week: date) -> float:
    """A new store ramps up over its first 12 weeks."""
    if store not in OPENED:
        return STORES[store]
    return STORES[store] * min(1.0, 0.4 + 0.05 * ((week - OPENED[store]).days // 7))


def is_open(store: str, week: date) -> bool:
    return week >= OPENED.get(store, FIRST_WEEK) and week not in CLOSED.get(store, set())


def promotions(rng: np.random.Generator, all_weeks: list[date]) -> dict[tuple[str, date], float]:
    """Chain-wide promotion weeks per product, with the discount of each (15-25 % off)."""
    deals = {}
    for product in PRODUCTS:
        for week in all_weeks:
            if rng.random() < 0.11:
                deals[(product.name, week)] = float(rng.choice([0.15, 0.2, 0.25]))
    return deals


def rows(rng: np.random.Generator) -> list[dict[str, object]]:
    all_weeks = weeks()
    deals = promotions(rng, all_weeks)
    out = []
    for week in all_weeks:
        years = (week - FIRST_WEEK).days / 365.25
        for store in STORES:
            if not is_open(store, week):
                continue
            for product in PRODUCTS:
                if week < product.launched:
                    continue
                base = product.price * (1.06 if week >= PRICE_RISE else 1.0)
                discount = deals.get((product.name, week), 0.0)
                price = shelf_price(base * (1 - discount))
                on_deal = discount > 0
                featured = (on_deal and rng.random() < 0.6) or rng.random() < 0.02
                lift = (price / base) ** -2.0 * (1.35 if on_deal else 1.0) * (1.25 if featured else 1.0)
                mean = product.units * store_scale(store, week) * season(product.kind, week) * (1 + 0.08 * years)
                units = int(rng.poisson(mean * lift))
                out.append(
                    {
                        "date": week.isoformat(),
                        "store": store,
                        "product": product.name,
                        "units": units,
                        "price": f"{price:.2f}",
                        "promotion": int(on_deal),
                        "feature": int(featured),
                    }
                )
    return out


def write(target: Path = TARGET) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    data = rows(np.random.default_rng(SEED))
    with target.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(data[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(data)
    return target


if __name__ == "__main__":
    path = write()
    print(f"wrote {path} ({path.stat().st_size:,} bytes)")
