"""SLA health month by month (SPEC 8): each figure's verdict, and how many months in a row each team missed.

The verdicts come from ``sla_core.health.verdicts`` (the one function per figure every surface
calls); this module only lines up the pages' monthly frames and puts the verdicts in a table.
Rules and the choices behind them: docs/metrics.md ("SLA health").
"""
from __future__ import annotations

from datetime import date, datetime

import duckdb
import pandas as pd

from sla_core import theme
from sla_core.assumptions import Assumptions
from sla_core.health import verdicts
from sla_core.health.months import COMPLETE, IN_PROGRESS
from sla_core.html_table import Table
from sla_core.health.verdicts import ALL_MEASURED, Measured, MonthFigures, MonthVerdicts, floor_percent
from sla_core.marketing import actuals, goal_line
from sla_core.marketing.targets import compute_targets
from sla_core.sales import depth, speed
from sla_core.sales.clock import BusinessHours
from sla_core.sales.region_calendars import NO_REGION_CALENDARS, RegionCalendars

REVIEW_AFTER = verdicts.REVIEW_AFTER
FIGURES = ("marketing", "speed", "depth", "sales")
SHARE_COLUMNS = ("marketing_attainment", "speed_pct", "depth_pct")
COLUMNS = ("month", "complete", *SHARE_COLUMNS, "marketing_met", "speed_met", "depth_met", "sales_met",
           "marketing_misses", "sales_misses", "status", *(f"{f}_verdict" for f in FIGURES),
           *(f"{f}_reason" for f in FIGURES), *(f"{f}_word" for f in FIGURES))


def month_status(judged: MonthVerdicts, health: verdicts.Health) -> str:
    """The row's status: review (three misses in a row stand until a pass), in progress, n/a (nothing judged),
    met or missed."""
    if health.status == "review":
        return "review"
    if judged.stage != COMPLETE:
        return "in progress"
    passes = (judged.marketing.passed, judged.sales.passed)
    if passes == (None, None):
        return "n/a"
    return "missed" if False in passes else "met"


def assess(judged: list[MonthVerdicts]) -> pd.DataFrame:
    """Runs of misses and the row status from each month's verdicts (the pure heart of the health table)."""
    health = verdicts.runs(judged)
    rows = []
    for month, h in zip(judged, health, strict=True):
        judged_figures = month.as_dict().items()
        rows.append({"month": month.month, "complete": month.stage == COMPLETE,
                     **{f"{name}_met": v.on_track for name, v in judged_figures},
                     "marketing_misses": h.marketing_misses, "sales_misses": h.sales_misses,
                     "status": month_status(month, h),
                     **{f"{name}_verdict": v.verdict for name, v in judged_figures},
                     **{f"{name}_reason": v.reason for name, v in judged_figures},
                     **{f"{name}_word": v.short for name, v in judged_figures}})
    frame = pd.DataFrame(rows, columns=[c for c in COLUMNS if c not in SHARE_COLUMNS], dtype=object)  # None stays None
    return frame.astype({"complete": bool, "marketing_misses": "int64", "sales_misses": "int64"})


def _rows(frame: pd.DataFrame, key: str) -> dict:
    """Each row of ``frame`` by its ``key`` column, with n/a (NaN) as None."""
    clean = frame.astype(object).where(frame.notna(), None)
    return {row[key]: row for row in clean.to_dict("records")}


def _count(row: dict | None, column: str) -> int:
    return int(row[column] or 0) if row else 0


def _share(row: dict | None, column: str) -> float | None:
    return None if row is None or row[column] is None else float(row[column])


