"""Convert the Dominick's sources in ``../shared/data/dominicks`` into the Parquet files committed under ``data/``.

Installs read the committed Parquet, never the ``.rda`` sources: this script only needs to run again when the
sources change. It is deterministic, so rerunning it on unchanged sources rewrites identical tables.

    python scripts/build_demo_data.py [--source ../shared/data/dominicks] [--out data/dominicks]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import rdata

REPO = Path(__file__).resolve().parents[1]

# bayesm documentation, `?orangeJuice`: brand number -> (brand, size in ounces).
OJ_BRANDS: dict[int, tuple[str, float]] = {
    1: ("Tropicana Premium", 64),
    2: ("Tropicana Premium", 96),
    3: ("Florida's Natural", 64),
    4: ("Tropicana", 64),
    5: ("Minute Maid", 64),
    6: ("Minute Maid", 96),
    7: ("Citrus Hill", 64),
    8: ("Tree Fresh", 64),
    9: ("Florida Gold", 64),
    10: ("Dominicks", 64),
    11: ("Dominicks", 128),
}

# bayesm documentation, `?tuna`: brand number -> (brand, product name, size in ounces or None).
TUNA_BRANDS: dict[int, tuple[str, str, float | None]] = {
    1: ("Star Kist", "Star Kist 6 oz", 6.0),
    2: ("Chicken of the Sea", "Chicken of the Sea 6 oz", 6.0),
    3: ("Bumble Bee", "Bumble Bee Solid 6.12 oz", 6.12),
    4: ("Bumble Bee", "Bumble Bee Chunk 6.12 oz", 6.12),
    5: ("Geisha", "Geisha 6 oz", 6.0),
    6: ("Bumble Bee", "Bumble Bee Large Cans", None),
    7: ("HH", "HH Chunk Lite 6.5 oz", 6.5),
}


def _size_label(size: float) -> str:
    return f"{size:g} oz"


def oj_products() -> pd.DataFrame:
    rows = [
        {"brand_id": b, "product": f"{name} {_size_label(size)}", "brand": name, "size_oz": float(size)}
        for b, (name, size) in OJ_BRANDS.items()
    ]
    return pd.DataFrame(rows)


def tuna_products() -> pd.DataFrame:
    rows = [
        {"brand_id": b, "product": product, "brand": brand, "size_oz": size}
        for b, (brand, product, size) in TUNA_BRANDS.items()
    ]
    return pd.DataFrame(rows)


def calendar(source: Path) -> pd.DataFrame:
    cal = pd.read_csv(source / "weeks.csv", header=None, names=["week", "week_start", "week_end", "event"], dtype=str)
    cal["week"] = cal["week"].astype("int32")
    for col in ("week_start", "week_end"):
        cal[col] = pd.to_datetime(cal[col], format="%m/%d/%y").dt.date
    cal["event"] = cal["event"].str.strip().replace("", None)
    cal["event"] = cal["event"].where(cal["event"].notna(), None)
    if len(cal) != 400 or not (cal["week"] == np.arange(1, 401)).all():
        raise ValueError("weeks.csv must hold weeks 1..400 in order")
    return cal


def oj_tables(source: Path, cal: pd.DataFrame) -> dict[str, pd.DataFrame]:
    data = rdata.read_rda(str(source / "orangeJuice.rda"))["orangeJuice"]
    yx = pd.DataFrame(data["yx"]).reset_index(drop=True)
    products = oj_products()
    size = dict(zip(products["brand_id"], products["size_oz"]))
    name = dict(zip(products["brand_id"], products["product"]))
    yx = yx.astype({"store": "int32", "brand": "int32", "week": "int32", "deal": "int32"})
    weeks = cal.set_index("week")

    sales = pd.DataFrame(
        {
            "store": yx["store"],
            "week": yx["week"],
            "week_start": yx["week"].map(weeks["week_start"]),
            "brand_id": yx["brand"],
            "product": yx["brand"].map(name),
            "units": np.rint(np.exp(yx["logmove"])).astype("int64"),
            "logmove": yx["logmove"],
            "price_per_oz": _own_price_per_oz(yx),
            "deal": yx["deal"],
            "feature": yx["feat"].astype("float64"),
            "profit": yx["profit"].astype("float64"),
        }
    )
    sales["price"] = (sales["price_per_oz"] * sales["brand_id"].map(size)).round(4)
    sales = sales.sort_values(["store", "brand_id", "week"]).reset_index(drop=True)

    # Every brand's shelf price in every store-week (own and competitors'): price1..price11 repeat per row.
    wide = yx[["store", "week"] + [f"price{b}" for b in OJ_BRANDS]].drop_duplicates(["store", "week"])
    prices = wide.melt(id_vars=["store", "week"], var_name="col", value_name="price_per_oz")
    prices["brand_id"] = prices["col"].str.removeprefix("price").astype("int32")
    prices["product"] = prices["brand_id"].map(name)
    prices["week_start"] = prices["week"].map(weeks["week_start"])
    prices["price"] = (prices["price_per_oz"] * prices["brand_id"].map(size)).round(4)
    prices = prices[["store", "week", "week_start", "brand_id", "product", "price", "price_per_oz"]]
    prices = prices.sort_values(["store", "week", "brand_id"]).reset_index(drop=True)

    stores = _oj_stores(source, pd.DataFrame(data["storedemo"]).reset_index(drop=True))
    return {"oj_sales": sales, "oj_prices": prices, "oj_stores": stores, "oj_products": products}


def _own_price_per_oz(yx: pd.DataFrame) -> np.ndarray:
    """Each row's own shelf price per ounce: column ``price<brand>`` of that row."""
    matrix = yx[[f"price{b}" for b in OJ_BRANDS]].to_numpy()
    return matrix[np.arange(len(yx)), yx["brand"].to_numpy() - 1]


