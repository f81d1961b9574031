"""Real-browser harness: a live ``streamlit run`` on 127.0.0.1 and Debian's Chromium via Playwright.

Playwright cannot download browsers here, so it drives /usr/bin/chromium; when that
is missing the tests fail (``.ci/run`` installs it) rather than skip silently.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from live_server import CHROMIUM, CHROMIUM_ARGS, ROOT, live_server  # tests/ is on the path (tests/conftest.py)
from playwright.sync_api import sync_playwright

ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    """The app on a free loopback port with a throwaway store; stopped afterwards."""
    with live_server({"SLA_STORE_PATH": str(tmp_path_factory.mktemp("store") / "store.duckdb")}) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: run .ci/run (it installs Debian's chromium)"
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    """A fresh browser context per test (its own cookies: a new visitor)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
