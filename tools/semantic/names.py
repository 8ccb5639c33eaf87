"""Every name a merchant's questions may use, as token lists to find in free text: products, brands, categories,
sizes, stores, store-attribute values, the merchant's synonyms and its words for "everything".

Why tokens and not the LLM: the small model misreads or invents names ("Tropicana 64 oz" became "Tropicana Premium
64 oz"); matching the question's words against the merchant's own names is deterministic, handles misspellings
with a fuzzy ratio, and leaves the model nothing to invent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tools.semantic.model import SemanticModel

SIZE_WORD = re.compile(r"[0-9.]+|oz|fl|ml|l|lb|lbs|g|kg|ct|pk|pack|ounce|ounces")
UNIT_SPELLING = {
    "pack": "pk",
    "packs": "pk",
    "ounce": "oz",
    "ounces": "oz",
    "pound": "lb",
    "pounds": "lb",
    "lbs": "lb",
    "inch": "in",
    "inches": "in",
}  # "96-ounce" is "96 oz", "18 inch" is "18 in"
SHORT_VALUE = 6  # attribute values this short ("High", "4") count only beside the attribute's own word ("tier")


@dataclass(frozen=True)
class Target:
    """One name that may be written in a question, and what it stands for."""

    dimension: str  # product, brand, category, size, store, a store attribute, or "everything"
    value: str  # the merchant's own value
    tokens: tuple[str, ...]
    cue: str | None = None  # a word the question must also hold (short attribute values)


def tokens(text: str) -> list[str]:
    """Lower-case words; apostrophes dropped, "64oz" split, "6.12" kept, "#12" as "12"."""
    text = re.sub(r"['’`]", "", text.lower())
    text = re.sub(r"(\d)([a-z])", r"\1 \2", text)
    text = re.sub(r"\.(?!\d)", " ", text)
    return [UNIT_SPELLING.get(w, w) for w in re.findall(r"[a-z0-9]+(?:\.[0-9]+)?", text)]


def singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def targets(model: SemanticModel) -> list[Target]:
    out: list[Target] = []
    for p in model.catalog:
        out.append(Target("product", p.product, tuple(tokens(p.product))))
    for attribute in ("brand", "category", "size"):
        for value in model.values(attribute):
            out.append(Target(attribute, value, tuple(tokens(value))))
    for store in model.stores:
        if not store.isdigit() and store != "chain":
            out.append(Target("store", store, tuple(tokens(store))))
    for column, values in model.store_attributes.items():
        cue = column.split("_")[-1]
        for value in sorted(set(values.values())):
            short = len(value) <= SHORT_VALUE or value.isdigit()
            out.append(Target(column, value, tuple(tokens(value)), cue if short else None))
    for word in model.category_words:
        out.append(Target("everything", word, tuple(tokens(word))))
    for word, value in model.synonyms.items():
        dim = next((t.dimension for t in out if t.value.lower() == value.lower()), None)
        if dim is not None:
            out.append(Target(dim, next(t.value for t in out if t.value.lower() == value.lower()), tuple(tokens(word))))
    return [t for t in out if t.tokens]


def is_size(word: str) -> bool:
    return bool(SIZE_WORD.fullmatch(word))
