"""Tables of the Sales SLA page as a user reads them: units shown, n/a spelled out, reps outside the SLA flagged.

Whether a month or a rep is within the SLA is never decided here: ``sla_core.health.verdicts``
decides it for every surface, and these tables only show its verdicts and reasons. The grids
are text (a grid shows a missing number as "None", so every cell is written out, "n/a"
included); the CSV downloads keep the numbers, with spreadsheet formulas defused
(OWASP ASVS 1.2.10): an owner or lead id like ``=HYPERLINK(…)`` is written as text.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from sla_core.assumptions import Assumptions
from sla_core.formatting import NA, is_missing
from sla_core.health import verdicts
from sla_core.health.months import COMPLETE, IN_PROGRESS, NOT_STARTED
from sla_core.health.verdicts import Measured, Verdict
from sla_core.html_table import Table
from sla_core.sales.bandwidth import LABELS as BANDWIDTH_LABELS
from sla_core.sales.bandwidth import OTHER_REPS
from sla_core.sales.charts import STEP
from sla_core.sales.speed import BANDS

REP_LIMIT = 100  # rows of the rep table: the reps with the most leads; the others are grouped in one row
# Streamlit's named colours for a verdict's badge or delta, each the hue of sla_core.theme.VERDICT
# (met bluish green, missed vermillion, in progress blue, not measured grey): (colour, icon, arrow).
VERDICT_STYLE = {
    verdicts.MET: ("green", ":material/check_circle:", "up"),
    verdicts.MISSED: ("red", ":material/warning:", "down"),
    verdicts.IN_PROGRESS: ("blue", ":material/schedule:", "off"),
    verdicts.NOT_MEASURED: ("gray", ":material/help:", "off"),
    None: ("gray", ":material/remove:", "off"),
}


def period_label(period_start, period: str) -> str:
    if period == "month":
        return f"{period_start:%b %Y}"
    if period == "week":
        return f"week of {period_start:%d %b %Y}"
    return f"{period_start:%a %d %b %Y}"


def month_option(month: date, as_of_month: date | None, fmt: str = "%b %Y") -> str:
    """A month as the month picker lists it: "Jan 2025", and the as-of month "Jan 2025 (in progress)"."""
    return f"{month.strftime(fmt)}{' (in progress)' if month == as_of_month else ''}"


def target_share_options(current: float) -> list[float]:
    """5 % steps for a target-share slider, plus the current value when it is off the grid."""
    return sorted({round(step / 100, 2) for step in range(5, 101, 5)} | {current})


def verdict_style(verdict: Verdict) -> tuple[str, str, str]:
    """(Streamlit colour, icon, delta arrow) of a verdict; a month in progress that is behind gets the warning icon."""
    colour, icon, arrow = VERDICT_STYLE[verdict.verdict]
    if verdict.verdict == verdicts.IN_PROGRESS and verdict.pace == verdicts.BEHIND:
        icon = VERDICT_STYLE[verdicts.MISSED][1]
    return colour, icon, arrow


def verdict_delta(verdict: Verdict, target: str) -> str:
    """The delta under a judged figure: the verdict, or the month in progress's pace so far, and its target."""
    return f"{verdict.short} · {target}"


def sales_badge(verdict: Verdict, month: date) -> str | None:
    """The badge over the month's figures; None when there is nothing to judge or it is not measured (no badge)."""
    if verdict.verdict in (None, verdicts.NOT_MEASURED):
        return None
    if verdict.verdict == verdicts.IN_PROGRESS:
        pace = f", {verdict.pace} so far" if verdict.pace else ": nothing due yet"
        return f"Sales SLA in progress{pace}"
    return f"Sales SLA {verdict.verdict} in {month:%B %Y}"


def range_caption(frame: pd.DataFrame, period: str) -> str:
    """What a chart covers, e.g. "13 months of hand-offs: Jan 2024 – Jan 2025"."""
    if frame.empty:
        return "No hand-offs to chart."
    first, last = frame["period_start"].iloc[0], frame["period_start"].iloc[-1]
    n = len(frame)
    return (f"{n} {period}{'s' if n != 1 else ''} of hand-offs: {period_label(first, period)} – "
            f"{period_label(last, period)}.")


