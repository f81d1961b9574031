"""The inputs of the Sales SLA page (pages/sales.py): the deep link, goals and capacity, the clock, the month.

``ws.assumptions`` holds the goals and capacity inputs, ``ws.business_hours`` and
``ws.sales_clock`` the clock; widgets show them and callbacks (each handed the workspace it
changes) replace them. A read-only (shared) view shows the values as text, with no widget to
change them. The figures are drawn by pages/sections/sales_figures.py.
"""
from __future__ import annotations

from datetime import date

import streamlit as st

from pages.common.state import Workspace
from pages.common.ui import KEYS, built_while_open, literal
from sla_core import formatting as fmt
from sla_core.assumptions import CALENDARS as CALENDARS_LINK_KEY
from sla_core.assumptions import RULES as RULES_LINK_KEY
from sla_core.assumptions import Assumptions
from sla_core.report import parse_month
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
HOURS_SECTION = "Edit business hours: working days, opening times, holidays"
INPUT_ERROR = "sales_input_error"
CLOCK_ERROR = "sales_clock_error"
HOLIDAY_NOTE = "sales_holiday_note"
LINK_STATE = "sales_link"  # the query parameters this page last wrote
PAGE_LINK_KEYS = ("month", "draft")  # "draft": this tab's draft (pages/common/access.py), not a goal
GOAL_FIELDS = ("speed_goal_hours", "speed_target_share", "depth_goal_attempts", "depth_target_share", "reps",
               "hours_per_week_on_marketing_leads", "minutes_per_attempt")


# --- the deep link ---------------------------------------------------------------------------

def read_link(ws: Workspace) -> None:
    """Apply the URL's goals and month when they are not the ones this page wrote (a copied link). A shared view
    shows what its token names, so it never reads the URL."""
    params = st.query_params.to_dict()
    if ws.read_only or not params or params == st.session_state.get(LINK_STATE):
        return
    ws.assumptions, warnings = Assumptions.from_query(params, base=ws.assumptions, other_keys=PAGE_LINK_KEYS)
    if "month" in params:
        try:
            st.session_state[KEYS.sales_month] = parse_month(params["month"])
        except ValueError as exc:
            warnings.append(f"ignored the link parameter month: {exc}")
    for warning in warnings:
        st.warning(f"Link: {literal(warning)}", icon="⚠️")


def write_link(ws: Workspace, month: date | None) -> None:
    """Mirror the goals and the month in the URL, so a copied address reopens this view."""
    if ws.read_only:
        return
    wanted = {**ws.assumptions.to_query(), **({"month": f"{month:%Y-%m}"} if month else {})}
    shown = st.query_params.to_dict()
    for key in (RULES_LINK_KEY, CALENDARS_LINK_KEY):
        if key in shown and key not in wanted:  # the rules (or calendars) were all removed
            del st.query_params[key]
            shown = st.query_params.to_dict()
    changed = {k: v for k, v in wanted.items() if shown.get(k) != v}
    if changed:
        st.query_params.update(changed)
        shown = {**shown, **changed}
    st.session_state[LINK_STATE] = shown


# --- goals and capacity ---------------------------------------------------------------------

def _set_assumption(ws: Workspace, field: str) -> None:
    if ws.read_only:  # no widget in a shared view; refuse a crafted change on the server too
        return
    try:
        ws.assumptions = ws.assumptions.updated(**{field: st.session_state[KEYS.assumption(field)]})
        st.session_state.pop(INPUT_ERROR, None)
    except ValueError as exc:
        st.session_state[INPUT_ERROR] = str(exc)


def _goal_values(a: Assumptions) -> None:
    """The goals and capacity of a shared view, as text: nothing there can be changed."""
    st.markdown(
        f"**Speed:** first touch within {a.speed_goal_hours:g} h for {fmt.percent(a.speed_target_share, 0)} of due "
        "leads.  \n"
        f"**Depth:** {a.depth_goal_attempts} attempts on {fmt.percent(a.depth_target_share, 0)} of the leads not "
        "reached yet.  \n"
        f"**Capacity:** {a.reps:,} reps × {a.hours_per_week_on_marketing_leads:g} h a week on marketing leads, "
        f"{a.minutes_per_attempt:g} min per attempt.")


