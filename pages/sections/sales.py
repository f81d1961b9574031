"""The sections of the Sales SLA page (pages/sales.py): widgets and drawing, the data from its view.

``ws.assumptions`` holds the goals and capacity inputs, ``ws.business_hours`` and
``ws.sales_clock`` the clock; widgets show them and callbacks (each handed the workspace it
changes) replace them. The figures come from ``sla_core.sales.view``, which keeps every
DuckDB result in the session's cache.
"""
from __future__ import annotations

from datetime import date

import streamlit as st

from pages.common.state import Workspace
from pages.common.ui import KEYS, literal
from sla_core import formatting as fmt
from sla_core.sales import capacity
from sla_core.sales import display as tables
from sla_core.sales import view as sales
from sla_core.sales.clock import (
    WEEKDAY_NAMES,
    BusinessHours,
    holiday_countries,
    parse_holidays,
    public_holidays,
)

CLOCKS = {"calendar": "Calendar hours", "business": "Business hours"}
INPUT_ERROR = "sales_input_error"
CLOCK_ERROR = "sales_clock_error"
GOAL_FIELDS = ("speed_goal_hours", "depth_goal_attempts", "speed_target_share", "reps",
               "hours_per_week_on_marketing_leads", "minutes_per_attempt")


# --- goals and capacity ---------------------------------------------------------------------

def _set_assumption(ws: Workspace, field: str) -> None:
    if ws.read_only:  # disabled in the browser; refuse a crafted change on the server too
        return
    try:
        ws.assumptions = ws.assumptions.updated(**{field: st.session_state[KEYS.assumption(field)]})
        st.session_state.pop(INPUT_ERROR, None)
    except ValueError as exc:
        st.session_state[INPUT_ERROR] = str(exc)


def goal_inputs(ws: Workspace) -> None:
    """Goals and rep capacity, each widget showing ``ws.assumptions``."""
    a = ws.assumptions
    for field in GOAL_FIELDS:
        st.session_state[KEYS.assumption(field)] = getattr(a, field)

    def common(field: str) -> dict:
        return {"key": KEYS.assumption(field), "disabled": ws.read_only, "on_change": _set_assumption,
                "args": (ws, field)}

    st.subheader("Goals and capacity")
    goal, depth_col, target = st.columns(3)
    goal.slider("Speed goal (hours to first touch)", min_value=0.25, max_value=max(48.0, a.speed_goal_hours),
                step=0.25, format="%.2f h", **common("speed_goal_hours"),
                help="A lead is within the goal when its first touch came this many hours (on the chosen clock) "
                     "after the hand-off.")
    depth_col.slider("Depth goal (attempts)", min_value=1, max_value=max(20, a.depth_goal_attempts), step=1,
                     help="Attempts sales promises on every lead it has not reached yet.",
                     **common("depth_goal_attempts"))
    target.select_slider("Speed target (share of leads within the goal)",
                         options=tables.target_share_options(a.speed_target_share),
                         format_func=lambda v: f"{v:.0%}", **common("speed_target_share"),
                         help="The speed SLA is met in a period when at least this share of due leads was "
                              "followed up within the goal.")
    reps, hours, minutes = st.columns(3)
    reps.number_input("Reps working marketing leads", min_value=0, step=1, **common("reps"))
    hours.number_input("Hours per rep per week on marketing leads", min_value=0.0, step=0.5, format="%.1f",
                       **common("hours_per_week_on_marketing_leads"))
    minutes.number_input("Minutes per attempt", min_value=0.0, step=1.0, format="%.1f",
                         help="A call or email with its logging.", **common("minutes_per_attempt"))
    if INPUT_ERROR in st.session_state:
        st.error(f"Not applied: {literal(st.session_state[INPUT_ERROR])}")


# --- the clock ------------------------------------------------------------------------------

def _set_clock(ws: Workspace) -> None:
    if not ws.read_only:
        ws.sales_clock = st.session_state[KEYS.sales_clock]


