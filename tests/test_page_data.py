"""The Data page through Streamlit's AppTest: sample on first visit, uploads, refusals, literal text."""
from __future__ import annotations

import csv
import json
import tempfile

import pytest
from apptest_support import metric, new_app, open_section, shown, upload_on_data_page, workspace_of
from ingest_support import csv_bytes, export_text

from pages.common.ui import KEYS, SAMPLE_LINE
from sla_core import contract
from sla_core.ingest import load as ingest
from sla_core.ingest.mapping import Mapping


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
    assert not at.dataframe  # the mapping editor, quality tables and preview are built once opened
    for section in (KEYS.mapping_open, KEYS.quality_open, KEYS.preview_open):
        open_section(at, section)  # built only while open: a click on each header
    mapping = at.dataframe  # mapping editor is a data_editor, listed among the frames
    assert mapping, "the mapping editor and quality tables are shown"
    as_of = next(m for m in at.metric if m.label == "As of")
    assert (as_of.value, as_of.delta) == ("2025-01-14", "23:38 UTC")  # the time under the date: nothing truncated
    assert "time zone UTC · dates YYYY-MM-DD · decimal point (1,234.56)" in shown(at.caption)
    preview = at.dataframe[-1]
    assert preview.proto.HasField("placeholder") and preview.proto.placeholder == ""  # blank, not "None"


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


# --- the mapping editor: a refused file's own headers, the deals and activity files, the mapping in force ----

RENAMED = {"Record ID": "Ref No", "Create Date": "Opened On", "Became a Marketing Qualified Lead Date": "Qualified On",
           "Owner Assigned Date": "Passed On", "Date of first engagement": "Reached On",
           "Number of Sales Activities": "Tries", "Lead Status": "Disposition X", "Became a Customer Date": "Won On",
           "Recent Deal Amount": "Worth", "Original Source": "Came From", "Contact owner": "Rep Name",
           "Job Title": "Position"}
BY_HAND = {"lead_id": "Ref No", "created_at": "Opened On", "mql_at": "Qualified On", "handed_at": "Passed On",
           "first_touch_at": "Reached On", "attempts": "Tries", "connected": "Disposition X", "customer_at": "Won On",
           "deal_amount": "Worth", "source": "Came From", "owner": "Rep Name", "job_title": "Position"}
KEPT = {"region": "Country/Region"}  # the one header not renamed: still auto-mapped
FIGURES = ("SELECT count(*), count(customer_at), sum(deal_amount), sum(attempts), count(*) FILTER (WHERE connected), "
           "count(handed_at), min(created_at), max(first_touch_at), count(DISTINCT owner) FROM leads")


def renamed_export(n: int = 300, seed: int = 4) -> bytes:
    """A HubSpot export whose headers no alias knows (the data as it was)."""
    header, _, rest = export_text(n, seed=seed).partition("\n")
    cells = next(csv.reader([header]))
    return (",".join(f'"{RENAMED.get(c, c)}"' for c in cells) + "\n" + rest).encode()


def upload_again(app, name: str, data: bytes) -> None:
    """Upload on the Data page after an earlier load (the uploaders get new keys after each)."""
    next(u for u in app.file_uploader if u.label.startswith("Leads export")).upload(name, data, "text/csv")
    app.button[0].click().run()
    assert not app.exception


def button(app, label: str):
    return next(b for b in app.button if b.label == label)


def choose(app, kind: str, columns: dict[str, str]) -> None:
    for fld, header in columns.items():
        app.selectbox(key=KEYS.mapping(kind, fld)).set_value(header)


def test_a_file_with_unknown_headers_is_mapped_by_hand_and_loaded(at):
    upload(at, "renamed.csv", renamed_export())
    assert "renamed.csv" in shown(at.error) and "Lead ID, Created" in shown(at.error)
    assert metric(at, "Leads loaded") == "6,000"  # the sample stays until the new file loads
    assert "Map the columns of your upload" in [h.value for h in at.subheader]
    lead_id = at.selectbox(key=KEYS.mapping("leads", "lead_id"))
    headers = next(csv.reader([renamed_export().decode().partition("\n")[0]]))
    assert [o.split("  (e.g.")[0] for o in lead_id.options] == ["(not in this export)", *headers]  # its own
    assert lead_id.value == "" and "⚠" in lead_id.label

    choose(at, "leads", BY_HAND)
    button(at, "Apply mapping").click().run()
    assert not at.exception
    assert "Loaded 300 leads from renamed.csv" in shown(at.success)
    assert metric(at, "Leads loaded") == "300"
    by_hand = workspace_of(at).con.execute(FIGURES).fetchall()
    # in force: every field of the contract spelled out, those neither mapped by hand nor kept empty
    assert workspace_of(at).mapping.columns == {fld: (BY_HAND | KEPT).get(fld, "") for fld in contract.MAPPED_TYPES}

    upload_again(at, "hubspot.csv", export_text(300, seed=4).encode())  # the same data under its own headers
    assert metric(at, "Leads loaded") == "300"
    assert workspace_of(at).con.execute(FIGURES).fetchall() == by_hand


