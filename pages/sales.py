"""Sales SLA page: speed and depth of follow-up per period and per rep, on a calendar or business-hours clock.

``ws.assumptions`` holds the goals and capacity inputs, ``ws.business_hours`` and
``ws.sales_clock`` the clock; widgets show them and callbacks replace them. Every
DuckDB result is memoised by all of its inputs, so flipping back to a period or goal
already seen never re-runs a query; only aggregates and one page of leads reach the browser.
The speed figures are read in two parts: the goal-free summary once per dataset, period and
clock, and the narrow within/missed count per goal, so a speed-goal move runs only the count
(and the breaching list) and redraws only the charts that show the goal.
"""
from __future__ import annotations

import streamlit as st

from pages.session import literal, require_dataset, workspace
from sla_core.sales import capacity
from sla_core.sales import depth
from sla_core.sales import charts as sales_charts
from sla_core.sales import speed
from sla_core.export import csv_bytes
from sla_core import formatting as fmt
from sla_core.sales import display as tables
from sla_core.sales.clock import WEEKDAY_NAMES, BusinessHours, holiday_countries, parse_holidays, public_holidays

ws = workspace()
CLOCKS = {"calendar": "Calendar hours", "business": "Business hours"}
PERIOD_NAMES = {"day": "Day", "week": "Week", "month": "Month"}
INPUT_ERROR = "sales_input_error"
CLOCK_ERROR = "sales_clock_error"
PAGE_SIZE = 100
REP_COLUMNS = {
    "Handed leads": st.column_config.NumberColumn(format="%d", help="Leads handed to the rep in the month."),
    "Median response (h)": st.column_config.NumberColumn(format="%.2f h", help="Median hand-off → first touch."),
    "Within goal (%)": st.column_config.NumberColumn(format="%.1f %%", help="Within ÷ (within + missed)."),
    "Avg attempts (not connected)": st.column_config.NumberColumn(format="%.2f"),
    "At depth goal (%)": st.column_config.NumberColumn(format="%.1f %%"),
    "Outside SLA": st.column_config.CheckboxColumn(help="Below the speed target share or the depth goal."),
}
LEAD_COLUMNS = {
    "handed_local": st.column_config.DatetimeColumn("Handed at", format="YYYY-MM-DD HH:mm"),
    "first_touch_local": st.column_config.DatetimeColumn("First touch", format="YYYY-MM-DD HH:mm"),
    "response_hours": st.column_config.NumberColumn("Response (h)", format="%.2f"),
    "lead_id": "Lead", "owner": "Rep", "speed_status": "Speed", "attempts": "Attempts",
    "connected": "Connected", "depth_status": "Depth", "breach": "Breaches", "total": None,
}


# --- inputs ---------------------------------------------------------------------------------

def _set_assumption(field: str, key: str) -> None:
    if ws.read_only:  # disabled in the browser; refuse a crafted change on the server too
        return
    try:
        ws.assumptions = ws.assumptions.updated(**{field: st.session_state[key]})
        st.session_state.pop(INPUT_ERROR, None)
    except ValueError as exc:
        st.session_state[INPUT_ERROR] = str(exc)


def _goal_inputs() -> None:
    """Goals and rep capacity, each widget showing ``ws.assumptions``."""
    a = ws.assumptions
    shares = tables.target_share_options(a.speed_target_share)
    for key in ("speed_goal_hours", "depth_goal_attempts", "speed_target_share", "reps",
                "hours_per_week_on_marketing_leads", "minutes_per_attempt"):
        st.session_state[key] = getattr(a, key)
    common = {"disabled": ws.read_only, "on_change": _set_assumption}
    st.subheader("Goals and capacity")
    goal, depth_col, target = st.columns(3)
    goal.slider("Speed goal (hours to first touch)", min_value=0.25, max_value=max(48.0, a.speed_goal_hours),
                step=0.25, format="%.2f h", key="speed_goal_hours", args=("speed_goal_hours", "speed_goal_hours"),
                help="A lead is within the goal when its first touch came this many hours (on the chosen clock) "
                     "after the hand-off.", **common)
    depth_col.slider("Depth goal (attempts)", min_value=1, max_value=max(20, a.depth_goal_attempts), step=1,
                     key="depth_goal_attempts", args=("depth_goal_attempts", "depth_goal_attempts"),
                     help="Attempts sales promises on every lead it has not reached yet.", **common)
    target.select_slider("Speed target (share of leads within the goal)", options=shares,
                         format_func=lambda v: f"{v:.0%}", key="speed_target_share",
                         args=("speed_target_share", "speed_target_share"),
                         help="The speed SLA is met in a period when at least this share of due leads was "
                              "followed up within the goal.", **common)
    reps, hours, minutes = st.columns(3)
    reps.number_input("Reps working marketing leads", min_value=0, step=1, key="reps", args=("reps", "reps"), **common)
    hours.number_input("Hours per rep per week on marketing leads", min_value=0.0, step=0.5, format="%.1f",
                       key="hours_per_week_on_marketing_leads",
                       args=("hours_per_week_on_marketing_leads", "hours_per_week_on_marketing_leads"), **common)
    minutes.number_input("Minutes per attempt", min_value=0.0, step=1.0, format="%.1f", key="minutes_per_attempt",
                         args=("minutes_per_attempt", "minutes_per_attempt"),
                         help="A call or email with its logging.", **common)
    if INPUT_ERROR in st.session_state:
        st.error(f"Not applied: {literal(st.session_state[INPUT_ERROR])}")


