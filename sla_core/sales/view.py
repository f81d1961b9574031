"""Everything the Sales SLA page draws, every DuckDB result kept in the session's cache by all of its inputs.

Flipping back to a period or goal already seen never re-runs a query; only aggregates and one
page of leads reach the browser. The speed figures are read in two parts: the goal-free
summary once per dataset, period and clock, and the narrow within/missed count per goal, so a
speed-goal move runs only the count (and the breaching list), and the charts that do not show
the goal are kept (the response chart's bars too: the goal is only its rule line).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import altair as alt
import duckdb
import pandas as pd

from sla_core.assumptions import Assumptions
from sla_core.cache import ResultCache
from sla_core.export import csv_bytes
from sla_core.health.monthly import clock_for
from sla_core.sales import charts, depth, speed
from sla_core.sales import display as tables
from sla_core.sales.clock import BusinessHours

if TYPE_CHECKING:
    from sla_core.ingest.load import Dataset

PAGE_SIZE = 100
CLOCK_LABELS = {"calendar": "hours", "business": "business hours"}


@dataclass(frozen=True)
class Headline:
    """The chosen month's speed and depth figures (plain numbers, None where n/a) and whether the SLA is met."""

    speed: dict
    depth: dict
    status: str  # "Met", "Missed" or n/a
    missed: str | None  # what was missed, in words


@dataclass(frozen=True)
class PeriodCharts:
    """Speed and depth per period of hand-off: what the charts cover, the seven charts and the CSV."""

    caption: str
    within_goal: alt.LayerChart
    response: alt.LayerChart
    bands: alt.Chart
    delay: alt.Chart
    attempts: alt.LayerChart
    worked: alt.Chart
    csv: bytes


@dataclass(frozen=True)
class Breaches:
    """Which leads the drill-down lists: one month, one rep or all, breaching only or every lead."""

    month: date
    owner: str | None
    breaching_only: bool


