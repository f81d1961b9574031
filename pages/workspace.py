"""Save & share: saved workspaces, what-if scenarios with their revisions, and read-only share links."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import duckdb
import streamlit as st

from pages.common import access
from pages.common.access import guard_page, workspace
from pages.common.state import ReadOnlyError
from pages.common.ui import KEYS, download_chart, download_table, literal, require_dataset, show_data_line
from pages.sections import workspace as section
from sla_core.marketing import goal_line, scenarios
from sla_core.marketing import view as marketing
from sla_core.marketing.targets import compute_targets
from sla_core.store import share, versions
from sla_core.store import workspaces as store

guard_page(__file__)

EXPIRY = {"Never": None, "1 day": timedelta(days=1), "7 days": timedelta(days=7), "30 days": timedelta(days=30),
          "90 days": timedelta(days=90)}
PROBLEMS = (store.StoreError, ReadOnlyError, duckdb.Error, ValueError)


def _done(action, failed: str) -> bool:
    """Run one store action; on a refusal say why (nothing changed) and report False."""
    try:
        action()
    except PROBLEMS as exc:
        st.error(f"{failed}: {literal(exc)}")
        return False
    return True


ws = workspace()
show_data_line(ws)
st.title("Save & share")
if ws.read_only:
    st.info("This is a read-only shared view: saving and sharing are not available here.")
    st.stop()
st.caption("Save the loaded data with its mapping and assumptions, keep named what-if scenarios, and share a "
           "read-only link with leadership: they see exactly what you shared, without uploading anything.")
try:
    cur = access.store_cursor()
except (store.StoreError, duckdb.Error) as exc:
    st.error(f"The saved workspaces cannot be opened: {literal(exc)}")
    st.stop()
for aside in store.set_aside_logs(store.store_path()):
    st.warning(f"At start-up the store's write-ahead log could not be read; it was set aside as "
               f"{literal(aside.name)} beside the store, which opened as of its last checkpoint. A workspace or "
               "scenario saved just before that may be missing. Tell whoever runs this app (README: Backing up "
               "and restoring the store).")

st.subheader("Save this workspace")
if require_dataset(ws.dataset) is not None:
    with st.form("save_workspace_form"):
        name = st.text_input("Workspace name", key=KEYS.workspace_name, max_chars=120,
                             placeholder="e.g. Q1 2025 marketing–sales SLA")
        save = st.form_submit_button("Save workspace", type="primary", key=KEYS.save_workspace)
    if save:
        try:
            with st.spinner("Saving…"):
                saved_id, _ = access.save_workspace(ws, name)
        except PROBLEMS as exc:
            st.error(f"Not saved: {literal(exc)}")
        else:
            st.session_state[KEYS.saved_pick] = saved_id  # manage the workspace just saved
            st.success(f"Saved “{literal(' '.join(name.split()))}” with {ws.dataset.rows_loaded:,} leads.")

saved = store.list_workspaces(cur)
st.subheader("Saved workspaces")
if saved.empty:
    st.info("No saved workspaces yet.")
    st.stop()
ids = list(saved["workspace_id"])
# what never changes once saved: the browser keeps a keyed select box's option labels from its first drawing
labels = {r.workspace_id: f"{r.name} — saved {r.saved_at:%Y-%m-%d %H:%M} UTC" for r in saved.itertuples()}
current = access.current_saved_id(ws)
if st.session_state.get(KEYS.saved_pick) not in ids:  # first visit, or the chosen one was deleted
    st.session_state[KEYS.saved_pick] = current if current in ids else ids[0]
chosen = st.selectbox("Workspace", ids, format_func=labels.get, key=KEYS.saved_pick)
kept = store.scenarios(cur, chosen)
by_id = {s.scenario_id: s for s in kept}

col1, col2 = st.columns(2)
open_scenario = col1.selectbox("Open with scenario", list(by_id), format_func=lambda i: by_id[i].name,
                               key=KEYS.open_scenario)
if col1.button("Open in this session", key=KEYS.open_workspace, disabled=not by_id) and _done(
        lambda: access.open_saved_workspace(ws, chosen, by_id[open_scenario].settings_json), "Could not open"):
    st.success("Opened. The Marketing and Sales pages now show this workspace.")
confirm = col2.checkbox("Yes, delete this workspace, its scenarios and its share links", key=KEYS.confirm_delete)
if col2.button("Delete workspace", key=KEYS.delete_workspace, disabled=not confirm) and _done(
        lambda: access.delete_saved_workspace(ws, chosen), "Not deleted"):
    st.rerun()

record = store.get_workspace(cur, chosen)
section.data_versions(ws, cur, record)

st.subheader("Scenarios")
st.caption("A scenario is a named set of assumptions (quota, shares, rates, goals, tiers, clock). Saving one "
           "takes the assumptions currently set on the Marketing and Sales pages; revising keeps every earlier "
           "version.")
col1, col2 = st.columns(2)
with col1.form("new_scenario_form"):
    scenario_name = st.text_input("New scenario name", key=KEYS.scenario_name, max_chars=120)
    if st.form_submit_button("Save current assumptions as a scenario", key=KEYS.save_scenario) and _done(
            lambda: access.save_scenario(ws, chosen, scenario_name), "Not saved"):
        st.rerun()
with col2:
    revise = st.selectbox("Scenario to revise", list(by_id), key=KEYS.revise_pick,
                          format_func=lambda i: f"{by_id[i].name} (revision {by_id[i].revision})")
    if st.button("Revise with current assumptions", key=KEYS.revise_scenario, disabled=revise is None) and _done(
            lambda: access.save_scenario(ws, chosen, by_id[revise].name, revise), "Not saved"):
        st.rerun()
    if revise is not None:
        with st.expander("Revision history"):
            history = scenarios.revision_table(store.revisions(cur, chosen, revise))
            st.dataframe(history, hide_index=True, width="stretch")
            download_table(history, "scenario_revisions.csv", key="download_revisions")

if len(by_id) >= 2:
    st.markdown("**Compare two scenarios**")
    col1, col2 = st.columns(2)
    first = col1.selectbox("First", list(by_id), format_func=lambda i: by_id[i].name, key=KEYS.compare_first)
    second = col2.selectbox("Second", list(by_id), format_func=lambda i: by_id[i].name, key=KEYS.compare_second,
                            index=1)
    a, b = (scenarios.assumptions_of(by_id[i].settings_json) for i in (first, second))
    table = scenarios.compare_targets(a, b)
    st.dataframe(table.rename(columns={"first": by_id[first].name, "second": by_id[second].name}),
                 hide_index=True, width="stretch")
    download_table(table, "scenario_comparison.csv", key="download_comparison")
    if record.dataset.as_of is not None:
        daily = marketing.saved_daily_leads(cur, chosen, ws.cache, record.dataset.version)  # its latest data
        month = goal_line.local_day(record.dataset.as_of, record.dataset.tz).replace(day=1)
        goals = {f"1 · {by_id[first].name}": compute_targets(a).leads_needed,
                 f"2 · {by_id[second].name}": compute_targets(b).leads_needed}
        chart = scenarios.compare_chart(scenarios.compare_goal_lines(daily, month, goals, record.dataset.as_of,
                                                                     record.dataset.tz), month)
        st.altair_chart(chart, width="stretch")
        download_chart(chart, "scenario_goal_lines", key="compare_chart")

st.subheader("Share with leadership")
st.caption("A share link opens a read-only view of this workspace and one scenario as it is now (later revisions "
           "do not change it). On the latest data it shows each refresh at once; pinned, it stays on one data "
           "version. Anyone with the link can view it until it expires or you revoke it.")
kept = {v.version: v for v in versions.versions(cur, chosen)}
link_months = versions.months(cur, chosen, max(kept), record.dataset.tz, record.dataset.as_of)
with st.form("share_form"):
    col1, col2, col3 = st.columns(3)
    link_scenario = col1.selectbox("Scenario", list(by_id), key=KEYS.link_scenario,
                                   format_func=lambda i: f"{by_id[i].name} (revision {by_id[i].revision})")
    label = col2.text_input("Label (who it is for)", key=KEYS.link_label, max_chars=80)
    expiry = col3.selectbox("Expires after", list(EXPIRY), key=KEYS.link_expiry, index=3)
    col1, col2 = st.columns(2)
    link_data = col1.selectbox("Data", [None, *kept], key=KEYS.link_data_version,
                               format_func=lambda v: "The latest data (follows every refresh)" if v is None
                               else f"Pinned to {versions.describe(kept[v])}")
    link_month = col2.selectbox("Opens on", [None, *link_months], key=KEYS.link_month,
                                format_func=lambda m: "The latest month (the month shown first)" if m is None
                                else f"{m:%B %Y}")
    create = st.form_submit_button("Create a share link", type="primary", key=KEYS.create_link)
if create and link_scenario is not None:
    expires = datetime.now(timezone.utc) + EXPIRY[expiry] if EXPIRY[expiry] else None
    try:
        token = access.create_share_link(ws, chosen, link_scenario, by_id[link_scenario].revision, label, expires,
                                         link_data, link_month)
    except PROBLEMS as exc:
        st.error(f"No link created: {literal(exc)}")
    else:
        st.success("Link created. Copy it now: it is shown only once (the app keeps only a fingerprint of it).")
        st.code(share.share_url(st.context.url, token), language=None)

listed = share.link_status(share.links(cur, chosen), datetime.now(timezone.utc))
if not listed.empty:
    shown = section.link_table(listed)
    st.dataframe(shown, hide_index=True, width="stretch")
    active = listed[listed["status"] == "active"]
    if not active.empty:
        pick = st.selectbox("Link to revoke", list(active["token_sha256"]), key=KEYS.revoke_pick,
                            format_func=lambda h: share.link_label(active, h))
        if st.button("Revoke link", key=KEYS.revoke_link) and _done(
                lambda: access.revoke_share_link(ws, chosen, pick), "Not revoked"):
            st.rerun()
