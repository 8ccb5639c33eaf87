"""The grounding check on its own: which numbers an answer may state, given the tool results."""

from __future__ import annotations

from agent.grounding import Grounder, quoted_numbers

RESULT = {"total_units": 4850176, "weeks": [{"p50": 100.5}, {"p50": 200.25}], "share_pct": 18.75,
          "week_start": "1992-09-01", "product": "Tropicana 64 oz"}  # fmt: skip


def test_numbers_are_read_with_their_precision() -> None:
    got = {q.text: (q.value, q.tolerance) for q in quoted_numbers("4.85 million, $2.49, 1,200 and -3%")}
    assert got["4.85 million"] == (4.85e6, 5000.0)
    assert got["$2.49"][0] == 2.49 and got["1,200"] == (1200.0, 50.0) and got["-3"][0] == -3.0


def test_direct_rounded_and_derived_numbers_pass() -> None:
    g = Grounder([RESULT])
    assert g.check("Sold 4,850,176 units, about 4.85 million, an 18.8% share, on 1992-09-01.") == []
    assert g.check("The next 2 weeks total 300.75 units (300.8 rounded); week 2 is 99.75 more than week 1.") == []
    assert g.check("Tropicana 64 oz: week 2 is 199% of week 1.") == []


def test_invented_numbers_are_listed() -> None:
    g = Grounder([RESULT])
    assert g.check("You sold 987,654 units at $3.17.") == ["987,654", "$3.17"]


def test_small_counts_and_question_numbers_are_free() -> None:
    assert Grounder(["next 12 weeks"]).check("Top 3 products over the next 12 weeks:") == []
