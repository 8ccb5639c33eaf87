"""SHAP explanations, global importance, what-if and reports on real small models of the demo merchants."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from forecasting.explain import DRIVERS, explain, importance
from forecasting.predict import engine
from forecasting.warehouse.errors import WarehouseError
from forecasting.whatif import Change, what_if
from tools.report_builder import make_report
from ui.cli import app

SERIES = [("12", "Tropicana 64 oz"), ("2", "Minute Maid 64 oz"), ("137", "Dominicks 64 oz")]


@pytest.mark.parametrize(("store", "product"), SERIES)
@pytest.mark.parametrize("step", [1, 3])
def test_base_plus_drivers_is_the_forecast(trained: Path, store: str, product: str, step: int) -> None:
    ex = explain(engine("oj"), store, product, week=step)
    total = ex.base + sum(d.contribution for d in ex.drivers)
    assert abs(total - ex.forecast) / max(ex.forecast, 1) < 1e-3
    assert ex.additivity_error < 1e-3
    assert sorted(d.name for d in ex.drivers) == sorted(DRIVERS)
    assert all(d.description for d in ex.drivers)
    sizes = [abs(d.contribution) for d in ex.drivers]
    assert sizes == sorted(sizes, reverse=True)


def test_the_explained_value_is_the_forecast_the_merchant_sees(trained: Path) -> None:
    eng = engine("oj")
    fc = eng.forecast("12", "Tropicana 64 oz", horizon=4)
    for step in (1, 4):
        assert explain(eng, "12", "Tropicana 64 oz", week=step).forecast == pytest.approx(
            fc.weeks[step - 1].p50, abs=0.1
        )


def test_a_week_can_be_named_by_its_date(trained: Path) -> None:
    eng = engine("oj")
    day = eng.panel.week_starts[-1] + timedelta(weeks=2)
    assert explain(eng, "12", "Tropicana 64 oz", week=day).model_dump(exclude={"seconds"}) == explain(
        eng, "12", "Tropicana 64 oz", week=2
    ).model_dump(exclude={"seconds"})
    with pytest.raises(WarehouseError, match="not the start of a forecast week"):
        explain(eng, "12", "Tropicana 64 oz", week=day + timedelta(days=1))
    with pytest.raises(WarehouseError, match="Horizon must be between 1 and"):
        explain(eng, "12", "Tropicana 64 oz", week=99)


def test_merchant_background_makes_store_and_product_drivers(trained: Path) -> None:
    ex = explain(engine("oj"), "12", "Tropicana 64 oz", week=1, background="merchant")
    assert abs(ex.base + sum(d.contribution for d in ex.drivers) - ex.forecast) / ex.forecast < 1e-3
    assert "all the merchant's series" in ex.background


def test_importance_ranks_drivers_overall_and_per_product(trained: Path) -> None:
    imp = importance(engine("oj"), step=1, max_series=12)
    assert imp.series_explained == 12
    assert sum(d.share for d in imp.overall) == pytest.approx(1.0, abs=1e-3)
    assert [d.mean_abs for d in imp.overall] == sorted((d.mean_abs for d in imp.overall), reverse=True)
    assert len(imp.by_product) >= 6  # stratified: 12 series over 11 products reach most of them
    assert set(imp.by_product) <= set(engine("oj").panel.products)


def test_no_change_is_no_difference(trained: Path) -> None:
    w = what_if(engine("oj"), "12", "Tropicana 64 oz", Change(weeks="1-2"))
    assert w.change_units == 0
    assert all(p.baseline_p50 == p.scenario_p50 for p in w.weeks)
    assert w.drivers == []


def test_deal_and_price_cut_change_only_the_chosen_weeks(trained: Path) -> None:
    w = what_if(engine("oj"), "12", "Minute Maid 64 oz", Change(price="-10%", deal=True, weeks="1-2"), horizon=4)
    assert [p.changed for p in w.weeks] == [True, True, False, False]
    changed = w.weeks[:2]
    assert all(p.scenario_price == pytest.approx(0.9 * p.baseline_price, rel=1e-3) for p in changed)
    assert w.weeks[3].baseline_p50 == w.weeks[3].scenario_p50  # two weeks after the change: nothing left of it
    assert w.change_units == pytest.approx(sum(p.scenario_p50 - p.baseline_p50 for p in w.weeks), abs=0.5)
    assert sum(d["contribution"] for d in w.drivers) == pytest.approx(w.change_units, abs=0.5)
    assert {d["name"] for d in w.drivers} <= {"own price", "deal"}
    assert all(p.scenario_p10 <= p.scenario_p50 <= p.scenario_p90 for p in w.weeks)


def test_other_brands_in_the_store_are_reported(trained: Path) -> None:
    eng = engine("oj")
    w = what_if(eng, "12", "Minute Maid 64 oz", Change(price="-20%", weeks="1"))
    names = [b.product for b in w.other_brands]
    assert "Minute Maid 64 oz" not in names
    assert len(names) == len(eng.panel.products) - 1
    sizes = [abs(b.change_units) for b in w.other_brands]
    assert sizes == sorted(sizes, reverse=True)


def test_far_outside_prices_are_flagged_as_extrapolation(trained: Path) -> None:
    w = what_if(engine("oj"), "12", "Tropicana 64 oz", Change(price="-90%", weeks="1"))
    assert any("extrapolation" in text for text in w.warnings)
    assert what_if(engine("oj"), "12", "Tropicana 64 oz", Change(price="-2%", weeks="1")).warnings == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (Change(price="cheaper"), "write a change like '-10%'"),
        (Change(price="-120%"), "must stay above 0"),
        (Change(deal=True, weeks="3-1x"), "write forecast weeks like"),
        (Change(deal=True, weeks="1-30"), "between 1 and"),
    ],
)
def test_bad_scenarios_say_what_to_fix(trained: Path, change: Change, message: str) -> None:
    with pytest.raises(WarehouseError, match=message):
        what_if(engine("oj"), "12", "Tropicana 64 oz", change)


def test_explain_cli_json_adds_up(trained: Path) -> None:
    result = CliRunner().invoke(
        app, ["explain", "--merchant", "oj", "--store", "12", "--product", "tropicana 64", "--week", "2", "--json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert {"forecast", "base", "drivers"} <= set(payload)
    assert all({"name", "contribution", "description"} <= set(d) for d in payload["drivers"])
    total = payload["base"] + sum(d["contribution"] for d in payload["drivers"])
    assert total == pytest.approx(payload["forecast"], rel=1e-3)


def test_whatif_cli_json_and_unknown_product(trained: Path) -> None:
    args = ["whatif", "--merchant", "oj", "--store", "12", "--product", "Minute Maid 64 oz", "--price", "-10%"]
    result = CliRunner().invoke(app, [*args, "--deal", "on", "--weeks", "1-2", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert len(payload["weeks"]) == 3 and payload["other_brands"]  # weeks 1-2 and the week after
    bad = CliRunner().invoke(app, ["explain", "--merchant", "oj", "--store", "12", "--product", "Tropicanna"])
    assert bad.exit_code == 2
    assert "Tropicana" in bad.stderr


def test_report_html_and_pdf_carry_the_computed_numbers(trained: Path, tmp_path: Path) -> None:
    eng = engine("oj")
    fc = eng.forecast("12", "Tropicana 64 oz", horizon=8)
    html = make_report("oj", "12", "tropicana 64", "How will Tropicana do?", Change(deal=True), out=tmp_path / "r.html")
    text = html.read_text()
    assert "How will Tropicana do?" in text and "Tropicana 64 oz" in text
    assert f"{fc.weeks[0].p50:,.1f}" in text
    assert eng.meta.version in text
    pdf = make_report("oj", "12", "Tropicana 64 oz", out=tmp_path / "r.pdf")
    reader = PdfReader(pdf)
    content = " ".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 1
    assert "Tropicana 64 oz" in content and f"{fc.weeks[0].p50:,.1f}" in content
    ex = explain(eng, "12", "Tropicana 64 oz", week=1)
    assert f"{ex.forecast:,.0f}" in content


def test_report_cli_writes_the_file(trained: Path, tmp_path: Path) -> None:
    out = tmp_path / "t.html"
    result = CliRunner().invoke(app, ["report", "--merchant", "tuna", "--product", "starkist", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.exists() and "Star Kist 6 oz" in out.read_text()
    assert np.isfinite(engine("tuna").meta.validation.mape)
