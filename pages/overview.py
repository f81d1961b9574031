"""Leadership overview: this month's headline numbers with on-track/behind badges and SLA health over time."""
from __future__ import annotations

from zoneinfo import ZoneInfo

import streamlit as st

from pages.common.access import workspace
from pages.common.ui import show_data_line
from pages.common.ui import download_chart, download_table, literal, require_dataset
from sla_core.health import monthly as health
from sla_core.health import view as health_view

BADGES = {True: ("On track", "green"), False: ("Behind", "red"), None: ("n/a", "gray")}
STATUS_NOTES = {
    "review": "missed three months in a row: the agreement is up for review (its cancellation condition).",
}

ws = workspace()
show_data_line(ws)
st.title("Overview")
dataset = require_dataset(ws.dataset)
if dataset is None or dataset.as_of is None:
    st.stop()
a, tz, as_of = ws.assumptions, dataset.tz, dataset.as_of
shown = health_view.overview(ws.con, dataset, a, ws.tier_rules, ws.sales_clock, ws.business_hours, ws.cache)
if shown.table.empty:
    st.info("The data has no months to assess yet.")
    st.stop()

latest = shown.latest
st.caption(f"{latest['month']:%B %Y}, as of {as_of.astimezone(ZoneInfo(tz)):%Y-%m-%d %H:%M} ({literal(tz)}). "
           f"Goals: {a.speed_target_share:.0%} of leads followed up within {a.speed_goal_hours:g} h, and "
           f"{a.speed_target_share:.0%} of unconnected leads tried at least {a.depth_goal_attempts} times.")


def _headline(column, label: str, value, met, help_text: str) -> None:
    column.metric(label, "n/a" if value is None or value != value else f"{value:.0%}", help=help_text)
    text, color = BADGES[met]
    column.badge(text, color=color)


c1, c2, c3 = st.columns(3)
_headline(c1, "Marketing attainment", latest["marketing_attainment"], latest["marketing_met"],
          "Marketing leads so far this month ÷ the goal line to today.")
_headline(c2, "Speed: within goal", latest["speed_pct"], latest["speed_met"],
          f"Share of handed leads first touched within {a.speed_goal_hours:g} h (target {a.speed_target_share:.0%}).")
_headline(c3, "Depth: at goal", latest["depth_pct"], latest["depth_met"],
          f"Share of unconnected leads with ≥ {a.depth_goal_attempts} attempts (target {a.speed_target_share:.0%}).")

for team, misses in (("Marketing", "marketing_misses"), ("Sales", "sales_misses")):
    if latest[misses] >= health.REVIEW_AFTER:
        st.warning(f"{team} has {STATUS_NOTES['review']} ({latest[misses]} complete months missed in a row)")

st.subheader("SLA health month by month")
st.caption("A month counts once it is complete; the month in progress shows its figures to date. "
           "Three missed months in a row put the agreement up for review.")
st.altair_chart(shown.chart, width="stretch")
download_chart(shown.chart, "sla_health", key="health_chart")
st.dataframe(shown.table, hide_index=True, width="stretch", column_config={
    "month": st.column_config.DateColumn("Month", format="MMM YYYY"),
    "marketing_attainment": st.column_config.NumberColumn("Marketing attainment", format="percent"),
    "speed_pct": st.column_config.NumberColumn("Speed: within goal", format="percent"),
    "depth_pct": st.column_config.NumberColumn("Depth: at goal", format="percent"),
    "marketing_misses": "Marketing misses in a row", "sales_misses": "Sales misses in a row"})
download_table(shown.table, "sla_health.csv", "Download health table (CSV)", key="download_health")
