"""Speed of follow-up (SPEC 5): response time from hand-off to first touch, per period and per rep.

All of it runs in DuckDB (``speed_by_period.sql``, ``speed_leads.sql``): a 5M-lead export
never leaves the database as rows, only as one line per period (or per period and rep)
and a page of the drill-down list. The pages take those lines as DataFrames; the report
command and share links read one month's line straight into Python (``month_figures``),
so they never load pandas, which costs more to import than the queries.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Mapping

import duckdb

from sla_core import queries
from sla_core.clock import BusinessHours, calendar_params, zone

if TYPE_CHECKING:
    import pandas as pd

PERIODS = ("day", "week", "month")
SPEED_COLUMNS = ("period_start", "handed", "touched", "mean_hours", "median_hours", "p90_hours", "within", "missed",
                 "pct_within_goal")
BANDS = {  # column → label, in order; a response on a boundary falls in the lower band (≤ 5 min is "0–5 min")
    "band_0_5m": "0–5 min", "band_5_15m": "5–15 min", "band_15_60m": "15–60 min", "band_1_4h": "1–4 h",
    "band_4_24h": "4–24 h", "band_over_24h": "over 24 h", "band_never": "never touched",
}
EXTRA_COLUMNS = (*BANDS, "routed", "routing_mean_hours", "routing_median_hours", "touched_before_handoff")
REPORT_KEYS = ("handed", "touched", "mean_hours", "median_hours", "p90_hours", "pct_within_goal")
COUNT_KEYS = frozenset({"handed", "touched", "within", "missed", "not_connected", "touched_before_handoff", *BANDS})


def clock_params(clock: BusinessHours | None) -> dict:
    """Bound parameters of the clock: ``clock`` None is the calendar clock."""
    return {"business": True, **clock.sql_params()} if clock else {"business": False, **calendar_params()}


def _check(period: str, goal_hours: float) -> None:
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, got {period!r}")
    if not goal_hours > 0:
        raise ValueError("the speed goal must be above 0 hours")


def _goal_us(goal_hours: float) -> int:
    return round(goal_hours * 3600e6)


def month_window(month: date, tz: str) -> tuple[datetime, datetime]:
    """The instants that bound a local calendar month: hand-offs in [start, end)."""
    start = datetime(month.year, month.month, 1, tzinfo=zone(tz))
    end = datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=zone(tz))
    return start, end


def _speed_params(period, goal_hours, as_of, tz, clock, by_owner: bool, handed_between) -> dict:
    _check(period, goal_hours)
    handed_from, handed_to = handed_between or (None, None)
    return {"tz": tz, "as_of": as_of, "period": period, "goal_us": _goal_us(goal_hours), "by_owner": by_owner,
            "handed_from": handed_from, "handed_to": handed_to, **clock_params(clock)}


def _speed_frame(con, period, goal_hours, as_of, tz, clock, by_owner: bool, handed_between=None) -> pd.DataFrame:
    import pandas as pd

    params = _speed_params(period, goal_hours, as_of, tz, clock, by_owner, handed_between)
    columns = [*SPEED_COLUMNS[:1], *(["owner"] if by_owner else []), *SPEED_COLUMNS[1:], *EXTRA_COLUMNS]
    if as_of is None:
        return pd.DataFrame(columns=columns)
    df = queries.frame(con, "speed_by_period", **params)
    df["period_start"] = pd.to_datetime(df["period_start"]).dt.date
    return df[columns]


def speed_by_period(con: duckdb.DuckDBPyConnection, period: str, goal_hours: float, as_of: datetime | None,
                    tz: str, clock: BusinessHours | None = None,
                    handed_between: tuple[datetime, datetime] | None = None) -> pd.DataFrame:
    """One row per local day/week/month of hand-off up to the as-of period (``period_start`` a date).

    handed, touched, mean/median/p90 response hours (among touched; NaN when none),
    within, missed and pct_within_goal (NaN when n/a); also the response bands, the
    routing delay (hand-off − MQL) and the touched-before-hand-off exclusions.
    ``clock`` None counts calendar hours; a ``BusinessHours`` counts opening hours only.
    ``handed_between`` (e.g. ``month_window(month, tz)``) reads only those hand-offs: one
    month's figures for a fraction of the work.
    """
    return _speed_frame(con, period, goal_hours, as_of, tz, clock, by_owner=False, handed_between=handed_between)


def speed_by_rep(con: duckdb.DuckDBPyConnection, period: str, goal_hours: float, as_of: datetime | None,
                 tz: str, clock: BusinessHours | None = None) -> pd.DataFrame:
    """The same figures per period and owner (owner "(no owner)" for leads without one)."""
    df = _speed_frame(con, period, goal_hours, as_of, tz, clock, by_owner=True)
    return df[df["handed"] + df["touched_before_handoff"] > 0].reset_index(drop=True)


def speed_leads(con: duckdb.DuckDBPyConnection, period: str, period_start: date, goal_hours: float,
                depth_goal: int, as_of: datetime | None, tz: str, clock: BusinessHours | None = None,
                owner: str | None = None, breaching_only: bool = True, limit: int | None = 100,
                offset: int = 0) -> pd.DataFrame:
    """The leads handed in one period (optionally one owner's), oldest hand-off first, a page at a time.

    ``breaching_only`` keeps leads that missed the speed goal or are not connected with
    fewer attempts than the depth goal. ``total`` repeats the number of matching leads,
    so the page can say "1–100 of 2,345" without another query.
    """
    _check(period, goal_hours)
    columns = ["lead_id", "owner", "handed_local", "first_touch_local", "response_hours", "speed_status", "attempts",
               "connected", "depth_status", "breach", "total"]
    if as_of is None:
        import pandas as pd

        return pd.DataFrame(columns=columns)
    return queries.frame(con, "speed_leads", tz=tz, as_of=as_of, period=period, period_start=period_start,
                         goal_us=_goal_us(goal_hours), depth_goal=int(depth_goal), owner=owner,
                         breaching_only=breaching_only, limit=limit, offset=int(offset),
                         **clock_params(clock))[columns]


def month_figures(con: duckdb.DuckDBPyConnection, month: date, goal_hours: float, as_of: datetime | None, tz: str,
                  clock: BusinessHours | None = None, keys: tuple[str, ...] = REPORT_KEYS) -> dict:
    """``period_row`` of one local month, reading only that month's hand-offs and no DataFrame."""
    params = _speed_params("month", goal_hours, as_of, tz, clock, False, month_window(month, tz))
    found = [] if as_of is None else queries.records(con, "speed_by_period", **params)
    return figures(next((r for r in found if r["period_start"] == month), None), keys)


def period_row(frame: pd.DataFrame, period_start: date, keys: tuple[str, ...]) -> dict:
    """One period's figures as plain numbers, n/a as None; a period outside the data handed nothing."""
    match = frame[frame["period_start"] == period_start]
    if match.empty:
        return figures(None, keys)
    row = match.iloc[0].astype(object)
    return figures(row.where(row.notna(), None), keys)  # pandas' NaN / NA as the None a DuckDB row holds


def figures(row: Mapping | None, keys: tuple[str, ...]) -> dict:
    """``keys`` of one period's row (None where n/a, counts as int); no row: nothing was handed."""
    if row is None:
        return {k: (0 if k in COUNT_KEYS else None) for k in keys}
    return {k: (None if row[k] is None else (int(row[k]) if k in COUNT_KEYS else float(row[k]))) for k in keys}

