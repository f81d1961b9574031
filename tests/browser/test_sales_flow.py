"""The Sales SLA page in a real browser: switch day/week/month and the charts follow; flip to business hours."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

TIMEOUT = 60_000
CHARTS = 4  # the chosen by-period view's two (speed first), the reps' share within the goal, their bandwidth


def metric(page: Page, label: str):
    box = page.locator('[data-testid="stMetric"]').filter(has=page.get_by_text(label, exact=True))
    return box.locator('[data-testid="stMetricValue"]')


def clock_of(page: Page, label: str):
    """The delta under a response figure: the clock it is counted on."""
    box = page.locator('[data-testid="stMetric"]').filter(has=page.get_by_text(label, exact=True))
    return box.locator('[data-testid="stMetricDelta"]')


def choose(page: Page, group: str, option: str) -> None:
    """Click one option of the st.radio labelled ``group``."""
    radio = page.locator('[data-testid="stRadio"]').filter(has_text=group)
    radio.get_by_text(option, exact=True).click()


def test_period_switch_redraws_the_charts_and_the_clock_changes_the_numbers(page, app_url, artifacts):
    page.goto(app_url)
    page.get_by_role("link", name="Sales SLA").click()
    expect(page.get_by_role("heading", name="Sales SLA")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("13 months of hand-offs: Jan 2024 – Jan 2025.")).to_be_visible(timeout=TIMEOUT)
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    expect(charts.first).to_be_visible(timeout=TIMEOUT)
    expect(charts.first.locator("canvas, svg").first).to_be_visible(timeout=TIMEOUT)

    choose(page, "Period of hand-off", "Week")
    expect(page.get_by_text("55 weeks of hand-offs: week of 01 Jan 2024 – week of 13 Jan 2025.")).to_be_visible(
        timeout=TIMEOUT)
    choose(page, "Period of hand-off", "Day")  # the chosen month's days, not 400-odd bars
    expect(page.get_by_text("14 days of hand-offs: Wed 01 Jan 2025 – Tue 14 Jan 2025.")).to_be_visible(
        timeout=TIMEOUT)
    expect(page.get_by_text("13 months of hand-offs")).to_have_count(0)

    calendar_share = metric(page, "Within the speed goal").inner_text()
    choose(page, "Clock", "Business hours")
    expect(clock_of(page, "Median response")).to_have_text(re.compile("business hours"), timeout=TIMEOUT)
    expect(metric(page, "Within the speed goal")).not_to_have_text(calendar_share)
    choose(page, "Period of hand-off", "Month")
    expect(page.get_by_text("13 months of hand-offs: Jan 2024 – Jan 2025.")).to_be_visible(timeout=TIMEOUT)
    expect(charts.first.locator("canvas, svg").first).to_be_visible(timeout=TIMEOUT)
    page.set_viewport_size({"width": 1400, "height": 3200})  # Streamlit scrolls inside the page: show the charts too
    page.screenshot(path=str(artifacts / "sales_business_month.png"), full_page=True)


def test_a_speed_goal_move_updates_the_goal_figures_and_keeps_the_charts(page, app_url, artifacts):
    page.goto(app_url)
    page.get_by_role("link", name="Sales SLA").click()
    expect(page.get_by_text("13 months of hand-offs: Jan 2024 – Jan 2025.")).to_be_visible(timeout=TIMEOUT)
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    expect(charts).to_have_count(CHARTS, timeout=TIMEOUT)
    median = metric(page, "Median response").inner_text()
    share = metric(page, "Within the speed goal").inner_text()
    thumb = page.locator('[data-testid="stSlider"]').filter(has_text="Speed goal").get_by_role("slider")
    thumb.focus()
    thumb.press("End")  # one move, 1 h → 48 h (key by key, a rerun could land between the presses)
    expect(thumb).to_have_value("48", timeout=TIMEOUT)
    assert share == "22.2 %"
    expect(metric(page, "Within the speed goal")).to_have_text("87.5 %", timeout=TIMEOUT)  # AppTest: the same at 48 h
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=TIMEOUT)  # the rerun has drawn every chart
    expect(metric(page, "Median response")).to_have_text(median)  # the goal-free figures stay
    expect(charts).to_have_count(CHARTS)
    for i in range(CHARTS):
        expect(charts.nth(i).locator("canvas, svg").first).to_be_visible(timeout=TIMEOUT)
    for view in ("Response bands and routing delay", "Depth"):  # the other by-period views draw theirs
        page.locator('[data-testid="stButtonGroup"]').get_by_text(view, exact=True).click()
        expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=TIMEOUT)
        expect(charts).to_have_count(CHARTS, timeout=TIMEOUT)
        for i in range(CHARTS):
            expect(charts.nth(i).locator("canvas, svg").first).to_be_visible(timeout=TIMEOUT)
    page.set_viewport_size({"width": 1400, "height": 3200})
    page.screenshot(path=str(artifacts / "sales_goal_48h.png"), full_page=True)
