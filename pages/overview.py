"""Leadership overview: the month's answer first (each side of the SLA with its verdict), then the change on the
month before, each team's run of misses, and SLA health month by month. Drawn by pages/sections/overview.py."""
from __future__ import annotations

from functools import partial
from zoneinfo import ZoneInfo

import streamlit as st

from pages.common.access import guard_page, workspace
from pages.common.ui import KEYS, literal, month_picker, require_dataset, show_data_line
from pages.sections import overview as section
from sla_core.digest import printable
from sla_core.health import view as health_view
from sla_core.health.headline import goals_sentence

guard_page(__file__)

ws = workspace()
show_data_line(ws)
st.title("Overview")
dataset = require_dataset(ws.dataset)
if dataset is None:
    st.stop()
a = ws.assumptions
settings = health_view.Settings(a, ws.tier_rules, ws.sales_clock, ws.business_hours, ws.tiers)
shown = health_view.overview(ws.db, dataset, settings, ws.cache)
if shown is None:
    st.info("The data has no months to assess yet.")
    st.stop()

picker, as_of = st.columns([1, 2], vertical_alignment="bottom")
with picker:
    month = month_picker(shown.months, shown.first, shown.in_progress, KEYS.overview_month)
as_of.caption(f"Figures as of {dataset.as_of.astimezone(ZoneInfo(dataset.tz)):%Y-%m-%d %H:%M} "
              f"({literal(dataset.tz)}).")
view = shown.at(month)
section.answer(view.headline)
section.change(view.headline, {"Marketing leads": "Marketing leads", "Speed": f"Speed: within {a.speed_goal_hours:g} h",
                               "Depth": f"Depth: {a.depth_goal_attempts}+ attempts"})
section.streaks(view.headline)
st.caption(literal(goals_sentence(a)))
st.download_button("Download this month's report (HTML, print to PDF)",
                   partial(printable.month_page, ws.db, dataset, settings, month, ws.cache),
                   file_name=f"sla_status_{month:%Y-%m}.html", mime="text/html", key=KEYS.overview_report,
                   on_click="ignore", icon=":material/print:")
section.health(view)
