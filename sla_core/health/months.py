"""Which month a page or the report opens on, and where a month stands against the as-of time (SPEC 8).

Plain Python and one small query, so the report path (which never loads pandas) uses it as the pages do.
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import duckdb

from sla_core import queries

COMPLETE, IN_PROGRESS, NOT_STARTED = "complete", "in progress", "not started"


def month_start(day: date) -> date:
    return date(day.year, day.month, 1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def as_of_month(as_of: datetime, tz: str) -> date:
    """The local month that holds the as-of time."""
    return month_start(as_of.astimezone(ZoneInfo(tz)).date())


def phase(month: date, as_of: datetime, tz: str) -> str:
    """complete (it ended by the as-of time), in progress (it holds the as-of time) or not started."""
    current = as_of_month(as_of, tz)
    if month < current:
        return COMPLETE
    return IN_PROGRESS if month == current else NOT_STARTED


def month_shown_first(con: duckdb.DuckDBPyConnection, tz: str, as_of: datetime | None) -> date | None:
    """The latest month with at least one marketing lead; the as-of month when there is none; None without data.

    The as-of time is the latest timestamp of any kind (a customer date can come months
    after the last lead), so opening on the as-of month would often show an empty month.
    """
    if as_of is None:
        return None
    found = queries.row(con, "marketing/latest_month", tz=tz, as_of=as_of).get("month")
    return found or as_of_month(as_of, tz)


def label(month: date) -> str:
    """How a month reads in a sentence: "June 2024"."""
    return f"{month:%B %Y}"
