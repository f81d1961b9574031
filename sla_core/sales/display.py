"""Tables of the Sales SLA page as a user reads them: units shown, n/a spelled out, reps outside the SLA flagged.

Also the CSV downloads, with spreadsheet formulas defused (OWASP ASVS 1.2.10): an owner
or lead id like ``=HYPERLINK(…)`` is written as text, never run by Excel.
"""
from __future__ import annotations

import pandas as pd

from sla_core.formatting import NA, is_missing, percent
from sla_core.sales.speed import BANDS


def period_label(period_start, period: str) -> str:
    if period == "month":
        return f"{period_start:%b %Y}"
    if period == "week":
        return f"week of {period_start:%d %b %Y}"
    return f"{period_start:%a %d %b %Y}"


def target_share_options(current: float) -> list[float]:
    """5 % steps for the speed-target slider, plus the current value when it is off the grid."""
    return sorted({round(step / 100, 2) for step in range(5, 101, 5)} | {current})


def versus_target(share, target: float) -> str | None:
    """Delta text for a metric: percentage points above or below the target share (None when n/a)."""
    return None if is_missing(share) else f"{(share - target) * 100:+.1f} pts vs target {target:.0%}"


def versus_goal(value, goal: float) -> str | None:
    return None if is_missing(value) else f"{value - goal:+.2f} vs goal {goal:g}"


def sla_status(share, target: float, avg_attempts, depth_goal: float) -> tuple[str, str | None]:
    """("Met" | "Missed" | "n/a", what was missed): n/a when neither figure exists yet."""
    if is_missing(share) and is_missing(avg_attempts):
        return NA, None
    missed = [name for name, value, goal in (("speed", share, target), ("depth", avg_attempts, depth_goal))
              if not is_missing(value) and value < goal]
    return ("Missed", f"{' and '.join(missed)} below the goal") if missed else ("Met", None)


def range_caption(frame: pd.DataFrame, period: str) -> str:
    """What a chart covers, e.g. "13 months of hand-offs: Jan 2024 – Jan 2025"."""
    if frame.empty:
        return "No hand-offs to chart."
    first, last = frame["period_start"].iloc[0], frame["period_start"].iloc[-1]
    n = len(frame)
    return (f"{n} {period}{'s' if n != 1 else ''} of hand-offs: {period_label(first, period)} – "
            f"{period_label(last, period)}.")


def page_caption(page: int, size: int, shown: int, total: int) -> str:
    first = (page - 1) * size + 1
    return f"Leads {first:,}–{first + shown - 1:,} of {total:,} (oldest hand-off first)."


def years_of(frame: pd.DataFrame) -> range:
    """The calendar years a per-period frame spans (to prefill public holidays)."""
    if frame.empty:
        return range(0)
    return range(frame["period_start"].iloc[0].year, frame["period_start"].iloc[-1].year + 1)


REP_COLUMNS = ["Rep", "Handed leads", "Median response (h)", "Within goal (%)", "Avg attempts (not connected)",
               "At depth goal (%)", "Outside SLA", "Why"]


def rep_table(speed_reps: pd.DataFrame, depth_reps: pd.DataFrame, period_start, target_share: float,
              depth_goal: int) -> pd.DataFrame:
    """One row per owner for one period, as numbers (percentages 0–100) for a sortable table.

    Outside SLA: share within the speed goal below ``target_share``, or average attempts
    on not-connected leads below ``depth_goal``; an n/a figure never flags a rep.
    """
    s = speed_reps[speed_reps["period_start"] == period_start][["owner", "handed", "median_hours", "pct_within_goal"]]
    d = depth_reps[depth_reps["period_start"] == period_start][["owner", "handed", "avg_attempts", "pct_at_goal"]]
    merged = s.merge(d, on="owner", how="outer", suffixes=("_speed", "_depth"))
    rows = []
    for r in merged.itertuples():
        slow = not is_missing(r.pct_within_goal) and r.pct_within_goal < target_share
        shallow = not is_missing(r.avg_attempts) and r.avg_attempts < depth_goal
        why = [f"{percent(r.pct_within_goal, 0)} within the speed goal (target {percent(target_share, 0)})"] if slow else []
        why += [f"{r.avg_attempts:.1f} attempts (goal {depth_goal})"] if shallow else []
        rows.append({
            "Rep": r.owner, "Handed leads": int(0 if is_missing(r.handed_depth) else r.handed_depth),
            "Median response (h)": r.median_hours,
            "Within goal (%)": None if is_missing(r.pct_within_goal) else r.pct_within_goal * 100,
            "Avg attempts (not connected)": r.avg_attempts,
            "At depth goal (%)": None if is_missing(r.pct_at_goal) else r.pct_at_goal * 100,
            "Outside SLA": slow or shallow, "Why": "; ".join(why),
        })
    table = pd.DataFrame(rows, columns=REP_COLUMNS)
    return table.sort_values(["Outside SLA", "Within goal (%)", "Rep"], ascending=[False, True, True],
                             na_position="last").reset_index(drop=True)


def highlight_outside(reps: pd.DataFrame):
    """The rep table with reps outside the SLA on a red background (a pandas Styler; cells stay text)."""
    return reps.style.apply(lambda row: ["background-color: #fde2e2" if row["Outside SLA"] else ""] * len(row), axis=1)


def period_table(speed_frame: pd.DataFrame, depth_frame: pd.DataFrame, period: str) -> pd.DataFrame:
    """Speed and depth per period side by side, for the CSV download (numbers; n/a left empty → "n/a")."""
    merged = speed_frame.merge(depth_frame, on="period_start", how="outer", suffixes=("", "_depth"))
    out = pd.DataFrame({"period_start": [f"{p:%Y-%m-%d}" for p in merged["period_start"]], "period": period})
    for column in ("handed", "touched", "mean_hours", "median_hours", "p90_hours", "within", "missed",
                   "pct_within_goal", *BANDS, "routing_median_hours", "touched_before_handoff", "not_connected",
                   "avg_attempts", "pct_at_goal", "leads_worked_pct"):
        out[column] = merged[column].to_numpy()
    return out
