"""Save May's export, share it, refresh the workspace with June's (its header renamed): the link made in May, opened
in a fresh browser context, shows June."""
from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.refresh_support import monthly_exports

TIMEOUT = 60_000
SHOTS = Path("/tmp/live-shots")


def _nav(page, name: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_text(name, exact=True).click()


def test_refresh_then_an_existing_link_shows_the_new_month(page, browser, app_url, tmp_path, artifacts):
    SHOTS.mkdir(parents=True, exist_ok=True)
    may, june = monthly_exports(3000, tmp_path / "exports", months=range(5, 7))
    header, rest = june.read_text(encoding="utf-8").split("\n", 1)  # the CRM renamed a column this month
    renamed = tmp_path / "june" / june.name
    renamed.parent.mkdir()
    renamed.write_text(header.replace('"Create Date"', '"Created Date"') + "\n" + rest, encoding="utf-8")

    page.goto(app_url)
    _nav(page, "Data")
    expect(page.get_by_text("Rows read")).to_be_visible(timeout=TIMEOUT)
    page.locator("input[type=file]").first.set_input_files(str(may))
    expect(page.get_by_test_id("stFileUploader").first.get_by_text(may.name)).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("button", name="Load export").click()
    expect(page.get_by_text(f"from {may.name}")).to_be_visible(timeout=TIMEOUT)
    _nav(page, "Save & share")
    page.get_by_label("Workspace name").fill("Monthly SLA")
    page.get_by_role("button", name="Save workspace").click()
    expect(page.get_by_text("Saved “Monthly SLA”")).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("button", name="Create a share link").click()
    code = page.locator("code").filter(has_text="?share=")
    expect(code).to_be_visible(timeout=TIMEOUT)
    link = code.inner_text().strip()

    page.locator("input[type=file]").first.set_input_files(str(renamed))  # the refresh's leads export
    expect(page.get_by_test_id("stFileUploader").first.get_by_text(renamed.name)).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("button", name="Check and refresh").click()
    expect(page.get_by_text("differ from those version 1 was read from")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("button", name="Refresh with this mapping")).to_be_visible()
    page.set_viewport_size({"width": 1400, "height": 2400})  # Streamlit scrolls inside the page: show it whole
    page.get_by_role("heading", name="Data versions").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "refresh_header_difference.png"))
    page.get_by_role("button", name="Refresh with this mapping").click()
    expect(page.get_by_text("Refreshed to data version 2")).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("heading", name="Data versions").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "versions_list.png"))
    page.screenshot(path=str(artifacts / "refresh_versions_list.png"))

    leadership = browser.new_context(viewport={"width": 1400, "height": 1000})  # a fresh visitor with the old link
    try:
        view = leadership.new_page()
        view.goto(link)
        expect(view.get_by_text("Data version 2, loaded")).to_be_visible(timeout=TIMEOUT)
        expect(view.get_by_text("the link follows the latest data")).to_be_visible()
        expect(view.get_by_role("combobox", name="Month")).to_have_value(re.compile(r"^June 2024"), timeout=TIMEOUT)
        expect(view.get_by_test_id("stMetricValue").first).to_be_visible(timeout=TIMEOUT)
        view.screenshot(path=str(SHOTS / "shared_view_after_refresh.png"), full_page=True)
    finally:
        leadership.close()
