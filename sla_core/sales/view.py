"""Everything the Sales SLA page draws, every DuckDB result kept in the session's cache by all of its inputs.

Flipping back to a period or goal already seen never re-runs a query; only aggregates and one
page of leads reach the browser. The speed figures are read in two parts: the goal-free
summary once per dataset, period and clock, and the narrow within/missed count per goal, so a
speed-goal move runs only the count (and the breaching list), and the charts that do not show
the goal are kept (the response chart's bars too: the goal is only its rule line).

Every verdict (the month's badge, each rep's "outside the SLA") comes from
``sla_core.health.verdicts``, with ``Measured.of(dataset)``: a figure the data cannot measure
is "not measured", never missed.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from sla_core import vega
from sla_core.assumptions import Assumptions
from sla_core.cache import ResultCache
from sla_core.export import csv_bytes
from sla_core.health import months as month_phases
from sla_core.health import verdicts
from sla_core.health.monthly import clock_for
from sla_core.health.verdicts import Measured, Verdict
from sla_core.marketing import catch_up
from sla_core.sales import bandwidth, charts, depth, segments, speed
from sla_core.sales import display as tables
from sla_core.sales.clock import BusinessHours
from sla_core.sales.region_calendars import NO_REGION_CALENDARS, RegionCalendars
from sla_core.sales.goal_rules import NO_RULES, GoalRules
from sla_core.sales.period_charts import PeriodCharts

if TYPE_CHECKING:
    from sla_core.ingest.load import Dataset

PAGE_SIZE = 100
CLOCK_LABELS = {"calendar": "hours", "business": "business hours"}
# The drill-down list asks about a figure the data cannot measure with a goal no lead can breach
# (no first-touch date: no lead is ever due; no attempt counts: every lead is at a goal of 0), and
# the page shows that figure as "not measured": the list keeps the breaches that can be measured.
NEVER_DUE_HOURS = 1e9  # about 114,000 years, still a 64-bit count of microseconds
NO_DEPTH_GOAL = 0


@dataclass(frozen=True)
class Headline:
    """The chosen month's speed and depth figures (plain numbers, None where n/a) and their verdicts."""

    month: date
    stage: str  # months.COMPLETE, IN_PROGRESS or NOT_STARTED
    speed: dict
    depth: dict
    measured: Measured
    speed_verdict: Verdict
    depth_verdict: Verdict
    sales_verdict: Verdict

    @property
    def missed(self) -> bool:
        """The month missed the speed or the depth goal (a complete month: the list to work first follows)."""
        return bool(self.missed_goals)

    @property
    def missed_goals(self) -> str:
        """Which goals the month missed, in words: "speed", "depth", "speed and depth" or ""."""
        parts = [name for name, v in (("speed", self.speed_verdict), ("depth", self.depth_verdict))
                 if v.verdict == verdicts.MISSED]
        return " and ".join(parts)


@dataclass(frozen=True)
class Breaches:
    """Which leads the drill-down lists: one month, one rep or all, breaching only or every lead."""

    month: date
    owner: str | None
    breaching_only: bool


@dataclass(frozen=True)
class HolidaySpan:
    """The days a holiday can matter on: from the start of the year before the first hand-off (a routing delay
    can start then) to the end of the as-of year (a goal window that closes later is not due yet)."""

    first: date
    last: date

    @classmethod
    def of(cls, years: range) -> HolidaySpan | None:
        return cls(date(years.start - 1, 1, 1), date(years.stop - 1, 12, 31)) if years else None

    @property
    def rule(self) -> str:
        return (f"only holidays from {self.first.year} to {self.last.year} count (the year before the first "
                "hand-off to the as-of year)")

    def bound(self, hours: BusinessHours) -> tuple[BusinessHours, int]:
        """``hours`` with its holidays in this span, and how many were left out."""
        kept = hours.holidays_between(self.first, self.last)
        return kept, len(hours.holidays) - len(kept.holidays)


