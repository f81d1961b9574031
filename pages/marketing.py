"""Marketing SLA page: what-if targets, the month's goal line and tiers, the monthly recalculation.

The page reads top to bottom here; each section is drawn by pages/sections/marketing.py (an imported
module is compiled once per process, this script on every fresh script cache: keep it short).
"""
from pages.sections import marketing as section
from pages.session import require_dataset, workspace
from sla_core.marketing import targets
ws = workspace()
section.title(ws)
section.read_link(ws)
dataset = require_dataset(ws)
monthly, daily, pooled = section.marketing_data(ws, dataset)
section.assumption_inputs(ws, pooled, monthly)
target = targets.compute_targets(ws.assumptions)
section.target_metrics(target)
chosen_month = section.month_sections(ws, dataset, monthly, daily, pooled, target)
if not ws.read_only:
    section.write_link(ws, chosen_month)
