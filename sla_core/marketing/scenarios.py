"""Side-by-side comparison of two saved what-if scenarios: their targets and goal lines on one chart."""
from __future__ import annotations

import json
from datetime import date, datetime

import altair as alt
import duckdb
import pandas as pd

from sla_core import theme
from sla_core.marketing import actuals

from sla_core.ingest import load as ingest

from sla_core.store import workspaces as store
from sla_core.assumptions import Assumptions
from sla_core.marketing.goal_line import daily_series, goal_line
from sla_core.marketing.targets import compute_targets

COMPARED = ("quota", "marketing_share", "avg_deal_size", "close_rate", "speed_goal_hours", "depth_goal_attempts",
            "speed_target_share")
TARGETS = ("marketing_revenue_goal", "customers_needed", "leads_needed")
ACTUAL_SERIES = "Actual (cumulative)"  # the series compare_goal_lines adds beside the goals


def assumptions_of(settings_json: str) -> Assumptions:
    """The assumptions saved in a scenario's settings (defaults when the scenario predates a field)."""
    raw = json.loads(settings_json).get("assumptions") or {}
    return Assumptions.from_dict(raw)


def revision_table(revisions: list[store.Scenario]) -> pd.DataFrame:
    """Every revision of a scenario with its time, inputs and leads needed, oldest first."""
    rows = []
    for r in revisions:
        a = assumptions_of(r.settings_json)
        rows.append({"revision": r.revision, "saved_at": r.saved_at, "name": r.name,
                     **{name: getattr(a, name) for name in COMPARED},
                     "leads_needed": compute_targets(a).leads_needed})
    return pd.DataFrame(rows)


def stored_daily_leads(cur: duckdb.DuckDBPyConnection, workspace_id: str, dataset: ingest.Dataset) -> pd.Series:
    """Daily marketing leads of a saved workspace, read in place from the store through ``cur``."""
    store.show_workspace(cur, workspace_id)
    return daily_series(actuals.daily_marketing_leads(cur, dataset.tz, dataset.as_of))


def compare_targets(first: Assumptions, second: Assumptions) -> pd.DataFrame:
    """One row per input and target: the value under each scenario and the change from the first to the second."""
    rows = []
    values = [(name, getattr(first, name), getattr(second, name)) for name in COMPARED]
    t1, t2 = compute_targets(first).as_dict(), compute_targets(second).as_dict()
    values += [(name, t1[name], t2[name]) for name in TARGETS]
    for name, a, b in values:
        change = None if a is None or b is None else b - a
        rows.append({"measure": name, "first": a, "second": b, "change": change})
    return pd.DataFrame(rows, columns=["measure", "first", "second", "change"])


def compare_goal_lines(daily: pd.Series | pd.DataFrame, month: date, goals: dict[str, float | None],
                       as_of: datetime | date, tz: str) -> pd.DataFrame:
    """Long frame (date, series, leads): each scenario's cumulative goal line and the actual, once."""
    frames = []
    for label, goal in goals.items():
        line = goal_line(daily, month, goal, as_of, tz=tz)
        frames.append(pd.DataFrame({"date": line.points["date"], "series": f"Goal: {label}",
                                    "leads": line.points["goal_cum"]}))
    frames.append(pd.DataFrame({"date": line.points["date"], "series": "Actual (cumulative)",
                                "leads": line.points["actual_cum"]}))
    return pd.concat(frames, ignore_index=True).dropna(subset=["leads"])


def compare_chart(lines: pd.DataFrame, month: date) -> alt.Chart:
    """The actual as a solid line, each scenario's goal line dashed in its own colour."""
    data = lines.assign(date=pd.to_datetime(lines["date"]))
    goals = [s for s in data["series"].unique() if s != ACTUAL_SERIES]
    colours = [theme.GOAL, theme.SECOND_GOAL, *theme.CATEGORY[1:]]
    return theme.themed(alt.Chart(data).mark_line(point=False, strokeWidth=2).encode(
        x=alt.X("date:T", title="Day of month", axis=alt.Axis(format="%d %b")),
        y=alt.Y("leads:Q", title="Cumulative marketing leads"),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="top"),
                        scale=alt.Scale(domain=[ACTUAL_SERIES, *goals], range=[theme.ACTUAL, *colours[:len(goals)]])),
        strokeDash=alt.condition(f"datum.series == '{ACTUAL_SERIES}'", alt.value([1, 0]), alt.value([6, 3])),
        tooltip=[alt.Tooltip("date:T", format="%a %d %b %Y"), "series:N", alt.Tooltip("leads:Q", format=",.1f")],
    ).properties(height=320, title=f"{month:%B %Y}: goal lines of both scenarios"))
