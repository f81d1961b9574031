"""Goals per segment in a real browser: a link carrying one goal rule opens the Sales page with that rule in the
rules editor, the segment table drawn, and a headline other than the same page without it."""
from __future__ import annotations

import re
from urllib.parse import quote

from playwright.sync_api import Page, expect

TIMEOUT = 60_000
RULE = "source:Paid Search:8:"  # Paid Search's leads held to 8 h, depth at the default


def metric(page: Page, label: str):
    box = page.locator('[data-testid="stMetric"]').filter(has=page.get_by_text(label, exact=True))
    return box.locator('[data-testid="stMetricValue"]')


def _within_goal(page: Page, url: str) -> str:
    page.goto(url)
    share = metric(page, "Within the speed goal")
    expect(share).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=TIMEOUT)  # the run has finished drawing
    return share.inner_text()


def test_a_link_with_a_goal_rule_changes_the_headline(page: Page, app_url, artifacts):
    page.set_viewport_size({"width": 1400, "height": 1600})
    before = _within_goal(page, f"{app_url}/sales")
    after = _within_goal(page, f"{app_url}/sales?goal_rules={quote(RULE)}")
    assert after != before  # Paid Search's leads now have 8 h instead of the default hour
    expect(page.get_by_text("Goals per segment (1 rule)")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("heading", name=re.compile("Segments in"))).to_be_visible(timeout=TIMEOUT)
    page.screenshot(path=str(artifacts / "sales_goal_rule.png"), full_page=True)
