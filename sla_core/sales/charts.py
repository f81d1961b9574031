"""Altair charts of the Sales SLA: per-period bars against goal rule lines, bands, delays, reps.

Bars span their period on a time axis (start to the next period's start), so a day, a
week and a month chart read the same way; periods with nothing to show stay empty. Every
chart of one view takes the same ``span`` (``span_of``), so they all start and end together,
and a day or week axis names the year (a year of weeks has two "01 Jan").
Charts that do not show the speed goal take only goal-free figures (``speed.speed_summary``),
so the page can keep them per dataset and redraw only the goal's charts on a goal move.
Every encoding is a channel object (``alt.Y("y:Q")``, not ``"y:Q"``): Altair turns a shorthand
string or dict into one by a lookup over its whole schema, milliseconds per channel on each goal move.
"""
from __future__ import annotations

from datetime import date, timedelta

import altair as alt
import pandas as pd

from sla_core import theme
from sla_core.sales.bandwidth import Bandwidth
from sla_core.sales.speed import BANDS

STEP = {"day": pd.DateOffset(days=1), "week": pd.DateOffset(days=7), "month": pd.DateOffset(months=1)}
AXIS_FORMAT = {"day": "%d %b %Y", "week": "%d %b %Y", "month": "%b %Y"}
Span = tuple[date, date] | None  # (first period's start, the day after the last period): the shared time axis
TOOLTIP_FORMAT = {"day": "%a %d %b %Y", "week": "week of %d %b %Y", "month": "%B %Y"}
# The response chart's choices, "Average" first as the article draws it: key → (label, column of the speed frame)
RESPONSE_STATISTICS = {"mean": ("Average", "mean_hours"), "median": ("Median", "median_hours"),
                       "p90": ("p90", "p90_hours")}
SPEED_BADGE_HELP = (
    "The chart draws the average, median or p90 response you choose; the speed badge and the verdict use "
    "none of them. They use the share of due leads followed up within the goal: within ÷ (within + missed), "
    "where missed leads were not touched within the goal and their goal window has closed. The SLA is met "
    "when that share reaches the speed target share.")


def _periods(frame: pd.DataFrame, period: str) -> pd.DataFrame:
    start = pd.to_datetime(frame["period_start"])
    return frame.assign(start=start, end=start + STEP[period])


def span_of(frame: pd.DataFrame, period: str) -> Span:
    """The time axis every chart of ``frame``'s periods shares: its first period's start to its last one's end."""
    if frame.empty:
        return None
    first, last = frame["period_start"].iloc[0], frame["period_start"].iloc[-1]
    return first, (pd.Timestamp(last) + STEP[period]).date()


def _time_axis(field: str, period: str, span: Span) -> alt.X:
    """The x axis of a period chart: dates named with their year, over ``span`` when given. The axis stops a
    second before the span's end, so its last label is the last period's (Jan 2025), not the next one's."""
    scale = alt.Undefined
    if span is not None:
        first, end = span
        last = end - timedelta(days=1)
        scale = alt.Scale(domain=[alt.DateTime(year=first.year, month=first.month, date=first.day),
                                  alt.DateTime(year=last.year, month=last.month, date=last.day, hours=23,
                                               minutes=59, seconds=59)], nice=False)
    return alt.X(f"{field}:T", title=None, axis=alt.Axis(format=AXIS_FORMAT[period]), scale=scale)


def _x(period: str, span: Span = None) -> dict:
    """A bar spanning its period, from the zero baseline up (ranged bars need both ends)."""
    return {"x": _time_axis("start", period, span), "x2": alt.X2("end:T"), "y2": alt.Y2Datum(0)}


def _when(period: str) -> alt.Tooltip:
    return alt.Tooltip("start:T", title="Hand-off period", format=TOOLTIP_FORMAT[period])


def _rule(value: float | None, label: str) -> list[alt.Chart]:
    """A dashed goal line with its label, or nothing when the goal is n/a."""
    if value is None:
        return []
    data = pd.DataFrame({"y": [value], "label": [label]})
    rule = alt.Chart(data).mark_rule(color=theme.GOAL, strokeDash=[6, 3], strokeWidth=2).encode(
        y=alt.Y("y:Q"), tooltip=[alt.Tooltip("label:N", title="Goal")])
    text = alt.Chart(data).mark_text(align="left", baseline="bottom", dx=4, dy=-3, color=theme.GOAL).encode(
        y=alt.Y("y:Q"), x=alt.XValue(0), text=alt.Text("label:N"))
    return [rule, text]


