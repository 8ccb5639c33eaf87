"""Resolve product and store names as people write them ("tropicana 64", "store 12") to the panel's names."""

from __future__ import annotations

import difflib
import re

from forecasting.warehouse.errors import WarehouseError


class UnknownName(WarehouseError):
    def __init__(self, kind: str, given: str, matches: list[str], known: list[str], ambiguous: bool = False) -> None:
        hint = f"Did you mean: {', '.join(matches)}?" if matches else f"Known {kind}s: {', '.join(known[:20])}."
        lead = f"{given!r} could be several {kind}s." if ambiguous else f"Unknown {kind} {given!r}."
        super().__init__(f"{lead} {hint}")
        self.kind, self.given, self.matches = kind, given, matches


def _key(text: str) -> str:
    text = re.sub(r"^\s*(store|shop|location)\s*#?\s*", "", text.strip().lower())
    text = re.sub(r"\.(?!\d)", " ", text)  # "6 oz." is "6 oz"; "6.12" keeps its point
    return re.sub(r"[^a-z0-9.]+", " ", text).strip()


def resolve(kind: str, given: str, known: list[str]) -> str:
    """The one known name ``given`` means, or ``UnknownName`` listing the closest candidates.

    Exact (case/punctuation-insensitive) wins; then, among names holding every word given (a word of 3+ letters
    may be a prefix), the only one, or the only one that adds nothing but size words ("tropicana 64" is
    "Tropicana 64 oz", not "Tropicana Premium 64 oz"); else fail with the closest matches, so a person or an LLM
    can pick ("bumble bee" could be three tunas).
    """
    by_key = {_key(k): k for k in known}
    key = _key(given)
    if key in by_key:
        return by_key[key]
    words = key.split()
    containing = [k for k in known if words and all(_has_word(_key(k).split(), w) for w in words)]
    if len(containing) == 1:
        return containing[0]
    plain = [k for k in containing if not [w for w in _key(k).split() if w not in words and not _is_size(w)]]
    if len(plain) == 1:
        return plain[0]
    if not containing and (joined := _joined_match(key, known)):
        return joined
    close = containing or [by_key[c] for c in difflib.get_close_matches(key, list(by_key), n=5, cutoff=0.4)]
    raise UnknownName(kind, given, close[:5], known, ambiguous=bool(containing))


def _joined_match(key: str, known: list[str]) -> str | None:
    """ "starkist" for "Star Kist 6 oz", "minutemaid" for "Minute Maid": spacing is the commonest misspelling."""
    squeezed = key.replace(" ", "")
    hits = [k for k in known if _key(k).replace(" ", "").startswith(squeezed)] if len(squeezed) >= 4 else []
    plain = [k for k in hits if all(_is_size(w) for w in _after(_key(k), len(squeezed)).split())]
    return hits[0] if len(hits) == 1 else plain[0] if len(plain) == 1 else None


def _after(key: str, letters: int) -> str:
    """What follows the first ``letters`` non-space characters of ``key``, with its spacing kept."""
    seen = 0
    for i, ch in enumerate(key):
        if seen == letters:
            return key[i:]
        seen += ch != " "
    return ""


def _is_size(word: str) -> bool:
    return bool(re.fullmatch(r"[0-9.]+|oz|fl|ml|l|lb|lbs|g|kg|ct|pk|pack", word))


def _has_word(words: list[str], word: str) -> bool:
    return word in words or (len(word) >= 3 and any(w.startswith(word) for w in words))