def _store_hours(ws: Workspace, build) -> None:
    """Replace ``ws.business_hours`` with ``build()``; a bad setting is reported and leaves it unchanged."""
    if ws.read_only or ws.dataset is None:
        return
    try:
        ws.business_hours = build()
        st.session_state.pop(CLOCK_ERROR, None)
    except (ValueError, UnicodeDecodeError) as exc:
        st.session_state[CLOCK_ERROR] = str(exc)


def _from_widgets(tz: str) -> BusinessHours:
    s = st.session_state
    return BusinessHours(tz=tz, weekdays=tuple(s[KEYS.bh_weekdays]), open=s[KEYS.bh_open], close=s[KEYS.bh_close],
                         holidays=parse_holidays(s[KEYS.bh_holidays]))


def _with_holidays(ws: Workspace, tz: str, more) -> BusinessHours:
    return sales.with_holidays(sales.business_hours(ws.business_hours, tz), more)


def _upload_holidays(ws: Workspace, tz: str) -> None:
    upload = st.session_state.get(KEYS.bh_holidays_file)
    if upload is not None:
        _store_hours(ws, lambda: _with_holidays(ws, tz, parse_holidays(upload.getvalue().decode("utf-8-sig"))))


def _prefill_holidays(ws: Workspace, tz: str, years: range) -> None:
    country = st.session_state.get(KEYS.bh_country)
    if country:
        _store_hours(ws, lambda: _with_holidays(ws, tz, public_holidays(country, years)))


def clock_settings(ws: Workspace, tz: str, years: range) -> None:
    """The clock toggle and the business-hours editor."""
    st.session_state[KEYS.sales_clock] = ws.sales_clock
    st.radio("Clock", list(CLOCKS), format_func=CLOCKS.get, horizontal=True, key=KEYS.sales_clock,
             on_change=_set_clock, args=(ws,), disabled=ws.read_only,
             help="Calendar hours count every hour; business hours count only opening hours of working days.")
    hours = sales.business_hours(ws.business_hours, tz)
    with st.expander(f"Business hours: {hours.describe()}"):
        st.session_state.update({KEYS.bh_weekdays: list(hours.weekdays), KEYS.bh_open: hours.open,
                                 KEYS.bh_close: hours.close,
                                 KEYS.bh_holidays: "\n".join(h.isoformat() for h in hours.holidays)})
        days, opens, closes = st.columns([2, 1, 1])
        common = {"on_change": _store_hours, "args": (ws, lambda: _from_widgets(tz)), "disabled": ws.read_only}
        days.multiselect("Working days", list(range(7)), format_func=lambda d: WEEKDAY_NAMES[d],
                         key=KEYS.bh_weekdays, **common)
        opens.time_input("Opens at", key=KEYS.bh_open, step=900, help=f"Local time in {tz}.", **common)
        closes.time_input("Closes at", key=KEYS.bh_close, step=900, help=f"Local time in {tz}.", **common)
        st.text_area("Holidays (one date per line, e.g. 2024-12-25; a name after the date is ignored)",
                     key=KEYS.bh_holidays, height=120, **common)
        upload, country, add = st.columns([2, 2, 1], vertical_alignment="bottom")
        upload.file_uploader("Upload a holiday list (CSV or text, dates like 2024-12-25)", type=["csv", "txt"],
                             key=KEYS.bh_holidays_file, on_change=_upload_holidays, args=(ws, tz),
                             disabled=ws.read_only)
        countries = holiday_countries()
        country.selectbox("Public holidays of", list(countries), format_func=countries.get, index=None,
                          placeholder="Choose a country", key=KEYS.bh_country, disabled=ws.read_only)
        add.button("Add public holidays", key=KEYS.bh_prefill, on_click=_prefill_holidays, args=(ws, tz, years),
                   disabled=ws.read_only, help=f"Adds the country's public holidays for {years.start}–{years.stop - 1}.")
        st.caption(f"Times are in the workspace time zone ({literal(tz)}). Default: Mon–Fri 09:00–17:00, no holidays.")
        if CLOCK_ERROR in st.session_state:
            st.error(f"Business hours not applied: {literal(st.session_state[CLOCK_ERROR])}")


# --- figures --------------------------------------------------------------------------------

