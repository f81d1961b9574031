"""The per-rep sections of the Sales SLA page (pages/sales.py): the rep table, each rep's bandwidth with the
per-rep hours editor, and the breaching leads. Data from ``sla_core.sales.view``.

Owner names are data: wherever Markdown renders (captions, sentences, notices) they go
through ``literal()``; grids, chart labels and select options show them as plain text.
"""
from __future__ import annotations

from datetime import date
from functools import partial

import pandas as pd
import streamlit as st

from pages.common.sections import workspace_fragment
from pages.common.state import Workspace
from pages.common.ui import KEEP, KEYS, built_while_open, literal, static_table
from sla_core import formatting as fmt
from sla_core.export import csv_bytes
from sla_core.health import months as month_phases
from sla_core.sales import display as tables
from sla_core.sales import view as sales
from sla_core.sales.bandwidth import Bandwidth

SENTENCES_SHOWN = 10  # overloaded reps named one by one; the table lists them all
HOURS_VERSION = "rep_hours_version"  # a new editor key after each applied edit
HOURS_ERROR = "rep_hours_error"
ALL_REPS = "All reps"
HOURS_SECTION = "Hours a week per rep"
BREACHES_SECTION = "Show the leads: by rep, breaching only or every lead of the month, 100 a page"


# --- the rep table ---------------------------------------------------------------------------

def _reps_caption(data: sales.Sales, table: tables.RepTable, month: date, stage: str) -> str:
    if not (data.measured.speed or data.measured.depth):
        return "Speed and depth are not measured, so no rep is judged."
    so_far = " (or are behind so far: the month is in progress)" if stage == month_phases.IN_PROGRESS else ""
    return (f"{table.outside:,} of {len(table.frame):,} {'rows' if table.grouped else 'reps'} outside the SLA "
            f"(highlighted): their speed or depth verdict for {month:%B %Y} is missed{so_far}. "
            "A figure that is not measured, or has nothing due yet, never puts a rep outside.")


def reps_in(data: sales.Sales, a, month: date) -> list[str]:
    """The rep table of ``month``; returns the reps listed one by one (for the lead filter)."""
    st.subheader(f"Reps in {month:%B %Y}")
    table = data.reps(a, month)
    if table.frame.empty:
        st.info("No leads were handed to sales in this month.")
        return []
    stage = month_phases.phase(month, data.dataset.as_of, data.dataset.tz)
    st.caption(_reps_caption(data, table, month, stage))
    if table.grouped:
        listed = len(table.frame) - 1
        st.info(f"{listed + table.grouped:,} reps had leads handed in {month:%B %Y}: the {listed:,} with the most "
                f"leads are listed one by one and the other {table.grouped:,} are grouped in the last row "
                "(their shares pooled).", icon=":material/group:")
    static_table(tables.highlight_outside(data.rep_grid(table)))
    if data.measured.speed:
        st.vega_lite_chart(spec=data.rep_chart(table, a), width="stretch")
    st.download_button("Download the rep table (CSV)", partial(csv_bytes, table.frame),
                       file_name=f"sales_reps_{month:%Y-%m}.csv", mime="text/csv", key="download_reps",
                       on_click="ignore")
    return table.reps


# --- rep bandwidth ---------------------------------------------------------------------------

def _metric(column, label: str, value: str, help_text: str | None = None) -> None:
    column.metric(label, value, border=True, height="stretch", help=help_text)


def _month_row(bw: Bandwidth, attempts_measured: bool) -> None:
    """The leads handed this month, every rep together: what the depth goal still asks against the reps' hours."""
    team = bw.team
    st.markdown(f"**The leads handed in {bw.month:%B %Y}**, every rep together")
    cols = st.columns(4)
    _metric(cols[0], "Marketing leads handed", fmt.count(team.marketing_handed))
    reps_hours = "Each rep's hours a week on marketing leads × weeks in the month, summed."
    if not attempts_measured:
        _metric(cols[1], "Reps' hours", fmt.hours(team.available_hours), reps_hours)
        _metric(cols[2], "Minutes per marketing lead", fmt.count(team.minutes_per_lead),
                "The reps' hours for marketing leads ÷ the marketing leads handed, in minutes.")
        st.caption("Attempts are not measured, so the hours the depth goal still needs per rep are unknown: upload "
                   "an activity log on the Data page.")
        return
    _metric(cols[1], "Missing attempts", fmt.count(team.missing_attempts),
            f"Attempts still owed to {bw.goal_words} on marketing leads not connected.")
    _metric(cols[2], "Hours they take", fmt.hours(team.needed_hours),
            f"Missing attempts × {bw.minutes_per_attempt:g} min ÷ 60.")
    _metric(cols[3], "Reps' hours", fmt.hours(team.available_hours), reps_hours)
    overloaded = len(bw.overloaded)
    if overloaded:
        st.badge(f"{overloaded:,} rep{'s' if overloaded != 1 else ''} overloaded", icon=":material/warning:",
                 color="red")
    elif bw.reps:
        st.badge("Every rep has the hours for the leads handed", icon=":material/check_circle:", color="green")


