"""Upload → mapping and quality report → charts, in a real browser, as a user would."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sla_core.generator import write_export

TIMEOUT = 60_000


@pytest.fixture
def salesforce_export(tmp_path):
    return write_export(1500, tmp_path / "salesforce_leads.csv", seed=3, style="salesforce")


def test_upload_shows_mapping_and_quality_report(page, app_url, salesforce_export, artifacts):
    page.goto(f"{app_url}/data")
    expect(page.get_by_text("Rows read")).to_be_visible(timeout=TIMEOUT)  # the bundled sample is loaded
    page.locator("input[type=file]").first.set_input_files(str(salesforce_export))
    page.get_by_role("button", name="Load export").click()
    expect(page.get_by_text("Loaded 1,500 leads from salesforce_leads.csv")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("Column mapping")).to_be_visible()
    expect(page.get_by_text("Dates like 05/13/2024 show the file is month-first")).to_be_visible()
    expect(page.get_by_text("Data quality", exact=True)).to_be_visible()
    page.screenshot(path=str(artifacts / "data_page_after_upload.png"), full_page=True)


def test_bad_upload_keeps_previous_data(page, app_url, tmp_path):
    bad = tmp_path / "report.xlsx"
    bad.write_bytes(b"PK\x03\x04" + bytes(64))
    page.goto(f"{app_url}/data")
    expect(page.get_by_text("Rows read")).to_be_visible(timeout=TIMEOUT)
    page.locator("input[type=file]").first.set_input_files(str(bad))
    page.get_by_role("button", name="Load export").click()
    expect(page.get_by_text("Could not load")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("the previous data is still loaded")).to_be_visible()
    expect(page.get_by_text("6,000").first).to_be_visible()
