"""Goals per segment in a real browser: add a rule in the Sales page's rules editor and the headline follows."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

TIMEOUT = 60_000
HEADER_PX, ROW_PX = 35, 35  # the data editor's header and row heights (it draws on a canvas)


def metric(page: Page, label: str):
    box = page.locator('[data-testid="stMetric"]').filter(has=page.get_by_text(label, exact=True))
    return box.locator('[data-testid="stMetricValue"]')


def test_adding_a_goal_rule_changes_the_headline(page: Page, app_url, artifacts):
    page.set_viewport_size({"width": 1400, "height": 1600})
    page.goto(app_url)
    page.get_by_role("link", name="Sales SLA").click()
    share = metric(page, "Within the speed goal")
    expect(share).to_be_visible(timeout=TIMEOUT)
    before = share.inner_text()
    page.get_by_text(re.compile(r"Goals per segment \(0 rules\)")).click()
    rules = page.locator('[data-testid="stExpander"]').filter(has_text="Goals per segment")
    editor = rules.locator('[data-testid="stDataFrame"]')
    expect(editor).to_be_visible(timeout=TIMEOUT)
    editor.hover()
    rules.get_by_role("button", name="Add row").click()
    box = editor.bounding_box()

    def cell(share_of_width: float) -> tuple[float, float]:  # a cell of the first row
        return box["x"] + box["width"] * share_of_width, box["y"] + HEADER_PX + ROW_PX / 2

    page.mouse.dblclick(*cell(0.38))  # Segment: a choice of the data's values, with counts
    page.keyboard.type("Paid Search")
    expect(page.get_by_text(re.compile(r"source = Paid Search \([\d,]+ leads\)"))).to_be_visible(timeout=TIMEOUT)
    page.keyboard.press("Enter")
    expect(rules.get_by_text("sets neither a speed nor a depth goal")).to_be_visible(timeout=TIMEOUT)
    page.mouse.click(*cell(0.38))  # back on the rule's row, then one cell right: Speed goal (h)
    page.keyboard.press("ArrowRight")
    page.keyboard.type("8")
    expect(page.locator("input:focus, textarea:focus")).to_have_value("8", timeout=TIMEOUT)  # the cell's editor
    page.keyboard.press("Enter")
    expect(page.get_by_text("Goals per segment (1 rule)")).to_be_visible(timeout=TIMEOUT)
    expect(share).not_to_have_text(before, timeout=TIMEOUT)  # Paid Search's leads now have 8 h
    expect(page.get_by_role("heading", name=re.compile("Segments in"))).to_be_visible(timeout=TIMEOUT)
    page.screenshot(path=str(artifacts / "sales_goal_rule.png"), full_page=True)
