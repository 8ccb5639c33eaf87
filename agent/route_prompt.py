"""The router's prompt: a short, stable system message, then what varies (earlier turns, the question) at the end.

On two CPU cores the prompt is most of a turn's cost (about 65 tokens/s), and the embedded server reuses the KV
cache of the longest prefix it has already evaluated. So the text shared by every merchant comes first, the
merchant's own facts (data weeks, stores, SQL tables) next, and only the user message changes between questions:
after the first question a turn evaluates a few dozen new tokens, not the whole prompt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from tools.guarded_sql import describe_merchant, run_sql

GENERIC = """You are the router of salescast, a sales and forecasting assistant for a merchant. Read the merchant's \
question and choose ONE tool and its arguments, as JSON. Do not answer yourself: the tool's result is the answer.
Arguments:
- product, store: copy them exactly as the merchant wrote them (e.g. "tropicana 64", "12"), even if misspelt; \
null when the question names none.
- period: the merchant's phrase, e.g. "last month", "last 8 weeks", "this year", "1995", "Q3 1992", \
"September 1992"; null = all data.
- horizon: weeks ahead: next week = 1, next 2 weeks = 2, next month = 4, not said = 4.
Tools:
- top_items: best sellers (rank "best") or worst sellers (rank "worst") and totals over a period; by "product" \
or "store"; metric "units" or "revenue"; n = how many (5 if not said).
- sales_trend: sales over time; grain "week", "month", "quarter" or "year".
- compare_periods: one period against another (period_a = the earlier one).
- promotion_effect: do deals, feature ads or displays lift sales.
- price_history: what one product cost over time (average, lowest, highest price).
- data_coverage: what data there is: date range, how far back, which products, how many stores in total.
- forecast: how many units of one product will sell in the coming weeks.
- explain_forecast: why a forecast is what it is, what drives it.
- what_if: a forecast with a change: price "-10%" (cut) or "+5%" (raise), deal true, feature true (weekly ad); \
set ONLY the levers the question names, the others null; weeks "1" = next week, "1-2" = the next two weeks.
- backtest_accuracy: how accurate the forecasts are, can they be trusted, how big the error is.
- make_chart: only when asked to show, plot or chart; kind "forecast", "drivers" or "sales_trend".
- generate_report: only when the question asks for a report, PDF or export about one product.
- query_sales: one DuckDB SQL SELECT, when no other tool answers, e.g. questions about store attributes (city, zone, \
price tier, demographics in the stores table) or competitors. Date literals as DATE '1992-06-14'; never NOW(), DATE_SUB or DATE('now').
- none: the question is not about the merchant's sales, prices, promotions or forecasts (weather, poems, stories, \
jokes, news, sports, general knowledge), even when it mentions a product.
Examples (products and places here are made up):
"Which stores sold the least last quarter?" -> top_items(by="store", rank="worst", period="last quarter")
"Where does Acme Cola 2 l sell best?" -> top_items(by="store", product="Acme Cola 2 l")
"Revenue in March 1995?" -> top_items(metric="revenue", period="March 1995")
"Weekly Acme Cola 2 l sales in 1995" -> sales_trend(grain="week", period="1995", product="Acme Cola 2 l")
"Did we sell more this year than last year?" -> compare_periods(period_a="last year", period_b="this year")
"Is it worth putting Acme Cola 2 l on deal?" -> promotion_effect(product="Acme Cola 2 l")
"How many Acme Cola 2 l will store 3 sell next week?" -> forecast(product="Acme Cola 2 l", store="3", horizon=1)
"What is behind the Acme Cola 2 l forecast?" -> explain_forecast(product="Acme Cola 2 l")
"If Acme Cola 2 l goes on deal next week, what then?" -> what_if(product="Acme Cola 2 l", deal=true, weeks="1")
"What if I charge 5% more for Acme Cola 2 l?" -> what_if(product="Acme Cola 2 l", price="+5%", weeks="1")
"Which stores are in Springfield?" -> query_sales(sql="SELECT store FROM stores WHERE city = 'Springfield'")
"List my products" -> data_coverage()
"Can I trust your numbers?" -> backtest_accuracy()
"Tell me a story" -> none"""

MERCHANT = """Merchant data: weekly sales from {first} to the week of {last}, which is "now" (last month = {month}, \
this year = {year}). {stores}
SQL tables: {tables}"""
MAX_COLUMNS = 8
EARLIER_CHARS = 240


@dataclass(frozen=True)
class MerchantFacts:
    first_week: date
    last_week: date
    n_stores: int
    chain: bool


def merchant_facts(merchant: str) -> MerchantFacts:
    rows = run_sql(merchant, "SELECT min(week_start), max(week_start), count(DISTINCT store), "
                   "bool_and(store = 'chain') FROM sales").rows  # fmt: skip
    first, last, stores, chain = rows[0]
    return MerchantFacts(_day(first), _day(last), int(stores), bool(chain))


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def route_system(merchant: str) -> str:
    """The whole system message for ``merchant``: the shared text, then its facts (no data values beyond dates)."""
    facts = merchant_facts(merchant)
    month = (facts.last_week.replace(day=1) - timedelta(days=1)).strftime("%B %Y")
    stores = ("One chain-level store: store is always null." if facts.chain
              else f"{facts.n_stores} stores; store null = all stores.")  # fmt: skip
    tables = "; ".join(_signature(v) for v in describe_merchant(merchant))
    return GENERIC + "\n" + MERCHANT.format(first=facts.first_week, last=facts.last_week, month=month,
                                            year=facts.last_week.year, stores=stores, tables=tables)  # fmt: skip


def _signature(view: Any) -> str:
    cols = view.columns[:MAX_COLUMNS]
    more = ", ..." if len(view.columns) > MAX_COLUMNS else ""
    return f"{view.name}(" + ", ".join(f"{c.name} {c.type}" for c in cols) + more + ")"


def route_messages(system: str, question: str, history: list[dict[str, Any]] | None) -> list[BaseMessage]:
    """System message, then one user message: the last exchange (for follow-ups like "why?") and the question."""
    return [SystemMessage(content=system), HumanMessage(content=user_text(question, history))]


def user_text(question: str, history: list[dict[str, Any]] | None) -> str:
    earlier = [m for m in history or [] if m.get("role") in ("user", "assistant")][-2:]
    lines = [f"Earlier {m['role']}: {str(m.get('content') or '')[:EARLIER_CHARS]}" for m in earlier]
    return "\n".join([*lines, f"Question: {question}"])
