"""The Marketing SLA tiers section in a real browser: closed it shows only its header, opened it builds its editors."""
from __future__ import annotations

from playwright.sync_api import expect

TIMEOUT = 60_000
TIERS = "Lead-quality tiers: rules, per-tier goals and value mode"


def test_opening_the_tiers_section_shows_its_editors(page, app_url, artifacts):
    page.goto(app_url)
    header = page.get_by_text(TIERS, exact=True)
    expect(header).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("Tier goals for the chosen month")).to_be_visible(timeout=TIMEOUT)
    rules = page.get_by_text("Job title → tier rules", exact=False)
    expect(rules).to_have_count(0)  # closed: the editors are not built

    header.click()  # the rerun builds the rule and tier editors inside the section
    expect(rules).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("button", name="Use my actuals for the tiers")).to_be_visible(timeout=TIMEOUT)
    section = page.locator('[data-testid="stExpander"]').filter(has_text=TIERS)
    expect(section.locator('[data-testid="stDataFrame"]').first).to_be_visible(timeout=TIMEOUT)  # the rule editor
    page.set_viewport_size({"width": 1400, "height": 2400})
    page.screenshot(path=str(artifacts / "marketing_tiers_open.png"), full_page=True)

    header.click()
    expect(rules).to_have_count(0, timeout=TIMEOUT)
