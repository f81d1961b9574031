"""Sales SLA page: speed and depth of follow-up per period and per rep, on a calendar or business-hours clock.

The page reads top to bottom here: its figures come from sla_core.sales.view (every DuckDB
result kept in the session's cache, a speed-goal move re-runs only the goal count and the
breaching list); the inputs are drawn by pages/sections/sales.py, the month's verdict and the
charts by pages/sections/sales_figures.py, the reps by pages/sections/sales_reps.py.
"""
from __future__ import annotations

import streamlit as st

from pages.common.access import guard_page, workspace
from pages.common.sections import workspace_fragment
from pages.common.state import Workspace
from pages.common.ui import require_dataset, show_data_line
from pages.sections import sales as section
from pages.sections import sales_calendars as calendars
from pages.sections import sales_figures as figures
from pages.sections import sales_reps as reps
from pages.sections import sales_segments as segments
from sla_core.ingest.dataset import Dataset
from sla_core.sales import view as sales

guard_page(__file__)


@workspace_fragment
def goals_and_figures(ws: Workspace, dataset: Dataset | None) -> None:
    """Everything a goal or the month changes, as one fragment: a what-if reruns it alone, not the page's title,
    data line and navigation (its own sections rerun alone in turn)."""
    section.goal_inputs(ws)
    chosen = None
    if dataset is not None:
        data = sales.load(ws.db, dataset, ws.sales_clock, ws.business_hours, ws.cache,
                          ws.assumptions.region_calendars)
        # the settings keep their place above the month, but are drawn after the verdict: a what-if's first
        # changed figure reaches the browser before the settings it leaves alone are sent again
        clock, region_calendars, rules = st.container(), st.container(), st.container()
        chosen = section.month_picker(data)
        a = ws.assumptions
        if chosen is not None:
            figures.headline(data.headline(a, chosen), a, data.month_label(chosen, "%B %Y"), data.clock_label,
                             ws.read_only)
        with clock:
            section.clock_settings(ws, data)
        with region_calendars:
            calendars.region_calendars(ws, data)
        with rules:
            segments.rules_editor(ws, data)
        if chosen is not None:
            segments.segment_table(ws, data, chosen)
            figures.work_first(data, a, chosen)
            figures.by_period(data, a, chosen)
            rep_names = reps.reps_in(data, a, chosen)
            reps.bandwidth_section(ws, data, chosen)
            reps.breaches(data, a, chosen, rep_names)
    section.write_link(ws, chosen)


ws = workspace()
show_data_line(ws)
st.title("Sales SLA")
st.caption("How fast and how deeply sales follows up every lead handed to a rep (sales-sourced ones too), per "
           "period and per rep, and whether the team has the hours to honour the depth goal.")
dataset = require_dataset(ws.dataset)
section.read_link(ws)
goals_and_figures(ws, dataset)
