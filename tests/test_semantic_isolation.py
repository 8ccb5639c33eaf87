"""Tenant isolation and read-only access for the semantic layer: each merchant's model and queries see only its own
tenant file, text that carries SQL stays data, the tool's input admits no merchant, and the connection cannot write."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from pydantic import ValidationError

import tools.agent_tools_semantic as semantic_tool_module
from forecasting import paths
from tools.agent_tools_semantic import SalesQueryInput, semantic_query, semantic_tool
from tools.analytics_core import AnalyticsError, BadArgument, BadPeriod, reader
from tools.guarded_sql import run_sql
from tools.semantic.execute import QueryAnswer, execute
from tools.semantic.model import SemanticModel, build_model, semantic_model
from tools.semantic.query import Filter, SemanticQuery

ATTACKS = ["x' OR 1=1 --", "1992; DROP TABLE sales", "') UNION SELECT * FROM sales --"]
NAMED_ATTACK = 'Tropicana" OR "1"="1'  # holds a real oj name


def _ask(merchant: str, **args: object) -> QueryAnswer:
    return semantic_query(merchant, SalesQueryInput(**args))[0]


def _names(model: SemanticModel) -> set[str]:
    return {v for p in model.catalog for v in (p.product, p.brand) if v} | {s for s in model.stores if s != "chain"}


def _counts() -> dict[str, object]:
    sql = "SELECT count(*), sum(units), (SELECT count(*) FROM products) FROM sales"
    return {m: run_sql(m, sql).rows for m in ("oj", "tuna")}


def test_each_model_holds_only_its_own_names(home: Path) -> None:
    oj, tuna = semantic_model("oj"), semantic_model("tuna")
    oj_text, tuna_text = oj.model_dump_json(), tuna.model_dump_json()
    assert {p.product for p in oj.catalog} == {r[0] for r in run_sql("oj", "SELECT product FROM products").rows}
    assert {p.product for p in tuna.catalog} == {r[0] for r in run_sql("tuna", "SELECT product FROM products").rows}
    assert _names(oj) and _names(tuna) and not _names(oj) & _names(tuna)
    assert not [n for n in _names(tuna) if n in oj_text]
    assert not [n for n in _names(oj) if not n.isdigit() and n in tuna_text]
    assert "juice" in oj.category_words and "tuna" not in oj.category_words and "juice" not in tuna.category_words
    assert tuna.stores == ["chain"] and "12" in oj.stores


def test_a_tuna_name_asked_of_oj_is_an_unknown_product(home: Path) -> None:
    tuna_products = [p.product for p in semantic_model("tuna").catalog]
    for name in [*tuna_products, "star kist", "bumble bee"]:
        with pytest.raises(BadArgument, match="Unknown product") as err:
            _ask("oj", filters={"product": name})
        listed = str(err.value).split("Known: ")[1]
        assert "Tropicana 64 oz" in listed and not [p for p in tuna_products if p in listed]
    with pytest.raises(BadArgument, match="Unknown brand 'Star Kist'"):
        _ask("oj", filters={"brand": "Star Kist"})
    with pytest.raises(BadArgument, match="Unknown product 'Tropicana 64 oz'"):
        _ask("tuna", filters={"product": "Tropicana 64 oz"})


def test_the_tool_reports_the_unknown_name_as_an_error_result(home: Path) -> None:
    content, output = semantic_tool("oj").func(filters={"product": "Star Kist 6 oz"})
    assert "Unknown product 'Star Kist 6 oz'" in content and output.sql == []


@pytest.mark.parametrize("attack", ATTACKS)
def test_filter_values_carrying_sql_stay_data(home: Path, attack: str) -> None:
    before = _counts()
    for merchant, dimension in (("oj", "product"), ("oj", "store"), ("oj", "city"), ("tuna", "brand")):
        with pytest.raises(BadArgument, match=f"Unknown {dimension}"):
            _ask(merchant, filters={dimension: attack})
    # a flag reads anything but yes/on/true as "off": the answer is the no-deal rows, never every row
    flagged = _ask("oj", measures=["units"], filters={"deal": attack}).rows[0].values["units"]
    assert flagged == run_sql("oj", "SELECT sum(units) FROM sales WHERE deal = 0").rows[0][0]
    assert _counts() == before


def test_sql_around_a_real_name_is_an_unknown_name(home: Path) -> None:
    before = _counts()
    for dimension in ("product", "brand"):  # every word of a name filter must be part of the name
        with pytest.raises(BadArgument, match=f"Unknown {dimension} .*Did you mean: Tropicana"):
            _ask("oj", measures=["units"], filters={dimension: NAMED_ATTACK})
    with pytest.raises(BadArgument, match="Unknown product"):
        _ask("tuna", filters={"product": NAMED_ATTACK})
    assert _counts() == before


@pytest.mark.parametrize("attack", [*ATTACKS, NAMED_ATTACK])
def test_period_strings_carrying_sql_stay_data(home: Path, attack: str) -> None:
    before = _counts()
    try:
        answer = _ask("oj", measures=["units"], period=attack, compare_to=attack)
    except AnalyticsError as err:  # a clear "could not read the period", never a database error
        assert isinstance(err, BadPeriod) and "Could not read the period" in str(err)
    else:  # "1992; DROP TABLE sales" reads as 1992, and only oj's 1992
        oj_1992 = run_sql("oj", "SELECT sum(units) FROM sales WHERE year(week_start) = 1992").rows[0][0]
        assert answer.query.period.label == "1992" and answer.rows[0].values["units"] == oj_1992
    assert _counts() == before


def test_dimension_names_are_a_whitelist(home: Path) -> None:
    with pytest.raises(AnalyticsError, match="Unknown dimension 'product; DROP TABLE sales'"):
        _ask("oj", by=["product; DROP TABLE sales"])
    with pytest.raises(AnalyticsError, match="Unknown dimension 'display'"):
        _ask("oj", by=["display"])  # oj records no displays: not a dimension of its model
    with reader("oj") as rd:
        q = SemanticQuery(filters=[Filter(dimension="s.store) OR (1=1", values=["12"])])
        with pytest.raises(AnalyticsError, match="Unknown dimension"):
            execute(rd, build_model(rd), q)


def test_the_input_admits_no_merchant_and_no_unknown_keys(home: Path) -> None:
    for extra in ({"merchant": "tuna"}, {"tenant": "tuna"}, {"sql": "SELECT * FROM sales"}):
        with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
            SalesQueryInput(**extra)
    with pytest.raises(ValidationError):
        SalesQueryInput(filters={"product": {"merchant": "tuna"}})
    assert "merchant" not in SalesQueryInput.model_json_schema()["properties"]
    content, _ = semantic_tool("oj").func(measures=["units"], by=["colour"])
    assert "Unknown dimension 'colour'" in content


def test_the_query_runs_on_a_read_only_sandboxed_connection(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _counts()
    tried: list[str] = []

    @contextmanager
    def checked_reader(merchant: str):
        with reader(merchant) as rd:
            yield rd
            for statement in ("DELETE FROM sales", "CREATE TABLE leak AS SELECT 1 AS x",
                              "UPDATE sales SET units = 0", "SET enable_external_access = true"):  # fmt: skip
                with pytest.raises(duckdb.Error, match="read-only|configuration has been locked"):
                    rd.con.execute(statement)
                tried.append(statement)
            tuna_file = str(paths.tenant_path("tuna"))
            with pytest.raises(duckdb.Error):
                rd.con.execute(f"ATTACH '{tuna_file}' AS other (READ_ONLY)")
            tried.append("ATTACH")

    monkeypatch.setattr(semantic_tool_module, "reader", checked_reader)
    answer = _ask("oj", measures=["units"], by=["brand"])
    assert len(tried) == 5 and answer.rows
    assert _counts() == before
