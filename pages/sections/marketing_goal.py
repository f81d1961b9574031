"""The Marketing SLA page's month: its goal line, the catch-up plan after a miss, the tier goals.

Drawn by pages/sections/marketing.py's ``month_sections``; the figures and chart specs come from
``sla_core.marketing.view`` and the badge from the one marketing verdict (``sla_core.health.verdicts``).
"""
from __future__ import annotations

from datetime import date

import streamlit as st

from pages.common.state import Workspace
from pages.common.ui import KEYS, literal
from sla_core import formatting as fmt
from sla_core.marketing import controls, display, targets
from sla_core.marketing import view as marketing
from sla_core.marketing.catch_up import SPREAD_MONTHS

GOAL_TO_DATE = "goal to date"
MONTH_GOAL = "goal for the month"
ATTAINMENT_HELP = ("Actual to date ÷ goal to date. The month in progress is on track while it is at least 100 %; a "
                   "month that is over is met when its leads reach the month's goal (the same rule as the Overview "
                   "and the report).")


def note(text: str) -> str:
    """``text`` as markdown that looks like st.caption, to share a markdown element with a heading."""
    return f":small[:gray[{text}]]"


def markdown_table(header, rows) -> str:
    """A small static table as markdown (first column left, figures right), every cell escaped: drawn inside
    the heading's markdown it costs a rerun no element of its own and no Arrow serialisation."""
    lines = ["| " + " | ".join(map(literal, header)) + " |", "|---|" + "---:|" * (len(header) - 1)]
    lines += ["| " + " | ".join(map(literal, row)) + " |" for row in rows]
    return "\n".join(lines)


def _status(shown: marketing.GoalView) -> None:
    """The goal line's figures in one row, each goal as the badge under the figure it is compared with (the
    goal to date under the actual, the month's goal under the projection; the month's verdict under the
    attainment): three metrics where five would cost more on every what-if rerun."""
    line, unit = shown.line, literal(shown.unit)
    as_shown = fmt.money if shown.unit == marketing.VALUE_UNIT else fmt.count
    row = st.container(horizontal=True)
    day = f"day {line.as_of_day} of {line.days_in_month}" if line.as_of_day else "not started"
    row.metric(f"Actual to date ({unit})", as_shown(line.actual), delta=f"{GOAL_TO_DATE} {as_shown(line.goal_to_date)}",
               delta_color="gray", delta_arrow="off",
               help=f"As of {day}. Goal to date: the goal spread evenly over the month's days, up to the as-of day.")
    badge, color, arrow = display.verdict_badge(shown.verdict)
    reason = "" if shown.unit == marketing.VALUE_UNIT else f"\n\nThis month: {shown.verdict.reason}."  # no data text
    row.metric("Attainment", fmt.percent(line.attainment, 0), delta=badge, delta_color=color, delta_arrow=arrow,
               help=ATTAINMENT_HELP + reason)
    row.metric(f"Projection ({unit})", as_shown(line.projection), delta=f"{MONTH_GOAL} {as_shown(line.goal)}",
               delta_color="gray", delta_arrow="off",
               help="Month-end projection: actual to date × days in month ÷ days elapsed, against the month's goal.")


def _month_note(data: marketing.Marketing, month: date, shown: marketing.GoalView) -> str:
    line = shown.line
    if data.in_progress(month):
        return f"{month:%B %Y} is in progress: as of day {line.as_of_day} of {line.days_in_month}."
    return f"{month:%B %Y} is over: all {line.days_in_month} days count."


