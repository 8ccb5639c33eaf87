"""Product, brand and store names as merchants write them ("tropicana 64", "Minute Maid", "store 12"), resolved
against the merchant's own names before any number is computed.

Resolution happens on the merchant's tenant connection, so a name only ever matches that merchant's products: an
oj brand is simply unknown to tuna. Unknown or ambiguous names fail with the closest candidates listed, which lets
a person or an LLM pick the right one on the next try.
"""

from __future__ import annotations

import re
from datetime import date

from forecasting.names import UnknownName, resolve
from tools.analytics_core import BadArgument, Reader, Scope

_EVERYTHING = {"all", "everything", "all products", "all stores", "every store"}


def resolve_product(rd: Reader, given: str, allow_brand: bool = True) -> tuple[list[str], str | None]:
    """The products ``given`` names, and the brand when it names a whole brand ("Minute Maid": 64 and 96 oz).

    A single product wins; a brand is only taken when the text is exactly a brand name and no single product fits,
    so totals never silently mix sizes the merchant did not ask about.
    """
    try:
        return [_resolve("product", given, rd.products())], None
    except UnknownName:
        brands = rd.brands()
        brand = {_norm(b): b for b in brands}.get(_norm(given))
        if brand is None:
            raise
        if not allow_brand:
            products = ", ".join(brands[brand])
            raise BadArgument(f"{given!r} is a brand with several products; name one of: {products}.") from None
        return brands[brand], brand


def resolve_store(rd: Reader, given: str | int) -> str | None:
    """The store ``given`` names ("store 12", "#12", 12), or None for "all stores"."""
    if _means_all(str(given), rd.stores()):
        return None
    return _resolve("store", str(given), rd.stores())


def make_scope(
    rd: Reader,
    product: str | None,
    store: str | int | None,
    window: tuple[date | None, date | None, str | None] = (None, None, None),
    allow_brand: bool = True,
) -> Scope:
    """The rows a question is about, with every name resolved (or a clear error naming the candidates)."""
    named = product is not None and not _means_all(product, rd.products())
    products, brand = resolve_product(rd, product, allow_brand) if named else (None, None)
    store_name = resolve_store(rd, store) if store is not None else None
    start, end, label = window
    return Scope(products=products, brand=brand, store=store_name, start=start, end=end, label=label)


def _means_all(given: str, known: list[str]) -> bool:
    """'All stores' means no filter, unless the merchant really has a product or store called that."""
    return _norm(given) in _EVERYTHING and _norm(given) not in {_norm(k) for k in known}


def _resolve(kind: str, given: str, known: list[str]) -> str:
    """``resolve``, retried without apostrophes ("Dominick's 64" is "Dominicks 64 oz"); the first error stands."""
    try:
        return resolve(kind, given, known)
    except UnknownName as first:
        plain = {_no_apostrophe(k): k for k in known}
        try:
            return plain[resolve(kind, _no_apostrophe(given), list(plain))]
        except UnknownName:
            raise first from None


def _no_apostrophe(text: str) -> str:
    return re.sub(r"['’`]", "", text)


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", _no_apostrophe(text.lower())).strip()
