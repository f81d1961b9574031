"""The report command's health keys (SPEC 9): the month's verdicts and each team's run of misses.

Judged by ``verdicts.judge`` on every month of the data up to the month asked for, read from the same
per-lead goal table and monthly actuals as the page's health table (only the figures a verdict reads), so the
report and the Overview agree month by month.
"""
from __future__ import annotations

from datetime import date, datetime

import duckdb

from sla_core.assumptions import Assumptions
from sla_core.health import verdicts
from sla_core.health.verdicts import Health, Measured, MonthFigures, MonthVerdicts
from sla_core.marketing.report import monthly_leads, monthly_rows
from sla_core.sales.clock import BusinessHours
from sla_core.sales.report import monthly_sales_rows, report_clock


def _figures(month: date, as_of: datetime, tz: str, leads: int, s: dict | None, d: dict | None) -> MonthFigures:
    return MonthFigures.at(month, as_of, tz, leads,
                           speed_handed=s["handed"] if s else 0, pct_within_goal=s["pct_within_goal"] if s else None,
                           depth_handed=d["handed"] if d else 0, not_connected=d["not_connected"] if d else 0,
                           pct_at_goal=d["pct_at_goal"] if d else None)


def month_health(con: duckdb.DuckDBPyConnection, tz: str, as_of: datetime, month: date, a: Assumptions,
                 clock_name: str, measured: Measured, hours: BusinessHours | None = None,
                 months: list[dict] | None = None) -> tuple[MonthVerdicts, Health]:
    """The verdicts of ``month`` and the runs of misses up to it.

    Months are those of the health table (from the first with data to the as-of month); a
    month before the data has nothing to count, one after the as-of month has not started.
    ``months``: the rows of ``monthly_rows`` if the caller has read them already (the report, for its catch-up).
    """
    leads = monthly_leads(monthly_rows(con, tz, as_of) if months is None else months)
    clock = report_clock(clock_name, tz, hours, a.region_calendars)
    speed_rows, depth_rows = monthly_sales_rows(con, tz, as_of, month, a, clock)
    judged = [verdicts.judge(f, a, measured) for f in _month_figures(leads, speed_rows, depth_rows, as_of, tz, month)]
    runs = verdicts.runs(judged) or [Health(0, 0)]
    if judged and judged[-1].month == month:
        return judged[-1], runs[-1]
    figures = _figures(month, as_of, tz, 0, speed_rows.get(month), depth_rows.get(month))
    return verdicts.judge(figures, a, measured, data_from=min(leads, default=None)), runs[-1]


def _month_figures(leads: dict, speed_rows: dict, depth_rows: dict, as_of: datetime, tz: str,
                   month: date) -> list[MonthFigures]:
    return [_figures(m, as_of, tz, n, speed_rows.get(m), depth_rows.get(m)) for m, n in leads.items() if m <= month]


def month_figures(con: duckdb.DuckDBPyConnection, tz: str, as_of: datetime, month: date, a: Assumptions,
                  clock_name: str, hours: BusinessHours | None = None) -> list[MonthFigures]:
    """What every month of the data up to ``month`` is judged on, read without pandas: with
    ``headline.headline`` it gives the Overview's sentences from the report's path (the weekly digest)."""
    clock = report_clock(clock_name, tz, hours, a.region_calendars)
    speed_rows, depth_rows = monthly_sales_rows(con, tz, as_of, month, a, clock)
    return _month_figures(monthly_leads(monthly_rows(con, tz, as_of)), speed_rows, depth_rows, as_of, tz, month)


def health_sections(con: duckdb.DuckDBPyConnection, tz: str, as_of: datetime | None, month: date, a: Assumptions,
                    clock_name: str, measured: Measured, hours: BusinessHours | None = None,
                    months: list[dict] | None = None) -> dict:
    """{"verdicts", "verdict_reasons", "health"}: verdicts as "met" | "missed" | "in progress" | "not measured"
    (null when the month has nothing to judge), each with its reason; ``months`` as for ``month_health``."""
    if as_of is None:
        judged = verdicts.judge(MonthFigures(month, "not started", None, 0), a, measured)
        health = Health(0, 0)
    else:
        judged, health = month_health(con, tz, as_of, month, a, clock_name, measured, hours, months)
    return {"verdicts": {name: v.verdict for name, v in judged.as_dict().items()},
            "verdict_reasons": {name: v.reason for name, v in judged.as_dict().items()},
            "health": health.as_dict()}
