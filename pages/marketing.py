"""Marketing SLA page: what-if targets, the month's goal line and tiers, the monthly recalculation.

The page reads top to bottom here: its data comes from sla_core.marketing.view, each section is
drawn by pages/sections/marketing.py (an imported module is compiled once per process, this
script on every fresh script cache: keep it short).
"""
from pages.common.access import guard_page, workspace
from pages.common.ui import require_dataset, show_data_line
from pages.sections import marketing as section
from sla_core.marketing import targets
from sla_core.marketing import view as marketing

guard_page(__file__)

ws = workspace()
show_data_line(ws)
section.title(ws)
section.read_link(ws)
dataset = require_dataset(ws.dataset)
data = marketing.load(ws.db, dataset, ws.tier_rules, ws.cache) if dataset is not None else None
pooled = None  # use my actuals: only in an editable view with months to pool
if data is not None and not data.monthly.empty and not ws.read_only:
    pooled = data.pooled(section.pool_months())
section.assumption_inputs(ws, data, pooled)
target = targets.compute_targets(ws.assumptions)
section.target_metrics(target)
chosen_month = section.month_sections(ws, data, pooled, target)
if not ws.read_only:
    section.write_link(ws, chosen_month)
