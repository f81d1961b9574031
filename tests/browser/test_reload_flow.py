"""A reload keeps the tab's upload and settings (its draft on the server), and every page says which data it shows."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from sla_core.generator import write_export

TIMEOUT = 90_000  # a shared machine: a load may take a while
SAMPLE = "Sample data — upload your export on the Data page"


@pytest.fixture
def export(tmp_path):
    return write_export(634, tmp_path / "june_export.csv", seed=21, style="hubspot")


def metric_value(page, label: str) -> str:
    box = page.locator("[data-testid=stMetric]").filter(has_text=label)
    return box.locator("[data-testid=stMetricValue]").inner_text()


def test_upload_then_reload_shows_the_same_numbers(page, app_url, export, artifacts):
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{app_url}/data")
    expect(page.get_by_text(SAMPLE)).to_be_visible(timeout=TIMEOUT)  # a fresh visit says it shows the sample
    expect(page.get_by_text("Rows read")).to_be_visible(timeout=TIMEOUT)
    assert metric_value(page, "Leads loaded") == "6,000"

    page.locator("input[type=file]").first.set_input_files(str(export))
    page.get_by_role("button", name="Load export").click()
    expect(page.get_by_text("Loaded 634 leads from june_export.csv")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text(SAMPLE)).to_have_count(0, timeout=TIMEOUT)  # gone: the page names the file instead
    named = page.get_by_text(re.compile(r"Data: june_export\.csv · leads \d{4}-\d\d-\d\d to"))
    expect(named).to_be_visible(timeout=TIMEOUT)
    expect(page).to_have_url(re.compile(r"[?&]draft=[A-Za-z0-9_-]{43}"), timeout=TIMEOUT)
    before = {label: metric_value(page, label) for label in ("Rows read", "Leads loaded", "As of")}

    page.reload()
    expect(page.get_by_text("Rows read")).to_be_visible(timeout=TIMEOUT)
    after = {label: metric_value(page, label) for label in ("Rows read", "Leads loaded", "As of")}
    assert after == before and after["Leads loaded"] == "634"
    expect(page.get_by_text(SAMPLE)).to_have_count(0, timeout=TIMEOUT)
    expect(page.get_by_text(re.compile(r"Data: june_export\.csv"))).to_be_visible(timeout=TIMEOUT)
    page.screenshot(path=str(artifacts / "data_page_after_reload.png"), full_page=True)


def test_a_link_whose_draft_is_gone_shows_the_sample_and_says_so(page, app_url):
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{app_url}/data?draft={'A' * 43}")
    expect(page.get_by_text("could not be restored")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text(SAMPLE)).to_be_visible(timeout=TIMEOUT)
    assert metric_value(page, "Leads loaded") == "6,000"


def _draft_token(page) -> str:
    expect(page).to_have_url(re.compile(r"[?&]draft=[A-Za-z0-9_-]{43}"), timeout=TIMEOUT)
    return re.search(r"draft=([A-Za-z0-9_-]{43})", page.url).group(1)


def _run_done(page) -> None:
    """The session's last run has ended (its draft saved): no running status for a while."""
    quiet = 0
    while quiet < 1_500:
        quiet = 0 if page.get_by_test_id("stStatusWidget").count() else quiet + 100
        page.wait_for_timeout(100)


def test_a_what_if_and_a_reps_hours_moved_in_their_sections_survive_a_reload(page, app_url, export):
    """The quota slider and the rep-hours grid rerun their sections alone; each such run keeps the draft too."""
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{app_url}/data")
    page.locator("input[type=file]").first.set_input_files(str(export))
    page.get_by_role("button", name="Load export").click()
    expect(page.get_by_text("Loaded 634 leads from june_export.csv")).to_be_visible(timeout=TIMEOUT)
    token = _draft_token(page)

    page.get_by_role("link", name="Marketing SLA").click()
    thumb = page.locator('[data-testid="stSlider"]').filter(has_text="Sales quota for the month").get_by_role("slider")
    expect(thumb).to_have_value("200000", timeout=TIMEOUT)
    thumb.focus()
    thumb.press("ArrowRight")
    expect(page.locator('[data-testid="stMetric"]').filter(has_text="Marketing revenue goal")).to_contain_text(
        "$140,700", timeout=TIMEOUT)  # 70 % of $201,000
    _run_done(page)

    page.get_by_role("link", name="Sales SLA").click()
    page.get_by_text("Hours a week per rep", exact=True).click()  # the grid is built while its section is open
    grid = page.locator('[data-testid="stDataFrame"]').filter(has=page.locator("canvas")).last
    expect(grid).to_be_visible(timeout=TIMEOUT)
    grid.scroll_into_view_if_needed()  # a click at a point below the window would miss
    box = grid.bounding_box()
    page.mouse.dblclick(box["x"] + box["width"] * 0.75, box["y"] + 35 + 17)  # the first rep's hours: edit it
    cell_editor = page.locator("#portal").locator("input, textarea").first
    expect(cell_editor).to_be_visible(timeout=TIMEOUT)
    cell_editor.fill("3")
    page.keyboard.press("Enter")
    expect(page.get_by_text("1 rep has hours a week of their own")).to_be_visible(timeout=TIMEOUT)
    _run_done(page)

    page.goto(f"{app_url}/sales?draft={token}")  # a reload with only the draft in the address (no what-if in it)
    expect(page.get_by_text("1 rep has hours a week of their own")).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("link", name="Marketing SLA").click()
    expect(thumb).to_have_value("201000", timeout=TIMEOUT)
