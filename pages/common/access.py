"""Who sees which workspace: share links, the editors' sign-in allow-list, and the saved-workspace store's actions.

The one object shared between sessions is the store connection (``st.cache_resource``), used by
each session through its own cursor. Every action that changes the store refuses a read-only
(shared) view on the server, whatever the browser shows.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
from datetime import date, datetime
from pathlib import Path

import duckdb
import streamlit as st

from pages.common.state import (
    WORKSPACE,
    Workspace,
    apply_settings,
    own_workspace,
    settings_of,
)
from pages.common.ui import KEYS
from sla_core.health.months import month_shown_first
from sla_core.ingest import load as ingest
from sla_core.ingest.mapping import Mapping
from sla_core.store import refresh, share, versions
from sla_core.store import workspaces as store

SHARE_PARAM = "share"
EDITORS_ENV = "SLA_EDITOR_EMAILS"
STORE_CURSOR = "store_cursor"  # st.session_state: (store path, this session's cursor on it)
SHARE_TARGET = "share_target"
SHARED_NAMES = "shared_names"  # (workspace name, scenario name, revision) of the shared view
SAVED_WORKSPACE = "saved_workspace"  # (workspace id, dataset version) this session's data was saved as or opened from
SHARED_VERSION = "shared_version"  # (data version, loaded at, follows the latest) of the shared view


def workspace() -> Workspace:
    """This session's workspace, created (with the bundled sample loaded) on first use.

    In a shared view (``?share=TOKEN``) it is the token's read-only workspace, re-checked on
    every call so a revoked or expired link stops on the next interaction, whichever page runs.
    """
    token = share_token()
    if token is not None:
        try:
            return open_shared_workspace(token)
        except share.ShareDenied as denied:
            st.session_state.pop(WORKSPACE, None)
            st.error(str(denied))
            st.stop()
        except (store.StoreError, duckdb.Error):  # the store cannot be opened: say so, not where or why
            st.session_state.pop(WORKSPACE, None)
            st.error("This shared view cannot be shown right now: the saved workspaces are unavailable. "
                     "Ask the person who shared the link.")
            st.stop()
    require_editor()  # also here: a page can run without app.py (Streamlit's pages/ folder mode on a fresh server)
    return own_workspace()


def share_token() -> str | None:
    """The share token of this session: the ``?share=`` parameter, remembered when navigation drops it."""
    token = st.query_params.get(SHARE_PARAM)
    if token is not None:
        st.session_state[SHARE_PARAM] = token
    return st.session_state.get(SHARE_PARAM)


@st.cache_resource(show_spinner=False)
def open_store(path: str) -> duckdb.DuckDBPyConnection:
    """The store connection, shared by all sessions (DuckDB allows one writer process per file)."""
    return store.open_store(Path(path))


def store_cursor() -> duckdb.DuckDBPyConnection:
    """This session's own cursor on the store: DuckDB connections are not thread-safe, cursors are per session."""
    path = str(store.store_path().resolve())
    held = st.session_state.get(STORE_CURSOR)
    if held is None or held[0] != path:
        held = (path, open_store(path).cursor())
        st.session_state[STORE_CURSOR] = held
    return held[1]


def _saved_mapping(mapping_json: str) -> Mapping:
    try:
        return Mapping.from_dict(json.loads(mapping_json))
    except (ValueError, TypeError):
        return Mapping()


def open_shared_workspace(token: str) -> Workspace:
    """The read-only workspace a token opens, checked again on every rerun so revoking takes effect at once.

    Only the token decides what is shown: other URL parameters (``?scenario=``) are never read.
    The view queries the stored rows in place through this session's store cursor, pinned to one data
    version (the link's, or the latest when the view was built): a refresh committed meanwhile moves the
    view on the next rerun, never in the middle of one. Raises ShareDenied (one generic message) for any
    bad, expired or revoked token.
    """
    cur = store_cursor()
    target = share.open_link(cur, token)
    wanted = versions.latest_number(cur, target.workspace_id) if target.data_version is None else target.data_version
    current = st.session_state.get(WORKSPACE)
    if current is not None and current.read_only and st.session_state.get(SHARE_TARGET) == target \
            and st.session_state.get(SHARED_VERSION, (None,))[0] == wanted:
        return current
    saved = store.get_workspace(cur, target.workspace_id)
    scenario = store.get_scenario(cur, target.workspace_id, target.scenario_id, target.revision)
    shown = versions.get_version(cur, target.workspace_id, wanted) if wanted else None
    if saved is None or scenario is None or shown is None:
        raise share.ShareDenied()
    store.show_workspace(cur, target.workspace_id, shown.version)
    ws = Workspace(con=cur, work_dir=Path(tempfile.mkdtemp(prefix="sla-shared-")), dataset=shown.dataset,
                   mapping=_saved_mapping(shown.mapping_json), read_only=True)
    apply_settings(ws, scenario.settings_json)
    _open_on_month(cur, shown.dataset, target.month)
    st.session_state[WORKSPACE], st.session_state[SHARE_TARGET] = ws, target
    st.session_state[SHARED_NAMES] = (saved.name, scenario.name, scenario.revision)
    st.session_state[SHARED_VERSION] = (shown.version, shown.loaded_at, target.data_version is None)
    return ws


