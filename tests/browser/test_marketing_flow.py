"""The Marketing SLA page in a real browser: move a slider, type a value, open a shared link."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Page, expect

from sla_core.marketing import display

TIMEOUT = 60_000


def metric(page: Page, label: str, part: str = "stMetricValue"):
    """The value (or with ``part="stMetricDelta"`` the badge under it) of the st.metric labelled ``label``."""
    box = page.locator('[data-testid="stMetric"]').filter(has=page.get_by_text(label, exact=True))
    return box.locator(f'[data-testid="{part}"]')


def test_slider_and_number_input_move_targets_and_chart(page, app_url, artifacts):
    page.goto(app_url)
    expect(metric(page, "Leads needed")).to_have_text("200", timeout=TIMEOUT)  # the sample on default assumptions
    expect(page.locator('[data-testid="stVegaLiteChart"]').first).to_be_visible(timeout=TIMEOUT)

    close_rate = page.locator('[data-testid="stSlider"]').filter(has_text="Lead-to-customer close rate")
    thumb = close_rate.get_by_role("slider")
    thumb.focus()
    thumb.press("ArrowRight")  # 5.00 % → 5.10 %: 10 customers ÷ 5.1 % = 196.1 → 197 leads
    expect(metric(page, "Leads needed")).to_have_text("197", timeout=TIMEOUT)
    expect(metric(page, "Projection (leads)", "stMetricDelta")).to_have_text("goal for the month 197")
    expect(page).to_have_url(re.compile(r"close_rate=0\.051"))

    section = page.get_by_text("Exact values, use my actuals and the monthly recalculation", exact=True)
    section.click()  # its inputs are built when it is opened
    quota = page.get_by_label("Sales quota for the month ($), exact value")
    quota.fill("5000")
    quota.press("Enter")  # 5,000 × 70 % = 3,500 → 1 customer → 20 leads
    expect(metric(page, "Marketing revenue goal")).to_have_text("$3,500", timeout=TIMEOUT)
    expect(metric(page, "Leads needed")).to_have_text("20")
    expect(metric(page, "Attainment", "stMetricDelta")).to_have_text("On track")
    # the tier goals table: executives get 40 % of $3,500 → 1 customer ÷ 5.1 % → 20 leads, worth 5.1 % × $15,000 each
    executive = page.get_by_role("row").filter(has=page.get_by_role("cell", name="executive", exact=True))
    expect(executive.get_by_role("cell").first).to_have_text("executive")
    cell = {name: executive.get_by_role("cell").nth(i) for i, name in enumerate(display.TIER_GOAL_COLUMNS)}
    expect(cell["Revenue goal"]).to_have_text("$1,400")
    expect(cell["Leads needed"]).to_have_text("20")
    expect(cell["Value per lead"]).to_have_text("$765")
    page.set_viewport_size({"width": 1400, "height": 2400})  # Streamlit scrolls inside the page: show the chart too
    page.screenshot(path=str(artifacts / "marketing_after_slider.png"), full_page=True)

    expect(page.get_by_role("button", name="Download the monthly table (CSV)")).to_be_visible()  # same section


def test_shared_link_reopens_the_what_if_view(page, app_url, artifacts):
    page.goto(f"{app_url}/?quota=5000&marketing_share=1&avg_deal_size=100&close_rate=0.5&month=2024-06")
    expect(metric(page, "Leads needed")).to_have_text("100", timeout=TIMEOUT)  # the article's worked example
    expect(metric(page, "Customers needed")).to_have_text("50")
    expect(page.get_by_text("Jun 2024").first).to_be_visible()
    expect(page.get_by_text("June 2024: leads against the goal line")).to_be_visible()
    page.set_viewport_size({"width": 1400, "height": 2400})
    page.screenshot(path=str(artifacts / "marketing_shared_link.png"), full_page=True)


def _settled(page: Page, watched, quiet_ms: int = 2_500, timeout_ms: int = TIMEOUT) -> tuple:
    """``watched()`` once it (and the page address) has not changed for ``quiet_ms`` while no script run is shown."""
    last, quiet, waited = None, 0, 0
    while quiet < quiet_ms:
        assert waited < timeout_ms, f"the page never settled: {last}"
        now = (page.url, watched(), page.get_by_test_id("stStatusWidget").count())
        quiet = quiet + 100 if now == last else 0
        last = now
        page.wait_for_timeout(100)
        waited += 100
    return last[1]


def _link_quota(page: Page) -> str:
    return parse_qs(urlparse(page.url).query)["quota"][0]


def test_holding_an_arrow_key_leaves_the_address_and_the_screen_agreeing(page, app_url):
    page.goto(f"{app_url}/?quota=5000")
    thumb = page.locator('[data-testid="stSlider"]').filter(has_text="Sales quota for the month").get_by_role("slider")
    expect(thumb).to_have_value("5000", timeout=TIMEOUT)  # pressed at once, while the first run may still draw
    thumb.focus()
    for _ in range(15):  # a held key: each press starts a rerun that the next one overtakes
        thumb.press("ArrowRight")
        page.wait_for_timeout(30)

    def shown():
        return thumb.input_value(), metric(page, "Marketing revenue goal").inner_text()

    assert _settled(page, shown) == ("20000", "$14,000")  # 15 steps of $1,000; 70 % of $20,000
    assert _link_quota(page) == "20000"
    for _ in range(5):  # and back: an older address on its way must not be the last one the browser shows
        thumb.press("ArrowLeft")
        page.wait_for_timeout(30)
    assert _settled(page, shown) == ("15000", "$10,500") and _link_quota(page) == "15000"
    for _ in range(5):
        thumb.press("ArrowRight")
        page.wait_for_timeout(30)
    assert _settled(page, shown) == ("20000", "$14,000") and _link_quota(page) == "20000"

    page.reload()
    expect(thumb).to_have_value("20000", timeout=TIMEOUT)
    expect(metric(page, "Marketing revenue goal")).to_have_text("$14,000", timeout=TIMEOUT)
    assert _settled(page, shown) == ("20000", "$14,000") and _link_quota(page) == "20000"