def _oj_stores(source: Path, demo: pd.DataFrame) -> pd.DataFrame:
    demo = demo.rename(columns=str.lower).astype({"store": "int32"})
    listing = pd.read_csv(
        source / "stores.csv",
        header=None,
        names=["store", "city", "price_tier", "zone", "zip", "address"],
        dtype=str,
        keep_default_na=False,
    )
    listing = listing.apply(lambda c: c.str.strip()).replace("", None)
    listing["store"] = listing["store"].astype("int32")
    listing["zone"] = pd.to_numeric(listing["zone"]).astype("Int32")
    stores = demo.merge(listing, on="store", how="left")
    first = ["store", "city", "price_tier", "zone", "zip", "address"]
    return stores[first + [c for c in stores.columns if c not in first]].sort_values("store").reset_index(drop=True)


def tuna_tables(source: Path, cal: pd.DataFrame) -> dict[str, pd.DataFrame]:
    raw = pd.DataFrame(rdata.read_rda(str(source / "tuna.rda"))["tuna"]).reset_index(drop=True)
    products = tuna_products()
    weeks = cal.set_index("week")
    frames = []
    for b, product in zip(products["brand_id"], products["product"]):
        frames.append(
            pd.DataFrame(
                {
                    "week": raw["WEEK"].astype("int32"),
                    "brand_id": np.int32(b),
                    "product": product,
                    "units": raw[f"MOVE{b}"].astype("int64"),
                    "price": np.exp(raw[f"LPRICE{b}"]).round(4),
                    "display": raw[f"NSALE{b}"].astype("float64"),
                    "wholesale_price": _wholesale(raw[f"LWHPRIC{b}"]),
                    "customers": raw["FULLCUST"].astype("float64"),
                }
            )
        )
    sales = pd.concat(frames, ignore_index=True)
    sales.insert(1, "week_start", sales["week"].map(weeks["week_start"]))
    sales = sales.sort_values(["brand_id", "week"]).reset_index(drop=True)
    return {"tuna_sales": sales, "tuna_products": products}


def _wholesale(log_price: pd.Series) -> pd.Series:
    """exp of the log wholesale price; one source value (brand 2, week 76: e^-10.4) is a recording error -> NA."""
    price = np.exp(log_price.astype("float64")).round(4)
    return price.where(price >= 0.01)


def build(source: Path, out: Path) -> dict[str, int]:
    """Write every demo table to ``out`` and return the row count of each."""
    out.mkdir(parents=True, exist_ok=True)
    cal = calendar(source)
    tables = {"calendar": cal, **oj_tables(source, cal), **tuna_tables(source, cal)}
    counts = {}
    for name, frame in tables.items():
        frame.to_parquet(out / f"{name}.parquet", index=False, compression="zstd")
        counts[name] = len(frame)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=REPO.parent / "shared" / "data" / "dominicks")
    parser.add_argument("--out", type=Path, default=REPO / "data" / "dominicks")
    args = parser.parse_args()
    for name, rows in build(args.source, args.out).items():
        print(f"{name:15s} {rows:>9,d} rows")


if __name__ == "__main__":
    main()
