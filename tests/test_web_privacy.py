"""What a served app lets out, against a real ``salescast serve``: reports only to the merchant who asked, no server
paths in errors, no cell too big to draw.

The attack run fetched oj's report signed in as tuna through ``/gradio_api/file=<Gradio cache>/<hash>/report-….html``,
saw the server's folders in an error, and got a 20 MB cell pushed to the browser.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from gradio_client import Client

from ui.web.child import AppProcess
from ui.web.shown import MESSAGE_MAX


@dataclass
class Served:
    url: str
    home: Path
    gradio_cache: Path


@pytest.fixture(scope="module")
def served(trained_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A private copy of the trained demo home (one test breaks a tenant file) and its own Gradio cache folder."""
    root = tmp_path_factory.mktemp("privacy")
    home, cache = root / "home", root / "gradio-cache"
    shutil.copytree(trained_home, home)
    cache.mkdir()
    env = {"GRADIO_TEMP_DIR": str(cache)}
    with AppProcess(home, llm="scripted", users=root / "users.json", env=env) as app:
        yield Served(app.url, home, cache)


def _session(url: str, user: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=60)
    assert client.post("/login", data={"username": user, "password": f"{user}-demo"}).status_code == 200
    return client


def _ask(url: str, user: str, question: str) -> tuple[list[dict], str]:
    """The chat messages and the Reports box after one question, through the app's API as a client sees them."""
    _, chat, reports = Client(url, auth=(user, f"{user}-demo"), verbose=False).predict(question, api_name="/chat")
    return chat, reports


def _texts(chat: list[dict]) -> list[str]:
    return [p.get("text", "") for m in chat for p in m["content"] if isinstance(p, dict)]


def test_a_report_downloads_for_its_merchant_only(served: Served) -> None:
    chat, reports = _ask(served.url, "oj", "Write a report on Tropicana 64 oz")
    (link,) = re.findall(r'href="([^"]+)"', reports)
    link = html.unescape(link)
    assert link.startswith("downloads/") and str(served.home) not in json.dumps(chat) + reports
    assert any(link in text for text in _texts(chat))  # the chat links the same download

    owner = _session(served.url, "oj").get("/" + link)
    assert owner.status_code == 200 and "Tropicana 64 oz" in owner.text
    assert owner.headers["content-disposition"].startswith("attachment")
    other = _session(served.url, "tuna").get("/" + link)
    assert other.status_code == 404 and "Tropicana" not in other.text
    assert httpx.get(f"{served.url}/{link}").status_code == 401

    # Gradio never got a copy to serve, and its file routes are closed anyway
    assert not [p for p in served.gradio_cache.rglob("*") if p.is_file() and "report" in p.name]
    report = next((served.home / "reports").rglob("report-*"))
    for route in (f"/gradio_api/file={report}", f"/gradio_api/file={served.gradio_cache}/x/{report.name}"):
        assert _session(served.url, "tuna").get(route).status_code == 404
        assert _session(served.url, "oj").get(route).status_code == 404


def test_one_huge_cell_is_cut_before_the_browser(served: Served) -> None:
    question = "SELECT string_agg(replace(product, ' ', '_'), '') AS names FROM sales"  # one ~1.6 MB cell
    chat, _ = _ask(served.url, "oj", question)
    sent = json.dumps(chat)
    assert len(sent) < MESSAGE_MAX and "Tropicana" in sent
    assert re.search(r"… \(truncated, [\d,]+ characters\)", sent) or "truncated" in sent.lower()


def test_a_broken_tenant_file_is_reported_without_server_paths(served: Served) -> None:
    """Last in this module: it breaks tuna's tenant file."""
    (served.home / "tenants" / "tuna.duckdb").write_bytes(b"not a database" * 100)
    chat, _ = _ask(served.url, "tuna", "Which products sold the most units last year?")
    texts = _texts(chat)
    assert len(texts) >= 2 and texts[-1].strip()  # the turn still ends with a message
    assert str(served.home) not in json.dumps(chat) and "/tenants/" not in json.dumps(chat)