def test_the_deals_and_activity_mappings_are_shown_and_editable(at):
    leads = csv_bytes([["lead_id", "created_at", "source"], ["L1", "2024-03-01 09:00", "Web"],
                       ["L2", "2024-03-02 09:00", "Web"], ["L3", "2024-03-03 09:00", "Web"]])
    deals = csv_bytes([["Contact Ref", "Closed On", "Value USD"], ["L1", "2024-03-20", "1000"],
                       ["L3", "2024-03-25", "2500.5"]])
    at.file_uploader(key=KEYS.upload("leads")).upload("leads.csv", leads, "text/csv")
    at.file_uploader(key=KEYS.upload("deals")).upload("deals.csv", deals, "text/csv")
    at.button[0].click().run()
    assert "deals.csv" in shown(at.error)
    deal_id = at.selectbox(key=KEYS.mapping("deals", "lead_id"))
    assert deal_id.options == ["(not in this export)", "Contact Ref  (e.g. L1)", "Closed On  (e.g. 2024-03-20)",
                               "Value USD  (e.g. 1000)"]  # the deals file's own headers, an example of each
    choose(at, "deals", {"lead_id": "Contact Ref", "customer_at": "Closed On", "deal_amount": "Value USD"})
    button(at, "Apply mapping").click().run()
    assert not at.exception
    assert "Loaded 3 leads from leads.csv" in shown(at.success)
    con = workspace_of(at).con
    assert con.execute("SELECT count(customer_at), sum(deal_amount) FROM leads").fetchall() == [(2, 3500.5)]
    mapping = workspace_of(at).mapping
    assert mapping.deals_columns == {"lead_id": "Contact Ref", "customer_at": "Closed On", "deal_amount": "Value USD"}
    # the loaded data's editor shows the deals file too, and a change there reloads it
    open_section(at, KEYS.mapping_open)
    assert at.selectbox(key=KEYS.mapping("deals", "deal_amount")).value == "Value USD"
    at.selectbox(key=KEYS.mapping("deals", "deal_amount")).set_value("")
    at.text_input(key=KEYS.mapping("rules", "connected_values")).set_value("Talked, Met")
    button(at, "Apply mapping").click().run()
    assert not at.exception
    assert workspace_of(at).mapping.connected_values == ("Talked", "Met")
    assert con.execute("SELECT count(customer_at), sum(deal_amount) FROM leads").fetchall() == [(2, None)]


def test_download_mapping_gives_the_mapping_in_force_before_any_apply(at):
    """The sample's mapping was never applied by hand: the download still spells every auto-mapped column."""
    served = json.loads(workspace_of(at).mapping.to_json())  # what "Download mapping (JSON)" serves
    assert served["columns"]["lead_id"] == "Record ID" and served["columns"]["created_at"] == "Create Date"
    assert served["columns"] == workspace_of(at).dataset.columns
    assert any(b.proto.label == "Download mapping (JSON)" for b in at.get("download_button"))
    # used again (the report command's --mapping), it reads the file the same way
    upload(at, "renamed.csv", renamed_export())
    choose(at, "leads", BY_HAND)
    button(at, "Apply mapping").click().run()
    again = Mapping.from_dict(json.loads(workspace_of(at).mapping.to_json()))
    assert again.resolved([*RENAMED.values(), *KEPT.values()]) == BY_HAND | KEPT


def test_dates_are_described_as_the_file_writes_them(at):
    assert "dates YYYY-MM-DD" in shown(at.caption)  # the sample is ISO
    rows = [["lead_id", "created_at"], ["1", "05/13/2024 09:00"], ["2", "05/14/2024 10:00"]]
    upload(at, "us.csv", csv_bytes(rows))
    assert "Loaded 2 leads" in shown(at.success)
    assert "dates MM/DD/YYYY" in shown(at.caption)


