"""A visitor's temporary folder (uploads, DuckDB spill files) is removed when Streamlit drops the session."""
from __future__ import annotations

import gc

import duckdb
import pytest

from pages.common import state
from sla_core.store import drafts


def test_a_dropped_session_leaves_no_folder_and_closes_its_connection():
    ws = state.new_workspace()  # loads the bundled sample into the folder, as a new visitor gets it
    folder, con = ws.work_dir, ws.con
    assert any(folder.rglob("*.csv"))
    del ws
    gc.collect()
    assert not folder.exists()
    with pytest.raises(duckdb.ConnectionException):
        con.execute("SELECT 1")


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
