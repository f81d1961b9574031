"""A visitor's temporary folder (uploads, DuckDB spill files) is removed when Streamlit drops the session."""
from __future__ import annotations

import gc

import duckdb
import pytest
from apptest_support import new_app, upload_on_data_page, workspace_of
from ingest_support import export_text

from pages.common import limits, state
from sla_core.store import drafts


def test_a_dropped_streamlit_session_leaves_no_folder_closes_its_connection_and_frees_its_share():
    """A real Streamlit session (AppTest's session state, as the server's session manager drops a closed tab):
    its pages were drawn, an export uploaded, then the session goes away."""
    app = new_app().run()
    upload_on_data_page(app, "mine.csv", export_text(300).encode())
    app.switch_page("pages/sales.py").run()  # views, the result cache and download callables now refer to it
    assert not app.exception
    ws = workspace_of(app)
    folder, con = ws.work_dir, ws.con
    assert any(folder.rglob("mine.csv")) and any(folder.rglob("sample_leads.csv"))
    gc.collect()  # sessions dropped by earlier tests are released now, not counted below
    process = limits.process_limits()
    sessions = process.sessions_open
    del ws, app
    gc.collect()
    assert not folder.exists()
    with pytest.raises(duckdb.ConnectionException):
        con.execute("SELECT 1")
    del con
    gc.collect()
    assert process.sessions_open == sessions - 1  # its part of the memory budget goes to the next session


def test_a_shared_view_keeps_the_store_cursor_it_borrowed(tmp_path):
    cursor = duckdb.connect().cursor()
    folder = tmp_path / "shared-view"
    folder.mkdir()
    ws = state.Workspace(con=cursor, work_dir=folder, read_only=True)
    del ws
    gc.collect()
    assert not folder.exists()
    assert cursor.execute("SELECT 42").fetchall() == [(42,)]


def test_a_draft_outlives_its_session_and_a_restored_session_removes_only_its_own_folder(tmp_path):
    config = drafts.DraftConfig(tmp_path / "drafts")
    ws = state.new_workspace()
    token = drafts.new_token()
    drafts.save(config, token, state.draft_state(ws), ws.con)
    first = ws.work_dir
    del ws
    gc.collect()
    assert not first.exists()
    restored = state.restored_workspace(drafts.open_draft(config, token))
    folder = restored.work_dir
    assert folder != first and restored.con.execute("SELECT count(*) FROM leads").fetchall() == [(6000,)]
    assert state.is_sample(restored.dataset)  # the sample stays the sample across a reload
    del restored
    gc.collect()
    assert not folder.exists()
    assert drafts.open_draft(config, token).leads.is_file()  # kept until it expires