def between(frame: pd.DataFrame, first: date, last: date) -> pd.DataFrame:
    """The rows of a per-period frame whose period starts between ``first`` and ``last`` (both included)."""
    starts = frame["period_start"]
    return frame[(starts >= first) & (starts <= last)].reset_index(drop=True)


def period_verdicts(frame: pd.DataFrame, period: str, as_of_local: datetime, speed_measured: bool,
                    target_share: float, goal_hours: float | None) -> pd.DataFrame:
    """A per-period speed frame with each period's speed verdict word (``verdict``), as ``verdicts.speed`` judges
    a month: a period that ended by the as-of time (local, naive) is complete, the one holding it in progress."""
    words = []
    for row in frame.itertuples():
        start = pd.Timestamp(row.period_start)
        stage = (COMPLETE if start + STEP[period] <= as_of_local else IN_PROGRESS if start <= as_of_local
                 else NOT_STARTED)
        share = None if is_missing(row.pct_within_goal) else float(row.pct_within_goal)
        words.append(verdicts.speed(row.period_start, stage, speed_measured, int(row.handed), share, target_share,
                                    goal_hours).short)
    return frame.assign(verdict=words)


def page_caption(page: int, size: int, shown: int, total: int) -> str:
    first = (page - 1) * size + 1
    return f"Leads {first:,}–{first + shown - 1:,} of {total:,} (oldest hand-off first)."


def years_of(frame: pd.DataFrame) -> range:
    """The calendar years a per-period frame spans (to prefill public holidays)."""
    if frame.empty:
        return range(0)
    return range(frame["period_start"].iloc[0].year, frame["period_start"].iloc[-1].year + 1)


# --- the rep table -----------------------------------------------------------------------------

WHY_SEPARATOR = "; "  # between a rep's reasons, each "speed behind: <detail>"
REP_COLUMNS = ["Rep", "Verdict", "Handed leads", "Median response (h)", "Within goal (%)",
               "Avg attempts (not connected)", "At depth goal (%)", "Outside SLA", "Why"]


@dataclass(frozen=True, eq=False)
class RepTable:
    """The rep table (numbers; percentages 0–100) and how many reps its last row groups (0: none)."""

    frame: pd.DataFrame
    grouped: int

    @property
    def outside(self) -> int:
        return int(self.frame["Outside SLA"].sum())

    @property
    def reps(self) -> list[str]:
        """The reps listed one by one (not the grouped row)."""
        rows = self.frame["Rep"] if not self.grouped else self.frame["Rep"].iloc[:-1]
        return list(rows)


@dataclass(frozen=True)
class _RepFigures:
    """One rep's (or a group's) month, as the verdicts read it."""

    rep: str
    speed_handed: int
    within: float
    missed: float
    median_hours: float | None
    depth_handed: int
    not_connected: int
    at_goal: int
    attempts_total: float  # avg attempts × not connected: pooled into a group's average

    @property
    def pct_within_goal(self) -> float | None:
        return self.within / (self.within + self.missed) if self.within + self.missed else None

    @property
    def pct_at_goal(self) -> float | None:
        return self.at_goal / self.not_connected if self.not_connected else None

    @property
    def avg_attempts(self) -> float | None:
        return self.attempts_total / self.not_connected if self.not_connected else None


def _number(value, default=0.0) -> float:
    return default if is_missing(value) else float(value)


