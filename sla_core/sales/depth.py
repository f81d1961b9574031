"""Depth of follow-up (SPEC 6): how many attempts sales makes on leads it has not reached yet.

Computed in DuckDB (``depth_by_period.sql``), one row per period (or period and rep): as
DataFrames for the pages, one month's figures as plain Python for the report command.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import duckdb

from sla_core import queries
from sla_core.sales.clock import BusinessHours
from sla_core.sales.goal_rules import NO_RULES, GoalRules
from sla_core.sales.speed import PERIODS, figures, goal_table, month_window

if TYPE_CHECKING:
    import pandas as pd

DEPTH_COLUMNS = ("period_start", "handed", "not_connected", "avg_attempts", "at_goal", "pct_at_goal", "worked",
                 "leads_worked_pct")
REPORT_KEYS = ("not_connected", "avg_attempts", "pct_at_goal", "leads_worked_pct")


def _depth_params(period, depth_goal, as_of, tz, by_owner: bool, handed_between, rules: GoalRules) -> dict:
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, got {period!r}")
    if depth_goal < 1:
        raise ValueError("the depth goal must be at least 1 attempt")
    handed_from, handed_to = handed_between or (None, None)
    return {"tz": tz, "as_of": as_of, "period": period, "by_owner": by_owner, "handed_from": handed_from,
            "handed_to": handed_to, **rules.sql_params(depth_goal_attempts=depth_goal)}


def _depth_frame(con, period, depth_goal, as_of, tz, by_owner: bool, handed_between=None,
                 rules: GoalRules = NO_RULES, clock: BusinessHours | None = None) -> pd.DataFrame:
    import pandas as pd

    params = _depth_params(period, depth_goal, as_of, tz, by_owner, handed_between, rules)
    columns = [DEPTH_COLUMNS[0], *(["owner"] if by_owner else []), *DEPTH_COLUMNS[1:]]
    if as_of is None:
        return pd.DataFrame(columns=columns)
    goal_table(con, as_of, tz, clock, rules)
    df = queries.frame(con, "sales/depth_by_period", **params)
    df["period_start"] = pd.to_datetime(df["period_start"]).dt.date
    return df[columns]


def month_figures(con: duckdb.DuckDBPyConnection, month: date, depth_goal: int, as_of: datetime | None, tz: str,
                  keys: tuple[str, ...] = REPORT_KEYS, rules: GoalRules = NO_RULES,
                  clock: BusinessHours | None = None) -> dict:
    """One local month's depth figures (as ``speed.period_row``), reading only its hand-offs and no DataFrame;
    each lead at its own depth goal (its first goal rule's, else ``depth_goal``). ``clock`` is the speed
    figures' (the per-lead goal table holds both; depth does not depend on it)."""
    params = _depth_params("month", depth_goal, as_of, tz, False, month_window(month, tz), rules)
    if as_of is None:
        return figures(None, keys)
    goal_table(con, as_of, tz, clock, rules)
    found = queries.records(con, "sales/depth_by_period", **params)
    return figures(next((r for r in found if r["period_start"] == month), None), keys)


def depth_by_period(con: duckdb.DuckDBPyConnection, period: str, depth_goal: int, as_of: datetime | None,
                    tz: str, handed_between: tuple[datetime, datetime] | None = None,
                    rules: GoalRules = NO_RULES, clock: BusinessHours | None = None) -> pd.DataFrame:
    """One row per local day/week/month of hand-off up to the as-of period (``period_start`` a date).

    handed; of those not connected: how many, their average attempts and the share at or
    above the depth goal; leads_worked_pct = handed leads with an attempt ÷ handed. NaN
    where a ratio is n/a. ``handed_between`` as in ``speed.speed_by_period``; ``clock`` the speed figures' beside
    them (the per-lead goal table is built once for both).
    """
    return _depth_frame(con, period, depth_goal, as_of, tz, by_owner=False, handed_between=handed_between,
                        rules=rules, clock=clock)


def depth_by_rep(con: duckdb.DuckDBPyConnection, period: str, depth_goal: int, as_of: datetime | None,
                 tz: str, rules: GoalRules = NO_RULES, clock: BusinessHours | None = None) -> pd.DataFrame:
    """The same figures per period and owner (owner "(no owner)" for leads without one)."""
    df = _depth_frame(con, period, depth_goal, as_of, tz, by_owner=True, rules=rules, clock=clock)
    return df[df["handed"] > 0].reset_index(drop=True)
