"""Per-browser-session state: the session's own DuckDB connection, dataset and assumptions.

Everything lives in ``st.session_state`` (never a module global), so two visitors never
see each other's uploads; the one shared object is the saved-workspace store connection
(``st.cache_resource``), used by each session through its own cursor. Pages call ``workspace()`` and then
the pure core; results that depend only on the data are memoised per dataset version
so a what-if slider redraws without touching DuckDB.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import typing
import uuid
import weakref
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Callable, Iterable

import duckdb
import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from sla_core import export

from sla_core.marketing import actuals

from sla_core.ingest import decode

from sla_core.sales import depth

from sla_core.health import monthly as health

from sla_core.ingest import load as ingest

from sla_core.store import share

from sla_core.sales import speed

from sla_core.store import workspaces as store
from sla_core.health.agreement import AgreementText
from sla_core.assumptions import Assumptions
from sla_core.sales.clock import BusinessHours
from sla_core.db import open_session_db
from sla_core.ingest.mapping import Mapping
from sla_core.marketing.targets import TierAssumption
from sla_core.marketing.tiers import DEFAULT_RULES, TierRule

SAMPLE_LEADS = Path(__file__).resolve().parent.parent / "data" / "sample_leads.csv"


@dataclass
class Workspace:
    """One visitor's loaded data and what-if inputs."""

    con: duckdb.DuckDBPyConnection
    work_dir: Path
    dataset: ingest.Dataset | None = None
    mapping: Mapping = field(default_factory=Mapping)
    assumptions: Assumptions = field(default_factory=Assumptions)
    uploads: ingest.UploadSet | None = None
    options: ingest.ReadOptions = field(default_factory=ingest.ReadOptions)
    read_only: bool = False
    tier_rules: tuple[TierRule, ...] = DEFAULT_RULES  # job title → tier, first match wins
    tiers: tuple[TierAssumption, ...] | None = None  # None: the default tiers on the overall rates
    business_hours: BusinessHours | None = None  # Sales SLA clock; None: Mon–Fri 09:00–17:00 in the data's zone
    sales_clock: str = "calendar"  # the Sales SLA's clock: "calendar" or "business"
    agreement_text: AgreementText = field(default_factory=AgreementText)  # the agreement's written parts
    _memo: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        # The folder holds this visitor's uploads (up to a GB each) and DuckDB's spill files: remove it,
        # and close the visitor's own connection, once Streamlit drops the session or the server stops.
        # A shared view's connection is the session's store cursor, which outlives it.
        weakref.finalize(self, _release, None if self.read_only else self.con, self.work_dir)

    def memo(self, key: tuple, compute: Callable[[], Any]) -> Any:
        """Cache a data-only result until the dataset changes (a new upload or mapping)."""
        version = self.dataset.version if self.dataset else None
        full_key = (version, *key)
        if full_key not in self._memo:
            if len(self._memo) > 256:
                self._memo.clear()
            self._memo[full_key] = compute()
        return self._memo[full_key]

    def load(self, files: ingest.UploadSet, mapping: Mapping, options: ingest.ReadOptions,
             progress=None) -> ingest.Dataset:
        """Ingest ``files``; on bad input raise and keep the previous data, mapping and uploads."""
        refuse_if_read_only(self, "upload data")
        dataset = ingest.load(self.con, files, mapping, options, self.work_dir / "work", progress)
        self.dataset, self.mapping, self.options, self.uploads = dataset, mapping, options, files
        self._memo.clear()
        return dataset

    def store_uploads(self, uploaded: dict[str, Any]) -> ingest.UploadSet:
        """Write browser uploads (kind → UploadedFile) into a fresh folder of this session."""
        refuse_if_read_only(self, "upload data")
        folder = self.work_dir / "uploads" / uuid.uuid4().hex
        saved = {kind: ingest.Upload(f.name, decode.save_upload(f, f.name, folder))
                 for kind, f in uploaded.items() if f is not None}
        return ingest.UploadSet(**saved)


def _release(con: duckdb.DuckDBPyConnection | None, work_dir: Path) -> None:
    if con is not None:
        con.close()
    shutil.rmtree(work_dir, ignore_errors=True)


class ReadOnlyError(PermissionError):
    """Raised server-side when a shared, read-only view tries to change anything."""


def refuse_if_read_only(ws: Workspace, action: str) -> None:
    if ws.read_only:
        raise ReadOnlyError(f"This is a read-only shared view: you cannot {action} here.")


