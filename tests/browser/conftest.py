"""A real ``salescast serve`` (scripted chat model, trained demo models) and headless Debian Chromium.

Screenshots go to ``$SALESCAST_ARTIFACTS/browser`` (default ``test-artifacts/browser``, git-ignored), so a failed run
in CI leaves pictures of what the merchant would have seen.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from forecasting.paths import REPO_ROOT
from ui.web.child import AppProcess

CHROMIUM = Path("/usr/bin/chromium")
playwright_api = pytest.importorskip("playwright.sync_api")
if not CHROMIUM.exists():  # CI installs it with apt; never `playwright install`
    pytest.skip("Debian chromium (/usr/bin/chromium) is not installed", allow_module_level=True)


playwright_api.expect.set_options(timeout=60_000)  # a scripted turn takes < 5 s alone, more on a busy 2-core box


@pytest.fixture(scope="session")
def artifacts() -> Path:
    folder = Path(os.environ.get("SALESCAST_ARTIFACTS", REPO_ROOT / "test-artifacts")) / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def app_url(trained_home: Path, tmp_path_factory: pytest.TempPathFactory, artifacts: Path) -> Iterator[str]:
    users = tmp_path_factory.mktemp("users") / "users.json"
    with AppProcess(trained_home, llm="scripted", users=users, log=artifacts / "serve.log") as app:
        yield app.url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object, app_url: str) -> Iterator[object]:
    """A fresh browser context (no cookies) per test, as if a different person opened the app."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.goto(app_url)
    yield page
    context.close()
