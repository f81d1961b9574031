"""SLA health month by month (SPEC 8): did each team meet its goals, and how many months in a row it missed.

Definitions (docs/metrics.md):
- marketing met = attainment (actual ÷ goal to the as-of day, from the goal line) ≥ 1;
- speed met = pct_within_goal ≥ the speed target share; depth met = pct_at_goal (share of
  unconnected handed leads with at least the goal's attempts) ≥ the same target share;
  sales met = speed met and depth met (n/a when neither can be measured; a measurable one decides alone);
- only complete months count towards a streak: the month in progress is shown with its
  figures to date but is neither a miss nor a pass; an n/a month leaves a streak unchanged;
- a month is "review" once either team has missed three complete months in a row
  (the article's cancellation condition).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Iterable, Sequence

import altair as alt
import duckdb
import pandas as pd

from sla_core import theme
from sla_core.marketing import actuals

from sla_core.sales import depth

from sla_core.marketing import goal_line

from sla_core.sales import speed
from sla_core.assumptions import Assumptions
from sla_core.sales.clock import BusinessHours
from sla_core.marketing.targets import compute_targets

REVIEW_AFTER = 3
MEASURE_LABELS = {"marketing_attainment": "Marketing attainment", "speed_pct": "Speed: % within goal",
                  "depth_pct": "Depth: % at goal"}
COLUMNS = ("month", "complete", "marketing_attainment", "speed_pct", "depth_pct", "marketing_met", "speed_met",
           "depth_met", "sales_met", "marketing_misses", "sales_misses", "status")


def met(value: float | None, target: float | None) -> bool | None:
    """value ≥ target, or None when either is n/a."""
    if value is None or target is None or pd.isna(value) or pd.isna(target):
        return None
    return bool(value >= target)


def both_met(first: bool | None, second: bool | None) -> bool | None:
    """Sales meets its SLA when every measurable part is met; None when nothing is measurable."""
    known = [m for m in (first, second) if m is not None]
    return all(known) if known else None


def consecutive_misses(passes: Iterable[bool | None]) -> list[int]:
    """Running count of months missed in a row: a miss adds one, a pass resets, None (n/a) keeps it."""
    counts, run = [], 0
    for passed in passes:
        if passed is False:
            run += 1
        elif passed is True:
            run = 0
        counts.append(run)
    return counts


def month_status(complete: bool, marketing_met: bool | None, sales_met: bool | None, marketing_misses: int,
                 sales_misses: int) -> str:
    if max(marketing_misses, sales_misses) >= REVIEW_AFTER:
        return "review"
    if not complete:
        return "in progress"
    if marketing_met is None and sales_met is None:
        return "n/a"
    return "met" if marketing_met is not False and sales_met is not False else "missed"


def assess(months: Sequence[date], complete: Sequence[bool], marketing_met: Sequence[bool | None],
           sales_met: Sequence[bool | None]) -> pd.DataFrame:
    """Streaks and status from pass/miss series (the pure heart of the health table)."""
    counted_m = [m if c else None for m, c in zip(marketing_met, complete)]
    counted_s = [s if c else None for s, c in zip(sales_met, complete)]
    m_runs, s_runs = consecutive_misses(counted_m), consecutive_misses(counted_s)
    return pd.DataFrame({
        "month": list(months), "complete": list(complete), "marketing_met": list(marketing_met),
        "sales_met": list(sales_met), "marketing_misses": m_runs, "sales_misses": s_runs,
        "status": [month_status(c, m, s, mr, sr) for c, m, s, mr, sr in
                   zip(complete, marketing_met, sales_met, m_runs, s_runs)],
    })


def _by_month(frame: pd.DataFrame, key: str, column: str) -> dict[date, float | None]:
    return {row[key]: (None if pd.isna(row[column]) else float(row[column])) for _, row in frame.iterrows()}


def health_table(monthly: pd.DataFrame, marketing: pd.DataFrame, speed_frame: pd.DataFrame,
                 depth_frame: pd.DataFrame, target_share: float) -> pd.DataFrame:
    """Join the other modules' monthly frames into one health row per month of ``monthly_actuals``."""
    months = list(monthly["month"])
    complete = [bool(c) for c in monthly["complete"]]
    attainment = _by_month(marketing, "month", "attainment")
    speed_pct = _by_month(speed_frame, "period_start", "pct_within_goal")
    depth_pct = _by_month(depth_frame, "period_start", "pct_at_goal")
    m_att = [attainment.get(m) for m in months]
    s_pct = [speed_pct.get(m) for m in months]
    d_pct = [depth_pct.get(m) for m in months]
    marketing_met = [met(a, 1.0) for a in m_att]
    speed_met = [met(p, target_share) for p in s_pct]
    depth_met = [met(p, target_share) for p in d_pct]
    sales_met = [both_met(s, d) for s, d in zip(speed_met, depth_met)]
    core = assess(months, complete, marketing_met, sales_met)
    core.insert(2, "marketing_attainment", m_att)
    core.insert(3, "speed_pct", s_pct)
    core.insert(4, "depth_pct", d_pct)
    core.insert(6, "speed_met", speed_met)
    core.insert(7, "depth_met", depth_met)
    return core[list(COLUMNS)]


