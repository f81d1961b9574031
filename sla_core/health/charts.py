"""SLA health month by month as small multiples: marketing, speed and depth each on its own axis.

Marketing attainment can run to several hundred percent while speed and depth are shares of
leads (0–100 %), so one shared axis squashes the sales lines flat; each panel gets its own axis and
its own goal line (100 % for marketing, each target share for sales). Every point is coloured by
its verdict in the one palette (``theme.VERDICT``), and the month picked on the page is marked.
"""
from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd

from sla_core import theme
from sla_core.assumptions import Assumptions
from sla_core.health.verdicts import NOT_MEASURED, target_percent

PANEL_HEIGHT = 230
PANEL_WIDTH = 260  # each panel's width in the downloaded chart; on screen a panel fills its column
VERDICT_SCALE = alt.Scale(domain=list(theme.VERDICT), range=list(theme.VERDICT.values()))


def _panel_spec(a: Assumptions) -> dict[str, tuple[str, str, str, float, bool]]:
    """figure → (value column, title, subtitle, goal, share axis fixed to 0–100 %)."""
    return {  # short titles: a panel is a third of the page, or a phone's width
        "marketing": ("marketing_attainment", "Marketing: leads vs goal", "dashed: 100 % of the goal", 1.0, False),
        "speed": ("speed_pct", f"Speed: within {a.speed_goal_hours:g} h",
                  f"dashed: target {target_percent(a.speed_target_share)}", a.speed_target_share, True),
        "depth": ("depth_pct", f"Depth: {a.depth_goal_attempts}+ attempts",
                  f"dashed: target {target_percent(a.depth_target_share)}", a.depth_target_share, True),
    }


def _points(table: pd.DataFrame, figure: str, column: str) -> pd.DataFrame:
    """The months with a value: month, value, the verdict (the colour) and its word and reason (the tooltip)."""
    frame = pd.DataFrame({"month": pd.to_datetime(table["month"]), "value": pd.to_numeric(table[column]),
                          "verdict": table[f"{figure}_verdict"].where(table[f"{figure}_verdict"].isin(
                              list(theme.VERDICT)), NOT_MEASURED),
                          "reason": table[f"{figure}_reason"]})
    return frame.dropna(subset=["value"])


def _panel(table: pd.DataFrame, figure: str, a: Assumptions, month: date | None, legend: bool) -> alt.LayerChart:
    column, title, subtitle, goal, share_axis = _panel_spec(a)[figure]
    points = _points(table, figure, column)
    heading = alt.TitleParams(title, subtitle=subtitle, subtitleFontSize=12)
    if points.empty:
        note = pd.DataFrame({"text": ["not measured: upload an activity log on the Data page"]})
        return alt.layer(alt.Chart(note).mark_text(color=theme.NOT_MEASURED, fontSize=13).encode(text="text:N")
                         ).properties(title=heading, height=PANEL_HEIGHT)
    y = alt.Y("value:Q", title=None, axis=alt.Axis(format="%", tickCount=5),
              scale=alt.Scale(domain=[0, 1]) if share_axis else alt.Scale(zero=True, nice=True))
    span = pd.to_datetime(table["month"])  # every panel spans every month, so the panels line up
    x = alt.X("month:T", title=None, scale=alt.Scale(domain=[span.min().isoformat(), span.max().isoformat()],
                                                     padding=10),  # the first and last points drawn whole
              axis=alt.Axis(format="%b %y", labelAngle=0, tickCount="month", labelOverlap=True))
    base = alt.Chart(points).encode(x=x, y=y)
    line = base.mark_line(color=theme.RULE, strokeWidth=1.5)
    dots = base.mark_circle(size=70, opacity=1).encode(
        color=alt.Color("verdict:N", scale=VERDICT_SCALE, title="Verdict",
                        legend=alt.Legend(orient="top") if legend else None),
        tooltip=[alt.Tooltip("month:T", title="Month", format="%B %Y"),
                 alt.Tooltip("value:Q", title=title, format=".1%"), alt.Tooltip("reason:N", title="Verdict")])
    target = alt.Chart(pd.DataFrame({"goal": [goal]})).mark_rule(color=theme.GOAL, strokeDash=[4, 3]).encode(
        y="goal:Q", tooltip=[alt.Tooltip("goal:Q", title="Goal", format=".0%")])
    layers = [line, target, dots]
    if month is not None:
        picked = alt.Chart(pd.DataFrame({"month": [pd.Timestamp(month)]})).mark_rule(
            color=theme.AS_OF, opacity=0.25, strokeWidth=6).encode(x="month:T")
        layers.insert(0, picked)
    return alt.layer(*layers).properties(title=heading, height=PANEL_HEIGHT)


FIGURES = ("marketing", "speed", "depth")


def health_panels(table: pd.DataFrame, a: Assumptions, month: date | None = None) -> tuple[alt.LayerChart, ...]:
    """Marketing, speed and depth, each themed on its own: the page lays them out in columns (they stack on a
    phone). ``table`` is the health table (``monthly.health_table``); ``month`` is marked."""
    return tuple(theme.themed(_panel(table, figure, a, month, legend=False)) for figure in FIGURES)


def panel_specs(table: pd.DataFrame, a: Assumptions, month: date | None = None) -> tuple[dict, ...]:
    """``health_panels`` as Vega-Lite dicts: Altair builds and serialises a panel in a few hundred milliseconds, so
    the view keeps these per month in the session's cache and a rerun draws them without Altair."""
    return tuple(panel.to_dict() for panel in health_panels(table, a, month))


def health_chart(table: pd.DataFrame, a: Assumptions, month: date | None = None) -> alt.HConcatChart:
    """The three panels side by side with the verdict legend: what the chart download holds."""
    panels = [_panel(table, figure, a, month, legend=figure == FIGURES[0]).properties(width=PANEL_WIDTH)
              for figure in FIGURES]
    title = alt.TitleParams("SLA health month by month",
                            subtitle=f"Marked: {month:%B %Y}" if month is not None else alt.Undefined)
    return theme.themed(alt.hconcat(*panels, spacing=28, title=title).resolve_scale(color="shared"))
