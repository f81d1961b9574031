"""Shared by the browser tests of share links: the sample saved as a workspace, and a link to it."""
from __future__ import annotations

from playwright.sync_api import expect

TIMEOUT = 60_000


def share_the_sample(page, app_url: str, name: str) -> str:
    """Save the sample as workspace ``name`` on the Save & share page and return a new share link to it. Enters
    through the app (a page URL on a fresh server runs in Streamlit's pages-folder mode) and uses the nav."""
    page.goto(app_url)
    page.get_by_test_id("stSidebarNav").get_by_text("Save & share").click()
    expect(page.get_by_text("Save this workspace")).to_be_visible(timeout=TIMEOUT)
    page.get_by_label("Workspace name").fill(name)
    page.get_by_role("button", name="Save workspace").click()
    expect(page.get_by_text(f"Saved “{name}”")).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("button", name="Create a share link").click()
    code = page.locator("code").filter(has_text="?share=")
    expect(code).to_be_visible(timeout=TIMEOUT)
    return code.inner_text().strip()
