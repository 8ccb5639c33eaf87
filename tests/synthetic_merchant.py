"""A synthetic merchant whose sales follow known rules, so tests can check that explanations find the truth.

Planted effects (multiplicative on the median, with log-normal noise around it):
  * own price: elasticity -2 against the product's regular price;
  * deal: sales x1.8 in a deal week;
  * holiday: sales x1.5 in Thanksgiving and Christmas weeks (other events do nothing);
  * seasonality: a smooth yearly cycle of +-15 %;
  * feature advertising: switched on at random and has NO effect (a control: explanations must find ~0);
  * competitor prices: vary but have no effect (another control).
Store and product set the level. The data ends just before Thanksgiving so the forecast weeks hold both holidays.

For tests only; the demo stays on real data. Run ``python -m tests.synthetic_merchant OUT.csv`` to write the file
that ``salescast data ingest --merchant synth OUT.csv`` loads.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.warehouse.holidays import holidays, week_start_of

ELASTICITY = -2.0
DEAL_LIFT = 1.8
HOLIDAY_LIFT = 1.5
HOLIDAYS = ("Thanksgiving", "Christmas")
SEASON_AMPLITUDE = 0.15
NOISE_SIGMA = 0.1
FIRST_WEEK = date(2018, 11, 5)  # Mondays
LAST_WEEK = date(2021, 11, 8)  # Thanksgiving 2021 falls in the week of 2021-11-22: forecast step 2
PRODUCTS = {"Alpha 1 L": (200.0, 2.0), "Bravo 1 L": (150.0, 2.2), "Charlie 2 L": (100.0, 3.5), "Delta 2 L": (80.0, 3.8)}
STORES = [f"Store {i}" for i in range(1, 9)]


def weeks() -> list[date]:
    return [FIRST_WEEK + timedelta(weeks=k) for k in range((LAST_WEEK - FIRST_WEEK).days // 7 + 1)]


def season_factor(start: date) -> float:
    return 1.0 + SEASON_AMPLITUDE * float(np.sin(2 * np.pi * (start.timetuple().tm_yday + 3) / 365.25))


def holiday_factor(start: date) -> float:
    lifted = {week_start_of(day, 1) for day, name in holidays(start.year).items() if name in HOLIDAYS}
    return HOLIDAY_LIFT if start in lifted else 1.0


def median_units(level: float, price: float, regular: float, deal: float, start: date) -> float:
    """The generating rule without noise: what a perfect model's P50 would say."""
    return level * (price / regular) ** ELASTICITY * DEAL_LIFT**deal * holiday_factor(start) * season_factor(start)


def generate(seed: int = 7) -> pd.DataFrame:
    """Weekly rows: date, store, product, units, price, promotion (deal 0/1), feature (0/1)."""
    rng = np.random.default_rng(seed)
    store_level = dict(zip(STORES, np.exp(rng.normal(0.0, 0.3, len(STORES))), strict=True))
    rows = []
    for week in weeks():
        for store in STORES:
            for product, (level, regular) in PRODUCTS.items():
                price = regular * float(np.exp(rng.uniform(-0.15, 0.1)))
                deal, feature = float(rng.random() < 0.15), float(rng.random() < 0.15)
                median = median_units(level * store_level[store], price, regular, deal, week)
                units = max(round(median * float(np.exp(rng.normal(0.0, NOISE_SIGMA)))), 0)
                rows.append((week, store, product, units, round(price, 2), deal, feature))
    return pd.DataFrame(rows, columns=["date", "store", "product", "units", "price", "promotion", "feature"])


def write(path: Path, seed: int = 7) -> Path:
    generate(seed).to_csv(path, index=False)
    return path


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m tests.synthetic_merchant OUT.csv")
    print(write(Path(sys.argv[1])))


def true_shapley(
    level: float, regular: float, target: tuple[float, float, date], background: list[tuple[float, float, date]]
) -> dict[str, float]:
    """Exact interventional Shapley values of the generating rule, per planted driver, in units.

    ``target`` and each background week are (price, deal, week start). The same method the explainer uses (whole
    drivers swapped between the explained week and background weeks), applied to the true rule, so the two are
    directly comparable."""
    import shap

    def rows(items: list[tuple[float, float, date]]) -> np.ndarray:
        return np.array([[p, d, holiday_factor(w), season_factor(w)] for p, d, w in items])

    def rule(x: np.ndarray) -> np.ndarray:
        return level * (x[:, 0] / regular) ** ELASTICITY * DEAL_LIFT ** x[:, 1] * x[:, 2] * x[:, 3]

    bg = rows(background)
    values = shap.explainers.Exact(rule, shap.maskers.Independent(bg, max_samples=len(bg)))(rows([target]))
    return dict(zip(["own price", "deal", "holiday/event", "seasonality"], values.values[0], strict=True))