def _business_hours(tz: str) -> BusinessHours:
    return (ws.business_hours or BusinessHours(tz=tz)).in_zone(tz)


def _set_clock() -> None:
    if not ws.read_only:
        ws.sales_clock = st.session_state["sales_clock"]


def _store_hours(build) -> None:
    """Replace ``ws.business_hours`` with ``build()``; a bad setting is reported and leaves it unchanged."""
    if ws.read_only or ws.dataset is None:
        return
    try:
        ws.business_hours = build()
        st.session_state.pop(CLOCK_ERROR, None)
    except (ValueError, UnicodeDecodeError) as exc:
        st.session_state[CLOCK_ERROR] = str(exc)


def _from_widgets() -> BusinessHours:
    s = st.session_state
    return BusinessHours(tz=ws.dataset.tz, weekdays=tuple(s["bh_weekdays"]), open=s["bh_open"], close=s["bh_close"],
                         holidays=parse_holidays(s["bh_holidays"]))


def _add_holidays(more) -> BusinessHours:
    current = _business_hours(ws.dataset.tz)
    return BusinessHours(current.tz, current.weekdays, current.open, current.close, current.holidays + tuple(more))


def _upload_holidays() -> None:
    upload = st.session_state.get("bh_holidays_file")
    if upload is not None:
        _store_hours(lambda: _add_holidays(parse_holidays(upload.getvalue().decode("utf-8-sig"))))


def _prefill_holidays(years: range) -> None:
    country = st.session_state.get("bh_country")
    if country:
        _store_hours(lambda: _add_holidays(public_holidays(country, years)))


def _clock_settings(tz: str, years: range) -> BusinessHours | None:
    """The clock toggle and the business-hours editor; the clock to count on (None: calendar hours)."""
    st.session_state["sales_clock"] = ws.sales_clock
    st.radio("Clock", list(CLOCKS), format_func=CLOCKS.get, horizontal=True, key="sales_clock",
             on_change=_set_clock, disabled=ws.read_only,
             help="Calendar hours count every hour; business hours count only opening hours of working days.")
    hours = _business_hours(tz)
    with st.expander(f"Business hours: {hours.describe()}"):
        st.session_state.update(bh_weekdays=list(hours.weekdays), bh_open=hours.open, bh_close=hours.close,
                                bh_holidays="\n".join(h.isoformat() for h in hours.holidays))
        days, opens, closes = st.columns([2, 1, 1])
        common = {"on_change": _store_hours, "args": (_from_widgets,), "disabled": ws.read_only}
        days.multiselect("Working days", list(range(7)), format_func=lambda d: WEEKDAY_NAMES[d], key="bh_weekdays",
                         **common)
        opens.time_input("Opens at", key="bh_open", step=900, help=f"Local time in {tz}.", **common)
        closes.time_input("Closes at", key="bh_close", step=900, help=f"Local time in {tz}.", **common)
        st.text_area("Holidays (one date per line, e.g. 2024-12-25; a name after the date is ignored)",
                     key="bh_holidays", height=120, **common)
        upload, country, add = st.columns([2, 2, 1], vertical_alignment="bottom")
        upload.file_uploader("Upload a holiday list (CSV or text, dates like 2024-12-25)", type=["csv", "txt"],
                             key="bh_holidays_file", on_change=_upload_holidays, disabled=ws.read_only)
        countries = holiday_countries()
        country.selectbox("Public holidays of", list(countries), format_func=countries.get, index=None,
                          placeholder="Choose a country", key="bh_country", disabled=ws.read_only)
        add.button("Add public holidays", key="bh_prefill", on_click=_prefill_holidays, args=(years,),
                   disabled=ws.read_only, help=f"Adds the country's public holidays for {years.start}–{years.stop - 1}.")
        st.caption(f"Times are in the workspace time zone ({literal(tz)}). Default: Mon–Fri 09:00–17:00, no holidays.")
        if CLOCK_ERROR in st.session_state:
            st.error(f"Business hours not applied: {literal(st.session_state[CLOCK_ERROR])}")
    return hours if ws.sales_clock == "business" else None


