"""A visitor's temporary folder (uploads, DuckDB spill files) is removed when Streamlit drops the session."""
from __future__ import annotations

import gc

import duckdb
import pytest

from pages.common import state


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