# verdict words as ``Verdict.short`` gives them; on track and behind are a period in progress
VERDICT_ORDER = ("met", "on track", "behind", "in progress", "missed", "not measured", "no verdict")


def _verdict_colour(word: str) -> str:
    """A verdict word in its verdict's colour (sla_core.theme.VERDICT): a pace is the colour of in progress."""
    return theme.VERDICT.get(word, theme.IN_PROGRESS if word in ("on track", "behind") else theme.NOT_MEASURED)


def _verdict_colours(words) -> alt.Scale:
    """Verdict words (``Verdict.short``) in their verdict's colour, in a fixed order."""
    present = [w for w in VERDICT_ORDER if w in set(words)]
    return alt.Scale(domain=present, range=[_verdict_colour(w) for w in present])


def within_goal_chart(speed: pd.DataFrame, period: str, target_share: float, span: Span = None) -> alt.LayerChart:
    """Share of due leads followed up within the speed goal, per period, against the target share; each bar in
    the colour of its period's verdict (``display.period_verdicts`` puts it in the ``verdict`` column)."""
    data = _periods(speed, period)
    bars = alt.Chart(data).transform_filter("isValid(datum.pct_within_goal)").mark_bar(opacity=0.85).encode(
        **_x(period, span), y=alt.Y("pct_within_goal:Q", title="Leads within the speed goal (%)",
                                    axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("verdict:N", title=None, legend=alt.Legend(orient="top"),
                        scale=_verdict_colours(data["verdict"])),
        tooltip=[_when(period), alt.Tooltip("verdict:N", title="Verdict"),
                 alt.Tooltip("pct_within_goal:Q", title="Within goal", format=".1%"),
                 alt.Tooltip("within:Q", title="Within (leads)"), alt.Tooltip("missed:Q", title="Missed (leads)"),
                 alt.Tooltip("handed:Q", title="Handed (leads)")])
    return theme.themed(alt.layer(bars, *_rule(target_share, f"target {target_share:.0%}")).properties(
        height=280, title="Speed: share of leads within the goal"))


def _statistic(statistic: str) -> tuple[str, str]:
    """(label, column) of a response statistic, refused when unknown."""
    if statistic not in RESPONSE_STATISTICS:
        raise ValueError(f"statistic must be one of {', '.join(RESPONSE_STATISTICS)}, got {statistic!r}")
    return RESPONSE_STATISTICS[statistic]


def response_bars(speed: pd.DataFrame, period: str, clock_label: str, statistic: str = "median",
                  span: Span = None) -> alt.Chart:
    """The chosen response statistic per period (all three in the tooltip): goal-free, so it can be kept per dataset.

    ``statistic`` is a key of ``RESPONSE_STATISTICS``: "mean" (the article's average), "median" or "p90".
    """
    label, column = _statistic(statistic)
    data = _periods(speed, period)
    base = alt.Chart(data).transform_filter(f"isValid(datum.{column})")
    tips = [_when(period), *(alt.Tooltip(f"{c}:Q", title=f"{name} (h)", format=",.2f")
                             for name, c in RESPONSE_STATISTICS.values()),
            alt.Tooltip("touched:Q", title="Touched (leads)")]
    return base.mark_bar(color=theme.ACTUAL, opacity=0.85).encode(
        **_x(period, span), y=alt.Y(f"{column}:Q", title=f"{label} response ({clock_label})"), tooltip=tips)


def response_chart(bars: alt.Chart, goal_hours: float | None, clock_label: str,
                   statistic: str = "median") -> alt.LayerChart:
    """``response_bars`` (of the same ``statistic``) against the speed goal in hours: only the rule follows a goal
    move. ``goal_hours`` None (goal rules: leads have goals of their own) draws no goal line."""
    label, _ = _statistic(statistic)
    goal_line = _rule(goal_hours, f"goal {goal_hours:g} h") if goal_hours is not None else []
    return theme.themed(alt.layer(bars, *goal_line).properties(
        height=260, title=f"Speed: {label.lower()} response time ({clock_label})"))


def bands_chart(speed: pd.DataFrame, period: str, span: Span = None) -> alt.Chart:
    """How fast leads were answered, as stacked counts per period (stacked here: ranged bars do not stack)."""
    data = _periods(speed, period)
    long = data.melt(id_vars=["start", "end"], value_vars=list(BANDS), var_name="band", value_name="leads")
    long["band"] = pd.Categorical(long["band"].map(BANDS), categories=list(BANDS.values()), ordered=True)
    long = long.sort_values(["start", "band"])
    long["top"] = long.groupby("start")["leads"].cumsum()
    long["bottom"] = long["top"] - long["leads"]
    long["band"] = long["band"].astype(str)
    return theme.themed(alt.Chart(long).transform_filter("datum.leads > 0").mark_bar().encode(
        x=_time_axis("start", period, span), x2=alt.X2("end:T"),
        y=alt.Y("top:Q", title="Handed leads"), y2=alt.Y2("bottom:Q"),
        color=alt.Color("band:N", title="Response", sort=list(BANDS.values()),
                        legend=alt.Legend(orient="bottom", columns=4, direction="horizontal"),
                        scale=alt.Scale(domain=list(BANDS.values()), range=list(theme.BANDS))),
        tooltip=[_when(period), alt.Tooltip("band:N", title="Response"), alt.Tooltip("leads:Q", title="Leads")],
    ).properties(height=260, title="Response bands (leads per band)"))


def delay_chart(speed: pd.DataFrame, period: str, clock_label: str, span: Span = None) -> alt.Chart:
    """Routing delay (MQL → hand-off) beside the rep's delay (hand-off → first touch), medians.

    Each period's span is split in two: routing on the left half, the rep on the right.
    """
    data = _periods(speed, period)
    data = data.assign(middle=data["start"] + (data["end"] - data["start"]) / 2)
    routing = data.assign(left=data["start"], right=data["middle"], hours=data["routing_median_hours"],
                          delay="Routing (MQL → hand-off)")
    rep = data.assign(left=data["middle"], right=data["end"], hours=data["median_hours"],
                      delay="Rep (hand-off → first touch)")
    long = pd.concat([routing, rep])[["start", "left", "right", "hours", "delay"]].dropna(subset=["hours"])
    return theme.themed(alt.Chart(long).mark_bar().encode(
        x=_time_axis("left", period, span), x2=alt.X2("right:T"),
        y=alt.Y("hours:Q", title=f"Median delay ({clock_label})", axis=alt.Axis(format=",.2~f")), y2=alt.Y2Datum(0),
        color=alt.Color("delay:N", title=None, legend=alt.Legend(orient="top"),
                        scale=alt.Scale(domain=["Routing (MQL → hand-off)", "Rep (hand-off → first touch)"],
                                        range=[theme.ROUTING, theme.ACTUAL])),
        tooltip=[_when(period), alt.Tooltip("delay:N", title="Delay"),
                 alt.Tooltip("hours:Q", title="Median (h)", format=",.2f")],
    ).properties(height=240, title=alt.Title("Who is slow: routing or the rep", subtitle="Median delays")))


def attempts_chart(depth: pd.DataFrame, period: str, depth_goal: int | None, span: Span = None) -> alt.LayerChart:
    """Lead attempts: average attempts on not-connected leads per period, against the depth goal (None: no line,
    as in ``response_chart``)."""
    data = _periods(depth, period)
    bars = alt.Chart(data).transform_filter("isValid(datum.avg_attempts)").mark_bar(
        color=theme.ACTUAL, opacity=0.85).encode(
        **_x(period, span), y=alt.Y("avg_attempts:Q", title="Avg attempts (not connected)"),
        tooltip=[_when(period), alt.Tooltip("avg_attempts:Q", title="Avg attempts", format=",.2f"),
                 alt.Tooltip("pct_at_goal:Q", title="At goal", format=".1%"),
                 alt.Tooltip("not_connected:Q", title="Not connected (leads)")])
    goal_line = _rule(depth_goal, f"goal {depth_goal} attempts") if depth_goal is not None else []
    return theme.themed(alt.layer(bars, *goal_line).properties(
        height=240, title="Attempts on leads not reached yet"))


def worked_chart(depth: pd.DataFrame, period: str, span: Span = None) -> alt.Chart:
    """Leads worked: share of handed leads with at least one attempt, per period."""
    data = _periods(depth, period)
    return theme.themed(alt.Chart(data).transform_filter("isValid(datum.leads_worked_pct)").mark_bar(
        color=theme.ACTUAL, opacity=0.85).encode(
        **_x(period, span), y=alt.Y("leads_worked_pct:Q", title="Leads worked (%)", axis=alt.Axis(format="%"),
                              scale=alt.Scale(domain=[0, 1])),
        tooltip=[_when(period), alt.Tooltip("leads_worked_pct:Q", title="Worked", format=".1%"),
                 alt.Tooltip("worked:Q", title="Worked (leads)"), alt.Tooltip("handed:Q", title="Handed (leads)")],
    ).properties(height=240, title="Leads worked (one attempt or more)"))


def rep_chart(reps: pd.DataFrame, target_share: float) -> alt.LayerChart:
    """Each rep's share within the speed goal (from ``display.rep_table``), coloured by the rep's verdict."""
    data = reps.assign(within=reps["Within goal (%)"] / 100)
    bars = alt.Chart(data).transform_filter("isValid(datum.within)").mark_bar().encode(
        y=alt.Y("Rep:N", sort="x", title=None), x=alt.X("within:Q", title="Within the speed goal (%)",
                                                       axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("Verdict:N", title="Rep's verdict", legend=alt.Legend(orient="top"),
                        scale=_verdict_colours(data["Verdict"])),
        tooltip=[alt.Tooltip("Rep:N"), alt.Tooltip("Verdict:N"), alt.Tooltip("within:Q", title="Within goal",
                                                                             format=".1%"),
                 alt.Tooltip("Median response (h):Q", format=",.2f"),
                 alt.Tooltip("Avg attempts (not connected):Q", format=",.2f"), alt.Tooltip("Handed leads:Q")])
    target = alt.Chart(pd.DataFrame({"x": [target_share]})).mark_rule(
        color=theme.GOAL, strokeDash=[6, 3], strokeWidth=2).encode(x=alt.X("x:Q"))
    return theme.themed(alt.layer(bars, target).properties(
        height=alt.Step(22), title=alt.Title("Reps: share within the speed goal", subtitle="Dashed: the target")))


def bandwidth_chart(bw: Bandwidth, limit: int | None = None) -> alt.LayerChart:
    """Each rep's hours needed for the depth goal's missing attempts (bars) against the hours they have (ticks).

    From ``bandwidth.bandwidth``: reps who cannot honour the depth goal with their load in red;
    with ``limit``, only the first ``limit`` reps (the most hours short).
    """
    data = pd.DataFrame([r.as_dict() for r in bw.reps[:limit]], columns=["rep", "needed_hours", "available_hours",
                                                                 "missing_attempts", "marketing_handed",
                                                                 "overloaded"])
    data["status"] = ["Overloaded" if o else "Has the hours" for o in data["overloaded"]]
    y = alt.Y("rep:N", sort=list(data["rep"]), title=None)
    tips = [alt.Tooltip("rep:N", title="Rep"), alt.Tooltip("marketing_handed:Q", title="Marketing leads"),
            alt.Tooltip("missing_attempts:Q", title="Missing attempts"),
            alt.Tooltip("needed_hours:Q", title="Hours needed", format=",.1f"),
            alt.Tooltip("available_hours:Q", title="Hours available", format=",.1f")]
    bars = alt.Chart(data).mark_bar().encode(
        y=y, x=alt.X("needed_hours:Q", title="Hours in the month"),
        color=alt.Color("status:N", title=None, legend=alt.Legend(orient="top"),
                        scale=alt.Scale(domain=["Has the hours", "Overloaded"], range=[theme.ACTUAL, theme.MISSED])),
        tooltip=tips)
    available = alt.Chart(data).mark_tick(color=theme.GOAL, thickness=3).encode(y=y, x=alt.X("available_hours:Q"),
                                                                                 tooltip=tips)
    return theme.themed(alt.layer(bars, available).properties(
        height=alt.Step(22), title=alt.Title("Hours the depth goal needs, per rep",
                                             subtitle=f"Tick: the rep's hours in {bw.month:%B %Y}")))