# --- data (memoised by every input) ---------------------------------------------------------

def _summary(dataset, period: str, clock, by_rep: bool = False):
    """The speed figures a goal move leaves alone: kept per dataset, period and clock, whatever the goal."""
    return ws.memo(("sales/speed_summary", period, by_rep, dataset.as_of, dataset.tz, clock),
                   lambda: speed.speed_summary(ws.con, period, dataset.as_of, dataset.tz, clock, by_owner=by_rep))


def _counts(dataset, period: str, clock, by_rep: bool):
    """Within/missed at the current goal: the only speed statement a goal move runs (one per period kind)."""
    goal = ws.assumptions.speed_goal_hours
    return ws.memo(("sales/speed_goal_counts", period, by_rep, goal, dataset.as_of, dataset.tz, clock),
                   lambda: speed.goal_counts(ws.con, period, goal, dataset.as_of, dataset.tz, clock, by_owner=by_rep))


def _speed(dataset, period: str, clock, by_rep: bool = False):
    """Speed figures at the current goal; the month's totals come from the rep count, so a month needs one count."""
    counts = _counts(dataset, period, clock, by_rep=by_rep or period == "month")
    frame = speed.with_goal(_summary(dataset, period, clock, by_rep), counts)
    return speed.rep_rows(frame) if by_rep else frame


def _hand_off_years(dataset) -> range:
    """The years with hand-offs, for the public-holiday prefill: the periods do not depend on the
    goals, so this is read once per dataset rather than re-queried on every speed-goal move."""
    return tables.years_of(_summary(dataset, "month", None))


def _depth(dataset, period: str, by_rep: bool = False):
    goal = ws.assumptions.depth_goal_attempts
    compute = depth.depth_by_rep if by_rep else depth.depth_by_period
    return ws.memo((compute.__name__, period, goal, dataset.as_of, dataset.tz),
                   lambda: compute(ws.con, period, goal, dataset.as_of, dataset.tz))


# --- sections -------------------------------------------------------------------------------

def _headline(dataset, month, clock, clock_label: str) -> None:
    a = ws.assumptions
    s = speed.period_row(_speed(dataset, "month", clock), month, (*speed.REPORT_KEYS, "touched_before_handoff"))
    d = speed.period_row(_depth(dataset, "month"), month, depth.REPORT_KEYS)
    st.subheader(f"{month:%B %Y}")
    status, missed = tables.sla_status(s["pct_within_goal"], a.speed_target_share, d["avg_attempts"],
                                       a.depth_goal_attempts)
    if status == "Met":
        st.badge("Sales SLA met: speed target and depth goal", icon=":material/check_circle:", color="green")
    elif missed:
        st.badge(f"Sales SLA missed: {missed}", icon=":material/warning:", color="red")
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


def _capacity(month) -> None:
    a = ws.assumptions
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


def _kept_chart(name: str, build, *key):
    """A chart that no speed-goal move changes, built once per dataset and ``key``."""
    return ws.memo(("sales_chart", name, *key), build)


def _charts(dataset, clock, clock_label: str) -> None:
    a = ws.assumptions
    st.subheader("By period")
    period = st.radio("Period of hand-off", list(PERIOD_NAMES), format_func=PERIOD_NAMES.get, index=2,
                      horizontal=True, key="sales_period")
    by_period, depth_frame = _speed(dataset, period, clock), _depth(dataset, period)
    summary, key = _summary(dataset, period, clock), (period, dataset.as_of, dataset.tz, clock)
    st.caption(tables.range_caption(by_period, period))
    st.altair_chart(sales_charts.within_goal_chart(by_period, period, a.speed_target_share), width="stretch")
    bars = _kept_chart("response_bars", lambda: sales_charts.response_bars(summary, period, clock_label), *key)
    st.altair_chart(sales_charts.response_chart(bars, a.speed_goal_hours, clock_label), width="stretch")
    left, right = st.columns(2)
    left.altair_chart(_kept_chart("bands", lambda: sales_charts.bands_chart(summary, period), *key), width="stretch")
    right.altair_chart(_kept_chart("delay", lambda: sales_charts.delay_chart(summary, period, clock_label), *key),
                       width="stretch")
    left, right = st.columns(2)
    depth_key = (period, a.depth_goal_attempts, dataset.as_of, dataset.tz)
    left.altair_chart(_kept_chart("attempts", lambda: sales_charts.attempts_chart(
        depth_frame, period, a.depth_goal_attempts), *depth_key), width="stretch")
    right.altair_chart(_kept_chart("worked", lambda: sales_charts.worked_chart(depth_frame, period), *depth_key),
                       width="stretch")
    st.download_button(f"Download speed and depth by {period} (CSV)",
                       csv_bytes(tables.period_table(by_period, depth_frame, period)),
                       file_name=f"sales_sla_by_{period}.csv", mime="text/csv", key="download_periods")


