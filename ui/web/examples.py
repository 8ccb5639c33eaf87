"""Example questions to click, written with the merchant's own best-selling product so they work as shown."""

from __future__ import annotations

from forecasting.warehouse.connect import open_tenant


def top_product(merchant: str) -> str:
    with open_tenant(merchant) as con:
        row = con.execute("SELECT product FROM sales GROUP BY 1 ORDER BY sum(units) DESC LIMIT 1").fetchone()
    return row[0] if row else "my best seller"


def example_questions(merchant: str) -> list[str]:
    product = top_product(merchant)
    return [
        "Which products sold the most units last year?",
        f"Forecast {product} for the next 8 weeks",
        f"Why is the forecast for {product} what it is?",
        f"What if I cut the price of {product} by 10%?",
        f"Write a report on {product}",
    ]
