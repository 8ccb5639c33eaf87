"""The example bank and its retrieval: the few question -> reply pairs nearest to a question go into its prompt.

Why retrieve instead of one fixed list: a small model copies the example nearest to the question, so the nearest
should be one of the same shape ("in how many weeks ..." for a count, "what share ..." for a share). BM25 over the
question's words (names of the merchant's vocabulary dropped, since examples carry placeholders) finds them
offline in microseconds.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import yaml
from rank_bm25 import BM25Okapi

BANK = Path(__file__).with_name("examples.yaml")
PICK = 3
STOP = {"the", "a", "an", "of", "in", "at", "for", "to", "our", "we", "my", "i", "me", "is", "was", "did", "do", "and"}


def words(text: str, drop: frozenset[str] = frozenset()) -> list[str]:
    found = re.findall(r"[a-z]+|\{\w+\}", text.lower())
    return [w for w in found if w not in STOP and w not in drop and not w.startswith("{")]


@lru_cache(maxsize=1)
def bank() -> tuple[list[dict], BM25Okapi]:
    items = yaml.safe_load(BANK.read_text())
    return items, BM25Okapi([words(item["q"]) for item in items])


def nearest(question: str, drop: frozenset[str] = frozenset(), k: int = PICK) -> list[dict]:
    """The ``k`` bank items most like ``question`` (its merchant-name words in ``drop`` are ignored)."""
    items, index = bank()
    scores = index.get_scores(words(question, drop))
    order = sorted(range(len(items)), key=lambda i: -scores[i])
    return [items[i] for i in order[:k]]


def shown(item: dict) -> str:
    reply = json.dumps(item["a"], separators=(",", ":"))
    return f"{item['q']} -> {reply}"