def _new_workspace() -> Workspace:
    work_dir = Path(tempfile.mkdtemp(prefix="sla-session-"))
    ws = Workspace(con=open_session_db(work_dir), work_dir=work_dir)
    if SAMPLE_LEADS.exists():
        sample = work_dir / "uploads" / "sample" / SAMPLE_LEADS.name
        sample.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SAMPLE_LEADS, sample)
        ws.load(ingest.UploadSet(leads=ingest.Upload(name=SAMPLE_LEADS.name, path=sample)), ws.mapping, ws.options)
    return ws


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
            st.session_state.pop("workspace", None)
            st.error(str(denied))
            st.stop()
        except (store.StoreError, duckdb.Error):  # the store cannot be opened: say so, not where or why
            st.session_state.pop("workspace", None)
            st.error("This shared view cannot be shown right now: the saved workspaces are unavailable. "
                     "Ask the person who shared the link.")
            st.stop()
    require_editor()  # also here: a page can run without app.py (Streamlit's pages/ folder mode on a fresh server)
    if "workspace" not in st.session_state:
        st.session_state["workspace"] = _new_workspace()
    return st.session_state["workspace"]


def release_uploads(files: Iterable) -> None:
    """Drop Streamlit's in-memory copy of uploaded files once they are saved to the session folder.

    Streamlit keeps an upload's bytes until the browser removes the file or the session
    ends; released, the uploaders that held them read as empty from the next run on.
    """
    ctx = get_script_run_ctx()
    if ctx is None:
        return
    for uploaded in files:
        if uploaded is not None:
            ctx.uploaded_file_mgr.remove_file(ctx.session_id, uploaded.file_id)


def require_dataset(ws: Workspace) -> ingest.Dataset | None:
    """The loaded dataset, or an empty-state message pointing to the Data page."""
    if ws.dataset is None or ws.dataset.rows_loaded == 0:
        st.info("No leads loaded yet. Upload a CRM lead export on the **Data** page.")
        return None
    return ws.dataset


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def literal(text: object) -> str:
    """Escape user/data text for st.markdown-based elements (errors, captions, labels).

    Streamlit already escapes HTML; this also stops a header like ``[x](javascript:…)``
    or ``![](https://evil/p.png)`` from becoming a link or a remote image.
    """
    return _MARKDOWN_SPECIALS.sub(r"\\\1", str(text))


# --- saved workspaces, share links and editors -------------------------------------------------

RUNTIME_FIELDS = frozenset({"con", "work_dir", "dataset", "mapping", "uploads", "options", "read_only", "_memo"})
SHARE_PARAM = "share"
EDITORS_ENV = "SLA_EDITOR_EMAILS"


@st.cache_resource(show_spinner=False)
def _open_store(path: str) -> duckdb.DuckDBPyConnection:
    """The store connection, shared by all sessions (DuckDB allows one writer process per file)."""
    return store.open_store(Path(path))


def store_cursor() -> duckdb.DuckDBPyConnection:
    """This session's own cursor on the store: DuckDB connections are not thread-safe, cursors are per session."""
    path = str(store.store_path().resolve())
    held = st.session_state.get("store_cursor")
    if held is None or held[0] != path:
        held = (path, _open_store(path).cursor())
        st.session_state["store_cursor"] = held
    return held[1]


def settings_of(ws: Workspace) -> dict[str, object]:
    """The what-if settings of a workspace (assumptions, tiers, clock …): every field but data and runtime."""
    return {f.name: getattr(ws, f.name) for f in fields(ws) if f.name not in RUNTIME_FIELDS}


def apply_settings(ws: Workspace, settings_json: str) -> None:
    """Put saved settings on ``ws``; a field saved by another version of the app keeps its default."""
    hints = {k: v for k, v in typing.get_type_hints(Workspace).items() if k not in RUNTIME_FIELDS}
    for name, value in store.settings_from_json(settings_json, hints).items():
        setattr(ws, name, value)
    ws._memo.clear()


def _saved_mapping(mapping_json: str) -> Mapping:
    try:
        return Mapping.from_dict(json.loads(mapping_json))
    except (ValueError, TypeError):
        return Mapping()


def share_token() -> str | None:
    """The share token of this session: the ``?share=`` parameter, remembered when navigation drops it."""
    token = st.query_params.get(SHARE_PARAM)
    if token is not None:
        st.session_state[SHARE_PARAM] = token
    return st.session_state.get(SHARE_PARAM)


def open_shared_workspace(token: str) -> Workspace:
    """The read-only workspace a token opens, checked again on every rerun so revoking takes effect at once.

    Only the token decides what is shown: other URL parameters (``?scenario=``) are never read.
    The view queries the stored rows in place through this session's store cursor.
    Raises ShareDenied (one generic message) for any bad, expired or revoked token.
    """
    cur = store_cursor()
    target = share.open_link(cur, token)
    current = st.session_state.get("workspace")
    if current is not None and current.read_only and st.session_state.get("share_target") == target:
        return current
    saved = store.get_workspace(cur, target.workspace_id)
    scenario = store.get_scenario(cur, target.workspace_id, target.scenario_id, target.revision)
    if saved is None or scenario is None:
        raise share.ShareDenied()
    store.show_workspace(cur, target.workspace_id)
    ws = Workspace(con=cur, work_dir=Path(tempfile.mkdtemp(prefix="sla-shared-")), dataset=saved.dataset,
                   mapping=_saved_mapping(saved.mapping_json), read_only=True)
    apply_settings(ws, scenario.settings_json)
    st.session_state["workspace"], st.session_state["share_target"] = ws, target
    st.session_state["shared_names"] = (saved.name, scenario.name, scenario.revision)
    return ws


