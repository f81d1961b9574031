"""Which monthly cohorts are mature, and where a maturing cohort's close rate is heading (SPEC 3).

A cohort (the marketing leads that became MQLs in month M) gains customers for as long as deals
take to close, so its close rate keeps rising until M is *mature*: the time from the end of M to
the as-of time is at least the 90th percentile of the observed MQL → customer cycle (all marketing
customers; 90 days while there are fewer than 20). "Use my actuals" pools mature months only.

The projection uses no fitted model, only the mature cohorts' own conversion curve: F(t) is the
share of their customers who became customers within t days of becoming an MQL. A cohort a days
old (the as-of time − its mid-month) with c customers so far out of n leads has presumably seen
F(a) of the customers it will get, so its projected close rate is c ÷ (n × F(a)). While F(a) is
below 0.2 it is too early to tell. Plain Python over two small frames queried once per dataset.
"""
from __future__ import annotations

import calendar
import math
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import duckdb

from sla_core import queries

if TYPE_CHECKING:
    import pandas as pd

PERCENTILE = 0.9
FEW_CUSTOMERS = 20  # below this many marketing customers the threshold is DEFAULT_THRESHOLD_DAYS
DEFAULT_THRESHOLD_DAYS = 90.0
LEAST_CONVERTED = 0.2  # F(a) below this: too early to tell
MATURE, MATURING, IN_PROGRESS = "mature", "maturing", "in progress"
TOO_EARLY, NO_CURVE, NO_LEADS = "too early to tell", "no mature month to learn from yet", "no leads"
DAY = timedelta(days=1)


def conversion_cycles(con: duckdb.DuckDBPyConnection, tz: str, as_of: datetime | None) -> pd.DataFrame:
    """Per marketing customer by the as-of time: its MQL month (a ``date``) and its cycle in days, shortest first."""
    import pandas as pd

    if as_of is None:
        return pd.DataFrame({"month": [], "cycle_days": []})
    df = queries.frame(con, "marketing/conversion_cycles", tz=tz, as_of=as_of)
    df["month"] = pd.to_datetime(df["month"]).dt.date
    return df


def quantile(ordered: tuple[float, ...], q: float) -> float:
    """The continuous quantile of sorted values (linear interpolation: numpy's default, DuckDB's quantile_cont)."""
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Curve:
    """F(t), the mature cohorts' conversion curve: the share of their customers converted within t days."""

    cycle_days: tuple[float, ...]  # every customer's cycle, sorted

    def share_within(self, days: float) -> float | None:
        """F(days); None (n/a) without a mature cohort's customer to learn from."""
        if not self.cycle_days:
            return None
        return bisect_right(self.cycle_days, days) / len(self.cycle_days)

    def steps(self) -> list[tuple[float, float]]:
        """(t, F(t)) where F steps up, from (0, F(0)): the points of the curve's chart."""
        if not self.cycle_days:
            return []
        points = [(0.0, self.share_within(0.0))]
        points += [(t, self.share_within(t)) for t in sorted(set(self.cycle_days)) if t > 0]
        return points


@dataclass(frozen=True)
class Cohort:
    """One month's marketing leads against the as-of time, and their projected close rate while maturing."""

    month: date
    stage: str  # IN_PROGRESS, MATURING or MATURE
    marketing_leads: int
    customers: int
    age_days: float  # the as-of time − the month's midpoint
    converted_share: float | None  # F(age) of a cohort not yet mature
    projected_close_rate: float | None  # c ÷ (n × F(age)) while F(age) ≥ LEAST_CONVERTED
    no_projection: str  # why there is none: MATURE, NO_LEADS, TOO_EARLY or NO_CURVE; "" when projected

    @property
    def close_rate(self) -> float | None:
        return self.customers / self.marketing_leads if self.marketing_leads else None


@dataclass(frozen=True, eq=False)
class Maturity:
    """The maturity threshold, the conversion curve it gives, and every month's cohort.

    Compared by identity: a view's cache keys on the one object it keeps per dataset."""

    threshold_days: float
    customers: int  # marketing customers the threshold was taken over
    curve: Curve
    cohorts: tuple[Cohort, ...]  # oldest month first
    mature_months: frozenset[date]

    @property
    def threshold_from(self) -> str:
        """Where the threshold comes from, in words."""
        if self.customers < FEW_CUSTOMERS:
            return (f"{DEFAULT_THRESHOLD_DAYS:.0f} days: the data has {self.customers} marketing "
                    f"customer{'' if self.customers == 1 else 's'}, fewer than {FEW_CUSTOMERS}")
        return f"the 90th percentile of {self.customers:,} marketing customers' time from MQL to customer"

    def cohort(self, month: date) -> Cohort | None:
        return next((c for c in self.cohorts if c.month == month), None)


def month_end(month: date, tz: str) -> datetime:
    """The instant the local month ends (the next month's first local midnight)."""
    return datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=ZoneInfo(tz))


def month_middle(month: date, tz: str) -> datetime:
    """The local month's midpoint on the wall clock: its first midnight + half its days (16 Jan 12:00)."""
    days = calendar.monthrange(month.year, month.month)[1]
    return datetime(month.year, month.month, 1, tzinfo=ZoneInfo(tz)) + DAY * days / 2


def _stage(month: date, as_of: datetime, tz: str, threshold_days: float) -> str:
    since_end = (as_of - month_end(month, tz)) / DAY
    if since_end < 0:
        return IN_PROGRESS
    return MATURE if since_end >= threshold_days else MATURING


def _cohort(month: date, stage: str, leads: int, customers: int, age: float, curve: Curve) -> Cohort:
    if not leads or stage == MATURE:
        return Cohort(month, stage, leads, customers, age, None, None, MATURE if leads else NO_LEADS)
    share = curve.share_within(age)
    if share is None:
        return Cohort(month, stage, leads, customers, age, None, None, NO_CURVE)
    if share < LEAST_CONVERTED:
        return Cohort(month, stage, leads, customers, age, share, None, TOO_EARLY)
    return Cohort(month, stage, leads, customers, age, share, customers / (leads * share), "")


def assess(monthly: pd.DataFrame, cycles: pd.DataFrame, as_of: datetime, tz: str) -> Maturity:
    """Every month of ``monthly`` (``actuals.monthly_actuals``) as a cohort, from ``conversion_cycles``."""
    ordered = tuple(sorted(float(d) for d in cycles["cycle_days"]))
    threshold = DEFAULT_THRESHOLD_DAYS if len(ordered) < FEW_CUSTOMERS else quantile(ordered, PERCENTILE)
    stages = {m: _stage(m, as_of, tz, threshold) for m in monthly["month"]}
    curve = Curve(tuple(sorted(float(d) for m, d in zip(cycles["month"], cycles["cycle_days"], strict=True)
                               if stages.get(m) == MATURE)))
    rows = monthly.sort_values("month")
    cohorts = tuple(_cohort(r.month, stages[r.month], int(r.marketing_leads), int(r.customers),
                            (as_of - month_middle(r.month, tz)) / DAY, curve) for r in rows.itertuples())
    return Maturity(threshold, len(ordered), curve, cohorts, frozenset(m for m, s in stages.items() if s == MATURE))
