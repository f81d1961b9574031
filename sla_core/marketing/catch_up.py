"""The plan when goals are missed (SPEC 8b): marketing's catch-up goal and sales' list to work first.

Marketing: with one leads_needed for every month (the assumptions in force), the deficit runs
over complete months from the first complete month with marketing leads,
D(M) = max(0, D(M−1) + leads_needed − marketing_leads(M)), and month N asks for
leads_needed + ceil(D(N−1) ÷ k), k the catch-up spread in months. Pure Python on the monthly
actuals, so a what-if move recomputes it without a query; the report passes the monthly rows it
reads once, straight into Python, for its run of misses too (``report.build``).

Sales' mirror: after a month that missed the speed or depth goal, the leads handed in it that
are still untouched past the speed goal, per rep, are the ones to work first (``work_first``).
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

import duckdb

from sla_core.assumptions import Assumptions
from sla_core.marketing.targets import compute_targets
from sla_core.sales.speed import speed_leads

if TYPE_CHECKING:
    import pandas as pd

    from sla_core.sales.clock import BusinessHours

SPREAD_MONTHS = (1, 2, 3)  # the catch-up spreads a user can choose
DEFAULT_SPREAD = 1
REPORT_KEYS = ("deficit_leads", "spread_months", "goal_leads", "revenue_at_risk")


def check_spread(spread_months: int) -> int:
    """The catch-up spread k, refused unless a whole number of months in SPREAD_MONTHS."""
    if isinstance(spread_months, bool) or spread_months not in SPREAD_MONTHS:
        raise ValueError(f"catch_up_months must be 1, 2 or 3, got {spread_months!r}")
    return int(spread_months)


@dataclass(frozen=True)
class DeficitMonth:
    """One complete month of the deficit run: its marketing leads and D(M) after it."""

    month: date
    marketing_leads: int
    deficit: int


def month_rows(monthly) -> tuple[Mapping, ...]:
    """Rows with month, marketing_leads and complete: SQL records as they are, a DataFrame's rows as dicts (a view
    keeps these once per dataset: converting the frame again cost each what-if rerun more than the plan itself)."""
    return tuple(monthly.to_dict("records") if hasattr(monthly, "to_dict") else monthly)


def deficit_run(monthly: Iterable[Mapping] | pd.DataFrame, leads_needed: int, before: date) -> tuple[DeficitMonth, ...]:
    """D(M) for every complete month before ``before``, from the first complete month with marketing leads.

    A month still in progress adds nothing until it ends; a complete month without leads after
    the first owes the whole goal. Over-delivery pays the deficit back, never below 0.
    """
    run, deficit = [], 0
    for row in sorted(month_rows(monthly), key=lambda r: r["month"]):
        leads = int(row["marketing_leads"])
        if not row["complete"] or row["month"] >= before or (not run and leads == 0):
            continue
        deficit = max(0, deficit + leads_needed - leads)
        run.append(DeficitMonth(row["month"], leads, deficit))
    return tuple(run)


@dataclass(frozen=True)
class CatchUp:
    """Month N's catch-up goal; n/a (None) figures when the assumptions give no lead target."""

    month: date
    leads_needed: int | None
    spread_months: int
    deficit_leads: int | None  # D(N−1): outstanding after the last complete month before N
    goal_leads: int | None  # leads_needed + ceil(D(N−1) ÷ k)
    revenue_at_risk: float | None  # D(N−1) × close rate × average deal size
    run: tuple[DeficitMonth, ...] = ()

    @property
    def extra_leads(self) -> int | None:
        """The part of the deficit month N asks for on top of the usual goal."""
        return None if self.goal_leads is None else self.goal_leads - self.leads_needed

    @property
    def deficit_through(self) -> date | None:
        """The last complete month the deficit counts (None before any)."""
        return self.run[-1].month if self.run else None

    def as_dict(self) -> dict:
        """The report's ``catch_up`` key (SPEC 9)."""
        return {key: getattr(self, key) for key in REPORT_KEYS}


def catch_up_plan(monthly: Iterable[Mapping] | pd.DataFrame, month: date, a: Assumptions,
                  spread_months: int = DEFAULT_SPREAD) -> CatchUp:
    """Month ``month``'s catch-up goal from the monthly actuals (``actuals.monthly_actuals`` or its records)."""
    k = check_spread(spread_months)
    needed = compute_targets(a).leads_needed
    if needed is None:
        return CatchUp(month, None, k, None, None, None)
    run = deficit_run(monthly, needed, month)
    deficit = run[-1].deficit if run else 0
    return CatchUp(month, needed, k, deficit, needed + math.ceil(deficit / k),
                   deficit * a.close_rate * a.avg_deal_size, run)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


# --- sales' mirror: the leads to work first after a speed or depth miss ------------------------

@dataclass(frozen=True, eq=False)
class WorkFirst:
    """The leads of ``month`` still untouched past the speed goal, oldest hand-off first, and how many per rep."""

    month: date
    speed_goal_hours: float
    leads: pd.DataFrame  # speed.speed_leads columns
    by_rep: tuple[tuple[str, int], ...]  # most untouched first
    own_goals: bool = False  # a goal rule sets a speed goal: each lead is past its own

    @property
    def goal_words(self) -> str:
        """The speed goal the leads are past, in words: "the 4 h speed goal" or each lead's own."""
        if self.own_goals:
            return f"their own speed goal ({self.speed_goal_hours:g} h unless a goal rule sets another)"
        return f"the {self.speed_goal_hours:g} h speed goal"

    @property
    def total(self) -> int:
        return len(self.leads)


def work_first(con: duckdb.DuckDBPyConnection, month: date, a: Assumptions, as_of: datetime | None, tz: str,
               clock: BusinessHours | None = None) -> WorkFirst:
    """The list to work first in the month after ``month`` missed speed or depth (the breaching list, untouched only).

    Untouched by the as-of time and past the goal window: ``speed.speed_leads``' "missed"
    leads without a first touch, each at its own speed goal (its first goal rule's, else the
    default). A lead touched late is answered; one below the depth goal was at least reached
    once, so neither is on this list.
    """
    untouched = speed_leads(con, "month", month, a.speed_goal_hours, a.depth_goal_attempts, as_of, tz, clock,
                            breaching_only=True, limit=None, rules=a.goal_rules, untouched_only=True)
    untouched = untouched.drop(columns="total")
    counts = untouched["owner"].value_counts()
    by_rep = tuple(sorted(((str(rep), int(n)) for rep, n in counts.items()), key=lambda p: (-p[1], p[0])))
    own_goals = any(r.speed_goal_hours is not None for r in a.goal_rules)
    return WorkFirst(month, a.speed_goal_hours, untouched, by_rep, own_goals)
