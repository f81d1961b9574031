"""Save & share's data versions: refresh a saved workspace from a new export (with the header check and the
editor's fix of the mapping), the versions list, restoring an earlier one, and how many are kept."""
from __future__ import annotations

import duckdb
import pandas as pd
import streamlit as st

from pages.common import data_versions as versions_on_store
from pages.common.state import ReadOnlyError, Workspace, release_uploads
from pages.common.ui import KEYS, literal
from sla_core.ingest import quality_report
from sla_core.store import refresh, versions
from sla_core.store.file import StoreError
from sla_core.store.workspaces import SavedWorkspace

PENDING = "refresh_pending"  # (workspace id, refresh.Probe, round): a refresh whose headers changed, not stored yet
ROUND = "refresh_round"  # a new round of uploaders after each checked refresh (their files are released)
FLASH = "refresh_flash"  # the outcome of the last action, shown after the rerun that redraws the versions
PROBLEMS = (StoreError, ReadOnlyError, ValueError, OSError, duckdb.Error)  # InputError, MappingMismatch: ValueErrors
KINDS = {"leads": "This month's leads export (required)", "deals": "Deals export (optional)",
         "activities": "Activity log (optional)"}


def data_versions(ws: Workspace, cur: duckdb.DuckDBPyConnection, saved: SavedWorkspace) -> None:
    """The section: what happened last, refresh (or the pending header check), the versions, restore, retention."""
    st.subheader("Data versions")
    if saved.dataset.warehouse:
        st.info(f"This workspace reads {literal(saved.dataset.warehouse['leads'])} on the Spark engine at "
                f"{literal(saved.dataset.warehouse['url'])} each time it is opened, through its saved mapping: its "
                "figures and share links are current without a refresh, and no rows are kept here.")
        return
    st.caption("Each month, refresh the workspace with the new export: its mapping, assumptions, scenarios and share "
               "links stay; share links on the latest data show the new month at once. Every refresh is a version "
               "you can go back to.")
    flash = st.session_state.pop(FLASH, None)
    if flash is not None:
        (st.success if flash[0] else st.info)(flash[1])
    pending = st.session_state.get(PENDING)
    if pending is not None and pending[0] == saved.workspace_id:
        _fix_mapping(ws, saved.workspace_id, pending[1], pending[2])
    else:
        _refresh_form(ws, saved.workspace_id)
    kept = versions.versions(cur, saved.workspace_id)
    st.markdown(f"Latest: **{versions.describe(kept[0])}**")
    st.dataframe(pd.DataFrame(versions.table(kept)), hide_index=True, width="stretch")
    _restore(ws, saved.workspace_id, kept)
    _retention(ws, saved)


def _refresh_form(ws: Workspace, workspace_id: str) -> None:
    round_ = st.session_state.get(ROUND, 0)
    with st.form("refresh_form"):
        st.markdown("**Refresh data**: upload this month's exports; they are read with this workspace's mapping.")
        chosen = {"leads": st.file_uploader(KINDS["leads"], key=KEYS.refresh_upload("leads", round_))}
        for column, kind in zip(st.columns(2), ("deals", "activities"), strict=True):
            chosen[kind] = column.file_uploader(KINDS[kind], key=KEYS.refresh_upload(kind, round_))
        go = st.form_submit_button("Check and refresh", type="primary", key=KEYS.refresh_data)
    if not go:
        return
    if chosen["leads"] is None:
        st.warning("Choose this month's leads export first.")
        return
    try:
        probe = versions_on_store.check_refresh(ws, workspace_id, chosen)
    except PROBLEMS as exc:
        st.error(f"Not refreshed: {literal(exc)}. The workspace is unchanged.")
        return
    finally:
        release_uploads(chosen.values())  # kept in the session folder; Streamlit's copy is dropped
        st.session_state[ROUND] = round_ + 1
    if probe.check.changed or not probe.check.fits:
        st.session_state[PENDING] = (workspace_id, probe, round_ + 1)
        st.rerun()
    _run(ws, workspace_id, probe)


def _fix_mapping(ws: Workspace, workspace_id: str, probe: refresh.Probe, round_: int) -> None:
    """The header difference and the mapping to confirm or fix; nothing is stored before the editor confirms."""
    check = probe.check
    st.warning(f"The columns of {literal(check.file)} differ from those version {probe.latest.version} was read "
               "from. Check which column each field is read from, then refresh; nothing is stored until you do.")
    st.dataframe(pd.DataFrame(refresh.difference_rows(check)), hide_index=True, width="stretch")
    edited = st.data_editor(
        pd.DataFrame(refresh.mapping_rows(check.proposal())), key=KEYS.refresh_mapping(round_), hide_index=True,
        width="stretch", disabled=["field", "meaning"],
        column_config={"column": st.column_config.SelectboxColumn("Export column", options=["", *check.after])})
    confirm, cancel = st.columns([1, 4])
    if confirm.button("Refresh with this mapping", type="primary", key=KEYS.refresh_confirm):
        _run(ws, workspace_id, probe, quality_report.columns_from_editor(edited))
    if cancel.button("Cancel", key=KEYS.refresh_cancel):
        _forget(probe)
        st.rerun()