def goal_line_section(ws: Workspace, data: marketing.Marketing, t: targets.Targets, tier_result, tier_error) -> date:
    """The chosen month's goal line for all leads, one tier or lead value, and its catch-up plan; returns the
    month. The page opens on the month shown first (the latest with marketing leads)."""
    months = data.months
    if st.session_state.get(KEYS.goal_month) not in months:
        st.session_state[KEYS.goal_month] = data.month_shown_first
    heading = st.empty()  # the heading's note names the month chosen below
    month = st.select_slider("Month", options=months, format_func=data.month_label, key=KEYS.goal_month,
                             help="Flip through months. The page opens on the latest month with marketing leads; "
                                  "the month that holds the as-of time is marked in progress.")
    views = marketing.goal_views(tier_result)
    view = st.radio("Goal line for", views, horizontal=True, key=KEYS.goal_view, format_func=literal)
    shown = data.goal_view(view, month, t, tier_result)
    heading.markdown(f"### Goal line\n\n{note(_month_note(data, month, shown))}")
    _status(shown)
    st.vega_lite_chart(spec=shown.chart, width="stretch")
    catch_up_section(ws, data, month)
    st.vega_lite_chart(spec=shown.history, width="stretch")
    if tier_error:
        st.error(literal(tier_error))
    return month


def _on_spread(ws: Workspace) -> None:
    if ws.read_only:
        return
    ws.assumptions = controls.with_spread(ws.assumptions, int(st.session_state[KEYS.assumption("catch_up_months")]))


def catch_up_section(ws: Workspace, data: marketing.Marketing, month: date) -> None:
    """After complete months left marketing short (SPEC 8b): the leads outstanding, the revenue at risk, the
    chosen month's catch-up goal with its spread, and the catch-up goal line over the month."""
    plan = data.catch_up(month, ws.assumptions)
    if plan is None:
        return
    p = plan.plan
    spread = controls.spread_label(p.spread_months)
    st.markdown(f"#### Catch-up plan for {month:%B %Y}\n\n" + note(
        f"Marketing missed its goal: the complete months up to {p.deficit_through:%B %Y} left "
        f"{p.deficit_leads:,} leads outstanding. Spread over {spread}, {month:%B} asks for "
        f"{p.leads_needed:,} + {p.extra_leads:,} = {p.goal_leads:,} leads (the dashed catch-up line)."))
    row = st.container(horizontal=True)
    row.metric("Leads outstanding", fmt.count(p.deficit_leads), delta=f"through {p.deficit_through:%b %Y}",
               delta_color="gray", delta_arrow="off", border=True,
               help="Each complete month adds leads needed − its marketing leads; a month above the goal pays the "
                    "deficit back, never below 0.")
    row.metric("Revenue at risk", fmt.money(p.revenue_at_risk), border=True,
               help="Leads outstanding × close rate × average deal size (the assumptions above).")
    row.metric("Catch-up goal", fmt.count(p.goal_leads), delta=f"+{p.extra_leads:,} on top of {p.leads_needed:,}",
               delta_color="gray", delta_arrow="off", border=True,
               help="Leads needed + the outstanding leads ÷ the months the catch-up is spread over, rounded up.")
    if not ws.read_only:
        key = KEYS.assumption("catch_up_months")
        if st.session_state.get(key) != ws.assumptions.catch_up_months:
            st.session_state[key] = ws.assumptions.catch_up_months
        st.radio("Spread the catch-up over", SPREAD_MONTHS, format_func=controls.spread_label, horizontal=True,
                 key=key, on_change=_on_spread, args=(ws,),
                 help="Ask for all the outstanding leads next month, or a half or a third of them each month.")
    st.vega_lite_chart(spec=plan.chart, width="stretch")


def tier_goals(data: marketing.Marketing, month: date, tier_targets, revenue_goal: float) -> None:
    """The tier goals of the chosen month and the value goal (told apart from the revenue goal), as one static
    markdown table under its heading."""
    value = literal(display.value_goal_note(tier_targets, revenue_goal))
    st.markdown(f"### Tier goals for the chosen month\n\n{note(value)}\n\n"
                + markdown_table(display.TIER_GOAL_COLUMNS, data.tier_goal_rows(month, tier_targets)))