def save_workspace(ws: Workspace, name: str) -> tuple[str, str]:
    """Save the session's data and settings as a new workspace; refused in a shared view."""
    refuse_if_read_only(ws, "save a workspace")
    if ws.dataset is None:
        raise store.StoreError("load some data first")
    ids = store.save_workspace(store_cursor(), ws.con, name, ws.dataset, ws.mapping.to_json(),
                               store.settings_to_json(settings_of(ws)))
    st.session_state["saved_workspace"] = (ids[0], ws.dataset.version)
    return ids


def current_saved_id(ws: Workspace) -> str | None:
    """The saved workspace this session's data came from or was saved as (None after a new upload)."""
    held = st.session_state.get("saved_workspace")
    if held and ws.dataset is not None and held[1] == ws.dataset.version:
        return held[0]
    return None


def open_saved_workspace(ws: Workspace, workspace_id: str, settings_json: str) -> None:
    """Load a saved workspace into this editing session (its rows copied into the session's connection)."""
    refuse_if_read_only(ws, "open another workspace")
    cur = store_cursor()
    saved = store.get_workspace(cur, workspace_id)
    if saved is None:
        raise store.StoreError("that workspace no longer exists")
    store.restore_leads(cur, ws.con, workspace_id)
    ws.dataset, ws.mapping, ws.uploads = saved.dataset, _saved_mapping(saved.mapping_json), None
    apply_settings(ws, settings_json)
    st.session_state["saved_workspace"] = (workspace_id, saved.dataset.version)


def delete_saved_workspace(ws: Workspace, workspace_id: str) -> None:
    refuse_if_read_only(ws, "delete a workspace")
    store.delete_workspace(store_cursor(), workspace_id)


def save_scenario(ws: Workspace, workspace_id: str, name: str, scenario_id: str | None = None) -> tuple[str, int]:
    """Save the current assumptions as a scenario of ``workspace_id`` (a new revision when it exists)."""
    refuse_if_read_only(ws, "save a scenario")
    return store.save_scenario(store_cursor(), workspace_id, name, store.settings_to_json(settings_of(ws)), scenario_id)


def create_share_link(ws: Workspace, workspace_id: str, scenario_id: str, revision: int, label: str,
                      expires_at) -> str:
    refuse_if_read_only(ws, "create share links")
    return share.create_link(store_cursor(), workspace_id, scenario_id, revision, label, expires_at)


def revoke_share_link(ws: Workspace, workspace_id: str, token_sha256: str) -> None:
    refuse_if_read_only(ws, "revoke share links")
    share.revoke_link(store_cursor(), workspace_id, token_sha256)


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


def download_table(df: pd.DataFrame, filename: str, label: str = "Download CSV", key: str | None = None) -> None:
    """A CSV download of ``df`` with formula-injection protection, built only when clicked."""
    st.download_button(label, lambda: export.csv_bytes(df), filename, "text/csv", key=key, on_click="ignore")


def download_chart(chart, stem: str, key: str) -> None:
    """PNG and SVG downloads of an Altair chart (or its Vega-Lite dict), rendered only when clicked."""
    for column, fmt in zip(st.columns([1, 1, 4]), export.CHART_FORMATS):
        column.download_button(f"Chart as {fmt.upper()}", lambda fmt=fmt: export.chart_bytes(chart, fmt),
                               f"{stem}.{fmt}", export.CHART_FORMATS[fmt], key=f"{key}_{fmt}", on_click="ignore")


def sla_health(ws: Workspace, dataset: ingest.Dataset) -> "pd.DataFrame":
    """The SLA health table of the workspace; every query memoised per dataset, so what-ifs only re-join."""
    a, tz, as_of = ws.assumptions, dataset.tz, dataset.as_of
    clock = health.clock_for(ws.sales_clock, ws.business_hours, tz)
    monthly = ws.memo(("marketing/monthly_actuals", tz, as_of), lambda: actuals.monthly_actuals(ws.con, tz, as_of))
    daily = ws.memo(("marketing/daily_marketing_leads", tz, as_of, ws.tier_rules),
                    lambda: actuals.daily_marketing_leads(ws.con, tz, as_of, ws.tier_rules))
    speed_frame = ws.memo(("health_speed", a.speed_goal_hours, clock),
                          lambda: speed.speed_by_period(ws.con, "month", a.speed_goal_hours, as_of, tz, clock))
    depth_frame = ws.memo(("health_depth", a.depth_goal_attempts),
                          lambda: depth.depth_by_period(ws.con, "month", a.depth_goal_attempts, as_of, tz))
    return health.health_from(monthly, daily, speed_frame, depth_frame, a, as_of, tz)
