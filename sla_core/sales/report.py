"""The report command's sales keys (SPEC 9): speed and depth of follow-up for the month.

The same statements as the Sales SLA page, so a scheduled report and the page agree; only the
month asked for is read, straight into Python (no pandas to load).
``--clock business`` counts on the default business hours (Mon–Fri 09:00–17:00 in the
workspace time zone, no holidays).
"""
from __future__ import annotations

from datetime import date, datetime

import duckdb

from sla_core.sales import depth

from sla_core.sales import speed
from sla_core.assumptions import Assumptions
from sla_core.sales.clock import BusinessHours

SPEED_EXTRA_KEYS = ("within", "missed", "touched_before_handoff")


def sales_sections(con: duckdb.DuckDBPyConnection, tz: str, as_of: datetime | None, month: date,
                   assumptions: Assumptions, clock_name: str) -> dict:
    """{"speed", "depth"} for leads handed in ``month``; n/a as None."""
    if clock_name not in ("calendar", "business"):
        raise ValueError(f"--clock must be calendar or business, got {clock_name!r}")
    clock = BusinessHours(tz=tz) if clock_name == "business" else None
    speed_row = speed.month_figures(con, month, assumptions.speed_goal_hours, as_of, tz, clock,
                                    (*speed.REPORT_KEYS, *SPEED_EXTRA_KEYS))  # only that month's hand-offs are read
    speed_row["clock"] = clock.describe() if clock else "calendar hours"
    depth_row = depth.month_figures(con, month, assumptions.depth_goal_attempts, as_of, tz)
    return {"speed": speed_row, "depth": depth_row}
