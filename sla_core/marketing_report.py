"""The report command's marketing keys (SPEC 9): targets, the month's actuals and its goal line.

The same functions as the Marketing SLA page, so a scheduled report and the page agree.
"""
from __future__ import annotations

from datetime import date, datetime

import duckdb

from sla_core import actuals, goal_line
from sla_core.assumptions import Assumptions
from sla_core.targets import compute_targets


def marketing_sections(con: duckdb.DuckDBPyConnection, tz: str, as_of: datetime | None, month: date,
                       assumptions: Assumptions) -> dict:
    """{"targets", "actuals", "goal_line"} for ``month``; the goal line's goal is leads_needed."""
    targets = compute_targets(assumptions)
    monthly = actuals.monthly_actuals(con, tz, as_of)
    daily = actuals.daily_marketing_leads(con, tz, as_of)
    line = goal_line.goal_line(daily, month, targets.leads_needed, as_of or date.min, tz=tz)  # no data: nothing happened yet
    return {"targets": targets.as_dict(), "actuals": actuals.month_row(monthly, month),
            "goal_line": line.points_records()}