def _target_slider(column, label: str, field: str, current: float, help_text: str, common) -> None:
    column.select_slider(label, options=tables.target_share_options(current), format_func=lambda v: f"{v:.0%}",
                         help=help_text, **common(field))


def goal_inputs(ws: Workspace) -> None:
    """Goals and rep capacity, each widget showing ``ws.assumptions``; a shared view shows the values."""
    a = ws.assumptions
    st.subheader("Goals and capacity")
    if ws.read_only:
        _goal_values(a)
        return
    for field in GOAL_FIELDS:
        st.session_state[KEYS.assumption(field)] = getattr(a, field)

    def common(field: str) -> dict:
        return {"key": KEYS.assumption(field), "on_change": _set_assumption, "args": (ws, field)}

    goal, speed_target, depth_goal, depth_target = st.columns(4)
    goal.slider("Speed goal (hours)", min_value=0.25, max_value=max(48.0, a.speed_goal_hours), step=0.25,
                format="%.2f h", **common("speed_goal_hours"),
                help="A lead is within the goal when its first touch came this many hours (on the chosen clock) "
                     "after the hand-off.")
    _target_slider(speed_target, "Speed target", "speed_target_share", a.speed_target_share,
                   "Speed is met in a month when at least this share of due leads was followed up within the goal.",
                   common)
    depth_goal.slider("Depth goal (attempts)", min_value=1, max_value=max(20, a.depth_goal_attempts), step=1,
                      help="Attempts sales promises on every lead it has not reached yet.",
                      **common("depth_goal_attempts"))
    _target_slider(depth_target, "Depth target", "depth_target_share", a.depth_target_share,
                   "Depth is met in a month when at least this share of the leads not reached yet had the goal's "
                   "attempts.", common)
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


def _store_hours(ws: Workspace, span: sales.HolidaySpan | None, build) -> None:
    """Replace ``ws.business_hours`` with ``build()``, its holidays bounded to ``span``; a bad setting is
    reported and leaves it unchanged."""
    if ws.read_only or ws.dataset is None:
        return
    try:
        hours, left_out = build(), 0
        if span is not None:
            hours, left_out = span.bound(hours)
        ws.business_hours = hours
        st.session_state.pop(CLOCK_ERROR, None)
        st.session_state[HOLIDAY_NOTE] = left_out
    except (ValueError, UnicodeDecodeError) as exc:
        st.session_state[CLOCK_ERROR] = str(exc)


def _from_widgets(tz: str) -> BusinessHours:
    s = st.session_state
    return BusinessHours(tz=tz, weekdays=tuple(s[KEYS.bh_weekdays]), open=s[KEYS.bh_open], close=s[KEYS.bh_close],
                         holidays=parse_holidays(s[KEYS.bh_holidays]))


def _upload_holidays(ws: Workspace, data: sales.Sales) -> None:
    upload = st.session_state.get(KEYS.bh_holidays_file)
    if upload is not None:
        _store_hours(ws, data.holiday_span, lambda: sales.with_holidays(
            data.business_hours, parse_holidays(upload.getvalue().decode("utf-8-sig"))))


def _prefill_holidays(ws: Workspace, data: sales.Sales) -> None:
    country, span = st.session_state.get(KEYS.bh_country), data.holiday_span
    if country and span is not None:
        years = range(span.first.year, span.last.year + 1)
        _store_hours(ws, span, lambda: sales.with_holidays(data.business_hours, public_holidays(country, years)))


def _holiday_note(data: sales.Sales) -> None:
    """Say which holidays were left out and by which rule (the clock counts only the data's years)."""
    left_out = st.session_state.pop(HOLIDAY_NOTE, 0) or data.holidays_left_out
    if left_out and data.holiday_span is not None:
        st.info(f"Left out {left_out:,} holiday{'s' if left_out != 1 else ''} outside the data's years: "
                f"{data.holiday_span.rule}.", icon=":material/event_busy:")