def _plan_row(bw: Bandwidth, hours_per_week: float) -> None:
    """The team check of SPEC 7: the depth goal on the leads *needed*, against reps × hours a week."""
    cap = bw.capacity
    st.markdown(f"**The plan: the leads needed for {cap.month:%B %Y}** (the team check, before the leads come)")
    cols = st.columns(4)
    _metric(cols[0], "Hours needed", fmt.hours(cap.needed_hours),
            f"{fmt.count(cap.leads_needed)} leads needed × {bw.depth_goal} attempts × {bw.minutes_per_attempt:g} "
            "min ÷ 60.")
    _metric(cols[1], "Hours available", fmt.hours(cap.available_hours),
            f"Reps × hours a week × {cap.weeks:.2f} weeks (days in {cap.month:%B} ÷ 7).")
    _metric(cols[2], "Gap (needed − available)", fmt.hours(cap.gap_hours),
            "Positive: hours short. Negative: hours to spare.")
    _metric(cols[3], "Reps needed", fmt.count(cap.reps_needed(hours_per_week)),
            "At the team's hours per rep per week.")
    if cap.feasible is True:
        st.badge("Feasible: the team can honour the depth goal", icon=":material/check_circle:", color="green")
    elif cap.feasible is False:
        st.badge(f"Not feasible: {fmt.hours(cap.gap_hours)} short", icon=":material/warning:", color="red")
    else:
        st.badge("n/a: no lead target (check the Marketing SLA assumptions)", color="gray")


def _overloads(bw: Bandwidth) -> None:
    sentences = bw.overload_sentences()
    for sentence in sentences[:SENTENCES_SHOWN]:
        st.markdown(f"- {literal(sentence)}")
    if len(sentences) > SENTENCES_SHOWN:
        st.caption(f"… and {len(sentences) - SENTENCES_SHOWN:,} more overloaded reps (all in the table).")


def _apply_hours(ws: Workspace, shown: pd.DataFrame, key: str) -> None:
    """The editor's edits as the workspace's per-rep hours (validated once; a bad value is refused in words)."""
    if ws.read_only:
        return
    edits = st.session_state.get(key, {}).get("edited_rows", {})
    hours = dict(zip(shown["Rep"], shown["Hours a week"], strict=True))
    for row, change in edits.items():
        if "Hours a week" in change:
            hours[shown["Rep"].iloc[int(row)]] = change["Hours a week"]
    try:
        ws.rep_hours = ws.rep_hours.edited(hours, ws.assumptions.hours_per_week_on_marketing_leads)
        st.session_state.pop(HOURS_ERROR, None)
    except ValueError as exc:
        st.session_state[HOURS_ERROR] = str(exc)
    st.session_state[HOURS_VERSION] = st.session_state.get(HOURS_VERSION, 0) + 1


def _hours_editor(ws: Workspace, bw: Bandwidth) -> None:
    """Each rep's hours a week on marketing leads (the team setting unless changed), saved with the workspace;
    the editor (a grid) is built only while its section is open, under a label that never changes (a stateful
    expander whose label changed would close on the edit that changed it)."""
    team = ws.assumptions.hours_per_week_on_marketing_leads
    differ = len(ws.rep_hours.overrides)
    if differ:
        st.caption(f"{differ:,} rep{' has' if differ == 1 else 's have'} hours a week of their own; the others "
                   f"follow the team's {team:g} h.")
    built_while_open(HOURS_SECTION, KEYS.rep_hours_open, lambda: _hours_grid(ws, bw, team))
    if HOURS_ERROR in st.session_state:
        st.error(f"Hours not applied: {literal(st.session_state[HOURS_ERROR])}")


