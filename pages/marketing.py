"""Marketing SLA page: what-if targets, the month's goal line and tiers, the monthly recalculation.

The page reads top to bottom here: its data comes from sla_core.marketing.view, each section is
drawn by pages/sections/marketing.py (an imported module is compiled once per process, this
script on every fresh script cache: keep it short).
"""
from pages.common.access import guard_page, workspace
from pages.common.sections import workspace_fragment
from pages.common.state import Workspace
from pages.common.ui import require_dataset, show_data_line
from pages.sections import marketing as section
from sla_core.ingest.dataset import Dataset
from sla_core.marketing import targets
from sla_core.marketing import view as marketing

guard_page(__file__)


@workspace_fragment
def what_ifs(ws: Workspace, dataset: Dataset | None) -> None:
    """Everything a what-if changes, as one fragment: a slider or the month reruns it alone (the page's title,
    data line and navigation are not built and sent again), a fifth of a what-if's first figure."""
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


ws = workspace()
show_data_line(ws)
section.title(ws)
section.read_link(ws)
what_ifs(ws, require_dataset(ws.dataset))