def clock_for(kind: str, hours: BusinessHours | None, tz: str) -> BusinessHours | None:
    """The Sales SLA clock a workspace counts on: None for calendar hours, else its business hours in ``tz``."""
    if kind != "business":
        return None
    return (hours or BusinessHours(tz=tz)).in_zone(tz)


def health_from(monthly: pd.DataFrame, daily: pd.DataFrame, speed_frame: pd.DataFrame, depth_frame: pd.DataFrame,
                a: Assumptions, as_of: datetime | None, tz: str) -> pd.DataFrame:
    """The health table from the data-only frames (memoised by pages), so a what-if change runs no query."""
    if as_of is None or monthly.empty:
        return pd.DataFrame(columns=list(COLUMNS))
    marketing = goal_line.month_attainments(goal_line.daily_series(daily), compute_targets(a).leads_needed, as_of,
                                            monthly["month"], tz=tz)
    return health_table(monthly, marketing, speed_frame, depth_frame, a.speed_target_share)


def monthly_health(con: duckdb.DuckDBPyConnection, a: Assumptions, tz: str, as_of: datetime | None,
                   clock: BusinessHours | None = None) -> pd.DataFrame:
    """The health table of a workspace straight from its ``leads`` (one query per measure)."""
    return health_from(actuals.monthly_actuals(con, tz, as_of), actuals.daily_marketing_leads(con, tz, as_of),
                       speed.speed_by_period(con, "month", a.speed_goal_hours, as_of, tz, clock),
                       depth.depth_by_period(con, "month", a.depth_goal_attempts, as_of, tz), a, as_of, tz)


def health_chart(table: pd.DataFrame, target_share: float) -> alt.LayerChart:
    """Marketing attainment, speed and depth per month as lines, with the 100 % and target-share rules."""
    long = table.melt(id_vars=["month", "status"], value_vars=["marketing_attainment", "speed_pct", "depth_pct"],
                      var_name="measure", value_name="value").dropna(subset=["value"])
    long["measure"] = long["measure"].map(MEASURE_LABELS)
    long["month"] = pd.to_datetime(long["month"])
    lines = alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("month:T", title="Month", axis=alt.Axis(format="%b %Y")),
        y=alt.Y("value:Q", title="Attainment / share of leads", axis=alt.Axis(format="%")),
        color=alt.Color("measure:N", title=None, legend=alt.Legend(orient="top"),
                        scale=alt.Scale(domain=list(MEASURE_LABELS.values()), range=list(theme.CATEGORY[:3]))),
        tooltip=[alt.Tooltip("month:T", format="%B %Y"), "measure:N", alt.Tooltip("value:Q", format=".1%"),
                 "status:N"])
    rules = alt.Chart(pd.DataFrame({"y": [1.0, target_share], "goal": ["marketing goal (100 %)", "sales target share"]})
                      ).mark_rule(strokeDash=[4, 3], color=theme.GOAL).encode(y="y:Q", tooltip=["goal:N"])
    return theme.themed(alt.layer(lines, rules).properties(height=300, title="SLA health month by month"))


def headline(table: pd.DataFrame) -> dict:
    """The latest month's row (the month in progress, or the last complete one) for the overview badges."""
    if table.empty:
        return {}
    return table.iloc[-1].to_dict()
