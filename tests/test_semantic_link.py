"""The entity linker on merchants' questions: what it reads (names, stores, periods, money, percents, weeks ahead)
into the Frame the chat builds its query from, on the demo merchants' real semantic models."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from tools.semantic import Frame, SemanticModel, link, semantic_model
from tools.semantic.catalog import build_catalog

SEMANTIC = Path(__file__).resolve().parents[1] / "data" / "semantic"
PET_PRODUCTS = [
    "Barkley Adult Dog Food 15 lb", "Barkley Adult Dog Food 30 lb", "Barkley Puppy Dog Food 15 lb",
    "Nature's Trail Grain-Free Dog Food 24 lb", "Nature's Trail Salmon Cat Food 12 lb",
    "Tidy Paws Clumping Cat Litter 20 lb", "Tidy Paws Unscented Cat Litter 20 lb", "Whiskerly Cat Food 16 lb",
    "Whiskerly Clumping Cat Litter 20 lb",
]  # fmt: skip


def _model(home: Path, merchant: str) -> SemanticModel:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SALESCAST_HOME", str(home))
        return semantic_model(merchant)


@pytest.fixture(scope="module")
def oj(built_home: Path) -> SemanticModel:
    return _model(built_home, "oj")


@pytest.fixture(scope="module")
def tuna(built_home: Path) -> SemanticModel:
    return _model(built_home, "tuna")


def _names(frame: Frame) -> list[tuple[str, list[str]]]:
    return [(m.dimension, m.values) for m in frame.mentions]


def _span(frame: Frame, i: int = 0) -> tuple[date, date]:
    return frame.periods[i].start, frame.periods[i].end


# ---- products, brands, sizes, categories ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question, product",
    [
        ("How many units of Tropicana 64 oz did we sell?", "Tropicana 64 oz"),
        ("tropicana 64 at store 12", "Tropicana 64 oz"),
        ("How did tropicanna 64 do?", "Tropicana 64 oz"),  # misspelt
        ("minutemaid 96 last year", "Minute Maid 96 oz"),  # run together
        ("Sales of Tropicana Premium 96", "Tropicana Premium 96 oz"),
        ("Floridas Natural in May", "Florida's Natural 64 oz"),  # the apostrophe left out
    ],
)
def test_a_product_written_as_people_write_it(oj: SemanticModel, question: str, product: str) -> None:
    frame = link(question, oj)
    assert frame.products(oj) == [product]
    assert [m.dimension for m in frame.mentions if m.dimension != "store"] in (["product"], ["brand"])


def test_a_brand_covers_its_products(oj: SemanticModel) -> None:
    frame = link("How much Minute Maid did we sell last month?", oj)
    assert _names(frame) == [("brand", ["Minute Maid"])]
    assert frame.products(oj) == ["Minute Maid 64 oz", "Minute Maid 96 oz"]
    misspelt = link("how did tropicanna do", oj)
    assert _names(misspelt) == [("brand", ["Tropicana"])] and misspelt.products(oj) == ["Tropicana 64 oz"]


def test_a_word_shared_by_two_brands_is_ambiguous_not_guessed(oj: SemanticModel) -> None:
    frame = link("How is florida doing?", oj)
    assert len(frame.mentions) == 1 and frame.mentions[0].ambiguous
    assert sorted(frame.products(oj)) == ["Florida Gold 64 oz", "Florida's Natural 64 oz"]


def test_a_size_covers_every_product_of_that_size(oj: SemanticModel) -> None:
    frame = link("What did the 96 oz cartons sell?", oj)
    assert _names(frame) == [("size", ["96 oz"])]
    assert frame.products(oj) == sorted(p.product for p in oj.catalog if p.size == "96 oz") != []


@pytest.mark.parametrize("merchant", ["oj", "tuna"])
def test_the_merchants_category_words_mean_everything(merchant: str, oj: SemanticModel, tuna: SemanticModel) -> None:
    model = {"oj": oj, "tuna": tuna}[merchant]
    words = yaml.safe_load((SEMANTIC / f"{merchant}.yaml").read_text())["category_words"]
    assert words and model.category_words == words
    for word in words:
        frame = link(f"How much {word} did we sell last month?", model)
        assert frame.everything, word
        assert frame.mentions == [] and frame.products(model) == [], word


def test_a_category_inferred_from_product_names(oj: SemanticModel) -> None:
    pets = oj.model_copy(update={"catalog": build_catalog(PET_PRODUCTS, {}, {}), "category_words": ["pet supplies"]})
    frame = link("How much dog food did we sell last month?", pets)
    assert _names(frame) == [("category", ["Dog Food"])]
    assert frame.products(pets) == [p for p in PET_PRODUCTS if "Dog Food" in p]
    litter = link("cat litter vs whiskerly", pets)
    assert _names(litter) == [("category", ["Cat Litter"]), ("brand", ["Whiskerly"])]
    assert link("all our pet supplies", pets).everything


# ---- stores --------------------------------------------------------------------------------------------------------


def test_store_references(oj: SemanticModel, tuna: SemanticModel) -> None:
    assert link("What did store 12 sell?", oj).stores() == ["12"]
    assert link("Compare stores 5 and 12", oj).stores() == ["5", "12"]
    assert link("units at #12 last week", oj).stores() == ["12"]
    assert link("store no. 8, store 9 or store 14", oj).stores() == ["8", "9", "14"]
    unknown = link("How did store 999 do?", oj)
    assert unknown.stores() == [] and unknown.unknown_stores == ["999"]
    chain = link("What did store 12 sell?", tuna)  # tuna is chain level: store 12 is not one of its stores
    assert chain.stores() == [] and chain.unknown_stores == ["12"]


def test_a_store_written_with_a_typo(oj: SemanticModel) -> None:
    assert link("how much did stor 12 sell", oj).stores() == ["12"]
    assert link("sotre 5 and strore 8", oj).stores() == ["5", "8"]
    assert link("a story 12 times over", oj).stores() == [] and link("stone 12", oj).stores() == []


def test_a_four_digit_store_number_is_not_a_year(oj: SemanticModel) -> None:
    numbered = oj.model_copy(update={"stores": [*oj.stores, "1991"]})
    frame = link("How did store 1991 do last month?", numbered)
    assert frame.stores() == ["1991"]
    assert [w.label for w in frame.periods] == ["last month (September 1992)"]  # not "1991" and last month


# ---- periods -------------------------------------------------------------------------------------------------------


def test_months_quarters_and_relative_periods(oj: SemanticModel) -> None:
    assert _span(link("Tropicana 64 oz in May 1992", oj)) == (date(1992, 5, 1), date(1992, 5, 31))
    assert _span(link("What sold best in Q3 1992?", oj)) == (date(1992, 7, 1), date(1992, 9, 30))
    now = oj.last_day + timedelta(days=1)  # "today" as far as the data knows
    month_before = (now.replace(day=1) - timedelta(days=1)).replace(day=1)
    last = _span(link("What sold best last month?", oj))
    assert last == (month_before, now.replace(day=1) - timedelta(days=1)) == (date(1992, 9, 1), date(1992, 9, 30))
    weeks = link("units over the last 8 weeks", oj)
    assert _span(weeks) == (oj.last_week - timedelta(weeks=7), oj.last_day)


def test_periods_written_loosely(oj: SemanticModel) -> None:
    assert _span(link("tropicana sales in augst 1992", oj)) == (date(1992, 8, 1), date(1992, 8, 31))
    assert _span(link("septmber 1991 totals", oj)) == (date(1991, 9, 1), date(1991, 9, 30))
    first_quarters = link("the first quarter of 1992 against the first quarter of 1991", oj).periods
    assert [(w.start, w.end) for w in first_quarters] == [(date(1992, 1, 1), date(1992, 3, 31)),
                                                          (date(1991, 1, 1), date(1991, 3, 31))]  # fmt: skip
    assert _span(link("What share of last year's units came from store 5?", oj)) == (
        date(1991, 1, 1),
        date(1991, 12, 31),
    )
    assert link("the mayor marches on", oj).periods == []
    assert _span(link("units last yr", oj)) == (date(1991, 1, 1), date(1991, 12, 31))
    same = link("Q1 1992 against the same quarter of 1991", oj).periods
    assert [(w.start, w.end) for w in same] == [
        (date(1992, 1, 1), date(1992, 3, 31)),
        (date(1991, 1, 1), date(1991, 3, 31)),
    ]


def test_holiday_weeks(oj: SemanticModel) -> None:
    thanksgiving = [w for w in oj.events["Thanksgiving"] if w.year == 1992]
    assert _span(link("How did we do Thanksgiving week 1992?", oj)) == (thanksgiving[0], thanksgiving[0])
    easter = next(w for w in oj.events["Easter"] if w.year == 1992)
    frame = link("Did Easter week 1992 beat the week before?", oj)
    assert [_span(frame, 0), _span(frame, 1)] == [(easter, easter), (easter - timedelta(weeks=1),) * 2]


def test_same_period_last_year(oj: SemanticModel) -> None:
    may = link("May 1992 against the same period last year", oj)
    assert _span(may, 0) == (date(1992, 5, 1), date(1992, 5, 31))
    assert _span(may, 1) == (date(1991, 5, 1), date(1991, 5, 31))
    holiday = link("Thanksgiving week 1991 vs the same week a year earlier", oj)
    weeks = {w.year: w for w in oj.events["Thanksgiving"]}
    assert [_span(holiday, 0), _span(holiday, 1)] == [(weeks[1991],) * 2, (weeks[1990],) * 2]  # its own week


def _spans(frame: Frame) -> list[tuple[date, date]]:
    return [(w.start, w.end) for w in frame.periods]


def test_growth_from_one_period_to_another_is_two_periods_the_later_first(oj: SemanticModel) -> None:
    years = [(date(1992, 1, 1), date(1992, 12, 31)), (date(1991, 1, 1), date(1991, 12, 31))]
    assert _spans(link("By what percent did units grow from 1991 to 1992?", oj)) == years
    assert _spans(link("how did units change between 1991 and 1992", oj)) == years
    assert _spans(link("units from 1991 to 1992", oj)) == [(date(1991, 1, 1), date(1992, 12, 31))]  # a range
    spans = _spans(link("By what percent did units change from January-September 1991 to January-September 1992?", oj))
    assert spans == [(date(1992, 1, 1), date(1992, 9, 30)), (date(1991, 1, 1), date(1991, 9, 30))]


def test_a_period_against_a_bare_year_or_a_month_read_again(oj: SemanticModel) -> None:
    weeks = {w.year: w for w in oj.events["Memorial Day"]}
    frame = link("Memorial Day week, 1992 against 1991 - how did units compare?", oj)
    assert _spans(frame) == [(weeks[1992],) * 2, (weeks[1991],) * 2]  # the holiday's own week that year
    assert _spans(link("May 1992 vs 1991", oj))[1] == (date(1991, 5, 1), date(1991, 5, 31))
    frame = link("How do September 1992 units compare with September of the year before?", oj)
    assert _spans(frame) == [(date(1992, 9, 1), date(1992, 9, 30)), (date(1991, 9, 1), date(1991, 9, 30))]


def test_spans_lists_and_relative_quarters(oj: SemanticModel) -> None:
    assert _spans(link("average price over June, July and August 1991", oj)) == [(date(1991, 6, 1), date(1991, 8, 31))]
    assert _spans(link("units in June and August 1991", oj))[0] == (date(1991, 6, 1), date(1991, 6, 30))  # not a run
    frame = link("Second-quarter revenue this year versus the second quarter of last year?", oj)
    assert _spans(frame) == [(date(1992, 4, 1), date(1992, 6, 30)), (date(1991, 4, 1), date(1991, 6, 30))]
    assert _spans(link("wat were units last mnth", oj)) == [(date(1992, 9, 1), date(1992, 9, 30))]
    easter = next(w for w in oj.events["Easter"] if w.year == 1992)
    assert _spans(link("Easter week 1992 against the week just before it", oj))[1] == (easter - timedelta(weeks=1),) * 2


def test_short_years_stretches_relative_holidays_and_before_and_since(oj: SemanticModel) -> None:
    assert _spans(link("how much revnue did minute maid make in 92", oj)) == [(date(1992, 1, 1), date(1992, 12, 31))]
    assert _spans(link("units in '91 vs '92", oj))[1] == (date(1992, 1, 1), date(1992, 12, 31))
    assert _spans(link("units in 12 weeks of 1991", oj)) == [(date(1991, 1, 1), date(1991, 12, 31))]  # no year 2012
    stretch = link("For Tropicana 64 oz between 1990 and 1991, an average deal week against a normal week", oj)
    assert _spans(stretch) == [(date(1990, 1, 1), date(1991, 12, 31))]
    weeks = {w.year: w for w in oj.events["Memorial Day"]}
    frame = link("How did this Memorial Day week go compared with Memorial Day week last year?", oj)
    assert _spans(frame) == [(weeks[1992],) * 2, (weeks[1991],) * 2]
    christmas = {w.year: w for w in oj.events["Christmas"]}
    frame = link("units in the Christmas week at the end of 1991, versus the Christmas week at the end of 1990", oj)
    assert _spans(frame) == [(christmas[1991],) * 2, (christmas[1990],) * 2]
    assert _spans(link("revenue for Q1 this year against Q1 last year", oj)) == [
        (date(1992, 1, 1), date(1992, 3, 31)), (date(1991, 1, 1), date(1991, 3, 31))]  # fmt: skip
    frame = link("What was its average price before the change in March 1992, and what has it been since?", oj)
    assert _spans(frame) == [(date(1992, 3, 1), oj.last_day), (oj.first_week, date(1992, 2, 29))]


def test_names_joined_by_and_are_both_asked_about(oj: SemanticModel) -> None:
    frame = link("Minute Maid and Tropicana 64 oz units in 1992", oj)
    assert [m.joined for m in frame.mentions] == [False, True]
    narrowing = link("Of all Minute Maid, how big a slice is the 96 oz?", oj)
    assert not any(m.joined for m in narrowing.mentions)


def test_a_question_without_a_period_has_none(oj: SemanticModel) -> None:
    assert link("Which brand sells the most?", oj).periods == []


# ---- money, percents, weeks ahead ----------------------------------------------------------------------------------


def test_money_vs_bare_numbers(oj: SemanticModel) -> None:
    assert link("What if Tropicana 64 oz costs $1.99 next week?", oj).money == [1.99]
    assert link("What if I set the price to 2.49?", oj).money == [2.49]
    assert link("sell it for 3 dollars", oj).money == [3.0]
    for plain in ("Top 5 stores by units", "sell 300 units at store 12", "Tropicana 64 oz in 1992"):
        assert link(plain, oj).money == [], plain


@pytest.mark.parametrize(
    "question, percent",
    [
        ("What if I cut the price 10%?", -10.0),
        ("What if we drop the price by 10 percent?", -10.0),
        ("10% off Minute Maid next week", -10.0),
        ("What if I raise the price by 5%?", 5.0),
        ("price -15% for two weeks", -15.0),
    ],
)
def test_a_percent_takes_the_sign_of_its_verb(oj: SemanticModel, question: str, percent: float) -> None:
    assert link(question, oj).percents == [percent]


@pytest.mark.parametrize(
    "question, weeks",
    [
        ("How much will we sell next week?", 1),
        ("Forecast Tropicana 64 oz for the next 6 weeks", 6),
        ("What will store 12 sell in the coming two weeks?", 2),
        ("What should I expect next quarter?", 13),
    ],
)
def test_weeks_ahead(oj: SemanticModel, question: str, weeks: int) -> None:
    frame = link(question, oj)
    assert frame.weeks_ahead == weeks and frame.future


def test_next_month_is_about_four_weeks_and_not_a_past_window(oj: SemanticModel) -> None:
    frame = link("How many units will Tropicana 64 oz sell next month?", oj)
    assert 4 <= frame.weeks_ahead <= 5 and frame.future
    assert frame.periods == []  # the future is not a window of data
    past = link("How many units did Tropicana 64 oz sell last month?", oj)
    assert past.weeks_ahead is None and not past.future


def test_what_if_levers(oj: SemanticModel) -> None:
    assert link("What if I run a deal on Minute Maid next week?", oj).levers == {"deal": True}
    assert link("Forecast next week without the ad", oj).levers == {"feature": False}


# ---- words that are never names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "How did the top three products do?",  # "three" is a fuzzy match for "Tree" (Tree Fresh)
        "Which store sold best?",
        "What were the best five weeks?",
        "Top ten stores by revenue",
        "Show me the bottom three by units",
        "Which products sold the most last year?",
    ],
)
def test_common_words_do_not_become_names(oj: SemanticModel, question: str) -> None:
    frame = link(question, oj)
    assert frame.mentions == [] and not frame.everything and frame.unknown_stores == []


def test_black_friday_is_the_thanksgiving_week(oj: SemanticModel) -> None:
    week = next(w for w in oj.events["Thanksgiving"] if w.year == 1991)
    assert _spans(link("units in Black Friday week 1991 against the week before it", oj)) == [
        (week, week), (week - timedelta(weeks=1),) * 2]  # fmt: skip
