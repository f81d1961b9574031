"""The Data page through Streamlit's AppTest: sample on first visit, uploads, refusals, literal text."""
from __future__ import annotations

import pytest
from apptest_support import metric, new_app, shown, upload_on_data_page, workspace_of
from ingest_support import csv_bytes, export_text

from pages.common.ui import KEYS


@pytest.fixture
def at():
    app = new_app()
    app.run()
    app.switch_page("pages/data.py").run()
    assert not app.exception
    return app


def upload(app, name: str, data: bytes) -> None:
    upload_on_data_page(app, name, data)
    assert not app.exception


def test_first_visit_shows_the_bundled_sample(at):
    assert metric(at, "Leads loaded") == "6,000"
    assert metric(at, "Rows rejected") == "0"
    headings = [h.value for h in at.subheader]
    assert {"Column mapping", "Data quality", "Preview"} <= set(headings)
    mapping = at.dataframe  # mapping editor is a data_editor, listed among the frames
    assert mapping, "the mapping editor and quality tables are shown"


@pytest.mark.parametrize("style", ["hubspot", "salesforce", "snake"])
def test_crm_exports_load_without_manual_mapping(at, style):
    upload(at, f"{style}.csv", export_text(400, style=style, seed=11).encode())
    assert f"Loaded 400 leads from {style}.csv" in shown(at.success)
    assert metric(at, "Leads loaded") == "400"
    editor = workspace_of(at).dataset.columns
    assert {"lead_id", "created_at", "mql_at", "handed_at", "first_touch_at", "attempts", "customer_at",
            "deal_amount", "source", "owner", "job_title"} <= set(editor)


def test_bad_upload_says_where_and_keeps_the_sample(at):
    rows = [["lead_id", "created_at"], ["1", "2024-03-01"], ['2", "2024-03-02'], ["3", "2024-03-03"]]
    upload(at, "broken.csv", csv_bytes(rows).replace(b'"""2", ""2024-03-02"""', b'"2,2024-03-02'))
    message = shown(at.error)
    assert "broken.csv" in message and "line 3" in message
    assert "previous data is still loaded" in message
    assert metric(at, "Leads loaded") == "6,000"


def test_xlsx_is_refused_with_export_as_csv(at):
    upload(at, "leads.xlsx", b"PK\x03\x04" + bytes(200))
    assert "leads.xlsx" in shown(at.error) and "Save As → CSV" in shown(at.error)
    assert metric(at, "Leads loaded") == "6,000"


def test_hostile_headers_and_cells_stay_literal(at):
    payload = "[x](javascript:alert(1))"
    rows = [["lead_id", "created_at", payload, "source"], ["1", "2024-03-01", "a", "<img src=x onerror=alert(1)>"]]
    upload(at, "payload.csv", csv_bytes(rows))
    assert metric(at, "Leads loaded") == "1"
    assert "Loaded 1 lead from payload.csv" in shown(at.success)
    raw = " ".join(str(m.value) for m in [*at.markdown, *at.caption, *at.info, *at.success])
    assert "[x](javascript" not in raw and "<img" not in raw  # escaped wherever markdown renders it


def test_a_loaded_upload_is_released_from_the_uploader(at):
    """Once loaded, the file is read from the session folder: the uploaders are empty again (no second copy held)."""
    upload(at, "hubspot.csv", export_text(50, seed=5).encode())
    assert "Loaded 50 leads from hubspot.csv" in shown(at.success)
    assert all(not u.value for u in at.file_uploader)
    at.button[0].click()  # "Load export" again with nothing chosen re-reads the stored files
    at.run()
    assert not at.exception
    assert metric(at, "Leads loaded") == "50"


def test_an_upload_that_did_not_load_is_kept_for_another_try(at):
    """A refused upload stays in the session folder: other reading options retry it without choosing the file again."""
    rows = [["lead_id", "created_at", "deal_amount"], ["1", "2024-03-01", "1.234,50"], ["2", "2024-03-02", "2.000,00"],
            ["3", "2024-03-03", "999,99"]]
    at.selectbox[2].set_value(".")  # Amounts: 1,234.56, while the file writes 1.234,56
    at.file_uploader(key=KEYS.upload("leads")).upload("eu_amounts.csv", csv_bytes(rows), "text/csv")
    at.button[0].click().run()
    assert "eu_amounts.csv" in shown(at.error) and "previous data is still loaded" in shown(at.error)
    assert metric(at, "Leads loaded") == "6,000"
    assert "Your upload eu_amounts.csv is kept" in shown(at.info)
    assert all(not u.value for u in at.file_uploader)  # released from memory; the copy on disk is retried

    at.selectbox[2].set_value(",")
    at.button[0].click().run()
    assert not at.exception
    assert "Loaded 3 leads from eu_amounts.csv" in shown(at.success)
    assert workspace_of(at).con.execute("SELECT sum(deal_amount) FROM leads").fetchone()[0] == pytest.approx(4234.49)
    assert "is kept" not in shown(at.info)