@dataclass(frozen=True)
class Sales:
    """The Sales page's data on one dataset and clock (``clock`` None: calendar hours)."""

    con: duckdb.DuckDBPyConnection
    dataset: Dataset
    clock: BusinessHours | None
    run: Callable  # ResultCache.get bound to this dataset's version

    @property
    def clock_label(self) -> str:
        return CLOCK_LABELS["business" if self.clock else "calendar"]

    @property
    def months(self) -> list[date]:
        """The months with hand-offs (by the as-of time), oldest first."""
        return list(self._summary("month", self.clock)["period_start"])

    def headline(self, a: Assumptions, month: date) -> Headline:
        s = speed.period_row(self._speed(a, "month"), month, (*speed.REPORT_KEYS, "touched_before_handoff"))
        d = speed.period_row(self._depth(a, "month"), month, depth.REPORT_KEYS)
        status, missed = tables.sla_status(s["pct_within_goal"], a.speed_target_share, d["avg_attempts"],
                                           a.depth_goal_attempts)
        return Headline(s, d, status, missed)

    def by_period(self, a: Assumptions, period: str) -> PeriodCharts:
        """The charts of ``period`` (day, week, month); those that do not show the speed goal are kept."""
        summary, by_period = self._summary(period, self.clock), self._speed(a, period)
        depth_frame = self._depth(a, period)
        bars = self.run(charts.response_bars, summary, period, self.clock_label)
        goal = a.depth_goal_attempts
        return PeriodCharts(
            caption=tables.range_caption(by_period, period),
            within_goal=charts.within_goal_chart(by_period, period, a.speed_target_share),
            response=charts.response_chart(bars, a.speed_goal_hours, self.clock_label),
            bands=self.run(charts.bands_chart, summary, period),
            delay=self.run(charts.delay_chart, summary, period, self.clock_label),
            attempts=self.run(charts.attempts_chart, depth_frame, period, goal),
            worked=self.run(charts.worked_chart, depth_frame, period),
            csv=self.run(_period_csv, by_period, depth_frame, period))

    def reps(self, a: Assumptions, month: date) -> pd.DataFrame:
        """One row per rep handed leads in ``month``, reps outside the SLA first."""
        return self.run(tables.rep_table, self._speed(a, "month", by_rep=True), self._depth(a, "month", by_rep=True),
                        month, a.speed_target_share, a.depth_goal_attempts)

    def breaching(self, a: Assumptions, which: Breaches, page: int) -> pd.DataFrame:
        """One page (from 1) of the leads ``which`` names, oldest hand-off first; ``total`` counts them all."""
        return self.run(speed.speed_leads, self.con, *self._lead_args(a, which), owner=which.owner,
                        breaching_only=which.breaching_only, limit=PAGE_SIZE, offset=(int(page) - 1) * PAGE_SIZE)

    def breaching_csv(self, a: Assumptions, which: Breaches) -> bytes:
        """Every lead ``which`` names as CSV. Runs on click, on a thread of its own: on the session's own
        connection (where a shared view's ``leads`` is), in the session's turn, the list not kept."""
        return self.run.alone(_leads_csv, self.con, *self._lead_args(a, which), owner=which.owner,
                              breaching_only=which.breaching_only)

    def _lead_args(self, a: Assumptions, which: Breaches) -> tuple:
        return ("month", which.month, a.speed_goal_hours, a.depth_goal_attempts, self.dataset.as_of, self.dataset.tz,
                self.clock)

    def _summary(self, period: str, clock: BusinessHours | None, by_rep: bool = False) -> pd.DataFrame:
        """The speed figures a goal move leaves alone: kept per dataset, period and clock, whatever the goal."""
        return self.run(speed.speed_summary, self.con, period, self.dataset.as_of, self.dataset.tz, clock,
                        by_owner=by_rep)

    def _speed(self, a: Assumptions, period: str, by_rep: bool = False) -> pd.DataFrame:
        """Speed figures at the goal of ``a``: the summary joined with the within/missed count, the only speed
        statement a goal move runs; the month's totals come from the rep count, so a month needs one count."""
        by_owner = by_rep or period == "month"
        counts = self.run(speed.goal_counts, self.con, period, a.speed_goal_hours, self.dataset.as_of,
                          self.dataset.tz, self.clock, by_owner=by_owner)
        frame = self.run(speed.with_goal, self._summary(period, self.clock, by_rep), counts)
        return self.run(speed.rep_rows, frame) if by_rep else frame

    def _depth(self, a: Assumptions, period: str, by_rep: bool = False) -> pd.DataFrame:
        compute = depth.depth_by_rep if by_rep else depth.depth_by_period
        return self.run(compute, self.con, period, a.depth_goal_attempts, self.dataset.as_of, self.dataset.tz)


def load(con: duckdb.DuckDBPyConnection, dataset: Dataset, sales_clock: str, hours: BusinessHours | None,
         cache: ResultCache) -> Sales:
    """The Sales page's data on ``dataset``, counted on ``sales_clock`` ("calendar" or "business" ``hours``)."""
    return Sales(con, dataset, clock_for(sales_clock, hours, dataset.tz), cache.runner(dataset.version))


def hand_off_years(con: duckdb.DuckDBPyConnection, dataset: Dataset, cache: ResultCache) -> range:
    """The years with hand-offs, for the public-holiday prefill: the periods do not depend on the
    goals or the clock, so this is read once per dataset rather than on every speed-goal move."""
    calendar = Sales(con, dataset, None, cache.runner(dataset.version))
    return tables.years_of(calendar._summary("month", None))


def business_hours(hours: BusinessHours | None, tz: str) -> BusinessHours:
    """The business hours a workspace counts on in ``tz``: its own, or Mon–Fri 09:00–17:00."""
    return clock_for("business", hours, tz)


def with_holidays(hours: BusinessHours, more: Iterable[date]) -> BusinessHours:
    """``hours`` with ``more`` holidays added."""
    return BusinessHours(hours.tz, hours.weekdays, hours.open, hours.close, hours.holidays + tuple(more))


def _period_csv(by_period: pd.DataFrame, depth_frame: pd.DataFrame, period: str) -> bytes:
    return csv_bytes(tables.period_table(by_period, depth_frame, period))


def _leads_csv(con: duckdb.DuckDBPyConnection, *lead_args, owner: str | None, breaching_only: bool) -> bytes:
    return csv_bytes(speed.speed_leads(con, *lead_args, owner=owner, breaching_only=breaching_only,
                                       limit=None).drop(columns="total"))