def month_figures(monthly: pd.DataFrame, marketing: pd.DataFrame, speed_frame: pd.DataFrame,
                  depth_frame: pd.DataFrame) -> list[MonthFigures]:
    """What each month of ``monthly_actuals`` is judged on, from the pages' frames (a month without a row handed
    nothing)."""
    goal = _rows(marketing, "month")
    s_rows, d_rows = _rows(speed_frame, "period_start"), _rows(depth_frame, "period_start")
    figures = []
    for m in _rows(monthly, "month").values():
        s, d = s_rows.get(m["month"]), d_rows.get(m["month"])
        stage = COMPLETE if m["complete"] else IN_PROGRESS  # monthly_actuals ends with the as-of month
        as_of_day = goal[m["month"]]["as_of_day"] if stage == IN_PROGRESS else None
        figures.append(MonthFigures(m["month"], stage, None if as_of_day is None else int(as_of_day),
                                    int(m["marketing_leads"]), _count(s, "handed"), _share(s, "pct_within_goal"),
                                    _count(d, "handed"), _count(d, "not_connected"), _share(d, "pct_at_goal")))
    return figures


def health_table(monthly: pd.DataFrame, marketing: pd.DataFrame, speed_frame: pd.DataFrame,
                 depth_frame: pd.DataFrame, a: Assumptions, measured: Measured = ALL_MEASURED) -> pd.DataFrame:
    """One health row per month of ``monthly_actuals``: the figures, every verdict with its reason, the runs of misses.

    ``marketing`` is ``goal_line.month_attainments``; ``measured`` says which sales figures
    the data can measure (``Measured.of(dataset)``).
    """
    figures = month_figures(monthly, marketing, speed_frame, depth_frame)
    core = assess([verdicts.judge(f, a, measured) for f in figures])
    attainment = _rows(marketing, "month")
    core.insert(2, "marketing_attainment", [_share(attainment.get(f.month), "attainment") for f in figures])
    core.insert(3, "speed_pct", [f.pct_within_goal if measured.speed else None for f in figures])  # not measured: n/a
    core.insert(4, "depth_pct", [f.pct_at_goal if measured.depth else None for f in figures])
    return core[list(COLUMNS)]


def clock_for(kind: str, hours: BusinessHours | None, tz: str,
              regions: RegionCalendars = NO_REGION_CALENDARS) -> BusinessHours | None:
    """The Sales SLA clock a workspace counts on: None for calendar hours, else its business hours in ``tz``,
    the leads of ``regions`` on their own calendars."""
    if kind != "business":
        return None
    return (hours or BusinessHours(tz=tz)).in_zone(tz).with_regions(regions)


def attainments(monthly: pd.DataFrame, daily: pd.DataFrame, a: Assumptions, as_of: datetime,
                tz: str) -> pd.DataFrame:
    """Each month's marketing attainment on the goal line (``goal_line.month_attainments``) under ``a``."""
    return goal_line.month_attainments(goal_line.daily_series(daily), compute_targets(a).leads_needed, as_of,
                                       monthly["month"], tz=tz)


def health_from(monthly: pd.DataFrame, daily: pd.DataFrame, speed_frame: pd.DataFrame, depth_frame: pd.DataFrame,
                a: Assumptions, as_of: datetime | None, tz: str, measured: Measured = ALL_MEASURED) -> pd.DataFrame:
    """The health table from the data-only frames (memoised by pages), so a what-if change runs no query.

    Pass ``measured=Measured.of(dataset)``: a figure the data cannot measure is "not measured", never missed.
    """
    if as_of is None or monthly.empty:
        return pd.DataFrame(columns=list(COLUMNS))
    return health_table(monthly, attainments(monthly, daily, a, as_of, tz), speed_frame, depth_frame, a, measured)


def monthly_health(con: duckdb.DuckDBPyConnection, a: Assumptions, tz: str, as_of: datetime | None,
                   clock: BusinessHours | None = None, measured: Measured = ALL_MEASURED) -> pd.DataFrame:
    """The health table of a workspace straight from its ``leads`` (one query per measure)."""
    return health_from(actuals.monthly_actuals(con, tz, as_of), actuals.daily_marketing_leads(con, tz, as_of),
                       speed.speed_by_period(con, "month", a.speed_goal_hours, as_of, tz, clock, rules=a.goal_rules),
                       depth.depth_by_period(con, "month", a.depth_goal_attempts, as_of, tz, rules=a.goal_rules,
                                             clock=clock),
                       a, as_of, tz, measured)


