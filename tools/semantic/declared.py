"""The business terms every merchant's semantic model is made of: measures and dimensions, each declared once.

A measure is an aggregate over the ``sales`` rows in scope (alias ``s``); a dimension is an expression rows are
grouped or filtered by, with the table it needs joined. The compiler (``tools.semantic.compile``) only ever pastes
these fixed SQL fragments; every value a question brings (a product, a date) is a bound parameter. Whether a term
applies to a merchant (a feature column that is NULL throughout, a store attribute) is decided per merchant by
``tools.semantic.model``.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel

Join = Literal["sales", "catalog", "stores", "calendar"]
Unit = Literal["units", "money", "price", "weeks", "stores", "products", "percent", "date"]


class Measure(BaseModel):
    name: str
    label: str
    sql: str
    unit: Unit
    means: str  # what the router reads: when to pick it
    needs: str | None = None  # the sales column it needs (deal, feature, display)


class Dimension(BaseModel):
    name: str
    label: str
    sql: str
    join: Join = "sales"
    time: bool = False  # ordered by itself, not ranked
    needs: str | None = None


MEASURES: list[Measure] = [
    Measure(name="units", label="units", sql="sum(s.units)", unit="units",
            means="units sold (what 'sales' means unless money is named)"),
    Measure(name="revenue", label="revenue", sql="sum(s.revenue)", unit="money",
            means="money taken: revenue, dollars, turnover"),
    Measure(name="avg_price", label="average price", sql="avg(s.price)", unit="price",
            means="average shelf price, what it cost"),
    Measure(name="min_price", label="lowest price", sql="min(s.price)", unit="price", means="lowest shelf price"),
    Measure(name="max_price", label="highest price", sql="max(s.price)", unit="price", means="highest shelf price"),
    Measure(name="share_units", label="share of units", sql="sum(s.units)", unit="percent",
            means="percent of all units (share, slice, percentage)"),
    Measure(name="share_revenue", label="share of revenue", sql="sum(s.revenue)", unit="percent",
            means="percent of all revenue"),
    Measure(name="weeks_on_deal", label="weeks on deal", unit="weeks", needs="deal",
            sql="count(DISTINCT s.week_start) FILTER (WHERE s.deal > 0)",
            means="how many weeks it was on deal / promotion / sale"),
    Measure(name="weeks_on_feature", label="weeks in the ad", unit="weeks", needs="feature",
            sql="count(DISTINCT s.week_start) FILTER (WHERE s.feature > 0)",
            means="how many weeks it was in the ad / flyer / featured"),
    Measure(name="weeks_on_display", label="weeks on display", unit="weeks", needs="display",
            sql="count(DISTINCT s.week_start) FILTER (WHERE s.display > 0)",
            means="how many weeks it was on display"),
    Measure(name="weeks_sold", label="weeks with sales", unit="weeks",
            sql="count(DISTINCT s.week_start) FILTER (WHERE s.units > 0)", means="how many weeks it sold at all"),
    Measure(name="stores_selling", label="stores selling", unit="stores",
            sql="count(DISTINCT s.store) FILTER (WHERE s.units > 0)", means="how many stores sold it"),
    Measure(name="products_sold", label="products sold", unit="products",
            sql="count(DISTINCT s.product) FILTER (WHERE s.units > 0)", means="how many products sold"),
    Measure(name="avg_weekly_units", label="average units per week", unit="units",
            sql="sum(s.units) / count(DISTINCT s.week_start)", means="units in a typical week"),
    Measure(name="units_per_store_week", label="average units per store-week", unit="units",
            sql="avg(s.units)", means="units per store and week: compare deal vs no deal"),
    Measure(name="margin_pct", label="average margin", sql="avg(s.profit)", unit="percent", needs="profit",
            means="profit margin, percent of the shelf price"),
    Measure(name="wholesale_cost", label="average wholesale cost", sql="avg(s.wholesale_price)", unit="price",
            needs="wholesale_price", means="what a unit cost us wholesale"),
    Measure(name="unit_margin", label="average margin per unit", sql="avg(s.price - s.wholesale_price)",
            unit="price", needs="wholesale_price", means="shelf price minus wholesale cost, per unit"),
    Measure(name="median_units", label="median units per product, store and week", sql="median(s.units)",
            unit="units", means="a typical (median) week of one product at one store"),
    Measure(name="first_sold", label="first week with sales", unit="date",
            sql="min(s.week_start) FILTER (WHERE s.units > 0)", means="when it first sold, started, opened"),
    Measure(name="last_sold", label="last week with sales", unit="date",
            sql="max(s.week_start) FILTER (WHERE s.units > 0)", means="when it last sold"),
    Measure(name="last_on_deal", label="last week on deal", unit="date", needs="deal",
            sql="max(s.week_start) FILTER (WHERE s.deal > 0)", means="when it was last on deal / promotion"),
    Measure(name="last_on_feature", label="last week in the ad", unit="date", needs="feature",
            sql="max(s.week_start) FILTER (WHERE s.feature > 0)", means="when it was last in the ad"),
    Measure(name="last_on_display", label="last week on display", unit="date", needs="display",
            sql="max(s.week_start) FILTER (WHERE s.display > 0)", means="when it was last on display"),
]  # fmt: skip

# The words that name each measure, most specific first: a span one measure reads is not read again by a later,
# more general one ("lowest price" is not also "price"). Counts of weeks are read with the promotion they count.
_W = {
    "min_price": r"\b(lowest|minimum|min|cheapest|bottom) (shelf |selling )?prices?\b|\bcheapest\b",
    "max_price": r"\b(highest|maximum|max|peak|top) (shelf |selling )?prices?\b|\bmost expensive\b|\bpriciest\b",
    "margin_pct": r"\b(profit |gross )?margins?\b( per \w+)?|\bprofit\b|\bmark[- ]?ups?\b",
    "unit_margin": r"\b(profit |gross )?margins?\b( per \w+)?|\bprofit\b|\bmark[- ]?ups?\b|\b(make|made) (on|per) "
                   r"(each|a|every|\w+)\b|\b(shelf )?price minus (the )?wholesale\b|\bover wholesale\b",
    "wholesale_cost": r"\bwholesale\b( (cost|price))?|\bcost us\b|\bunit cost\b|\bcost price\b|\bpurchase price\b|"
                      r"\bwhat we pa(y|id)\b",
    "units_per_store_week": r"\bper store[- ]week\b|\bper store (and|per|a) week\b|\bstore[- ]weeks?\b",
    "avg_weekly_units": r"\baverage weekly\b|\bweekly average\b|\bper week\b|\ba week on average\b|"
                        r"\bweeks? on average\b|\b(typical|average|normal|usual|regular|ordinary) (\w+[- ]){0,2}weeks?\b",
    "stores_selling": r"\b(how many|number of|in how many|count of) (of (our|my|the) )?(\w+ )?(stores|shops|locations|"
                      r"branches|outlets|sites|centres|centers)\b",
    "products_sold": r"\b(how many|number of|count of) (different|distinct|separate) (products|items|skus|lines)\b|"
                     r"\b(how many|number of) (products|skus|lines)\b",
    "avg_price": r"\baverage (shelf |selling |retail )?pric\w*|\bprices?\b(?! tiers?\b)|\bcosts?\b|"
                 r"\bcharg(e|ed|es|ing)\b|\bpriced\b|\bretail(ed|s)? (for|at)\b|\bper unit\b",
    "revenue": r"\brevenues?\b|\bmoney\b|\bdollars?\b|\bturnover\b|\btakings\b|\bincome\b|"
               r"\bbr(ing|ings|inging|ought) in\b|\bearn(ed|s|ings)?\b|\b(took|take) in\b|\bsales value\b|"
               r"\bin \$|\$ ?(sales|amount|value|terms)\b|\bspen[dt]\b",
    "median_units": r"\bmedian\b",
    "units": r"\bunits?\b|\bvolumes?\b|\bquantity\b|\bcans\b|\bcartons\b|\bbottles\b|\bbags\b|\bitems\b",
}  # fmt: skip
MEASURE_WORDS: dict[str, re.Pattern[str]] = {name: re.compile(words) for name, words in _W.items()}


GRAINS = {
    "week": "s.week_start",
    "month": "CAST(date_trunc('month', s.week_start) AS DATE)",
    "quarter": "CAST(date_trunc('quarter', s.week_start) AS DATE)",
    "year": "CAST(date_trunc('year', s.week_start) AS DATE)",
}

FIXED_DIMENSIONS: list[Dimension] = [
    Dimension(name="product", label="product", sql="s.product"),
    Dimension(name="brand", label="brand", sql="k.brand", join="catalog"),
    Dimension(name="size", label="size", sql="k.size", join="catalog"),
    Dimension(name="category", label="category", sql="k.category", join="catalog"),
    Dimension(name="store", label="store", sql="s.store"),
    *[Dimension(name=g, label=g, sql=sql, time=True) for g, sql in GRAINS.items()],
    Dimension(name="event", label="holiday", sql="c.event", join="calendar"),
    Dimension(name="deal", label="deal", needs="deal",
              sql="CASE WHEN s.deal > 0 THEN 'on deal' ELSE 'no deal' END"),
    Dimension(name="feature", label="ad", needs="feature",
              sql="CASE WHEN s.feature > 0 THEN 'in the ad' ELSE 'not in the ad' END"),
    Dimension(name="display", label="display", needs="display",
              sql="CASE WHEN s.display > 0 THEN 'on display' ELSE 'no display' END"),
]  # fmt: skip

# The nouns that name each dimension in a breakdown ("which stores", "by month", "top 3 brands"); store
# attributes are named by their column ("price tier", "city").
DIMENSION_WORDS: dict[str, str] = {
    "product": r"products?|items?|skus?|flavou?rs?|varieties|variety|sellers?|movers?",
    "brand": r"brands?|labels?|makers?|manufacturers?",
    "size": r"sizes?|pack sizes?",
    "category": r"categor(?:y|ies)|kinds?|types?|departments?",
    "store": r"stores?|shops?|locations?|branch(?:es)?|outlets?|sites?|cent(?:re|er)s?|caf[eé]s?",
    "week": r"weeks?",
    "month": r"months?",
    "quarter": r"quarters?",
    "year": r"years?",
    "event": r"holidays?|holiday weeks?",
}
GRAIN_ADJECTIVES = {"week": "weekly", "month": "monthly", "quarter": "quarterly", "year": "yearly|annual"}
PROMOTION_COLUMNS = ("deal", "feature", "display")
COST_COLUMNS = ("profit", "wholesale_price")

STORE_ATTRIBUTE_SKIP = {"store", "address"}
MAX_ATTRIBUTE_VALUES = 60  # more distinct values than this: an identifier or a number, not a way to group stores


def measure(name: str) -> Measure:
    return next(m for m in MEASURES if m.name == name)


def store_dimension(column: str) -> Dimension:
    return Dimension(name=column, label=column.replace("_", " "), sql=f'st."{column}"', join="stores")