def _open_on_month(cur, dataset: ingest.Dataset, month: date | None) -> None:
    """The month the shared pages open on: the link's, or the month shown first of the data shown (SPEC 8)."""
    month = month or month_shown_first(cur, dataset.tz, dataset.as_of)
    for key in (KEYS.goal_month, KEYS.sales_month):  # the Marketing and Sales pages' month sliders
        st.session_state[key] = month


def shared_names() -> tuple[str, str, int]:
    """(workspace name, scenario name, revision) of the shared view this session shows."""
    return st.session_state[SHARED_NAMES]


def shared_version() -> tuple[int, datetime, bool]:
    """(data version, when it was loaded, whether the link follows the latest data) of the shared view."""
    return st.session_state[SHARED_VERSION]


def save_workspace(ws: Workspace, name: str) -> tuple[str, str]:
    """Save the session's data and settings as a new workspace; refused in a shared view."""
    ws.refuse_if_read_only("save a workspace")
    if ws.dataset is None:
        raise store.StoreError("load some data first")
    ids = store.save_workspace(store_cursor(), ws.con, name, ws.dataset, ws.mapping.to_json(),
                               store.settings_to_json(settings_of(ws)), editor_email())
    st.session_state[SAVED_WORKSPACE] = (ids[0], ws.dataset.version)
    return ids


def current_saved_id(ws: Workspace) -> str | None:
    """The saved workspace this session's data came from or was saved as (None after a new upload)."""
    held = st.session_state.get(SAVED_WORKSPACE)
    if held and ws.dataset is not None and held[1] == ws.dataset.version:
        return held[0]
    return None


def open_saved_workspace(ws: Workspace, workspace_id: str, settings_json: str) -> None:
    """Load a saved workspace into this editing session (its rows copied into the session's connection)."""
    ws.refuse_if_read_only("open another workspace")
    cur = store_cursor()
    saved = store.get_workspace(cur, workspace_id)
    if saved is None:
        raise store.StoreError("that workspace no longer exists")
    store.restore_leads(cur, ws.con, workspace_id)
    ws.dataset, ws.mapping, ws.uploads = saved.dataset, _saved_mapping(saved.mapping_json), None
    ws.cache.clear()
    apply_settings(ws, settings_json)
    st.session_state[SAVED_WORKSPACE] = (workspace_id, saved.dataset.version)


def delete_saved_workspace(ws: Workspace, workspace_id: str) -> None:
    ws.refuse_if_read_only("delete a workspace")
    store.delete_workspace(store_cursor(), workspace_id)


def save_scenario(ws: Workspace, workspace_id: str, name: str, scenario_id: str | None = None) -> tuple[str, int]:
    """Save the current assumptions as a scenario of ``workspace_id`` (a new revision when it exists)."""
    ws.refuse_if_read_only("save a scenario")
    return store.save_scenario(store_cursor(), workspace_id, name, store.settings_to_json(settings_of(ws)), scenario_id)


def create_share_link(ws: Workspace, workspace_id: str, scenario_id: str, revision: int, label: str,
                      expires_at, data_version: int | None = None, month: date | None = None) -> str:
    """A link to one scenario revision, on the latest data (``data_version`` None) or pinned to a version, opening
    on the month shown first (``month`` None) or on ``month``."""
    ws.refuse_if_read_only("create share links")
    cur = store_cursor()
    if data_version is not None and versions.get_version(cur, workspace_id, data_version) is None:
        raise store.StoreError(f"data version {data_version} is no longer kept")
    return share.create_link(cur, workspace_id, scenario_id, revision, label, expires_at, data_version, month)


def revoke_share_link(ws: Workspace, workspace_id: str, token_sha256: str) -> None:
    ws.refuse_if_read_only("revoke share links")
    share.revoke_link(store_cursor(), workspace_id, token_sha256)


# --- data versions: refresh, restore, retention ----------------------------------------------------------

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
    ws.dataset, ws.mapping, ws.uploads = latest.dataset, _saved_mapping(latest.mapping_json), None
    ws.cache.clear()
    st.session_state[SAVED_WORKSPACE] = (workspace_id, latest.dataset.version)


def editor_email() -> str | None:
    """Who loads data: the signed-in editor's email when sign-in is on, else None."""
    if not editor_emails() or not st.user.is_logged_in:
        return None
    return str(st.user.get("email", "")) or None


def editor_emails() -> frozenset[str]:
    """The allow-list of editors (env SLA_EDITOR_EMAILS or secrets ``editor_emails``); empty: no sign-in."""
    raw: object = os.environ.get(EDITORS_ENV, "")
    if not raw:
        try:
            raw = st.secrets.get("editor_emails", "")
        except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
            raw = ""
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    return frozenset(str(e).strip().lower() for e in items if str(e).strip())


def require_editor() -> None:
    """With an allow-list configured, stop the page unless the visitor signed in (st.login) with a listed email.

    OIDC sign-in authenticates; this check authorizes. Without an allow-list everyone may edit.
    """
    allowed = editor_emails()
    if not allowed:
        return
    if not st.user.is_logged_in:
        st.info("Sign in to edit workspaces. Leadership share links open without signing in.")
        st.button("Sign in", on_click=st.login, type="primary")
        st.stop()
    if str(st.user.get("email", "")).lower() not in allowed:
        st.error("Your account is not on this dashboard's list of editors. Ask an editor for a share link.")
        st.button("Sign out", on_click=st.logout)
        st.stop()