def _run(ws: Workspace, workspace_id: str, probe: refresh.Probe, columns: dict[str, str] | None = None) -> None:
    """Store the refresh; a mapping that still does not fit keeps the check open, any other refusal ends it."""
    try:
        with st.spinner("Refreshing…"):
            done = versions_on_store.refresh_saved_workspace(ws, workspace_id, probe, columns)
    except refresh.MappingMismatch as exc:
        st.error(f"Not refreshed: {literal(exc)}")
        return
    except PROBLEMS as exc:
        _forget(probe)
        st.error(f"Not refreshed: {literal(exc)}. The workspace is unchanged.")
        return
    _forget(probe)
    v = done.version
    text = (f"Refreshed to data version {v.version}: {v.rows_loaded:,} leads ({v.rows_stored:,} new or changed, "
            f"{v.rows_replaced:,} replaced or dropped); {v.rows_read:,} rows read, {v.rows_rejected:,} rejected."
            if done.changed else f"Nothing changed: version {v.version} already holds exactly these leads.")
    st.session_state[FLASH] = (done.changed, text)
    st.rerun()


def _forget(probe: refresh.Probe) -> None:
    st.session_state.pop(PENDING, None)
    versions_on_store.drop_refresh_files(probe.files)


def _restore(ws: Workspace, workspace_id: str, kept: list[versions.DataVersion]) -> None:
    earlier = {v.version: v for v in kept[1:]}
    if not earlier:
        return
    pick_column, button_column = st.columns([3, 1], vertical_alignment="bottom")
    pick = pick_column.selectbox("Restore an earlier version", list(earlier), key=KEYS.restore_pick,
                                 format_func=lambda v: versions.describe(earlier[v]),
                                 help="Its data becomes the latest again, as a new version; no version is lost.")
    if button_column.button("Restore as the latest", key=KEYS.restore_version):
        try:
            restored = versions_on_store.restore_data_version(ws, workspace_id, pick, kept[0].version)
        except PROBLEMS as exc:
            st.error(f"Not restored: {literal(exc)}")
            return
        st.session_state[FLASH] = (True, f"Version {pick} restored as version {restored.version}.")
        st.rerun()


def _retention(ws: Workspace, saved: SavedWorkspace) -> None:
    keep_column, button_column = st.columns([3, 1], vertical_alignment="bottom")
    keep = keep_column.number_input(
        "Versions to keep", min_value=1, max_value=versions.MAX_KEEP, value=saved.keep_versions, step=1,
        key=KEYS.keep_versions(saved.workspace_id),
        help="Older versions are dropped after a refresh; a version a share link is pinned to is kept while "
             "the link is active.")
    if button_column.button("Keep this many", key=KEYS.save_keep_versions):
        try:
            versions_on_store.keep_data_versions(ws, saved.workspace_id, int(keep))
        except PROBLEMS as exc:
            st.error(f"Not changed: {literal(exc)}")
            return
        st.session_state[FLASH] = (True, f"This workspace keeps its last {int(keep)} data versions.")
        st.rerun()


def _when(moment, missing: str) -> str:
    """A link's time in UTC as read, e.g. "2025-01-14 23:38 UTC"; ``missing`` when it has none."""
    return missing if pd.isna(moment) else f"{pd.Timestamp(moment):%Y-%m-%d %H:%M} UTC"


def link_table(listed: pd.DataFrame) -> pd.DataFrame:
    """The links as listed (never their hash) under plain names: the data and month each opens on in words, when
    it expires ("never") and when it was revoked (blank while it was not)."""
    return pd.DataFrame({
        "Label": list(listed["label"]), "Status": list(listed["status"]), "Scenario": list(listed["scenario"]),
        "Revision": list(listed["revision"]),
        "Data": [("latest" if pd.isna(v) else f"version {int(v)}") for v in listed["data_version"]],
        "Opens on": [("latest month" if pd.isna(m) else f"{m:%b %Y}") for m in listed["month"]],
        "Created": [_when(t, "") for t in listed["created_at"]],
        "Expires": [_when(t, "never") for t in listed["expires_at"]],
        "Revoked": [_when(t, "") for t in listed["revoked_at"]]})