def _rep_figures(speed_reps: pd.DataFrame, depth_reps: pd.DataFrame, month: date) -> list[_RepFigures]:
    s = speed_reps[speed_reps["period_start"] == month][["owner", "handed", "within", "missed", "median_hours"]]
    d = depth_reps[depth_reps["period_start"] == month][["owner", "handed", "not_connected", "avg_attempts", "at_goal"]]
    merged = s.merge(d, on="owner", how="outer", suffixes=("_speed", "_depth"))
    return [_RepFigures(str(r.owner), int(_number(r.handed_speed)), _number(r.within), _number(r.missed),
                        None if is_missing(r.median_hours) else float(r.median_hours), int(_number(r.handed_depth)),
                        int(_number(r.not_connected)), int(_number(r.at_goal)),
                        _number(r.avg_attempts) * _number(r.not_connected))
            for r in merged.itertuples()]


def _group(rest: list[_RepFigures]) -> _RepFigures:
    """The reps beyond the table's limit as one row: counts summed, shares as ratios of the sums."""
    def total(name: str) -> float:
        return sum(getattr(r, name) for r in rest)
    return _RepFigures(OTHER_REPS.format(count=len(rest)), int(total("speed_handed")), total("within"),
                       total("missed"), None, int(total("depth_handed")), int(total("not_connected")),
                       int(total("at_goal")), total("attempts_total"))


def _rep_row(r: _RepFigures, month: date, stage: str, measured: Measured, a: Assumptions) -> dict:
    speed_goal, depth_goal = verdicts.named_goals(a)
    speed = verdicts.speed(month, stage, measured.speed, r.speed_handed, r.pct_within_goal, a.speed_target_share,
                           speed_goal)
    depth = verdicts.depth(month, stage, measured.depth, r.depth_handed, r.not_connected, r.pct_at_goal,
                           a.depth_target_share, depth_goal)
    judged = verdicts.sales(speed, depth)
    why = [f"{name} {v.short}: {v.detail}" for name, v in (("speed", speed), ("depth", depth)) if v.on_track is False]
    within, at_goal = r.pct_within_goal, r.pct_at_goal
    return {
        "Rep": r.rep, "Verdict": judged.short, "Handed leads": r.depth_handed,
        "Median response (h)": r.median_hours if measured.speed else None,
        "Within goal (%)": within * 100 if measured.speed and within is not None else None,
        "Avg attempts (not connected)": r.avg_attempts if measured.depth else None,
        "At depth goal (%)": at_goal * 100 if measured.depth and at_goal is not None else None,
        "Outside SLA": judged.on_track is False, "Why": WHY_SEPARATOR.join(why),
    }


def rep_table(speed_reps: pd.DataFrame, depth_reps: pd.DataFrame, month: date, stage: str, measured: Measured,
              a: Assumptions, limit: int = REP_LIMIT) -> RepTable:
    """One row per owner handed leads in ``month`` (stage: ``months.phase``), judged by the verdict functions.

    Outside the SLA: the rep's sales verdict is missed (or, the month in progress, behind so
    far); a figure not measured or with nothing to judge never flags a rep. Past ``limit``
    owners, the ones with the most leads are listed and the rest are grouped in a last row,
    its shares pooled as ratios of sums (its median is n/a).
    """
    figures = sorted(_rep_figures(speed_reps, depth_reps, month), key=lambda r: (-r.depth_handed, r.rep))
    kept, rest = figures[:limit], figures[limit:]
    rows = [_rep_row(r, month, stage, measured, a) for r in kept]
    table = pd.DataFrame(rows, columns=REP_COLUMNS)
    table = table.sort_values(["Outside SLA", "Within goal (%)", "Rep"], ascending=[False, True, True],
                              na_position="last").reset_index(drop=True)
    if rest:
        grouped = pd.DataFrame([_rep_row(_group(rest), month, stage, measured, a)], columns=REP_COLUMNS)
        table = pd.concat([table, grouped], ignore_index=True)
    return RepTable(table.astype({"Outside SLA": bool}), len(rest))


def _text(value, fmt: str) -> str:
    return NA if is_missing(value) else fmt.format(value)


REP_FORMATS = {"Handed leads": "{:,.0f}", "Median response (h)": "{:,.2f} h", "Within goal (%)": "{:.1f} %",
               "Avg attempts (not connected)": "{:.2f}", "At depth goal (%)": "{:.1f} %"}


