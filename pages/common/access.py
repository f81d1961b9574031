"""Who sees which workspace: share links, the editors' sign-in allow-list, and the saved-workspace store's actions.

Shared between sessions (``st.cache_resource``): the store connection, used by each session through its
own cursor, and one read-only view per shared data version (shared_view.py). Every action that changes
the store refuses a read-only (shared) view on the server, whatever the browser shows.
"""
from __future__ import annotations

import json
import logging
import os
import tempfile
from datetime import date, datetime
from pathlib import Path

import duckdb
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from pages.common.state import (
    WORKSPACE,
    Workspace,
    apply_settings,
    draft_data,
    draft_state,
    is_sample,
    new_workspace,
    restored_workspace,
    settings_of,
)
from pages.common.shared_view import SharedView, SourceUnavailable, shared_view
from pages.common.ui import KEYS, PICKED_MONTH, literal
from sla_core.ingest import load as ingest
from sla_core.ingest.mapping import Mapping
from sla_core.store import drafts, share, versions
from sla_core.store import workspaces as store

SHARE_PARAM = "share"
EDITORS_ENV = "SLA_EDITOR_EMAILS"
STORE_CURSOR = "store_cursor"  # st.session_state: (store path, this session's cursor on it)
SHARE_TARGET = "share_target"
SHARED_NAMES = "shared_names"  # (workspace name, scenario name, revision) of the shared view
SAVED_WORKSPACE = "saved_workspace"  # (workspace id, dataset version) this session's data was saved as or opened from
SHARED_PAGE_FILES = ("overview.py", "marketing.py", "sales.py", "agreement.py")  # all a share link may open


def guard_page(script: str) -> None:
    """The first call of every page script (``guard_page(__file__)``): who may see this page at all.

    A page address that is the first request of a fresh server (a share link, a copied deep link such
    as ``/sales?month=2024-06``) runs its page in Streamlit's pages-folder mode (no app navigation, the
    file names of every ``pages/*.py`` in the sidebar, until ``app.py`` runs once in the process): that
    run is handed to ``app.py``, whose navigation names the pages (only the shared ones for a link).
    With a share token only ``SHARED_PAGE_FILES`` draw; any other page stops with the one generic
    refusal, whatever the token. Without a token: the editors' check, and the page runs as before.
    """
    if PagesManager.uses_pages_directory and (share_token() is not None or not st.session_state):
        _hand_over_to_app(script)  # a share link, or a new session's first request (not a session already running)
    if share_token() is None:
        require_editor()
        return
    if Path(script).name not in SHARED_PAGE_FILES:
        st.error(share.GENERIC_DENIAL)
        st.stop()


def _hand_over_to_app(script: str) -> None:
    """Leave pages-folder mode for good (any ``st.navigation`` call does) with the folder's page list
    hidden, and run this page again through ``app.py`` (the rerun keeps the page asked for and the
    URL's parameters); a refused share link then shows no page list at all. The page keeps its address
    in this one-off navigation (behind a default that never runs), so it is found, not "not found"."""
    st.navigation([st.Page(_never_shown, title="app"), st.Page(script, url_path=Path(script).stem)],
                  position="hidden")
    st.rerun()


def _never_shown() -> None:
    """The one-off navigation's default page: the rerun that follows leaves it before it could run."""


DRAFT_PARAM = "draft"  # ?draft=TOKEN: this tab's upload and settings, kept on the server for a reload
DRAFT_TOKEN = "draft_token"  # st.session_state: this session's draft token
DRAFT_SAVED = "draft_saved"  # st.session_state: (dataset version, settings) last saved to the draft
DRAFT_DATA = "draft_data"  # st.session_state: (the loaded objects, their part of the draft) last saved
DRAFT_NOTICE = "draft_notice"  # st.session_state: the URL's draft could not be opened (say so over the sample)
DRAFT_LOST = ("The data of this page's link could not be restored (it may have expired). Showing the sample "
              "data instead: upload your export on the Data page.")

