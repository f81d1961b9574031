"""The marketing goal line (SPEC section 4): the month's goal spread evenly over its days.

goal_cum(d) = g × d / n, actual_cum(d) = leads (or lead value) up to local day d. The as-of
day d* is the as-of date inside the as-of month, the last day for a past month, and
undefined (n/a) for a month that has not started. Everything here works on the small daily
frame memoised per dataset, so a what-if change never touches DuckDB. The line itself is
plain Python over at most 31 days: the report command and share links draw it from a
day → leads mapping without loading pandas; the pages get ``points`` as a DataFrame.
"""
from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from itertools import accumulate
from typing import TYPE_CHECKING, Iterable, Mapping
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    import pandas as pd

NAN = float("nan")


@dataclass(frozen=True)
class GoalLine:
    month: date
    days_in_month: int
    goal: float | None
    as_of_day: int | None  # d*; None for a month that has not started
    goal_cum: tuple[float, ...]  # per day of the month; NaN when the goal is n/a
    actual_cum: tuple[float, ...]  # per day of the month; NaN after d*
    actual: float | None  # actual_cum(d*)
    goal_to_date: float | None  # goal_cum(d*)
    attainment: float | None  # actual_cum(d*) / goal_cum(d*)
    on_track: bool | None
    projection: float | None  # actual_cum(d*) × n / d*

    @property
    def days(self) -> list[date]:
        return [self.month + timedelta(days=i) for i in range(self.days_in_month)]

    @cached_property
    def points(self) -> pd.DataFrame:
        """date, goal_cum, actual_cum: one row per day of the month (NaN where n/a), for the charts."""
        import pandas as pd

        return pd.DataFrame({"date": self.days, "goal_cum": list(self.goal_cum), "actual_cum": list(self.actual_cum)})

    def points_records(self) -> list[dict]:
        """The points as JSON-ready dicts (n/a as None), one per day of the month."""
        return [{"date": day.isoformat(), "goal_cum": _or_none(goal), "actual_cum": _or_none(actual)}
                for day, goal, actual in zip(self.days, self.goal_cum, self.actual_cum, strict=True)]

    def with_goal(self, goal: float | None) -> "GoalLine":
        """The same month's line for another goal: only goal arithmetic, so a what-if slider
        reuses the actuals (computed once per month) instead of re-reading the daily series."""
        n, d_star = self.days_in_month, self.as_of_day
        usable_goal = goal is not None and goal == goal
        goal_cum = tuple(goal * (i + 1) / n if usable_goal else NAN for i in range(n))
        if d_star is None:
            return GoalLine(self.month, n, goal, None, goal_cum, self.actual_cum, None, None, None, None, None)
        to_date = goal * d_star / n if usable_goal else None
        attainment = self.actual / to_date if to_date else None
        on_track = None if attainment is None else attainment >= 1
        return GoalLine(self.month, n, goal, d_star, goal_cum, self.actual_cum, self.actual, to_date, attainment,
                        on_track, self.projection)


def _or_none(value: float) -> float | int | None:
    """A JSON number (whole counts as integers) or None for n/a."""
    if math.isnan(value):
        return None
    return int(value) if float(value).is_integer() else float(value)


def local_day(as_of: datetime | date, tz: str) -> date:
    """The workspace-local calendar date of an as-of instant (a plain date is taken as local)."""
    if isinstance(as_of, datetime):
        return (as_of.astimezone(ZoneInfo(tz)) if as_of.tzinfo else as_of).date()
    return as_of


def as_of_day(month: date, as_of: date) -> int | None:
    """d*: the as-of day in the as-of month, n for a past month, None for a future one."""
    n = calendar.monthrange(month.year, month.month)[1]
    if (as_of.year, as_of.month) == (month.year, month.month):
        return as_of.day
    return n if as_of > month else None


def daily_series(daily: pd.DataFrame, column: str = "leads") -> pd.Series:
    """Sum ``column`` per ``day`` (the daily frame may hold one row per day and tier)."""
    import pandas as pd

    if daily.empty:
        return pd.Series(dtype=float)
    return daily.groupby("day")[column].sum().astype(float)


def goal_line(daily: pd.DataFrame | pd.Series | Mapping[date, float], month: date, goal: float | None,
              as_of: datetime | date, column: str = "leads", tz: str | None = None) -> GoalLine:
    """The goal line of ``month`` for goal ``goal`` from daily counts: the daily frame (``day`` + ``column``),
    a series by day, or a day → count mapping.

    ``as_of`` is the as-of date in the workspace time zone; pass ``tz`` to convert an
    aware datetime (a naive datetime is taken as local).
    """
    month = month.replace(day=1)
    per_day = daily_series(daily, column) if hasattr(daily, "columns") else daily  # a frame has columns
    as_of = local_day(as_of, tz) if tz else (as_of.date() if isinstance(as_of, datetime) else as_of)
    n = calendar.monthrange(month.year, month.month)[1]
    d_star = as_of_day(month, as_of)
    running = accumulate(float(per_day.get(month + timedelta(days=i), 0.0)) for i in range(n))
    actual_cum = tuple(total if d_star is not None and i < d_star else NAN for i, total in enumerate(running))
    if d_star is None:
        actuals_only = GoalLine(month, n, None, None, (NAN,) * n, actual_cum, None, None, None, None, None)
    else:
        actual = actual_cum[d_star - 1]
        actuals_only = GoalLine(month, n, None, d_star, (NAN,) * n, actual_cum, actual, None, None, None,
                                actual * n / d_star)
    return actuals_only.with_goal(goal)


def month_attainments(daily: pd.DataFrame | pd.Series, goal: float | None | Mapping[date, float | None],
                      as_of: datetime | date, months: Iterable[date], column: str = "leads",
                      tz: str | None = None) -> pd.DataFrame:
    """One row per month: goal, actual and goal to the as-of day, attainment, on_track, projection.

    ``goal`` is one number for every month or a month → goal mapping. For SLA health over
    time and the leadership overview (marketing attainment of each month).
    """
    import pandas as pd

    series = daily if isinstance(daily, pd.Series) else daily_series(daily, column)
    rows = []
    for month in months:
        g = goal.get(month) if isinstance(goal, Mapping) else goal
        line = goal_line(series, month, g, as_of, tz=tz)
        rows.append({"month": line.month, "days_in_month": line.days_in_month, "goal": g,
                     "as_of_day": line.as_of_day, "actual": line.actual,
                     "goal_to_date": line.goal_to_date, "attainment": line.attainment,
                     "on_track": line.on_track, "projection": line.projection})
    return pd.DataFrame(rows, columns=["month", "days_in_month", "goal", "as_of_day", "actual", "goal_to_date",
                                       "attainment", "on_track", "projection"])


def tier_series(daily: pd.DataFrame, tier: str) -> pd.Series:
    """Daily marketing leads of one tier."""
    return daily_series(daily[daily["tier"] == tier])


def value_series(daily: pd.DataFrame, values: Mapping[str, float | None]) -> pd.Series:
    """Daily lead value: each tier's leads × its value per lead (a tier without a value adds 0)."""
    import pandas as pd

    if daily.empty:
        return pd.Series(dtype=float)
    worth = daily["tier"].map(lambda t: values.get(t) or 0.0).astype(float)
    return (daily["leads"] * worth).groupby(daily["day"]).sum().astype(float)
