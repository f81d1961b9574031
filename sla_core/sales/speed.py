"""Speed of follow-up (SPEC 5): response time from hand-off to first touch, per period and per rep.

All of it runs in DuckDB (``speed_summary.sql``, ``speed_goal_counts.sql``, ``speed_leads.sql``):
a 5M-lead export never leaves the database as rows, only as one line per period (or per
period and rep) and a page of the drill-down list. The figures are split by what they depend
on: the summary (counts, quantiles, bands, routing) not on the speed goal, so the Sales page
keeps it per dataset and clock and a goal move re-runs only the narrow within/missed count.
The pages take those lines as DataFrames; the report command and share links read one
month's line straight into Python (``month_figures``: ``speed_by_period.sql``, the same two
parts joined in one pass), so they never load pandas, which costs more to import than the queries.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Mapping

import duckdb

from sla_core import queries
from sla_core.sales import lead_goals
from sla_core.sales.clock import BusinessHours, calendar_params, zone
from sla_core.sales.goal_rules import NO_RULES, GoalRules

if TYPE_CHECKING:
    import pandas as pd

PERIODS = ("day", "week", "month")
SPEED_COLUMNS = ("period_start", "handed", "touched", "mean_hours", "median_hours", "p90_hours", "within", "missed",
                 "pct_within_goal")
GOAL_COLUMNS = ("within", "missed", "pct_within_goal")  # the only figures a speed-goal move changes
BANDS = {  # column → label, in order; a response on a boundary falls in the lower band (≤ 5 min is "0–5 min")
    "band_0_5m": "0–5 min", "band_5_15m": "5–15 min", "band_15_60m": "15–60 min", "band_1_4h": "1–4 h",
    "band_4_24h": "4–24 h", "band_over_24h": "over 24 h", "band_never": "never touched",
}
EXTRA_COLUMNS = (*BANDS, "routed", "routing_mean_hours", "routing_median_hours", "touched_before_handoff")
REPORT_KEYS = ("handed", "touched", "mean_hours", "median_hours", "p90_hours", "pct_within_goal")
COUNT_KEYS = frozenset({"handed", "touched", "within", "missed", "not_connected", "touched_before_handoff", *BANDS})

ALL_ROWS = 2**31 - 1  # "no limit" as a number: DuckDB reads LIMIT NULL as none, Spark wants an integer


def clock_params(clock: BusinessHours | None) -> dict:
    """The bound ``$clock`` struct the clock macros (``sql/macros.sql``) read: ``clock`` None is the calendar clock.

    One struct rather than twenty parameters, because a macro sees only its arguments.
    """
    return {"clock": {"business": True, **clock.sql_params()} if clock else {"business": False, **calendar_params()}}


def _check_period(period: str) -> None:
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, got {period!r}")


def _check(period: str, goal_hours: float) -> None:
    _check_period(period)
    if not goal_hours > 0:
        raise ValueError("the speed goal must be above 0 hours")


def _near(period: str, period_start: date) -> tuple[datetime, datetime]:
    """UTC instants surely around a local period in any zone (offsets stay within a day): a prune, not the test."""
    start = datetime(period_start.year, period_start.month, period_start.day, tzinfo=timezone.utc)
    if period == "month":
        end = datetime(start.year + start.month // 12, start.month % 12 + 1, 1, tzinfo=timezone.utc)
    else:
        end = start + timedelta(days=7 if period == "week" else 1)
    return start - timedelta(days=2), end + timedelta(days=2)


def month_window(month: date, tz: str) -> tuple[datetime, datetime]:
    """The instants that bound a local calendar month: hand-offs in [start, end)."""
    start = datetime(month.year, month.month, 1, tzinfo=zone(tz))
    end = datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=zone(tz))
    return start, end


def _speed_params(period, as_of, tz, clock, by_owner: bool, handed_between) -> dict:
    handed_from, handed_to = handed_between or (None, None)
    return {"tz": tz, "as_of": as_of, "period": period, "by_owner": by_owner, "handed_from": handed_from,
            "handed_to": handed_to, **clock_params(clock)}


def goal_table(con: duckdb.DuckDBPyConnection, as_of: datetime, tz: str, clock: BusinessHours | None,
               rules: GoalRules) -> None:
    """Make the connection's per-lead goal table (``lead_goals``) current before a goal-dependent statement."""
    lead_goals.ensure(con, as_of, tz, clock_params(clock), rules)


