"""Marketing SLA page: what-if targets, the month's goal line, the monthly recalculation and tiers.

The page reads top to bottom here; each section is drawn by pages/sections/marketing.py.
"""
from __future__ import annotations

import streamlit as st

from pages.sections import marketing as section
from pages.session import require_dataset, workspace
from sla_core import targets

ws = workspace()
st.title("Marketing SLA")
st.caption("How many leads marketing owes sales each month, and whether it is on the goal line. "
           "Move an assumption and every number follows at once; the page address keeps your what-if view.")
section.read_link(ws)
dataset = require_dataset(ws)
monthly, daily = section.marketing_data(ws) if dataset is not None else (None, None)
section.assumption_inputs(ws)
pooled = None
if monthly is not None and not monthly.empty and not ws.read_only:
    pooled = section.use_my_actuals(ws, monthly)
target = targets.compute_targets(ws.assumptions)
section.target_metrics(target)
chosen_month = None
if monthly is not None and monthly.empty:
    st.info("The loaded data has no marketing leads or customers up to its as-of time, so there is no month to show.")
elif monthly is not None:
    tier_targets, tier_problem = section.tiers_section(ws, daily, pooled)
    chosen_month = section.goal_line_section(ws, dataset, monthly, daily, target, tier_targets, tier_problem)
    if tier_targets:
        st.subheader("Tier goals for the chosen month")
        section.tier_goals(ws, dataset, daily, chosen_month, tier_targets)
    section.monthly_table(ws, monthly)
if not ws.read_only:
    section.write_link(ws, chosen_month)