SPEED_COLUMNS = ("Median response (h)", "Within goal (%)")
DEPTH_COLUMNS = ("Avg attempts (not connected)", "At depth goal (%)")


def _named_verdicts(why: str) -> str:
    """"speed behind; depth missed" from a row's reasons (``_rep_row``): the row itself shows the figures, the
    headline the targets, and the download keeps every reason whole."""
    return WHY_SEPARATOR.join(reason.split(":", 1)[0] for reason in why.split(WHY_SEPARATOR) if reason)


def shown_reps(table: pd.DataFrame, measured: Measured) -> pd.DataFrame:
    """The rep table as the page shows it: figures with their units, n/a spelled out, "yes" for a rep outside the
    SLA with the figures that put it there, and no column of a figure the data cannot measure (nor the SLA flag
    when nothing is measured)."""
    out = table.copy()
    for column, fmt in REP_FORMATS.items():
        out[column] = [_text(v, fmt) for v in table[column]]
    out["Outside SLA"] = ["yes" if outside else "" for outside in table["Outside SLA"]]
    out["Why"] = [_named_verdicts(why) for why in table["Why"]]
    dropped = [*(() if measured.speed else SPEED_COLUMNS), *(() if measured.depth else DEPTH_COLUMNS),
               *(() if measured.speed or measured.depth else ("Outside SLA", "Why"))]
    return out.drop(columns=dropped)


# Row tints of reps outside the SLA, light versions of their verdict's colour: missed (vermillion) and behind in the
# month in progress (blue, sla_core.theme.SEQUENTIAL's lightest).
OUTSIDE_TINT = {"missed": "#FBE7D9", "behind": "#DCEBF5"}


def highlight_outside(shown: pd.DataFrame) -> Table:
    """The rep grid with reps outside the SLA tinted in their verdict's colour."""
    tints = [OUTSIDE_TINT.get(verdict) if outside else None
             for verdict, outside in zip(shown["Verdict"], shown.get("Outside SLA", [""] * len(shown)), strict=True)]
    styles = pd.DataFrame({c: [f"background-color: {t}" if t else "" for t in tints] for c in shown.columns},
                          index=shown.index)
    return Table(shown, styles)


# --- rep bandwidth -------------------------------------------------------------------------------

_COUNT, _HOURS = "{:,.0f}", "{:,.1f} h"
BANDWIDTH_FORMATS = {
    "marketing_handed": _COUNT, "sales_handed": _COUNT, "marketing_hours_spent": _HOURS,
    "sales_hours_spent": _HOURS, "unconnected_marketing": _COUNT, "below_goal": _COUNT, "missing_attempts": _COUNT,
    "needed_hours": _HOURS, "hours_per_week": _HOURS, "available_hours": _HOURS, "minutes_per_lead": "{:,.0f} min",
    "gap_hours": "{:+,.1f} h",
}


ATTEMPT_FIGURES = ("marketing_hours_spent", "sales_hours_spent", "below_goal", "missing_attempts", "needed_hours",
                   "gap_hours", "overloaded")  # what needs attempt counts


def shown_bandwidth(rows: list[dict], attempts_measured: bool = True) -> pd.DataFrame:
    """``Bandwidth.table_rows`` as the grid shows them: hours with their unit, n/a spelled out, yes / no. Without
    attempt counts, only the leads and the hours each rep has for them (minutes per lead) are shown."""
    frame = pd.DataFrame(rows, columns=list(BANDWIDTH_LABELS.values()))
    for key, fmt in BANDWIDTH_FORMATS.items():
        label = BANDWIDTH_LABELS[key]
        frame[label] = [_text(v, fmt) for v in frame[label]]
    overloaded = BANDWIDTH_LABELS["overloaded"]
    frame[overloaded] = ["yes" if v is True else "no" if v is False else NA for v in frame[overloaded]]
    return frame if attempts_measured else frame.drop(columns=[BANDWIDTH_LABELS[k] for k in ATTEMPT_FIGURES])