def clock_settings(ws: Workspace, data: sales.Sales) -> None:
    """The clock toggle and the business-hours editor; a shared view states its clock."""
    hours = data.business_hours
    if ws.read_only:
        clock = f"business hours ({hours.describe()})" if data.clock else "calendar hours"
        st.markdown(f"**Clock:** {literal(clock)}.")
        return
    if data.holidays_left_out and ws.business_hours is not None:  # a list saved before the bound, or crafted
        ws.business_hours = hours
    st.session_state[KEYS.sales_clock] = ws.sales_clock
    st.radio("Clock", list(CLOCKS), format_func=CLOCKS.get, horizontal=True, key=KEYS.sales_clock,
             on_change=_set_clock, args=(ws,), captions=["every hour", hours.describe()],
             help="Calendar hours count every hour; business hours count only opening hours of working days.")
    # a label of its own (the hours are the radio's caption): a stateful expander whose label changed would close
    built_while_open(HOURS_SECTION, KEYS.hours_section_open, lambda: _hours_editor(ws, data))
    _holiday_note(data)


def _hours_editor(ws: Workspace, data: sales.Sales) -> None:
    hours, tz, span = data.business_hours, data.dataset.tz, data.holiday_span
    st.session_state.update({KEYS.bh_weekdays: list(hours.weekdays), KEYS.bh_open: hours.open,
                             KEYS.bh_close: hours.close,
                             KEYS.bh_holidays: "\n".join(h.isoformat() for h in hours.holidays)})
    days, opens, closes = st.columns([2, 1, 1])
    common = {"on_change": _store_hours, "args": (ws, span, lambda: _from_widgets(tz))}
    days.multiselect("Working days", list(range(7)), format_func=lambda d: WEEKDAY_NAMES[d],
                     key=KEYS.bh_weekdays, **common)
    opens.time_input("Opens at", key=KEYS.bh_open, step=900, help=f"Local time in {tz}.", **common)
    closes.time_input("Closes at", key=KEYS.bh_close, step=900, help=f"Local time in {tz}.", **common)
    st.text_area("Holidays (one date per line, e.g. 2024-12-25; a name after the date is ignored)",
                 key=KEYS.bh_holidays, height=120, **common)
    upload, country, add = st.columns([2, 2, 1], vertical_alignment="bottom")
    upload.file_uploader("Upload a holiday list (CSV or text, dates like 2024-12-25)", type=["csv", "txt"],
                         key=KEYS.bh_holidays_file, on_change=_upload_holidays, args=(ws, data))
    countries = holiday_countries()
    country.selectbox("Public holidays of", list(countries), format_func=countries.get, index=None,
                      placeholder="Choose a country", key=KEYS.bh_country)
    years = f"{span.first.year}–{span.last.year}" if span else "the data's years"
    add.button("Add public holidays", key=KEYS.bh_prefill, on_click=_prefill_holidays, args=(ws, data),
               help=f"Adds the country's public holidays for {years}.")
    rule = f" {span.rule[0].upper()}{span.rule[1:]}." if span else ""
    st.caption(f"Times are in the workspace time zone ({literal(tz)}). Default: Mon–Fri 09:00–17:00, no "
               f"holidays.{rule}")
    if CLOCK_ERROR in st.session_state:
        st.error(f"Business hours not applied: {literal(st.session_state[CLOCK_ERROR])}")


# --- the month ------------------------------------------------------------------------------

def month_picker(data: sales.Sales) -> date | None:
    """The month of hand-off the headline, reps, bandwidth and leads are about; it opens on the month shown first."""
    months = data.months
    if not months:
        st.info("No lead in the loaded data was handed to sales by its as-of time, so there is nothing to measure. "
                "Map a hand-off date (or an MQL date) on the **Data** page.")
        return None
    if st.session_state.get(KEYS.sales_month) not in months:
        st.session_state[KEYS.sales_month] = data.month_first()
    return st.select_slider("Month", options=months, format_func=data.month_label, key=KEYS.sales_month,
                            help="The month of hand-off for the verdict, the reps, their bandwidth and the leads.")
