"""What the Overview and the Agreement pages draw: the SLA health of every month and the answer for the month picked.

Every query runs through the session's ``ResultCache`` by all of its inputs, so reopening a page,
picking another month or coming back to a goal already seen re-runs nothing; what-ifs that only
move a target re-join the kept frames. The verdicts come from ``verdicts.judge`` (through the
health table and ``headline``), never from a rule of the page's own.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import altair as alt
import duckdb
import pandas as pd

from sla_core.assumptions import Assumptions
from sla_core.cache import ResultCache
from sla_core.health import agreement, charts, headline, months
from sla_core.health import monthly as health
from sla_core.health.months import COMPLETE
from sla_core.health.verdicts import MISSED, Measured, MonthFigures
from sla_core.html_table import Table
from sla_core.marketing import actuals, catch_up
from sla_core.marketing.targets import TierAssumption, tier_targets
from sla_core.marketing.tiers import TierRule
from sla_core.sales import depth, speed
from sla_core.sales.clock import BusinessHours

if TYPE_CHECKING:
    from sla_core.ingest.load import Dataset


@dataclass(frozen=True)
class Settings:
    """A workspace's settings the leadership pages count with (the what-ifs of the Marketing and Sales pages)."""

    assumptions: Assumptions
    tier_rules: tuple[TierRule, ...]
    sales_clock: str  # "calendar" or "business"
    business_hours: BusinessHours | None
    tiers: tuple[TierAssumption, ...] | None = None  # None: tiers are off


@dataclass(frozen=True)
class MonthView:
    """Everything the Overview shows for one month: the answer, the charts (marked at the month) and the table."""

    headline: headline.Headline
    panels: tuple[dict, ...]  # marketing, speed, depth as Vega-Lite specs
    chart: Callable[[], alt.HConcatChart]  # builds the three side by side: the download, built only when asked for
    table: Table  # plain names, verdict colours
    export: pd.DataFrame  # the table with each verdict's reason: the CSV download


@dataclass(frozen=True)
class Overview:
    """The health table of every month of the data, and the month the pages open on."""

    table: pd.DataFrame  # monthly.COLUMNS
    figures: tuple[MonthFigures, ...]
    first: date  # the month shown first (SPEC 8)
    assumptions: Assumptions
    measured: Measured
    run: Callable = field(repr=False, compare=False)  # the session cache on this data version (``cache.get``)

    @property
    def months(self) -> list[date]:
        return [f.month for f in self.figures]

    @property
    def in_progress(self) -> date | None:
        """The month that holds the as-of time, when it has a row."""
        return next((f.month for f in self.figures if f.stage != COMPLETE), None)

    def headline(self, month: date) -> headline.Headline:
        return headline.headline(self.figures, self.assumptions, self.measured, month)

    def at(self, month: date) -> MonthView:
        """The Overview for ``month``: every figure on the page follows it."""
        a = self.assumptions
        return MonthView(self.headline(month), self.run(charts.panel_specs, self.table, a, month),
                         partial(charts.health_chart, self.table, a, month), health.status_view(self.table, month),
                         health.status_export(self.table))


def overview(con: duckdb.DuckDBPyConnection, dataset: Dataset, s: Settings, cache: ResultCache) -> Overview | None:
    """The SLA health (SPEC 8) on the Sales clock the workspace counts on; None when the data has no month yet."""
    run = partial(cache.get, dataset.version)
    tz, as_of, a = dataset.tz, dataset.as_of, s.assumptions
    if as_of is None:
        return None
    monthly = run(actuals.monthly_actuals, con, tz, as_of)
    if monthly.empty:
        return None
    clock = health.clock_for(s.sales_clock, s.business_hours, tz, a.region_calendars)
    daily = run(actuals.daily_marketing_leads, con, tz, as_of, s.tier_rules)
    speed_frame = run(speed.speed_by_period, con, "month", a.speed_goal_hours, as_of, tz, clock, rules=a.goal_rules)
    depth_frame = run(depth.depth_by_period, con, "month", a.depth_goal_attempts, as_of, tz, rules=a.goal_rules,
                      clock=clock)
    marketing = run(health.attainments, monthly, daily, a, as_of, tz)
    measured = Measured.of(dataset)
    table = run(health.health_table, monthly, marketing, speed_frame, depth_frame, a, measured)
    figures = run(health.month_figures, monthly, marketing, speed_frame, depth_frame)
    first = run(months.month_shown_first, con, tz, as_of)
    return Overview(table, tuple(figures), first, a, measured, run)


@dataclass(frozen=True)
class Draft:
    """The written agreement drafted from the live numbers of one month, and its downloads."""

    title: str
    sections: list[agreement.Section]
    markdown: str
    html: str
    plan: tuple[str, str]  # the live catch-up plan (marketing, sales) people add to
    terms: str  # the cancellation terms people add further conditions to


def as_of_text(dataset: Dataset) -> str:
    """The as-of time in the workspace zone, e.g. ``2025-01-15 17:00 Europe/Berlin``."""
    return f"{dataset.as_of.astimezone(ZoneInfo(dataset.tz)):%Y-%m-%d %H:%M} {dataset.tz}"


def _work_first(con: duckdb.DuckDBPyConnection, dataset: Dataset, s: Settings, shown: Overview, month: date,
                cache: ResultCache) -> catch_up.WorkFirst | None:
    """Sales' list to work first in ``month``: the month before's leads still untouched, when it missed speed or
    depth (SPEC 8b); None otherwise."""
    index = shown.months.index(month)
    if not index:
        return None
    before = shown.table.iloc[index - 1]
    if MISSED not in (before["speed_verdict"], before["depth_verdict"]):
        return None
    clock = health.clock_for(s.sales_clock, s.business_hours, dataset.tz, s.assumptions.region_calendars)
    return cache.get(dataset.version, catch_up.work_first, con, shown.months[index - 1], s.assumptions,
                     dataset.as_of, dataset.tz, clock)


def _tier_goals(s: Settings) -> list | None:
    """Each tier's goals when tiers are on; None when they are off or the tier table cannot give goals."""
    if s.tiers is None:
        return None
    try:
        return tier_targets(s.assumptions, s.tiers)
    except ValueError:
        return None


def agreement_draft(con: duckdb.DuckDBPyConnection, dataset: Dataset, s: Settings, text: agreement.AgreementText,
                    month: date, cache: ResultCache, read_only: bool = False) -> Draft | None:
    """The agreement for ``month`` from the live numbers; None when the data has no month yet. ``read_only``: a
    shared view, where a part nobody wrote reads as not filled in yet."""
    shown = overview(con, dataset, s, cache)
    if shown is None or month not in shown.months:
        return None
    a = s.assumptions
    monthly = cache.get(dataset.version, actuals.monthly_actuals, con, dataset.tz, dataset.as_of)
    plan = agreement.missed_goal_plan(catch_up.catch_up_plan(monthly, month, a, a.catch_up_months),
                                      _work_first(con, dataset, s, shown, month, cache))
    status = agreement.LiveStatus.of(shown.headline(month), as_of_text(dataset))
    sections = agreement.draft(a, status, text, plan, _tier_goals(s), read_only)
    title = f"Marketing–Sales SLA, {month:%B %Y}"
    return Draft(title, sections, agreement.to_markdown(title, sections), agreement.html_document(title, sections),
                 plan, agreement.cancellation_terms(status))