@dataclass(frozen=True)
class Sales:
    """The Sales page's data on one dataset and clock (``clock`` None: calendar hours)."""

    con: duckdb.DuckDBPyConnection
    dataset: Dataset
    clock: BusinessHours | None
    run: Callable  # ResultCache.get bound to this dataset's version
    measured: Measured = verdicts.ALL_MEASURED
    business_hours: BusinessHours | None = None  # the workspace's business hours, holidays bounded to the data
    holiday_span: HolidaySpan | None = None
    holidays_left_out: int = 0  # holidays of the workspace's list outside ``holiday_span``

    @property
    def clock_label(self) -> str:
        return CLOCK_LABELS["business" if self.clock else "calendar"]

    @property
    def months(self) -> list[date]:
        """The months with hand-offs (by the as-of time), oldest first."""
        return list(self._summary("month", self.clock)["period_start"])

    @property
    def as_of_month(self) -> date | None:
        as_of = self.dataset.as_of
        return None if as_of is None else month_phases.as_of_month(as_of, self.dataset.tz)

    def month_first(self) -> date | None:
        """The month the page opens on: the month shown first on every page (SPEC 8), or the latest month with
        hand-offs before it when it has none."""
        months = self.months
        if not months:
            return None
        first = self.run(month_phases.month_shown_first, self.con, self.dataset.tz, self.dataset.as_of)
        earlier = [m for m in months if first is not None and m <= first]
        return earlier[-1] if earlier else months[-1]

    def month_label(self, month: date, fmt: str = "%b %Y") -> str:
        """"Jan 2025", or "Jan 2025 (in progress)" for the as-of month (``fmt`` "%B %Y": "January 2025 …")."""
        return tables.month_option(month, self.as_of_month, fmt)

    def day_span(self) -> tuple[date, date] | None:
        """The first and last local day the day view can show: the first month of hand-offs to the as-of day."""
        months = self.months
        if not months or self.dataset.as_of is None:
            return None
        return months[0], self.dataset.as_of.astimezone(ZoneInfo(self.dataset.tz)).date()

    def headline(self, a: Assumptions, month: date) -> Headline:
        s = self.run(speed.period_row, self._speed(a, "month"), month, (*speed.REPORT_KEYS, "touched_before_handoff"))
        d = self.run(speed.period_row, self._depth(a, "month"), month, ("handed", *depth.REPORT_KEYS))
        stage = month_phases.phase(month, self.dataset.as_of, self.dataset.tz)
        speed_goal, depth_goal = verdicts.named_goals(a)
        speed_verdict = verdicts.speed(month, stage, self.measured.speed, s["handed"], s["pct_within_goal"],
                                       a.speed_target_share, speed_goal)
        depth_verdict = verdicts.depth(month, stage, self.measured.depth, d["handed"], d["not_connected"],
                                       d["pct_at_goal"], a.depth_target_share, depth_goal)
        return Headline(month, stage, s, d, self.measured, speed_verdict, depth_verdict,
                        verdicts.sales(speed_verdict, depth_verdict))

    def missed_month(self, a: Assumptions, month: date) -> date | None:
        """The month whose leads to work first follow ``month``: ``month`` itself once complete and missed, or,
        while ``month`` is in progress, the month before it when that one missed; None otherwise."""
        shown = self.headline(a, month)
        if shown.stage == month_phases.COMPLETE:
            return month if shown.missed else None
        before = (month - timedelta(days=1)).replace(day=1)
        return before if before in self.months and self.headline(a, before).missed else None

    def work_first(self, a: Assumptions, month: date) -> catch_up.WorkFirst | None:
        """The leads of ``month`` still untouched past the speed goal (None without first-touch data: every
        lead would look untouched). Kept per speed and depth goal, whatever the other assumptions."""
        if not self.measured.speed:
            return None
        goals = Assumptions(speed_goal_hours=a.speed_goal_hours, depth_goal_attempts=a.depth_goal_attempts,
                            goal_rules=a.goal_rules)
        return self.run(catch_up.work_first, self.con, month, goals, self.dataset.as_of, self.dataset.tz, self.clock)

    def by_period(self, a: Assumptions, period: str, statistic: str = "mean",
                  days: tuple[date, date] | None = None) -> PeriodCharts:
        """The figures of ``period`` (day, week, month), ``days`` (first, last) only when given, for the charts;
        every chart spans the same periods, and those that do not show a goal are kept."""
        frames = (self._summary(period, self.clock), self._speed(a, period), self._depth(a, period))
        if days is not None:
            frames = tuple(self.run(tables.between, frame, *days) for frame in frames)
        summary, by_period, depth_frame = frames
        return PeriodCharts(tables.range_caption(by_period, period), self, a, period, statistic, summary, by_period,
                            depth_frame, self.run(charts.span_of, summary, period))

    def reps(self, a: Assumptions, month: date) -> tables.RepTable:
        """One row per rep handed leads in ``month``, reps outside the SLA first (at most ``REP_LIMIT``)."""
        stage = month_phases.phase(month, self.dataset.as_of, self.dataset.tz)
        return self.run(tables.rep_table, self._speed(a, "month", by_rep=True), self._depth(a, "month", by_rep=True),
                        month, stage, self.measured, a, tables.REP_LIMIT)

    def bandwidth(self, a: Assumptions, month: date, rep_hours: bandwidth.RepHours) -> bandwidth.Bandwidth:
        """Each rep's load of ``month`` against their hours: the month's loads are read once, a what-if is
        arithmetic."""
        loads = self.run(bandwidth.rep_loads, self.con, month, self.dataset.as_of, self.dataset.tz,
                         self.run(bandwidth.rule_keys, a.goal_rules))
        return self.run(bandwidth.bandwidth, loads, a, month, rep_hours)

    def rep_chart(self, table: tables.RepTable, a: Assumptions) -> dict:
        """The reps' share within the speed goal against the target (the rep table's reps), as a Vega-Lite spec."""
        return self.run(vega.built, charts.rep_chart, table.frame, a.speed_target_share)

    def rep_grid(self, table: tables.RepTable) -> pd.DataFrame:
        """The rep table as its grid shows it (``display.shown_reps``)."""
        return self.run(tables.shown_reps, table.frame, self.measured)

    def bandwidth_grid(self, bw: bandwidth.Bandwidth) -> pd.DataFrame:
        """The bandwidth table as its grid shows it: the reps most hours short, the others summed, the team."""
        return self.run(_bandwidth_grid, bw, self.measured.depth)

    def lead_grid(self, leads: pd.DataFrame, own_goals: bool = False) -> pd.DataFrame:
        """The first page of ``leads`` (a kept result: a lead list of this view) as the grid shows it; ``own_goals``
        (goal rules are set): each lead's goals beside its status."""
        return self.run(_lead_grid, leads, self.measured, own_goals)

    def bandwidth_chart(self, bw: bandwidth.Bandwidth) -> dict:
        """The bandwidth chart of the reps most hours short (as many as the rep table lists), as a Vega-Lite spec."""
        return self.run(vega.built, charts.bandwidth_chart, bw, tables.REP_LIMIT)

    def breaching(self, a: Assumptions, which: Breaches, page: int) -> pd.DataFrame:
        """One page (from 1) of the leads ``which`` names, oldest hand-off first; ``total`` counts them all."""
        return self.run(speed.speed_leads, self.con, *self._lead_args(a, which), owner=which.owner,
                        breaching_only=which.breaching_only, limit=PAGE_SIZE, offset=(int(page) - 1) * PAGE_SIZE,
                        rules=self._lead_rules(a))

    def breaching_csv(self, a: Assumptions, which: Breaches) -> bytes:
        """Every lead ``which`` names as CSV. Runs on click, on a thread of its own: on the session's own
        connection (where a shared view's ``leads`` is), in the session's turn, the list not kept."""
        return self.run.alone(_leads_csv, self.con, *self._lead_args(a, which), owner=which.owner,
                              breaching_only=which.breaching_only, rules=self._lead_rules(a))

    def _lead_rules(self, a: Assumptions) -> GoalRules:
        """The goal rules of the lead list; none when a figure is not measured (its never-due goal then holds
        every lead, as ``_lead_args`` says)."""
        return a.goal_rules if self.measured.speed and self.measured.depth else NO_RULES

    def _lead_args(self, a: Assumptions, which: Breaches) -> tuple:
        goal_hours = a.speed_goal_hours if self.measured.speed else NEVER_DUE_HOURS
        depth_goal = a.depth_goal_attempts if self.measured.depth else NO_DEPTH_GOAL
        return ("month", which.month, goal_hours, depth_goal, self.dataset.as_of, self.dataset.tz, self.clock)

    def _summary(self, period: str, clock: BusinessHours | None, by_rep: bool = False) -> pd.DataFrame:
        """The speed figures a goal move leaves alone: kept per dataset, period and clock, whatever the goal."""
        return self.run(speed.speed_summary, self.con, period, self.dataset.as_of, self.dataset.tz, clock,
                        by_owner=by_rep)

    def _speed(self, a: Assumptions, period: str, by_rep: bool = False) -> pd.DataFrame:
        """Speed figures at the goal of ``a``: the summary joined with the within/missed count, the only speed
        statement a goal move runs; the month's totals come from the rep count, so a month needs one count."""
        by_owner = by_rep or period == "month"
        counts = self.run(speed.goal_counts, self.con, period, a.speed_goal_hours, self.dataset.as_of,
                          self.dataset.tz, self.clock, by_owner=by_owner, rules=a.goal_rules)
        frame = self.run(speed.with_goal, self._summary(period, self.clock, by_rep), counts)
        return self.run(speed.rep_rows, frame) if by_rep else frame

    def _depth(self, a: Assumptions, period: str, by_rep: bool = False) -> pd.DataFrame:
        compute = depth.depth_by_rep if by_rep else depth.depth_by_period
        return self.run(compute, self.con, period, a.depth_goal_attempts, self.dataset.as_of, self.dataset.tz,
                        rules=a.goal_rules, clock=self.clock)

    def segments(self, a: Assumptions, month: date) -> list[segments.Segment]:
        """Each goal rule's figures in ``month`` beside its baseline, then the leads on the defaults."""
        return self.run(segments.month_segments, self.con, a, month, self.dataset.as_of, self.dataset.tz,
                        self.clock, self.measured)

    def suggestions(self, a: Assumptions, month: date) -> list[segments.Suggestion]:
        """A speed goal per rule a step better than its baseline, with last month's share within it."""
        return self.run(segments.suggest, self.con, a, month, self.dataset.as_of, self.dataset.tz, self.clock)

    def segment_values(self, field: str) -> list[tuple[str, int]]:
        """The values of a segment field in the data with their numbers of leads, most first (the rules editor)."""
        return self.run(segments.values_of, self.con, field)


