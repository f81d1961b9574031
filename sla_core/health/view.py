"""What the Overview and the Agreement pages draw: the SLA health table and what follows from it.

Every query runs through the session's ``ResultCache`` by all of its inputs, so reopening a page
or coming back to a goal already seen re-runs nothing; what-ifs that only move a target re-join
the kept frames.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import altair as alt
import duckdb
import pandas as pd

from sla_core.assumptions import Assumptions
from sla_core.cache import ResultCache
from sla_core.health import agreement
from sla_core.health import monthly as health
from sla_core.marketing import actuals
from sla_core.marketing.tiers import TierRule
from sla_core.sales import depth, speed
from sla_core.sales.clock import BusinessHours

if TYPE_CHECKING:
    from sla_core.ingest.load import Dataset


@dataclass(frozen=True)
class Overview:
    """The health table month by month, its latest month (the headline) and its chart."""

    table: pd.DataFrame
    latest: dict
    chart: alt.LayerChart


@dataclass(frozen=True)
class Draft:
    """The written agreement drafted from the live numbers, and its downloads."""

    title: str
    sections: list[agreement.Section]
    markdown: str
    html: str


def health_table(con: duckdb.DuckDBPyConnection, dataset: Dataset, a: Assumptions, tier_rules: tuple[TierRule, ...],
                 sales_clock: str, business_hours: BusinessHours | None, cache: ResultCache) -> pd.DataFrame:
    """The SLA health table (SPEC 8) on the Sales clock the workspace counts on."""
    run = partial(cache.get, dataset.version)
    tz, as_of = dataset.tz, dataset.as_of
    clock = health.clock_for(sales_clock, business_hours, tz)
    monthly = run(actuals.monthly_actuals, con, tz, as_of)
    daily = run(actuals.daily_marketing_leads, con, tz, as_of, tier_rules)
    speed_frame = run(speed.speed_by_period, con, "month", a.speed_goal_hours, as_of, tz, clock)
    depth_frame = run(depth.depth_by_period, con, "month", a.depth_goal_attempts, as_of, tz)
    return run(health.health_from, monthly, daily, speed_frame, depth_frame, a, as_of, tz)


def overview(con: duckdb.DuckDBPyConnection, dataset: Dataset, a: Assumptions, tier_rules: tuple[TierRule, ...],
             sales_clock: str, business_hours: BusinessHours | None, cache: ResultCache) -> Overview:
    """The Overview page's figures: the health table, its latest month and the chart of it."""
    table = health_table(con, dataset, a, tier_rules, sales_clock, business_hours, cache)
    return Overview(table, health.headline(table), health.health_chart(table, a.speed_target_share))


def as_of_text(dataset: Dataset) -> str:
    """The as-of time in the workspace zone, e.g. ``2025-01-15 17:00 Europe/Berlin``."""
    return f"{dataset.as_of.astimezone(ZoneInfo(dataset.tz)):%Y-%m-%d %H:%M} {dataset.tz}"


def agreement_draft(con: duckdb.DuckDBPyConnection, dataset: Dataset, a: Assumptions,
                    tier_rules: tuple[TierRule, ...], sales_clock: str, business_hours: BusinessHours | None,
                    text: agreement.AgreementText, cache: ResultCache) -> Draft | None:
    """The agreement drafted from the latest month of the health table; None when the data has no month yet."""
    latest = health.headline(health_table(con, dataset, a, tier_rules, sales_clock, business_hours, cache))
    if not latest:
        return None
    status = agreement.status_from(latest, as_of_text(dataset))
    sections = agreement.draft(a, status, text)
    title = _title(status.month)
    return Draft(title, sections, agreement.to_markdown(title, sections), agreement.html_document(title, sections))


def _title(month: date) -> str:
    return f"Marketing–Sales SLA, {month:%B %Y}"
