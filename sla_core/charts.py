"""Altair charts of the Marketing SLA: the month's goal line and attainment month by month."""
from __future__ import annotations

import altair as alt
import pandas as pd

from sla_core.goal_line import GoalLine

GOAL_COLOR = "#6b7280"
ACTUAL_COLOR = "#2563eb"
BEHIND_COLOR = "#dc2626"


def goal_line_chart(line: GoalLine, unit: str = "leads") -> alt.LayerChart:
    """Cumulative actual as bars under the cumulative goal line, with a rule at the as-of day."""
    data = line.points.assign(date=pd.to_datetime(line.points["date"]))
    long = pd.concat([
        data[["date", "goal_cum"]].rename(columns={"goal_cum": "value"}).assign(series="Goal (cumulative)"),
        data[["date", "actual_cum"]].rename(columns={"actual_cum": "value"}).assign(series="Actual (cumulative)"),
    ]).dropna(subset=["value"])
    color = alt.Color("series:N", title=None, scale=alt.Scale(domain=["Actual (cumulative)", "Goal (cumulative)"],
                                                             range=[ACTUAL_COLOR, GOAL_COLOR]),
                      legend=alt.Legend(orient="top"))
    x = alt.X("date:T", title="Day of month", axis=alt.Axis(format="%d %b"))
    y = alt.Y("value:Q", title=f"Cumulative {unit}")
    tooltip = [alt.Tooltip("date:T", title="Day", format="%a %d %b %Y"), alt.Tooltip("series:N", title="Series"),
               alt.Tooltip("value:Q", title=unit.capitalize(), format=",.1f")]
    bars = alt.Chart(long[long["series"] == "Actual (cumulative)"]).mark_bar(opacity=0.75).encode(
        x=x, y=y, color=color, tooltip=tooltip)
    goal = alt.Chart(long[long["series"] == "Goal (cumulative)"]).mark_line(strokeDash=[6, 3], strokeWidth=2).encode(
        x=x, y=y, color=color, tooltip=tooltip)
    layers = [bars, goal]
    if line.as_of_day is not None and line.as_of_day < line.days_in_month:
        as_of = pd.DataFrame({"date": [data["date"].iloc[line.as_of_day - 1]], "label": ["as of"]})
        layers.append(alt.Chart(as_of).mark_rule(color=BEHIND_COLOR, strokeDash=[2, 2]).encode(x="date:T"))
        layers.append(alt.Chart(as_of).mark_text(align="left", dx=4, dy=-6, color=BEHIND_COLOR)
                      .encode(x="date:T", y=alt.value(8), text="label:N"))
    return alt.layer(*layers).properties(height=320, title=f"{line.month:%B %Y}: {unit} against the goal line")


def attainment_chart(months: pd.DataFrame) -> alt.LayerChart:
    """Marketing attainment per month (bars) against the 100 % line; months without a value are left out."""
    data = months.dropna(subset=["attainment"]).assign(
        month=lambda d: pd.to_datetime(d["month"]),
        status=lambda d: d["on_track"].map({True: "On track", False: "Behind"}))
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X("yearmonth(month):O", title="Month"),
        y=alt.Y("attainment:Q", title="Attainment", axis=alt.Axis(format="%")),
        color=alt.Color("status:N", title=None, scale=alt.Scale(domain=["On track", "Behind"],
                                                                range=[ACTUAL_COLOR, BEHIND_COLOR])),
        tooltip=[alt.Tooltip("yearmonth(month):O", title="Month"),
                 alt.Tooltip("attainment:Q", title="Attainment", format=".0%"),
                 alt.Tooltip("actual:Q", title="Actual to date", format=",.0f"),
                 alt.Tooltip("goal_to_date:Q", title="Goal to date", format=",.0f")])
    target = alt.Chart(pd.DataFrame({"y": [1.0]})).mark_rule(color=GOAL_COLOR, strokeDash=[6, 3]).encode(y="y:Q")
    return alt.layer(bars, target).properties(height=220, title="Attainment month by month (100 % = on the goal line)")
