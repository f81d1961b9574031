"""The figures of the Sales SLA page (pages/sales.py): the month's verdict, the leads to work first, the charts
per period, the reps and their bandwidth, the breaching leads. Data from ``sla_core.sales.view``.

Every judgement drawn here (badge, delta colour, "outside the SLA") is a verdict of
``sla_core.health.verdicts`` passed through; a figure the data cannot measure reads "not
measured" with the reason and where to upload what it needs. Owner names are data: wherever
Markdown renders they go through ``literal()``.
"""
from __future__ import annotations

import calendar
from datetime import date
from functools import partial

import streamlit as st

from pages.common.sections import workspace_fragment
from pages.common.ui import KEYS, built_while_open, literal
from sla_core import formatting as fmt
from sla_core.export import csv_bytes
from sla_core.health import verdicts
from sla_core.health.verdicts import Verdict
from sla_core.sales import charts as sales_charts
from sla_core.sales import display as tables
from sla_core.sales import view as sales

PERIOD_NAMES = {"day": "Day", "week": "Week", "month": "Month"}
STATISTICS = {key: label for key, (label, _) in sales_charts.RESPONSE_STATISTICS.items()}
DATA_PAGE = "pages/data.py"
REPS_NAMED = 10  # reps named in the work-first sentence; the download lists every lead
WORK_FIRST_SECTION = "The leads to work first, oldest hand-off first"


def _not_measured(column, figure: str, detail: str, read_only: bool) -> None:
    """A figure the data cannot measure: why, and (in an editable view) where to upload what it needs."""
    column.info(f"**{figure} not measured:** {detail}.", icon=":material/help:")
    if not read_only:
        column.page_link(DATA_PAGE, label="Upload an activity log on the Data page", icon=":material/upload_file:")


def _metric(column, label: str, value: str, help_text: str, delta: str | None = None, colour: str = "gray",
            arrow: str = "off") -> None:
    """A bordered figure; boxes of a row take the height of the tallest."""
    column.metric(label, value, delta=delta, delta_color=colour, delta_arrow=arrow, border=True, height="stretch",
                  help=help_text)


def _judged(column, label: str, value: str, verdict: Verdict, target: str, help_text: str) -> None:
    """A figure with its verdict as the delta, in the verdict's colour."""
    colour, _, arrow = tables.verdict_style(verdict)
    _metric(column, label, value, help_text, tables.verdict_delta(verdict, target), colour, arrow)


def _verdict_line(shown: sales.Headline) -> None:
    """The sales badge in its verdict's colour and each part's reason; no badge when nothing is judged."""
    badge = tables.sales_badge(shown.sales_verdict, shown.month)
    if badge is not None:
        colour, icon, _ = tables.verdict_style(shown.sales_verdict)
        st.badge(badge, icon=icon, color=colour)
    parts = [f"{name} {v.reason}" for name, v in (("Speed", shown.speed_verdict), ("Depth", shown.depth_verdict))
             if v.verdict != verdicts.NOT_MEASURED]
    if parts:
        st.caption(". ".join(parts) + ".")


HANDED_HELP = "Leads handed to sales in the month (by the as-of time), minus data-quality exclusions."
NOT_CONNECTED_HELP = "Handed leads without a conversation so far: the depth goal applies to them."


def _speed_row(shown: sales.Headline, a, clock_label: str, read_only: bool) -> None:
    s = shown.speed
    if not shown.measured.speed:
        left, right = st.columns([1, 3])
        _metric(left, "Leads handed", fmt.count(s["handed"]), HANDED_HELP)
        _not_measured(right, "Speed", shown.speed_verdict.detail, read_only)
        return
    cols = st.columns(4)
    _metric(cols[0], "Leads handed", fmt.count(s["handed"]), HANDED_HELP)
    _metric(cols[1], "Median response", fmt.hours(s["median_hours"]),
            f"Among the {fmt.count(s['touched'])} touched leads, on the {clock_label} clock; average "
            f"{fmt.hours(s['mean_hours'])}.", clock_label)
    _metric(cols[2], "p90 response", fmt.hours(s["p90_hours"]),
            "Nine in ten touched leads were answered at least this fast.", clock_label)
    _judged(cols[3], "Within the speed goal", fmt.percent(s["pct_within_goal"]), shown.speed_verdict,
            f"target {fmt.percent(a.speed_target_share, 0)}", sales_charts.SPEED_BADGE_HELP)