def headline(shown: sales.Headline, a, month: date, clock_label: str) -> None:
    s, d = shown.speed, shown.depth
    st.subheader(f"{month:%B %Y}")
    if shown.status == "Met":
        st.badge("Sales SLA met: speed target and depth goal", icon=":material/check_circle:", color="green")
    elif shown.missed:
        st.badge(f"Sales SLA missed: {shown.missed}", icon=":material/warning:", color="red")
    else:
        st.badge("Sales SLA n/a: no lead due yet", color="gray")
    cols = st.columns(4)
    cols[0].metric("Leads handed", fmt.count(s["handed"]), border=True,
                   help="Leads handed to sales in the month (by the as-of time), minus data-quality exclusions.")
    cols[1].metric(f"Median response ({clock_label})", fmt.hours(s["median_hours"]), border=True,
                   help=f"Among the {fmt.count(s['touched'])} touched leads; mean {fmt.hours(s['mean_hours'])}.")
    cols[2].metric(f"p90 response ({clock_label})", fmt.hours(s["p90_hours"]), border=True,
                   help="Nine in ten touched leads were answered at least this fast.")
    cols[3].metric("Within the speed goal", fmt.percent(s["pct_within_goal"]), border=True,
                   delta=tables.versus_target(s["pct_within_goal"], a.speed_target_share),
                   help="Touched within the goal ÷ (within + missed). Missed: not touched within the goal and the "
                        "goal window has closed; leads still inside their window are left out.")
    cols = st.columns(4)
    cols[0].metric("Not connected yet", fmt.count(d["not_connected"]), border=True,
                   help="Handed leads without a conversation so far: the depth goal applies to them.")
    cols[1].metric("Avg attempts (not connected)", fmt.attempts(d["avg_attempts"]), border=True,
                   delta=tables.versus_goal(d["avg_attempts"], a.depth_goal_attempts),
                   help=f"Average attempts on leads not connected yet; the depth goal is {a.depth_goal_attempts}.")
    cols[2].metric("At the depth goal", fmt.percent(d["pct_at_goal"]), border=True,
                   help=f"Not-connected leads with at least {a.depth_goal_attempts} attempts.")
    cols[3].metric("Leads worked", fmt.percent(d["leads_worked_pct"]), border=True,
                   help="Handed leads with at least one attempt.")
    excluded = s["touched_before_handoff"] or 0
    if excluded:
        st.warning(f"{fmt.count(excluded)} lead(s) of this month show a first touch before the hand-off: a "
                   "data-quality problem, so they are left out of the speed figures (see the Data page).", icon="⚠️")
    else:
        st.caption("No lead of this month was touched before its hand-off (that would be a data-quality exclusion).")


def rep_capacity(a, month: date) -> None:
    cap = capacity.rep_capacity(a, month)
    st.markdown("**Rep capacity for the depth goal**")
    cols = st.columns(4)
    cols[0].metric("Hours needed", fmt.hours(cap.needed_hours), border=True,
                   help=f"{fmt.count(cap.leads_needed)} leads needed × {a.depth_goal_attempts} attempts × "
                        f"{a.minutes_per_attempt:g} min ÷ 60.")
    cols[1].metric("Hours available", fmt.hours(cap.available_hours), border=True,
                   help=f"{a.reps} reps × {a.hours_per_week_on_marketing_leads:g} h a week × {cap.weeks:.2f} weeks "
                        f"(days in {month:%B} ÷ 7).")
    cols[2].metric("Gap (needed − available)", fmt.hours(cap.gap_hours), border=True,
                   help="Positive: hours short. Negative: hours to spare.")
    cols[3].metric("Reps needed", fmt.count(cap.reps_needed(a.hours_per_week_on_marketing_leads)), border=True,
                   help="At the current hours per rep per week.")
    if cap.feasible is True:
        st.badge("Feasible: the team can honour the depth goal", icon=":material/check_circle:", color="green")
    elif cap.feasible is False:
        st.badge(f"Not feasible: {fmt.hours(cap.gap_hours)} short", icon=":material/warning:", color="red")
    else:
        st.badge("n/a: no lead target (check the Marketing SLA assumptions)", color="gray")
