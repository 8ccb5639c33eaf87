"""What each product is (brand, size, category), from the merchant's products table or, where a column is missing,
inferred from the product names, then overridden by the merchant's own semantic file.

Why infer: an ingested merchant usually uploads names only ("Barkley Adult Dog Food 15 lb"), yet asks "which brand
sells most?" and "how much dog food last month?". Names in a real catalogue follow a pattern (brand first, size
last), so the shared leading words of a group of products are its brand and the words before the size, less the
brand's, its line; a category is the line's last two words when several products share them. All of it is written
out by ``salescast semantic show`` and can be corrected in the merchant's YAML file.
"""

from __future__ import annotations

import re
from collections import defaultdict

from pydantic import BaseModel

SIZE = re.compile(r"\s+(\d+(?:\.\d+)?)\s*(oz|fl oz|lb|lbs|kg|g|ml|l|ct|pk|pack|count)\.?$", re.IGNORECASE)


class ProductInfo(BaseModel):
    """One product's attributes; ``None`` where neither the data nor the merchant's file says."""

    product: str
    brand: str | None = None
    size: str | None = None
    category: str | None = None


def split_size(name: str) -> tuple[str, str | None]:
    """``("Barkley Adult Dog Food", "15 lb")`` for "Barkley Adult Dog Food 15 lb"."""
    match = SIZE.search(name)
    if not match:
        return name, None
    return name[: match.start()].strip(), f"{match[1]} {match[2].lower()}"


def infer_brands(products: list[str]) -> dict[str, str]:
    """Brand per product: the words all products sharing its first word have in common (at least that word)."""
    groups: dict[str, list[list[str]]] = defaultdict(list)
    for name in products:
        words = split_size(name)[0].split()
        if words:
            groups[words[0].lower()].append(words)
    brand_of_group = {key: " ".join(_common_prefix(members)) for key, members in groups.items()}
    out = {}
    for name in products:
        words = split_size(name)[0].split()
        if words:
            out[name] = brand_of_group[words[0].lower()] if len(groups[words[0].lower()]) > 1 else words[0]
    return out


def _common_prefix(members: list[list[str]]) -> list[str]:
    prefix = members[0]
    for words in members[1:]:
        n = 0
        while n < min(len(prefix), len(words)) and prefix[n].lower() == words[n].lower():
            n += 1
        prefix = prefix[:n]
    if len(members) == 1 or len(prefix) == len(members[0]):  # one product, or all identical up to size
        return members[0][:1]
    return prefix


def infer_categories(products: list[str], brands: dict[str, str]) -> dict[str, str]:
    """Category per product: the last two words of its line ("Dog Food"), kept only when several products share
    one and there are fewer categories than products (else the names carry no category)."""
    guess = {}
    for name in products:
        line = split_size(name)[0][len(brands.get(name, "")) :].split()
        if line:
            guess[name] = " ".join(line[-2:])
    counts: dict[str, int] = defaultdict(int)
    for category in guess.values():
        counts[category.lower()] += 1
    shared = {p: c for p, c in guess.items() if counts[c.lower()] > 1}
    return shared if shared and len(set(shared.values())) < len(products) else {}


def build_catalog(
    products: list[str], columns: dict[str, dict[str, str | None]], overrides: dict[str, dict[str, str]]
) -> list[ProductInfo]:
    """Every product with its attributes: the table's columns first, inference where they are missing, then the
    merchant's overrides (which always win)."""
    brands = {p: b for p, b in (columns.get("brand") or {}).items() if b} or infer_brands(products)
    sizes = {p: s for p, s in (columns.get("size") or {}).items() if s}
    categories = {p: c for p, c in (columns.get("category") or {}).items() if c} or infer_categories(products, brands)
    out = []
    for name in products:
        info = ProductInfo(product=name, brand=brands.get(name), size=sizes.get(name) or split_size(name)[1],
                           category=categories.get(name))  # fmt: skip
        out.append(info.model_copy(update=overrides.get(name, {})))
    return out
