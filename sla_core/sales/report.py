"""The report command's sales keys (SPEC 9): speed and depth of follow-up for the month.

The same statements as the Sales SLA page, so a scheduled report and the page agree; only the
month asked for is read, straight into Python (no pandas to load). A figure the data cannot
measure (no first-touch dates, no attempt counts) is null with ``"measured": false`` and the reason.
``--clock business`` counts on the default business hours (Mon–Fri 09:00–17:00 in the
workspace time zone, no holidays).
"""
from __future__ import annotations

from datetime import date, datetime

import duckdb

from sla_core import queries
from sla_core.sales import depth

from sla_core.sales import speed
from sla_core.assumptions import Assumptions
from sla_core.health.verdicts import NO_ATTEMPTS, NO_FIRST_TOUCH, Measured
from sla_core.sales.clock import BusinessHours
from sla_core.sales.region_calendars import NO_REGION_CALENDARS, RegionCalendars

SPEED_EXTRA_KEYS = ("within", "missed", "touched_before_handoff")


def report_clock(clock_name: str, tz: str, hours: BusinessHours | None = None,
                 regions: RegionCalendars = NO_REGION_CALENDARS) -> BusinessHours | None:
    """``--clock``: None for calendar hours; for business, the workspace's business hours (``hours``; None: the
    default Mon–Fri 09:00–17:00) in ``tz``, the leads of ``regions`` (ASSUMPTIONS.json ``region_calendars``) on
    their own calendars."""
    if clock_name not in ("calendar", "business"):
        raise ValueError(f"--clock must be calendar or business, got {clock_name!r}")
    return (hours or BusinessHours(tz=tz)).in_zone(tz).with_regions(regions) if clock_name == "business" else None


def _measured(measured: bool, reason: str) -> dict:
    return {"measured": True} if measured else {"measured": False, "reason": reason}


def sales_sections(con: duckdb.DuckDBPyConnection, tz: str, as_of: datetime | None, month: date,
                   assumptions: Assumptions, clock_name: str, measured: Measured,
                   hours: BusinessHours | None = None) -> dict:
    """{"speed", "depth"} for leads handed in ``month``; n/a as None; a figure not measured is not read."""
    clock = report_clock(clock_name, tz, hours, assumptions.region_calendars)
    speed_keys = (*speed.REPORT_KEYS, *SPEED_EXTRA_KEYS)
    rules = assumptions.goal_rules
    speed_row = (speed.month_figures(con, month, assumptions.speed_goal_hours, as_of, tz, clock, speed_keys, rules)
                 if measured.speed else dict.fromkeys(speed_keys))  # only that month's hand-offs are read
    speed_row["clock"] = clock.describe() if clock else "calendar hours"
    speed_row.update(_measured(measured.speed, NO_FIRST_TOUCH))
    depth_row = (depth.month_figures(con, month, assumptions.depth_goal_attempts, as_of, tz, rules=rules, clock=clock)
                 if measured.depth else dict.fromkeys(depth.REPORT_KEYS))
    depth_row.update(_measured(measured.depth, NO_ATTEMPTS))
    return {"speed": speed_row, "depth": depth_row}


def monthly_sales_rows(con: duckdb.DuckDBPyConnection, tz: str, as_of: datetime, through: date,
                       assumptions: Assumptions, clock: BusinessHours | None) -> tuple[dict, dict]:
    """Speed and depth rows of every month of hand-off up to ``through`` (month start → row), for the run
    of misses, read into plain Python: only the figures a verdict is judged on, from the per-lead goal table
    (``speed_verdict_figures``, not the summary's quantiles and bands, which would clock every lead again)."""
    months = {"period": "month", "by_owner": False, "handed_from": None,
              "handed_to": speed.month_window(through, tz)[1]}
    goals = assumptions.goal_rules.sql_params(assumptions.speed_goal_hours, assumptions.depth_goal_attempts)
    speed.goal_table(con, as_of, tz, clock, assumptions.goal_rules)  # both statements read only this table
    speed_rows = queries.records(con, "sales/speed_verdict_figures", **goals, **months)
    depth_rows = queries.records(con, "sales/depth_by_period", **goals, **months, tz=tz, as_of=as_of)
    return ({r["period_start"]: r for r in speed_rows}, {r["period_start"]: r for r in depth_rows})