def _hours_grid(ws: Workspace, bw: Bandwidth, team: float) -> None:
    reps = sorted({r.rep for r in bw.reps[:tables.REP_LIMIT]} | {rep for rep, _ in ws.rep_hours.overrides})
    shown = pd.DataFrame({"Rep": reps, "Hours a week": [ws.rep_hours.hours_for(rep, team) for rep in reps]})
    key = KEYS.rep_hours(st.session_state.setdefault(HOURS_VERSION, 0))
    st.data_editor(shown, key=key, hide_index=True, width="stretch", disabled=["Rep"],
                   on_change=_apply_hours, args=(ws, shown, key), column_config={
                       "Hours a week": st.column_config.NumberColumn(
                           min_value=0.0, max_value=168.0, step=0.5, format="%.1f h",
                           help="Hours a week this rep spends on marketing leads. Clear a cell, or set the "
                                "team's hours, to follow the team setting.")})
    st.caption("Saved with the workspace and its scenarios.")


@workspace_fragment
def bandwidth_section(ws: Workspace, data: sales.Sales, month: date) -> None:
    """Each rep's load of ``month`` against their hours, the team total beside the plan, who is overloaded; a
    fragment: an edit of a rep's hours reruns this section alone (and keeps it in the draft)."""
    st.subheader(f"Rep bandwidth in {month:%B %Y}")
    st.caption("Can each rep make the attempts the depth goal still asks on the leads they really got? Hours "
               "needed: missing attempts × minutes per attempt. Hours available: their hours a week on marketing "
               "leads × weeks in the month.")
    bw = data.bandwidth(ws.assumptions, month, ws.rep_hours)
    attempts = data.measured.depth
    _month_row(bw, attempts)
    _plan_row(bw, ws.assumptions.hours_per_week_on_marketing_leads)
    if not bw.reps:
        st.info("No rep was handed leads in this month.")
        return
    if attempts:
        _overloads(bw)
    if len(bw.reps) > tables.REP_LIMIT:
        st.info(f"{len(bw.reps):,} reps had leads: the {tables.REP_LIMIT} most hours short are listed one by one, "
                "the others are summed in one row.", icon=":material/group:")
    static_table(data.bandwidth_grid(bw))
    if attempts:
        st.vega_lite_chart(spec=data.bandwidth_chart(bw), width="stretch")
    if not ws.read_only:
        _hours_editor(ws, bw)


# --- breaching leads -------------------------------------------------------------------------

@workspace_fragment
def breaches(data: sales.Sales, a, month: date, reps: list[str]) -> None:
    """One page of the breaching leads; a fragment: the rep, the scope and the page rerun this list alone."""
    st.subheader("Breaching leads")
    if not (data.measured.speed or data.measured.depth):
        st.caption("Speed and depth are not measured, so no lead breaches them.")
        return
    built_while_open(BREACHES_SECTION, KEYS.breaches_open, lambda: _breach_list(data, a, month, reps))


def _breach_list(data: sales.Sales, a, month: date, reps: list[str]) -> None:
    pick, scope, page_col = st.columns([2, 2, 1], vertical_alignment="bottom")
    owner = pick.selectbox("Rep", [ALL_REPS, *reps], key=KEYS.breach_owner, **KEEP)
    everyone = scope.checkbox("Show every lead handed in the month", key=KEYS.breach_all, **KEEP,
                              help="Off: only leads that missed the speed goal or are below the depth goal.")
    page = page_col.number_input("Page", min_value=1, step=1, key=KEYS.breach_page, **KEEP)
    which = sales.Breaches(month, None if owner == ALL_REPS else owner, breaching_only=not everyone)
    rows = data.breaching(a, which, page)
    if rows.empty:
        st.info("No leads to list here." if page == 1 else "No leads on this page: go back to page 1.")
        return
    st.caption(tables.page_caption(page, sales.PAGE_SIZE, len(rows), int(rows["total"].iloc[0])))
    st.dataframe(data.lead_grid(rows, own_goals=bool(a.goal_rules)), hide_index=True, width="stretch")
    st.download_button("Download the whole list (CSV)", partial(data.breaching_csv, a, which),
                       file_name=f"sales_leads_{month:%Y-%m}.csv", mime="text/csv", key="download_breaches",
                       on_click="ignore")
