"""The digest's two charts as PNG: the month's goal line and the speed chart, drawn by the pages' own chart code.

The goal line is rebuilt from the report's own points (no second read), so the picture is the
report's numbers; the speed chart is the Sales page's "share within the goal" chart over the last
``TREND_MONTHS`` months up to the report's month, on the report's clock, so its last bar is the
report's ``speed.pct_within_goal``.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

import duckdb

from sla_core.assumptions import Assumptions
from sla_core.export import chart_bytes
from sla_core.health import verdicts
from sla_core.ingest.dataset import Dataset
from sla_core.marketing import charts as marketing_charts
from sla_core.marketing import goal_line
from sla_core.report import parse_month
from sla_core.sales import charts as sales_charts
from sla_core.sales import display
from sla_core.sales import speed
from sla_core.sales.clock import BusinessHours
from sla_core.sales.report import report_clock

TREND_MONTHS = 6


@dataclass(frozen=True)
class Image:
    """One chart of the digest: a name for its Content-ID, what it shows (the alt text) and the PNG."""

    name: str
    alt: str
    png: bytes


def goal_line_of(report: Mapping, dataset: Dataset) -> goal_line.GoalLine:
    """The report's goal line as the chart code takes it: daily counts recovered from its cumulative points."""
    month = parse_month(report["month"])
    daily, before = {}, 0.0
    for point in report["goal_line"]:
        if point["actual_cum"] is not None:
            daily[date.fromisoformat(point["date"])] = point["actual_cum"] - before
            before = point["actual_cum"]
    return goal_line.goal_line(daily, month, report["targets"]["leads_needed"], dataset.as_of or date.min,
                               tz=dataset.tz if dataset.as_of else None)


def _months_back(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


def speed_trend(con: duckdb.DuckDBPyConnection, dataset: Dataset, report: Mapping, a: Assumptions, clock_name: str,
                hours: BusinessHours | None = None):
    """Speed per month of hand-off for the last TREND_MONTHS months up to the report's month (a DataFrame), each
    month with its speed verdict (the chart colours a bar by it)."""
    month = parse_month(report["month"])
    first = _months_back(month, TREND_MONTHS - 1)
    window = (speed.month_window(first, dataset.tz)[0], speed.month_window(month, dataset.tz)[1])
    trend = speed.speed_by_period(con, "month", a.speed_goal_hours, dataset.as_of, dataset.tz,
                                  report_clock(clock_name, dataset.tz, hours, a.region_calendars),
                                  handed_between=window, rules=a.goal_rules)
    as_of_local = dataset.as_of.astimezone(ZoneInfo(dataset.tz)).replace(tzinfo=None)
    return display.period_verdicts(trend, "month", as_of_local, True, a.speed_target_share,
                                   verdicts.named_goals(a)[0])


def images(con: duckdb.DuckDBPyConnection, dataset: Dataset, report: Mapping, a: Assumptions,
           clock_name: str, hours: BusinessHours | None = None) -> tuple[Image, ...]:
    """The goal line, and the speed chart when the data measures speed and handed leads in those months."""
    month = parse_month(report["month"])
    line = goal_line_of(report, dataset)
    drawn = [Image("goal-line", f"{month:%B %Y}: marketing leads against the goal line",
                   chart_bytes(marketing_charts.goal_line_chart(line), "png"))]
    if report["speed"].get("measured", True):
        trend = speed_trend(con, dataset, report, a, clock_name, hours)
        if not trend.empty and trend["pct_within_goal"].notna().any():
            chart = sales_charts.within_goal_chart(trend, "month", a.speed_target_share)
            within = "their own speed goals" if a.goal_rules else f"{a.speed_goal_hours:g} h"
            drawn.append(Image("speed", f"Share of leads followed up within {within}, month by month",
                               chart_bytes(chart, "png")))
    return tuple(drawn)