def _owner_columns(by_owner: bool) -> list[str]:
    return [*SPEED_COLUMNS[:1], *(["owner"] if by_owner else [])]


def speed_summary(con: duckdb.DuckDBPyConnection, period: str, as_of: datetime | None, tz: str,
                  clock: BusinessHours | None = None, by_owner: bool = False,
                  handed_between: tuple[datetime, datetime] | None = None) -> pd.DataFrame:
    """Every speed figure that does not depend on the speed goal, one row per period (and owner).

    The expensive part of the speed figures (quantiles, bands, routing): the page keeps it
    per dataset and clock, so a goal move only runs ``goal_counts``.
    """
    import pandas as pd

    _check_period(period)
    columns = [*_owner_columns(by_owner), *(c for c in SPEED_COLUMNS[1:] if c not in GOAL_COLUMNS), *EXTRA_COLUMNS]
    if as_of is None:
        return pd.DataFrame(columns=columns)
    df = queries.frame(con, "sales/speed_summary", **_speed_params(period, as_of, tz, clock, by_owner, handed_between))
    df["period_start"] = pd.to_datetime(df["period_start"]).dt.date
    return df[columns]


def goal_counts(con: duckdb.DuckDBPyConnection, period: str, goal_hours: float, as_of: datetime | None, tz: str,
                clock: BusinessHours | None = None, by_owner: bool = False,
                handed_between: tuple[datetime, datetime] | None = None,
                rules: GoalRules = NO_RULES) -> pd.DataFrame:
    """Within the goal, missed and their share per period: all a goal move re-runs.

    Each lead is held to its own goal: its first goal rule's (``rules``), else ``goal_hours``.

    ``by_owner`` adds a row per owner beside each period's total (owner None; ``totals``
    takes those), so the page's rep table and headline come from one statement. Only
    periods (owners) with a hand-off have a row; ``with_goal`` puts them on the summary.
    """
    import pandas as pd

    _check(period, goal_hours)
    columns = [*_owner_columns(by_owner), *GOAL_COLUMNS]
    if as_of is None:
        return pd.DataFrame(columns=columns)
    goal_table(con, as_of, tz, clock, rules)
    handed_from, handed_to = handed_between or (None, None)
    df = queries.frame(con, "sales/speed_goal_counts", **rules.sql_params(goal_hours), period=period,
                       by_owner=by_owner, handed_from=handed_from, handed_to=handed_to)
    df["period_start"] = pd.to_datetime(df["period_start"]).dt.date
    return df[columns]


