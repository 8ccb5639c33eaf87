"""Product and store names as merchants and small LLMs write them."""

from __future__ import annotations

import pytest

from forecasting.names import UnknownName, resolve

TUNA = ["Bumble Bee Chunk 6.12 oz", "Bumble Bee Solid 6.12 oz", "Star Kist 6 oz", "Geisha 6 oz"]
OJ = ["Minute Maid 64 oz", "Minute Maid 96 oz", "Tropicana 64 oz", "Tropicana Premium 64 oz"]


@pytest.mark.parametrize(
    ("given", "known", "expected"),
    [
        ("Star Kist 6 oz.", TUNA, "Star Kist 6 oz"),  # a trailing full stop
        ("starkist", TUNA, "Star Kist 6 oz"),  # words run together
        ("bumble bee chunk 6.12", TUNA, "Bumble Bee Chunk 6.12 oz"),  # a decimal size keeps its point
        ("tropicana 64", OJ, "Tropicana 64 oz"),  # only size words added
        ("minutemaid 64", OJ, "Minute Maid 64 oz"),
    ],
)
def test_names_resolve_as_written(given: str, known: list[str], expected: str) -> None:
    assert resolve("product", given, known) == expected


def test_ambiguous_and_unknown_names_list_candidates() -> None:
    with pytest.raises(UnknownName, match="could be several") as err:
        resolve("product", "bumble bee", TUNA)
    assert err.value.matches[:2] == ["Bumble Bee Chunk 6.12 oz", "Bumble Bee Solid 6.12 oz"]
    with pytest.raises(UnknownName, match="Did you mean: Tropicana 64 oz"):
        resolve("product", "tropicanna 64", OJ)
