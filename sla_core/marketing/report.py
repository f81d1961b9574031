"""The report command's marketing keys (SPEC 9): targets, the month's actuals and its goal line.

The same statements and goal-line code as the Marketing SLA page, so a scheduled report and the
page agree; only the month asked for is read, straight into Python (no pandas to load).
"""
from __future__ import annotations

from datetime import date, datetime

import duckdb

from sla_core import queries
from sla_core.marketing import actuals

from sla_core.marketing import goal_line
from sla_core.assumptions import Assumptions
from sla_core.marketing.targets import compute_targets


def marketing_sections(con: duckdb.DuckDBPyConnection, tz: str, as_of: datetime | None, month: date,
                       assumptions: Assumptions, months: list[dict]) -> dict:
    """{"targets", "actuals", "goal_line"} for ``month``; the goal line's goal is leads_needed. ``months``:
    ``monthly_rows``, which the report reads anyway (the month's actuals are its row: no second scan)."""
    targets = compute_targets(assumptions)
    daily = actuals.month_daily_leads(con, tz, as_of, month)
    # without data nothing has happened yet
    line = goal_line.goal_line(daily, month, targets.leads_needed, as_of or date.min, tz=tz)
    return {"targets": targets.as_dict(), "actuals": actuals.figures_of(months, month),
            "goal_line": line.points_records()}


def monthly_rows(con: duckdb.DuckDBPyConnection, tz: str, as_of: datetime | None) -> list[dict]:
    """Every month of the data, as the page's monthly table reads it (``monthly_actuals``): read once by the
    report for its run of misses (``monthly_leads``) and its catch-up plan; no data, no months."""
    if as_of is None:
        return []
    return queries.records(con, "marketing/monthly_actuals", tz=tz, as_of=as_of)


def monthly_leads(rows: list[dict]) -> dict[date, int]:
    """Marketing leads of every month of ``monthly_rows`` (month start → leads; a month without leads is listed
    with 0), for the run of misses."""
    return {r["month"]: int(r["marketing_leads"]) for r in rows}