log = logging.getLogger(__name__)
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
        except SourceUnavailable as exc:  # a warehouse workspace whose source cannot be read now
            st.session_state.pop(WORKSPACE, None)
            st.error(f"This shared view cannot be shown right now: its warehouse source could not be read "
                     f"({literal(exc)}). Ask the person who shared the link.")
            st.stop()
        except (store.StoreError, duckdb.Error):  # the store cannot be opened: say so, not where or why
            st.session_state.pop(WORKSPACE, None)
            st.error("This shared view cannot be shown right now: the saved workspaces are unavailable. "
                     "Ask the person who shared the link.")
            st.stop()
    require_editor()  # also here: a page can run without app.py (Streamlit's pages/ folder mode on a fresh server)
    if WORKSPACE not in st.session_state:
        st.session_state[WORKSPACE] = _opened_workspace()
    ws = st.session_state[WORKSPACE]
    if st.session_state.get(DRAFT_NOTICE) and is_sample(ws.dataset):  # on every page, until data is loaded
        st.warning(DRAFT_LOST, icon=":material/warning:")
    if PagesManager.uses_pages_directory:  # a page run without app.py, which saves after each page it runs
        keep_draft()  # (saving here too cost a what-if its first figure: the settings changed before the run)
    _keep_draft_in_url()
    return ws


def _draft_config() -> drafts.DraftConfig:
    return drafts.DraftConfig.from_env()


def _draft_owner() -> str:
    """The signed-in editor a draft belongs to when sign-in is on (a leaked link then opens nothing for another)."""
    return str(st.user.get("email", "")) if editor_emails() and st.user.is_logged_in else ""


def _draft_mark(ws: Workspace) -> tuple[str, tuple]:
    """What the draft was saved from: the data version and the settings themselves (frozen values, compared as they
    are: serialising them twice a run cost a slider move a tenth of its time)."""
    return ws.dataset.version, tuple(settings_of(ws).items())


def _draft_state(ws: Workspace) -> dict[str, str]:
    """The draft's text, its data part written once per load (a slider move changes only the settings)."""
    loaded = (ws.dataset, ws.mapping, ws.options, ws.export_heads)
    kept = st.session_state.get(DRAFT_DATA)
    if kept is None or any(a is not b for a, b in zip(kept[0], loaded, strict=True)):
        kept = st.session_state[DRAFT_DATA] = (loaded, draft_data(ws))
    return draft_state(ws, kept[1])


def _opened_workspace() -> Workspace:
    """A new session's workspace: the draft its URL names (a reload), else the bundled sample.

    A draft that cannot be opened (unknown, expired, unreadable) gives the sample and one notice that
    says nothing of why, as a bad share link does.
    """
    config = _draft_config()
    try:
        drafts.purge(config)
    except OSError as exc:
        log.warning("could not remove expired drafts: %s", exc)
    token = st.query_params.get(DRAFT_PARAM)
    if token is None:
        return new_workspace()
    try:
        ws = restored_workspace(drafts.open_draft(config, token, owner=_draft_owner()))
    except (drafts.DraftDenied, OSError, ValueError, KeyError, TypeError, duckdb.Error) as exc:
        log.info("draft not restored: %s", type(exc).__name__)
        st.query_params.pop(DRAFT_PARAM, None)
        st.session_state[DRAFT_NOTICE] = True
        return new_workspace()
    st.session_state[DRAFT_TOKEN], st.session_state[DRAFT_SAVED] = token, _draft_mark(ws)
    return ws


def _keep_draft_in_url() -> None:
    token = st.session_state.get(DRAFT_TOKEN)
    if token is not None and st.query_params.get(DRAFT_PARAM) != token:  # page navigation drops it
        st.query_params[DRAFT_PARAM] = token