def _depth_row(shown: sales.Headline, a, read_only: bool) -> None:
    d = shown.depth
    if not shown.measured.depth:
        left, right = st.columns([1, 3])
        _metric(left, "Not connected yet", fmt.count(d["not_connected"]), NOT_CONNECTED_HELP)
        _not_measured(right, "Depth", shown.depth_verdict.detail, read_only)
        return
    cols = st.columns(4)
    named = verdicts.named_goals(a)[1]  # None: goal rules hold some leads to depth goals of their own
    _metric(cols[0], "Not connected yet", fmt.count(d["not_connected"]), NOT_CONNECTED_HELP)
    _metric(cols[1], "Avg attempts (not connected)", fmt.attempts(d["avg_attempts"]),
            "Average attempts on leads not connected yet. The verdict reads the share at the goal, not this average.",
            "own goals" if named is None else f"goal {named}")
    at_goal = (f"with at least {named} attempts" if named is not None else
               f"at their own depth goal ({a.depth_goal_attempts} attempts unless a goal rule sets another)")
    _judged(cols[2], "At the depth goal", fmt.percent(d["pct_at_goal"]), shown.depth_verdict,
            f"target {fmt.percent(a.depth_target_share, 0)}",
            f"Not-connected leads {at_goal}. Depth is met when this share reaches the depth target share.")
    _metric(cols[3], "Leads worked", fmt.percent(d["leads_worked_pct"]), "Handed leads with at least one attempt.")


def _nothing_measured(shown: sales.Headline, read_only: bool) -> None:
    """Neither speed nor depth can be measured: the counts the data has, and one note on what to upload."""
    cols = st.columns([1, 1, 2])
    _metric(cols[0], "Leads handed", fmt.count(shown.speed["handed"]), HANDED_HELP)
    _metric(cols[1], "Not connected yet", fmt.count(shown.depth["not_connected"]), NOT_CONNECTED_HELP)
    _not_measured(cols[2], "Speed and depth", shown.sales_verdict.detail, read_only)


def headline(shown: sales.Headline, a, label: str, clock_label: str, read_only: bool) -> None:
    """The chosen month: its verdict, then speed and depth, a figure not measured saying why."""
    st.subheader(label)
    _verdict_line(shown)
    if shown.measured.speed or shown.measured.depth:
        _speed_row(shown, a, clock_label, read_only)
        _depth_row(shown, a, read_only)
    else:
        _nothing_measured(shown, read_only)
    excluded = shown.speed["touched_before_handoff"] or 0
    if excluded:
        st.warning(f"{fmt.count(excluded)} lead(s) of this month show a first touch before the hand-off: a "
                   "data-quality problem, so they are left out of the speed figures (see the Data page).", icon="⚠️")


# --- the leads to work first after a missed month ------------------------------------------------

def work_first(data: sales.Sales, a, month: date) -> None:
    """After a month that missed speed or depth: its leads still untouched past the speed goal, per rep."""
    missed = data.missed_month(a, month)
    if missed is None:
        return
    goals = data.headline(a, missed).missed_goals
    noun = "goals" if " and " in goals else "goal"
    st.subheader(f"Work first: leads of {missed:%B %Y} still untouched")
    plan = data.work_first(a, missed)
    if plan is None:
        st.info("The list needs first-touch dates: upload an activity log on the Data page.")
        return
    past = plan.goal_words if plan.own_goals else f"the {a.speed_goal_hours:g} h goal"
    if not plan.total:
        st.caption(f"{missed:%B %Y} missed the {goals} {noun}, but none of its leads is still untouched past "
                   f"{past}: the misses were answered late or are below the depth goal (see the breaching leads).")
        return
    reps = ", ".join(f"{literal(rep)} {n:,}" for rep, n in plan.by_rep[:REPS_NAMED])
    more = len(plan.by_rep) - REPS_NAMED
    after = f"past {plan.goal_words}" if plan.own_goals else f"{a.speed_goal_hours:g} h after the hand-off"
    st.caption(f"{missed:%B %Y} missed the {goals} {noun}: {plan.total:,} of its leads have had no first touch "
               f"{after}. Work them first, oldest first. Per rep: {reps}"
               f"{f' and {more:,} more reps' if more > 0 else ''}.")
    # a label that never changes: a stateful expander whose label changed (a goal move) would close
    built_while_open(WORK_FIRST_SECTION, KEYS.work_first_open, lambda: _work_first_grid(data, plan))
    st.download_button(f"Download all {plan.total:,} leads to work first (CSV)",
                       partial(_work_first_csv, plan),
                       file_name=f"work_first_{missed:%Y-%m}.csv", mime="text/csv", key=KEYS.download_work_first,
                       on_click="ignore")