# --- lead lists ------------------------------------------------------------------------------

NOT_TOUCHED = "not touched"
LEAD_LABELS = {"lead_id": "Lead", "owner": "Rep", "handed_local": "Handed at", "first_touch_local": "First touch",
               "response_hours": "Response", "speed_goal_hours": "Speed goal (h)", "speed_status": "Speed",
               "attempts": "Attempts", "connected": "Connected", "depth_goal": "Depth goal",
               "depth_status": "Depth", "breach": "Breaches"}
GOAL_LABELS = ("Speed goal (h)", "Depth goal")  # shown only with goal rules: else every lead has the sliders' goals


def _when(value) -> str:
    return NA if is_missing(value) else f"{pd.Timestamp(value):%Y-%m-%d %H:%M}"


def lead_rows(leads: pd.DataFrame, measured: Measured, own_goals: bool = False) -> pd.DataFrame:
    """A page of ``speed.speed_leads`` as the grid shows it: friendly headers, times to the minute, n/a spelled
    out; a figure the data cannot measure reads "not measured". ``own_goals`` (goal rules): each lead's goals
    beside its status."""
    out = pd.DataFrame({
        "Lead": leads["lead_id"].astype(str), "Rep": leads["owner"].astype(str),
        "Handed at": [_when(v) for v in leads["handed_local"]],
        "First touch": [(NOT_TOUCHED if is_missing(v) else _when(v)) if measured.speed else verdicts.NOT_MEASURED
                        for v in leads["first_touch_local"]],
        "Response": [_text(v, "{:,.2f} h") if measured.speed else verdicts.NOT_MEASURED
                     for v in leads["response_hours"]],
        "Speed": leads["speed_status"] if measured.speed else verdicts.NOT_MEASURED,
        "Attempts": [_text(v, "{:,.0f}") if measured.depth else verdicts.NOT_MEASURED for v in leads["attempts"]],
        "Connected": ["yes" if v is True else "no" if v is False else NA for v in leads["connected"]],
        "Depth": leads["depth_status"] if measured.depth else verdicts.NOT_MEASURED,
    })
    if "breach" in leads.columns:
        out["Breaches"] = [NA if is_missing(v) else str(v) for v in leads["breach"]]
    if own_goals:
        out.insert(out.columns.get_loc("Speed"), GOAL_LABELS[0],
                   [_text(v, "{:g} h") if measured.speed else verdicts.NOT_MEASURED for v in leads["speed_goal_hours"]])
        out.insert(out.columns.get_loc("Depth"), GOAL_LABELS[1],
                   [_text(v, "{:,.0f}") if measured.depth else verdicts.NOT_MEASURED for v in leads["depth_goal"]])
    return out


def lead_csv_frame(leads: pd.DataFrame, own_goals: bool = False) -> pd.DataFrame:
    """A lead list for a CSV download: the friendly headers, the numbers and times as they are (each lead's goals
    only with goal rules)."""
    dropped = ["total", *([] if own_goals else ["speed_goal_hours", "depth_goal"])]
    return leads.drop(columns=[c for c in dropped if c in leads.columns]).rename(columns=LEAD_LABELS)


# --- downloads -------------------------------------------------------------------------------

def period_table(speed_frame: pd.DataFrame, depth_frame: pd.DataFrame, period: str) -> pd.DataFrame:
    """Speed and depth per period side by side, for the CSV download (numbers; n/a left empty → "n/a")."""
    merged = speed_frame.merge(depth_frame, on="period_start", how="outer", suffixes=("", "_depth"))
    out = pd.DataFrame({"period_start": [f"{p:%Y-%m-%d}" for p in merged["period_start"]], "period": period})
    for column in ("handed", "touched", "mean_hours", "median_hours", "p90_hours", "within", "missed",
                   "pct_within_goal", *BANDS, "routing_median_hours", "touched_before_handoff", "not_connected",
                   "avg_attempts", "pct_at_goal", "leads_worked_pct"):
        out[column] = merged[column].to_numpy()
    return out