def keep_draft() -> None:
    """Save this editing session's data and settings as its draft when they changed since the last save, so a
    reload of the tab gets them back. The first upload (anything but the sample) starts the draft.

    Called after every page run (app.py, once the page is drawn), after a section's own rerun
    (``workspace_fragment``), at the top of a page run without app.py (``workspace``, Streamlit's pages-folder
    mode) and right after a load; cheap when nothing changed. A draft
    that cannot be written is logged, never shown as an error (the session itself is unharmed).
    """
    ws = st.session_state.get(WORKSPACE)
    if ws is None or ws.read_only or ws.dataset is None or share_token() is not None:
        return
    token = st.session_state.get(DRAFT_TOKEN)
    if token is None and is_sample(ws.dataset):
        return
    mark, saved = _draft_mark(ws), st.session_state.get(DRAFT_SAVED)
    if mark == saved:
        return
    token = token or drafts.new_token()
    rows = ws.con if (saved is None or saved[0] != mark[0]) and ws.engine is None else None  # a warehouse: no rows
    try:
        drafts.save(_draft_config(), token, _draft_state(ws), rows, owner=_draft_owner())
    except (OSError, ValueError, duckdb.Error) as exc:
        log.warning("could not save the session's draft: %s", exc)
        return
    st.session_state[DRAFT_TOKEN], st.session_state[DRAFT_SAVED] = token, mark
    _keep_draft_in_url()


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


def saved_mapping(mapping_json: str) -> Mapping:
    try:
        return Mapping.from_dict(json.loads(mapping_json))
    except (ValueError, TypeError):
        return Mapping()


def open_shared_workspace(token: str) -> Workspace:
    """The read-only workspace a token opens, checked again on every rerun so revoking takes effect at once.

    Only the token decides what is shown: other URL parameters (``?scenario=``) are never read.
    The view queries the stored rows in place through the cursor and cache every viewer of that data version
    shares (``shared_view``), pinned to one data version (the link's, or the latest when the view was built): a
    refresh committed meanwhile moves the view on the next rerun, never in the middle of one. Raises ShareDenied
    (one generic message) for any bad, expired or revoked token.
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
    view = shared_view(open_store(str(store.store_path().resolve())), target.workspace_id, shown.version)
    ws = Workspace(con=view.con, work_dir=Path(tempfile.mkdtemp(prefix="sla-shared-")),
                   dataset=view.dataset or shown.dataset, mapping=saved_mapping(shown.mapping_json), read_only=True,
                   cache=view.cache, engine=view.engine)
    apply_settings(ws, scenario.settings_json)
    _open_on_month(view, ws.dataset, target.month)
    st.session_state[WORKSPACE], st.session_state[SHARE_TARGET] = ws, target
    st.session_state[SHARED_NAMES] = (saved.name, scenario.name, scenario.revision)
    st.session_state[SHARED_VERSION] = (shown.version, shown.loaded_at, target.data_version is None)
    return ws


def _open_on_month(view: SharedView, dataset: ingest.Dataset, month: date | None) -> None:
    """The month the shared pages open on: the link's, or the month shown first of the data shown (SPEC 8)."""
    month = month or view.first_month(dataset)
    for key in (KEYS.goal_month, KEYS.sales_month, KEYS.overview_month, KEYS.agreement_month, PICKED_MONTH):
        st.session_state[key] = month  # every page's month picker, and the month last picked


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
    with ws.cache.using():  # the session's connection is read while no other call of the session runs on it
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
    if saved.dataset.warehouse:  # its source is read again, as it is now
        from sla_core.engine.spark_source import SparkSource

        ws.connect_warehouse(SparkSource.of(saved.dataset), saved_mapping(saved.mapping_json), saved.dataset.tz)
    else:
        with ws.cache.using():
            store.restore_leads(cur, ws.con, workspace_id)
            ws.dataset, ws.mapping, ws.uploads = saved.dataset, saved_mapping(saved.mapping_json), None
            ws.export_heads = {}
        ws.use_engine(None)
    apply_settings(ws, settings_json)
    st.session_state[SAVED_WORKSPACE] = (workspace_id, ws.dataset.version)


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
