"""A saved workspace's data versions from the Save & share page: refresh from a new export, restore an earlier
version, how many to keep. A session showing that workspace follows its latest version."""
from __future__ import annotations

import shutil
import uuid

import streamlit as st

from pages.common.access import SAVED_WORKSPACE, current_saved_id, editor_email, saved_mapping, store_cursor
from pages.common.state import Workspace
from sla_core.ingest import load as ingest
from sla_core.store import refresh, versions
from sla_core.store import workspaces as store


def check_refresh(ws: Workspace, workspace_id: str, uploaded: dict) -> refresh.Probe:
    """Keep a refresh's uploads in this session's folder and compare the leads file's header with the workspace's."""
    ws.refuse_if_read_only("refresh data")
    files = ws.store_uploads(uploaded)
    try:
        return refresh.probe(store_cursor(), workspace_id, files, files.leads.path.parent / "prepared")
    except BaseException:
        drop_refresh_files(files)
        raise


def refresh_saved_workspace(ws: Workspace, workspace_id: str, probe: refresh.Probe,
                            columns: dict[str, str] | None = None) -> versions.Refreshed:
    """Store the checked files as the workspace's next data version (``columns``: the editor's fix of the mapping).

    Refused when someone else's refresh or restore came first (the version the check saw is no longer the
    latest). When this session shows that workspace, it moves to the new version too.
    """
    ws.refuse_if_read_only("refresh data")
    work = ws.work_dir / "refresh" / uuid.uuid4().hex
    try:
        done = refresh.refresh(store_cursor(), workspace_id, probe.files, work, columns, editor_email(),
                               probe.latest.version)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if done.changed:
        _follow(ws, workspace_id)
    return done


def drop_refresh_files(files: ingest.UploadSet) -> None:
    """Remove a refresh's uploads from the session folder once it is stored or given up."""
    shutil.rmtree(files.leads.path.parent, ignore_errors=True)


def restore_data_version(ws: Workspace, workspace_id: str, version: int, expected: int) -> versions.DataVersion:
    ws.refuse_if_read_only("restore data")
    restored = versions.restore(store_cursor(), workspace_id, version, editor_email(), expected)
    _follow(ws, workspace_id)
    return restored


def keep_data_versions(ws: Workspace, workspace_id: str, keep: int) -> None:
    ws.refuse_if_read_only("change how many versions are kept")
    versions.set_keep(store_cursor(), workspace_id, keep)


def _follow(ws: Workspace, workspace_id: str) -> None:
    """When this session shows ``workspace_id``, load its latest data version (its settings stay as they are)."""
    if current_saved_id(ws) != workspace_id:
        return
    cur = store_cursor()
    latest = versions.latest(cur, workspace_id)
    store.restore_leads(cur, ws.con, workspace_id, latest.version)
    ws.dataset, ws.mapping, ws.uploads = latest.dataset, saved_mapping(latest.mapping_json), None
    ws.cache.clear()
    st.session_state[SAVED_WORKSPACE] = (workspace_id, latest.dataset.version)