def with_goal(summary: pd.DataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    """The summary with the goal's within/missed/share joined in, in ``speed_by_period``'s columns.

    ``counts`` from ``goal_counts`` with or without owners (a summary without owners takes
    the period totals). A period (owner) without a count row had nothing within or missed:
    0, 0 and n/a.
    """
    keys = [c for c in ("period_start", "owner") if c in summary.columns]
    # a by-owner count's owner-None rows are the period totals, not an owner
    counts = counts[counts["owner"].notna()] if "owner" in keys else totals(counts)
    df = summary.merge(counts, on=keys, how="left", validate="one_to_one")
    df[["within", "missed"]] = df[["within", "missed"]].astype("float64").fillna(0.0)
    df["pct_within_goal"] = df["pct_within_goal"].astype("float64")
    columns = [*keys, *SPEED_COLUMNS[1:], *EXTRA_COLUMNS]
    return df[columns]


def totals(counts: pd.DataFrame) -> pd.DataFrame:
    """The per-period totals of a ``goal_counts`` frame (with or without owners), as ``by_owner=False`` gives them."""
    if "owner" not in counts.columns:
        return counts
    return counts[counts["owner"].isna()].drop(columns="owner").reset_index(drop=True)


def speed_by_period(con: duckdb.DuckDBPyConnection, period: str, goal_hours: float, as_of: datetime | None,
                    tz: str, clock: BusinessHours | None = None,
                    handed_between: tuple[datetime, datetime] | None = None,
                    rules: GoalRules = NO_RULES) -> pd.DataFrame:
    """One row per local day/week/month of hand-off up to the as-of period (``period_start`` a date).

    handed, touched, mean/median/p90 response hours (among touched; NaN when none),
    within, missed and pct_within_goal (NaN when n/a); also the response bands, the
    routing delay (hand-off − MQL) and the touched-before-hand-off exclusions.
    ``clock`` None counts calendar hours; a ``BusinessHours`` counts opening hours only.
    ``handed_between`` (e.g. ``month_window(month, tz)``) reads only those hand-offs: one
    month's figures for a fraction of the work.
    """
    _check(period, goal_hours)
    return with_goal(speed_summary(con, period, as_of, tz, clock, False, handed_between),
                     goal_counts(con, period, goal_hours, as_of, tz, clock, False, handed_between, rules))


def rep_rows(df: pd.DataFrame) -> pd.DataFrame:
    """The per-owner rows that handed something or had an exclusion (the spine's empty periods dropped)."""
    return df[df["handed"] + df["touched_before_handoff"] > 0].reset_index(drop=True)


def speed_leads(con: duckdb.DuckDBPyConnection, period: str, period_start: date, goal_hours: float,
                depth_goal: int, as_of: datetime | None, tz: str, clock: BusinessHours | None = None,
                owner: str | None = None, breaching_only: bool = True, limit: int | None = 100,
                offset: int = 0, rules: GoalRules = NO_RULES, untouched_only: bool = False) -> pd.DataFrame:
    """The leads handed in one period (optionally one owner's), oldest hand-off first, a page at a time.

    ``breaching_only`` keeps leads that missed the speed goal or are not connected with
    fewer attempts than the depth goal; ``untouched_only`` those past their speed goal without
    a first touch. ``total`` repeats the number of matching leads,
    so the page can say "1–100 of 2,345" without another query. Each lead shows the goals it is held to
    (``speed_goal_hours``, ``depth_goal``: its first goal rule's, else the defaults).
    """
    _check(period, goal_hours)
    columns = ["lead_id", "owner", "handed_local", "first_touch_local", "response_hours", "speed_goal_hours",
               "speed_status", "attempts", "connected", "depth_goal", "depth_status", "breach", "total"]
    if as_of is None:
        import pandas as pd

        return pd.DataFrame(columns=columns)
    near_from, near_to = _near(period, period_start)
    goal_table(con, as_of, tz, clock, rules)
    return queries.frame(con, "sales/speed_leads", tz=tz, period=period, period_start=period_start,
                         near_from=near_from, near_to=near_to, **rules.sql_params(goal_hours, depth_goal), owner=owner,
                         breaching_only=breaching_only, untouched_only=untouched_only,
                         limit=ALL_ROWS if limit is None else limit,
                         offset=int(offset))[columns]


def month_figures(con: duckdb.DuckDBPyConnection, month: date, goal_hours: float, as_of: datetime | None, tz: str,
                  clock: BusinessHours | None = None, keys: tuple[str, ...] = REPORT_KEYS,
                  rules: GoalRules = NO_RULES) -> dict:
    """``period_row`` of one local month, reading only that month's hand-offs and no DataFrame.

    One pass of ``speed_by_period.sql``: the pages' summary and goal-count CTEs joined in SQL.
    """
    _check("month", goal_hours)
    params = _speed_params("month", as_of, tz, clock, False, month_window(month, tz))
    if as_of is None:
        return figures(None, keys)
    goal_table(con, as_of, tz, clock, rules)
    found = queries.records(con, "sales/speed_by_period", **rules.sql_params(goal_hours), **params)
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

