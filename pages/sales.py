"""Sales SLA page: speed and depth of follow-up per period and per rep, on a calendar or business-hours clock.

The page reads top to bottom here: its figures come from sla_core.sales.view (every DuckDB
result kept in the session's cache, a speed-goal move re-runs only the goal count and the
breaching list); the inputs and the headline are drawn by pages/sections/sales.py.
"""
from __future__ import annotations

from functools import partial

import streamlit as st

from pages.common.access import workspace
from pages.common.ui import show_data_line
from pages.common.ui import KEYS, require_dataset
from pages.sections import sales as section
from sla_core.export import csv_bytes
from sla_core.sales import charts as sales_charts
from sla_core.sales import display as tables
from sla_core.sales import view as sales

PERIOD_NAMES = {"day": "Day", "week": "Week", "month": "Month"}
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


def by_period(data: sales.Sales, a) -> None:
    st.subheader("By period")
    period = st.radio("Period of hand-off", list(PERIOD_NAMES), format_func=PERIOD_NAMES.get, index=2,
                      horizontal=True, key=KEYS.sales_period)
    shown = data.by_period(a, period)
    st.caption(shown.caption)
    st.altair_chart(shown.within_goal, width="stretch")
    st.altair_chart(shown.response, width="stretch")
    left, right = st.columns(2)
    left.altair_chart(shown.bands, width="stretch")
    right.altair_chart(shown.delay, width="stretch")
    left, right = st.columns(2)
    left.altair_chart(shown.attempts, width="stretch")
    right.altair_chart(shown.worked, width="stretch")
    st.download_button(f"Download speed and depth by {period} (CSV)", shown.csv, file_name=f"sales_sla_by_{period}.csv",
                       mime="text/csv", key="download_periods")


def reps_in(data: sales.Sales, a, month) -> list[str]:
    st.subheader(f"Reps in {month:%B %Y}")
    reps = data.reps(a, month)
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


def breaches(data: sales.Sales, a, month, reps: list[str]) -> None:
    st.subheader("Breaching leads")
    pick, scope, page_col = st.columns([2, 2, 1], vertical_alignment="bottom")
    owner = pick.selectbox("Rep", ["All reps", *reps], key=KEYS.breach_owner)
    everyone = scope.checkbox("Show every lead handed in the month", key=KEYS.breach_all,
                              help="Off: only leads that missed the speed goal or are below the depth goal.")
    page = page_col.number_input("Page", min_value=1, step=1, key=KEYS.breach_page)
    which = sales.Breaches(month, None if owner == "All reps" else owner, breaching_only=not everyone)
    rows = data.breaching(a, which, page)
    if rows.empty:
        st.info("No leads to list here." if page == 1 else "No leads on this page: go back to page 1.")
        return
    st.caption(tables.page_caption(page, sales.PAGE_SIZE, len(rows), int(rows["total"].iloc[0])))
    st.dataframe(rows, hide_index=True, width="stretch", column_config=LEAD_COLUMNS)
    st.download_button("Download the whole list (CSV)", partial(data.breaching_csv, a, which),
                       file_name=f"sales_leads_{month:%Y-%m}.csv", mime="text/csv", key="download_breaches")


ws = workspace()
show_data_line(ws)
st.title("Sales SLA")
st.caption("How fast and how deeply sales follows up the leads marketing hands over, per period and per rep, "
           "and whether the team has the hours to honour the depth goal.")
dataset = require_dataset(ws.dataset)
section.goal_inputs(ws)
if dataset is not None:
    section.clock_settings(ws, dataset.tz, sales.hand_off_years(ws.con, dataset, ws.cache))
    data = sales.load(ws.con, dataset, ws.sales_clock, ws.business_hours, ws.cache)
    months = data.months
    if not months:
        st.info("No lead in the loaded data was handed to sales by its as-of time, so there is nothing to measure. "
                "Map a hand-off date (or an MQL date) on the **Data** page.")
    else:
        if st.session_state.get(KEYS.sales_month) not in months:
            st.session_state[KEYS.sales_month] = months[-1]
        chosen = st.select_slider("Month", options=months, format_func=lambda m: f"{m:%b %Y}", key=KEYS.sales_month,
                                  help="The month of hand-off for the headline numbers, capacity, reps and leads.")
        a = ws.assumptions
        section.headline(data.headline(a, chosen), a, chosen, data.clock_label)
        section.rep_capacity(a, chosen)
        by_period(data, a)
        rep_names = reps_in(data, a, chosen)
        breaches(data, a, chosen, rep_names)