# --- the status table a VP reads: plain names, verdict words with their figure, verdict colours ----------

STATUS_COLUMNS = ("Month", "Status", "Marketing", "Sales SLA", "Attainment", "Speed", "Depth", "Misses in a row")
# The answer columns come first and hold the verdict word alone, so a phone shows them without scrolling sideways;
# the figures behind them follow.
VERDICT_COLUMNS = {"Marketing": ("marketing", None), "Sales SLA": ("sales", None), "Speed": ("speed", "speed_pct"),
                   "Depth": ("depth", "depth_pct")}
IN_PROGRESS_MARK = " so far"  # "Jan 2025 so far": the month in progress, short enough for a phone
STATUS_SHOWN = {"review": "up for review"}
STATUS_COLOURS = {"review": theme.MISSED, "met": theme.MET, "missed": theme.MISSED, "in progress": theme.IN_PROGRESS}
TINT = 0.16  # a verdict cell's background: its verdict colour, light enough for dark text


def _cell(word: str, verdict: str | None, share: float | None) -> str:
    """"missed (22.2 %)", "on track (111.8 %)", "not measured"; "n/a" when the month has nothing to judge."""
    if verdict is None:
        return "n/a"
    if verdict == verdicts.NOT_MEASURED or share is None or pd.isna(share):
        return word
    return f"{word} ({floor_percent(share)})"


def status_table(table: pd.DataFrame) -> pd.DataFrame:
    """The health table as a VP reads it: one row per month, every verdict in words, "n/a" where there is none."""
    rows = []
    for r in table.to_dict("records"):
        row = {"Month": f"{r['month']:%b %Y}" + ("" if r["complete"] else IN_PROGRESS_MARK),
               "Status": STATUS_SHOWN.get(r["status"], r["status"])}
        for name, (figure, share) in VERDICT_COLUMNS.items():
            row[name] = _cell(r[f"{figure}_word"], r[f"{figure}_verdict"], r[share] if share else None)
        attainment = r["marketing_attainment"]
        row["Attainment"] = "n/a" if attainment is None or pd.isna(attainment) else floor_percent(attainment)
        row["Misses in a row"] = f"marketing {r['marketing_misses']} · sales {r['sales_misses']}"
        rows.append(row)
    return pd.DataFrame(rows, columns=list(STATUS_COLUMNS))


def _tint(colour: str | None) -> str:
    if colour is None:
        return ""
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"background-color: rgba({red}, {green}, {blue}, {TINT})"


def status_view(table: pd.DataFrame, month: date | None = None) -> Table:
    """``status_table`` with each verdict cell tinted in its verdict colour (``theme.VERDICT``, one palette) and
    the month picked in bold."""
    shown = status_table(table)
    styles = pd.DataFrame("", index=shown.index, columns=shown.columns)
    for name, (figure, _) in VERDICT_COLUMNS.items():
        styles[name] = [_tint(theme.VERDICT.get(v)) for v in table[f"{figure}_verdict"]]
    styles["Status"] = [_tint(STATUS_COLOURS.get(s)) for s in table["status"]]
    styles["Month"] = ["font-weight: bold" if m == month else "" for m in table["month"]]
    return Table(shown, styles)


def status_export(table: pd.DataFrame) -> pd.DataFrame:
    """The status table with each verdict's reason beside it: the CSV download."""
    reasons = pd.DataFrame({f"{name} — why": list(table[f"{figure}_reason"])
                            for name, (figure, _) in VERDICT_COLUMNS.items()})
    return pd.concat([status_table(table), reasons], axis=1)