def _work_first_csv(plan) -> bytes:
    """The download's bytes, made on click: a goal move must not rebuild a frame of every untouched lead."""
    return csv_bytes(tables.lead_csv_frame(plan.leads, own_goals=plan.own_goals))


def _work_first_grid(data: sales.Sales, plan) -> None:
    if plan.total > sales.PAGE_SIZE:
        st.caption(f"The oldest {sales.PAGE_SIZE:,} of {plan.total:,}; the download below has them all.")
    st.dataframe(data.lead_grid(plan.leads, plan.own_goals), hide_index=True, width="stretch")


# --- per period ------------------------------------------------------------------------------

def _days(data: sales.Sales, month: date) -> tuple[date, date] | None:
    """The day view's range: the chosen month's days at first, any range within the data after."""
    span = data.day_span()
    if span is None:
        return None
    first, last = span
    month_end = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    default = (min(max(month, first), last), max(first, min(last, month_end)))
    chosen = st.date_input("Days shown", value=default, min_value=first, max_value=last, key=KEYS.sales_days(month),
                           format="YYYY-MM-DD",
                           help="The day view shows these days; it opens on the days of the month chosen above.")
    return (chosen[0], chosen[-1]) if chosen else default


def _chart(column, spec: dict) -> None:
    column.vega_lite_chart(spec=spec, width="stretch")


def _speed_charts(shown: sales.PeriodCharts) -> None:
    within = shown.within_goal()
    if within is None:
        st.caption(f"Speed is not measured, so its charts are left out: {verdicts.NO_FIRST_TOUCH}.")
        return
    _chart(st, within)
    _chart(st, shown.response())


def _delay_charts(shown: sales.PeriodCharts) -> None:
    bands = shown.bands()
    if bands is None:
        _chart(st, shown.delay())
        return
    left, right = st.columns(2)
    _chart(left, bands)
    _chart(right, shown.delay())


def _depth_charts(shown: sales.PeriodCharts) -> None:
    attempts = shown.attempts()
    if attempts is None:
        st.caption(f"Depth is not measured, so its charts are left out: {verdicts.NO_ATTEMPTS}.")
        return
    left, right = st.columns(2)
    _chart(left, attempts)
    _chart(right, shown.worked())


# the by-period charts in three views, one drawn at a time: a rerun builds, sends and draws two charts, not six
CHART_VIEWS = {"speed": ("Speed", _speed_charts), "delays": ("Response bands and routing delay", _delay_charts),
               "depth": ("Depth", _depth_charts)}
DEFAULT_CHARTS = "speed"


@workspace_fragment
def by_period(data: sales.Sales, a, month: date) -> None:
    """Speed and depth per period; a fragment: choosing the period, the statistic, the days or the charts reruns
    this section alone (its figures are kept by the view, so the rest of the page would only be sent again)."""
    st.subheader("By period")
    left, right = st.columns(2)
    period = left.radio("Period of hand-off", list(PERIOD_NAMES), format_func=PERIOD_NAMES.get, index=2,
                        horizontal=True, key=KEYS.sales_period)
    statistic = right.radio("Response time shown", list(STATISTICS), format_func=STATISTICS.get, horizontal=True,
                            key=KEYS.sales_statistic, help=sales_charts.SPEED_BADGE_HELP,
                            disabled=not data.measured.speed)
    days = _days(data, month) if period == "day" else None
    shown = data.by_period(a, period, statistic, days)
    st.caption(shown.caption)
    chosen = st.segmented_control("Charts", list(CHART_VIEWS), format_func=lambda v: CHART_VIEWS[v][0],
                                  default=DEFAULT_CHARTS, required=True, key=KEYS.sales_charts,
                                  help="Each choice draws its charts; every chart of a period spans the same dates.")
    CHART_VIEWS[chosen or DEFAULT_CHARTS][1](shown)
    st.download_button(f"Download speed and depth by {period} (CSV)", shown.csv, file_name=f"sales_sla_by_{period}.csv",
                       mime="text/csv", key="download_periods")  # the CSV is made on click
