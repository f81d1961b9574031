"""Save → share → open the link in a second, fresh browser context: the same numbers, read-only."""
from __future__ import annotations

from playwright.sync_api import expect
from share_link_support import share_the_sample

from sla_core.store.share import GENERIC_DENIAL

TIMEOUT = 60_000


def _open_save_and_share(page, app_url) -> None:
    """Enter through the app (a page URL on a fresh server runs in Streamlit's pages-folder mode) and use the nav."""
    page.goto(app_url)
    page.get_by_test_id("stSidebarNav").get_by_text("Save & share").click()
    expect(page.get_by_text("Save this workspace")).to_be_visible(timeout=TIMEOUT)


def _metrics(page) -> list[str]:
    values = page.get_by_test_id("stMetricValue")
    expect(values.first).to_be_visible(timeout=TIMEOUT)
    return values.all_inner_texts()


def test_save_share_and_open_the_link_in_a_fresh_context(page, browser, app_url, artifacts):
    _open_save_and_share(page, app_url)
    page.get_by_label("Workspace name").fill("Board plan <b>Q1</b>")
    page.get_by_role("button", name="Save workspace").click()
    expect(page.get_by_text("Saved “Board plan <b>Q1</b>” with 6,000 leads")).to_be_visible(timeout=TIMEOUT)
    page.get_by_label("Label (who it is for)").fill("CEO")
    page.get_by_role("button", name="Create a share link").click()
    code = page.locator("code").filter(has_text="?share=")
    expect(code).to_be_visible(timeout=TIMEOUT)
    link = code.inner_text().strip()
    assert link.startswith(app_url + "/?share=")
    page.screenshot(path=str(artifacts / "share_link_created.png"), full_page=True)

    page.get_by_test_id("stSidebarNav").get_by_text("Overview").click()
    expect(page.get_by_role("heading", name="SLA health month by month")).to_be_visible(timeout=TIMEOUT)
    editor_numbers = _metrics(page)

    leadership = browser.new_context(viewport={"width": 1400, "height": 1000})  # no cookies, nothing uploaded
    try:
        view = leadership.new_page()
        view.goto(link)
        expect(view.get_by_text("Shared read-only view: workspace Board plan <b>Q1</b>")).to_be_visible(timeout=TIMEOUT)
        expect(view.get_by_text("Data version 1, loaded")).to_be_visible()  # a new link follows the latest data
        expect(view.get_by_text("the link follows the latest data")).to_be_visible()
        expect(view.get_by_role("heading", name="SLA health month by month")).to_be_visible(timeout=TIMEOUT)
        assert _metrics(view) == editor_numbers
        nav = view.get_by_test_id("stSidebarNav")
        expect(nav.get_by_text("Agreement")).to_be_visible()
        expect(nav.get_by_text("Save & share")).to_have_count(0)
        expect(nav.get_by_text("Data", exact=True)).to_have_count(0)
        view.screenshot(path=str(artifacts / "share_leadership_overview.png"), full_page=True)
        nav.get_by_text("Marketing SLA").click()
        expect(view.get_by_text("Read-only shared view").first).to_be_visible(timeout=TIMEOUT)
        expect(view.locator("input[type=file]")).to_have_count(0)
        view.screenshot(path=str(artifacts / "share_leadership_marketing.png"), full_page=True)

        tampered = link[:-1] + ("A" if not link.endswith("A") else "B")
        view.goto(tampered)
        expect(view.get_by_text(GENERIC_DENIAL)).to_be_visible(timeout=TIMEOUT)
        expect(view.get_by_test_id("stMetricValue")).to_have_count(0)
    finally:
        leadership.close()


def test_revoked_link_shows_the_generic_message(page, browser, app_url):
    link = share_the_sample(page, app_url, "To revoke")
    page.get_by_role("button", name="Revoke link").click()
    expect(page.get_by_role("button", name="Revoke link")).to_have_count(0, timeout=TIMEOUT)  # no active link left

    other = browser.new_context()
    try:
        view = other.new_page()
        view.goto(link)
        expect(view.get_by_text(GENERIC_DENIAL)).to_be_visible(timeout=TIMEOUT)
    finally:
        other.close()


def test_a_link_revoked_while_open_stops_the_next_section_rerun(page, browser, app_url):
    """The by-period charts rerun alone; a viewer's next choice there checks the link, and the refusal replaces
    the whole page."""
    link = share_the_sample(page, app_url, "Revoked while open")

    other = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        view = other.new_page()
        view.goto(link)
        view.get_by_test_id("stSidebarNav").get_by_text("Sales SLA").click()
        period = view.get_by_test_id("stRadio").filter(has_text="Period of hand-off")
        period.get_by_text("Week", exact=True).click()
        expect(view.get_by_text("55 weeks of hand-offs")).to_be_visible(timeout=TIMEOUT)  # the link works

        page.get_by_role("button", name="Revoke link").click()
        expect(page.get_by_role("button", name="Revoke link")).to_have_count(0, timeout=TIMEOUT)
        period.get_by_text("Month", exact=True).click()
        expect(view.get_by_text(GENERIC_DENIAL)).to_be_visible(timeout=TIMEOUT)
        expect(view.get_by_test_id("stMetricValue")).to_have_count(0)  # the whole page, not just the section
    finally:
        other.close()