# --- uploads: file names, failures --------------------------------------------------------------------

def test_leads_and_deals_of_the_same_name_do_not_overwrite_each_other(at):
    leads = csv_bytes([["lead_id", "created_at"], ["L1", "2024-03-01"], ["L2", "2024-03-02"]])
    deals = csv_bytes([["lead_id", "won_date", "amount"], ["L2", "2024-03-09", "700"]])
    at.file_uploader(key=KEYS.upload("leads")).upload("export.csv", leads, "text/csv")
    at.file_uploader(key=KEYS.upload("deals")).upload("export.csv", deals, "text/csv")
    at.button[0].click().run()
    assert not at.exception
    assert "Loaded 2 leads from export.csv" in shown(at.success)
    files = workspace_of(at).uploads
    assert files.leads.path != files.deals.path and files.leads.path.read_bytes() == leads
    assert workspace_of(at).con.execute("SELECT lead_id, deal_amount FROM leads WHERE customer_at IS NOT NULL"
                                         ).fetchall() == [("L2", 700.0)]


@pytest.mark.parametrize("name", ["..", "../../etc/leads.csv", ".", "/"])
def test_a_path_like_upload_name_stays_in_the_session_folder_and_out_of_messages(at, name):
    upload(at, name, b"PK\x03\x04" + bytes(64))  # refused: the message names the upload, not a server folder
    message = shown(at.error)
    assert "Could not load" in message
    assert tempfile.gettempdir() not in message and str(workspace_of(at).work_dir) not in message
    upload_again(at, name, export_text(20, seed=2).encode())
    assert metric(at, "Leads loaded") == "20"
    folder = workspace_of(at).work_dir.resolve()
    assert folder in workspace_of(at).uploads.leads.path.resolve().parents


def test_an_unexpected_failure_is_a_message_not_a_traceback(at, monkeypatch):
    def broken(con, files, *args, **kwargs):
        raise RuntimeError(f"internal error reading {files.leads.path} at /srv/app/x.py")

    monkeypatch.setattr(ingest, "load", broken)
    upload(at, "hubspot.csv", export_text(30, seed=3).encode())
    assert not at.exception
    message = shown(at.error)
    assert "Could not load: hubspot.csv" in message and "previous data is still loaded" in message
    assert "/srv" not in message and str(workspace_of(at).work_dir) not in message
    assert metric(at, "Leads loaded") == "6,000"
    assert "Your upload hubspot.csv is kept" in shown(at.info)

    monkeypatch.undo()
    at.button[0].click().run()  # "Load export" with nothing chosen retries the kept upload
    assert not at.exception
    assert "Loaded 30 leads from hubspot.csv" in shown(at.success)


# --- the data line every page opens with ------------------------------------------------------------------

PAGES = ("pages/marketing.py", "pages/sales.py", "pages/data.py", "pages/workspace.py", "pages/overview.py",
         "pages/agreement.py")


def test_every_page_says_which_data_it_shows(at):
    """The sample says it is the sample; an upload is named, with its lead span and as-of in the workspace zone."""
    sample_line = f"**{SAMPLE_LINE}** · leads 2024-01-01 to 2025-01-14 · as of 2025-01-14 23:38 (UTC)"  # the csv
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, page
        assert sample_line in shown(at.info), page

    rows = [["lead_id", "created_at", "customer_at", "deal_amount"],
            ["1", "2024-03-01 23:30", "", ""], ["2", "2024-04-02 10:00", "2024-04-05 08:00", "500"]]
    at.switch_page("pages/data.py").run()
    at.selectbox[0].set_value("Europe/Berlin")  # the workspace time zone: days and as-of are taken in it
    at.file_uploader(key=KEYS.upload("leads")).upload("q1_[x](y).csv", csv_bytes(rows), "text/csv")
    at.button[0].click().run()
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, page
        assert SAMPLE_LINE not in shown(at.info), page
        line = "Data: q1_[x](y).csv · leads 2024-03-01 to 2024-04-02 · as of 2024-04-05 08:00 (Europe/Berlin)"
        assert line in shown(at.caption), page
        assert "q1\\_\\[x\\]\\(y\\)\\.csv" in " ".join(c.value for c in at.caption), page  # the name stays literal