def load(con: duckdb.DuckDBPyConnection, dataset: Dataset, sales_clock: str, hours: BusinessHours | None,
         cache: ResultCache, regions: RegionCalendars = NO_REGION_CALENDARS) -> Sales:
    """The Sales page's data on ``dataset``, counted on ``sales_clock`` ("calendar" or "business" ``hours``, the
    leads of ``regions`` on their own calendars).

    The business hours' holidays are bounded to the data (``HolidaySpan``), whatever list a
    workspace or scenario holds.
    """
    run = cache.runner(dataset.version)
    span = HolidaySpan.of(_hand_off_years(con, dataset, run))
    shown, left_out = business_hours(hours, dataset.tz), 0
    if span is not None:
        shown, left_out = span.bound(shown)
    clock = _bounded(span, shown.with_regions(regions)) if sales_clock == "business" else None
    return Sales(con, dataset, clock, run, Measured.of(dataset), shown, span, left_out)


def _bounded(span: HolidaySpan | None, clock: BusinessHours) -> BusinessHours:
    return span.bound(clock)[0] if span is not None else clock


def _hand_off_years(con: duckdb.DuckDBPyConnection, dataset: Dataset, run: Callable) -> range:
    """The years with hand-offs: the periods do not depend on the goals or the clock, so this is read once per
    dataset rather than on every speed-goal move."""
    return tables.years_of(run(speed.speed_summary, con, "month", dataset.as_of, dataset.tz, None, by_owner=False))


