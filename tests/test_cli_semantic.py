"""``salescast semantic show`` / ``init``: the merchant sees the business terms the chat uses, writes them to a file,
corrects them, and the next query uses the correction."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from tools.agent_tools_semantic import SalesQueryInput, semantic_query
from tools.semantic.model import override_path, semantic_model
from ui.cli import app


def test_show_lists_the_terms_and_the_shipped_file(home: Path) -> None:
    done = CliRunner().invoke(app, ["semantic", "show", "-m", "tuna"])
    assert done.exit_code == 0, done.output
    assert "Measures: units, revenue" in done.output and "weeks_on_display" in done.output
    assert "Star Kist 6 oz" in done.output and "canned" in done.output and "data/semantic/tuna.yaml" in done.output


def test_init_writes_a_file_whose_corrections_the_next_query_uses(fresh_home: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["semantic", "init", "-m", "oj"]).exit_code == 0
    path = override_path("oj")
    body = yaml.safe_load(path.read_text())
    assert body["category_words"] and "Tropicana 64 oz" in body["products"]
    again = runner.invoke(app, ["semantic", "init", "-m", "oj"])
    assert again.exit_code == 2 and "--force" in again.output  # an edited file is never overwritten silently

    body["products"]["Tropicana 64 oz"]["brand"] = "House Label"
    path.write_text(yaml.safe_dump(body))
    assert semantic_model("oj").sources == [str(path)]
    answer, _ = semantic_query("oj", SalesQueryInput(measures=["units"], by=["brand"]))
    brands = {row.key["brand"] for row in answer.rows}
    assert "House Label" in brands
    assert "House Label" in runner.invoke(app, ["semantic", "show", "-m", "oj"]).output


def test_a_broken_file_and_an_unknown_merchant_are_clear_errors(fresh_home: Path) -> None:
    path = override_path("oj")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("category_wordz: [juice]\n")
    done = CliRunner().invoke(app, ["semantic", "show", "-m", "oj"])
    assert done.exit_code == 2 and "category_wordz" in done.output and "Fix it or delete it" in done.output
    unknown = CliRunner().invoke(app, ["semantic", "show", "-m", "nobody"])
    assert unknown.exit_code == 2 and "nobody" in unknown.output
