"""The one place that documents the SQL surface a merchant (and the LLM) sees.

Each merchant's tenant database holds these tables, and only these. Descriptions live here; which tables and
columns a merchant actually has is read from its tenant database (`describe_merchant`), so the text an LLM is given
can never name a column that does not exist.
"""

from __future__ import annotations

from pydantic import BaseModel

CURRENCY = "USD"


class ColumnDoc(BaseModel):
    name: str
    type: str
    meaning: str


class ViewDoc(BaseModel):
    name: str
    meaning: str
    columns: list[ColumnDoc]

    def signature(self) -> str:
        """``sales(week_start DATE, ...)``: the compact form used in error messages."""
        return f"{self.name}(" + ", ".join(f"{c.name} {c.type}" for c in self.columns) + ")"


VIEW_MEANINGS: dict[str, str] = {
    "sales": "One row per week × store × product: what sold, at what price, with which promotion.",
    "products": "One row per product the merchant sells.",
    "stores": "One row per store ('chain' when the merchant reports chain-level totals).",
    "calendar": "One row per sales week with the holiday or event that falls in it, if any.",
    "competitor_prices": (
        "For each store-week and product, the shelf price of every other product in the same store that week "
        "(the prices shoppers compared against)."
    ),
}

COLUMN_MEANINGS: dict[str, dict[str, str]] = {
    "sales": {
        "week_start": "first day of the sales week",
        "week_end": "last day of the sales week (inclusive)",
        "store": "store id as text (e.g. '12'); 'chain' for chain-level totals",
        "product": "product name, as in products.product",
        "units": "units sold in the week",
        "price": f"average shelf price of one unit in the week, {CURRENCY}",
        "revenue": f"units × price, {CURRENCY}",
        "deal": "in-store deal or promotion: share of the week on promotion, 0–1 (weekly sources: 0 or 1)",
        "feature": "feature advertising (weekly flyer): share 0–1; NULL where the merchant does not record it",
        "display": "in-store display activity: share 0–1",
        "profit": "gross margin, percent of the shelf price",
        "wholesale_price": f"wholesale cost of one unit, {CURRENCY}",
    },
    "products": {
        "product": "product name",
        "brand": "brand name",
        "size_oz": "package size in ounces",
    },
    "stores": {
        "store": "store id as text",
        "city": "city of the store",
        "price_tier": "the chain's price tier for the store (High, Medium, Low, CubFighter)",
        "zone": "the chain's pricing zone number",
        "zip": "ZIP code",
        "address": "street address ('Closed' where the store has closed)",
        "age60": "share of the population aged 60 or more",
        "educ": "share of college graduates",
        "ethnic": "share of Black or Hispanic population",
        "income": "log of median household income",
        "hhlarge": "share of households with 5 or more members",
        "workwom": "share of working women",
        "hval150": "share of homes valued over $150,000",
        "sstrdist": "distance to the nearest warehouse-format competitor, miles",
        "sstrvol": "sales of the nearest warehouse competitor relative to this store",
        "cpdist5": "average distance to the 5 nearest supermarkets, miles",
        "cpwvol5": "sales of the 5 nearest supermarkets relative to this store",
    },
    "calendar": {
        "week_start": "first day of the sales week",
        "week_end": "last day of the sales week (inclusive)",
        "event": (
            "holiday in the week (Halloween, Thanksgiving, Christmas, New-Year, Presidents Day, Easter, "
            "Memorial Day, 4th of July, Labor Day) or NULL"
        ),
    },
    "competitor_prices": {
        "week_start": "first day of the sales week",
        "week_end": "last day of the sales week (inclusive)",
        "store": "store id as text",
        "product": "the product whose competitors are listed",
        "competitor": "another product sold in the same store",
        "competitor_price": f"shelf price of one unit of the competitor that week, {CURRENCY}",
    },
}

VIEW_ORDER = ["sales", "products", "stores", "calendar", "competitor_prices"]

DIALECT_HINT = (
    "DuckDB SQL. Write date literals as DATE '1992-06-14'; use date_trunc, date_diff and INTERVAL arithmetic "
    "(week_start - INTERVAL 28 DAY); never DATE('now'), DATE_SUB or NOW(): the data ends at MAX(week_start)."
)


def view_doc(name: str, columns: list[tuple[str, str]]) -> ViewDoc:
    """Document a table from its actual (name, type) columns."""
    meanings = COLUMN_MEANINGS.get(name, {})
    docs = [ColumnDoc(name=c, type=t, meaning=meanings.get(c, "")) for c, t in columns]
    return ViewDoc(name=name, meaning=VIEW_MEANINGS.get(name, ""), columns=docs)


def render(views: list[ViewDoc]) -> str:
    """Plain-text documentation of a merchant's tables, short enough for an LLM prompt."""
    lines = [DIALECT_HINT, ""]
    for view in views:
        lines.append(f"{view.signature()}: {view.meaning}")
        for col in view.columns:
            if col.meaning:
                lines.append(f"  - {col.name}: {col.meaning}")
    return "\n".join(lines)