def business_hours(hours: BusinessHours | None, tz: str) -> BusinessHours:
    """The business hours a workspace counts on in ``tz``: its own, or Mon–Fri 09:00–17:00."""
    return clock_for("business", hours, tz)


def with_holidays(hours: BusinessHours, more: Iterable[date]) -> BusinessHours:
    """``hours`` with ``more`` holidays added."""
    return BusinessHours(hours.tz, hours.weekdays, hours.open, hours.close, hours.holidays + tuple(more))


def _bandwidth_grid(bw: bandwidth.Bandwidth, attempts_measured: bool) -> pd.DataFrame:
    return tables.shown_bandwidth(bw.table_rows(tables.REP_LIMIT), attempts_measured)


def _lead_grid(leads: pd.DataFrame, measured: Measured, own_goals: bool) -> pd.DataFrame:
    return tables.lead_rows(leads.head(PAGE_SIZE), measured, own_goals=own_goals)


def _leads_csv(con: duckdb.DuckDBPyConnection, *lead_args, owner: str | None, breaching_only: bool,
               rules=NO_RULES) -> bytes:
    leads = speed.speed_leads(con, *lead_args, owner=owner, breaching_only=breaching_only, limit=None, rules=rules)
    return csv_bytes(tables.lead_csv_frame(leads, own_goals=bool(rules)))