def _reps(dataset, month, clock) -> list[str]:
    a = ws.assumptions
    st.subheader(f"Reps in {month:%B %Y}")
    reps = tables.rep_table(_speed(dataset, "month", clock, by_rep=True), _depth(dataset, "month", by_rep=True),
                            month, a.speed_target_share, a.depth_goal_attempts)
    if reps.empty:
        st.info("No leads were handed to sales in this month.")
        return []
    outside = int(reps["Outside SLA"].sum())
    st.caption(f"{outside} of {len(reps)} reps outside the SLA (highlighted): below {a.speed_target_share:.0%} "
               f"within the speed goal or below {a.depth_goal_attempts} attempts. Click a column header to sort.")
    st.dataframe(tables.highlight_outside(reps), hide_index=True, width="stretch", column_config=REP_COLUMNS)
    st.altair_chart(sales_charts.rep_chart(reps, a.speed_target_share), width="stretch")
    st.download_button("Download the rep table (CSV)", csv_bytes(reps), file_name=f"sales_reps_{month:%Y-%m}.csv",
                       mime="text/csv", key="download_reps")
    return list(reps["Rep"])


def _breaches(dataset, month, clock, reps: list[str]) -> None:
    a = ws.assumptions
    st.subheader("Breaching leads")
    pick, scope, page_col = st.columns([2, 2, 1], vertical_alignment="bottom")
    owner = pick.selectbox("Rep", ["All reps", *reps], key="breach_owner")
    everyone = scope.checkbox("Show every lead handed in the month", key="breach_all",
                              help="Off: only leads that missed the speed goal or are below the depth goal.")
    page = page_col.number_input("Page", min_value=1, step=1, key="breach_page")
    who = None if owner == "All reps" else owner
    args = ("month", month, a.speed_goal_hours, a.depth_goal_attempts, dataset.as_of, dataset.tz, clock)
    rows = ws.memo(("sales/speed_leads", *args, who, not everyone, page), lambda: speed.speed_leads(
        ws.con, *args, owner=who, breaching_only=not everyone, limit=PAGE_SIZE, offset=(int(page) - 1) * PAGE_SIZE))
    if rows.empty:
        st.info("No leads to list here." if page == 1 else "No leads on this page: go back to page 1.")
        return
    st.caption(tables.page_caption(page, PAGE_SIZE, len(rows), int(rows["total"].iloc[0])))
    st.dataframe(rows, hide_index=True, width="stretch", column_config=LEAD_COLUMNS)

    def whole_list() -> bytes:  # runs on click, on its own thread: a cursor of its own
        cursor = ws.con.cursor()
        try:
            return csv_bytes(speed.speed_leads(cursor, *args, owner=who, breaching_only=not everyone, limit=None)
                                   .drop(columns="total"))
        finally:
            cursor.close()

    st.download_button("Download the whole list (CSV)", whole_list, file_name=f"sales_leads_{month:%Y-%m}.csv",
                       mime="text/csv", key="download_breaches")


st.title("Sales SLA")
st.caption("How fast and how deeply sales follows up the leads marketing hands over, per period and per rep, "
           "and whether the team has the hours to honour the depth goal.")
dataset = require_dataset(ws)
_goal_inputs()
if dataset is not None:
    clock = _clock_settings(dataset.tz, _hand_off_years(dataset))
    clock_label = "business hours" if clock else "hours"
    months = list(_summary(dataset, "month", clock)["period_start"])
    if not months:
        st.info("No lead in the loaded data was handed to sales by its as-of time, so there is nothing to measure. "
                "Map a hand-off date (or an MQL date) on the **Data** page.")
    else:
        if st.session_state.get("sales_month") not in months:
            st.session_state["sales_month"] = months[-1]
        chosen = st.select_slider("Month", options=months, format_func=lambda m: f"{m:%b %Y}", key="sales_month",
                                  help="The month of hand-off for the headline numbers, capacity, reps and leads.")
        _headline(dataset, chosen, clock, clock_label)
        _capacity(chosen)
        _charts(dataset, clock, clock_label)
        rep_names = _reps(dataset, chosen, clock)
        _breaches(dataset, chosen, clock, rep_names)
