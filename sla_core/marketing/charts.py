"""Altair charts of the Marketing SLA: the month's goal line, attainment month by month, the catch-up
goal line and the cohort conversion curve.

The goal is a Vega-Lite parameter, not data: the page builds a chart's spec once per month
and view (memoised) and a what-if change only swaps the parameter's value with
``with_goal``, so a slider move neither rebuilds nor revalidates the chart.
"""
from __future__ import annotations

import calendar

import altair as alt
import pandas as pd

from sla_core import theme
from sla_core.health import verdicts
from sla_core.health.months import COMPLETE
from sla_core.marketing.catch_up import CatchUp
from sla_core.marketing.goal_line import GoalLine
from sla_core.marketing.maturity import LEAST_CONVERTED, Maturity

GOAL_PARAM = "goal"
# goal × d / n, n/a (no line) when the goal is
GOAL_CUM = f"isValid({GOAL_PARAM}) ? {GOAL_PARAM} * datum.day / datum.days : null"


def _goal_param(goal: float | None) -> alt.Parameter:
    return alt.param(name=GOAL_PARAM, value=goal)


def with_goal(spec: dict, goal: float | None) -> dict:
    """A chart spec from this module with another goal (a shallow copy; the cached spec is untouched)."""
    params = [{**p, "value": goal} if p.get("name") == GOAL_PARAM else p for p in spec.get("params", [])]
    return {**spec, "params": params}


def goal_line_chart(line: GoalLine, unit: str = "leads") -> alt.LayerChart:
    """Cumulative actual as bars under the dashed cumulative goal line, with a rule at the as-of day."""
    data = pd.DataFrame({"date": pd.to_datetime(line.points["date"]), "day": range(1, line.days_in_month + 1),
                         "days": line.days_in_month, "actual_cum": line.points["actual_cum"]})
    color = alt.Color("series:N", title=None, legend=alt.Legend(orient="top"),
                      scale=alt.Scale(domain=["Actual (cumulative)", "Goal (cumulative)"],
                                      range=[theme.ACTUAL, theme.GOAL]))
    x = alt.X("date:T", title="Day of month", axis=alt.Axis(format="%d %b"))
    day = alt.Tooltip("date:T", title="Day", format="%a %d %b %Y")
    base = alt.Chart(data)
    bars = base.transform_filter("isValid(datum.actual_cum)").transform_calculate(
        series="'Actual (cumulative)'").mark_bar(opacity=0.75).encode(
        x=x, y=alt.Y("actual_cum:Q", title=f"Cumulative {unit}"), color=color,
        tooltip=[day, alt.Tooltip("actual_cum:Q", title=f"Actual {unit}", format=",.0f")])
    goal = base.transform_calculate(goal_cum=GOAL_CUM, series="'Goal (cumulative)'").transform_filter(
        "isValid(datum.goal_cum)").mark_line(strokeDash=[6, 3], strokeWidth=2).encode(
        x=x, y="goal_cum:Q", color=color, tooltip=[day, alt.Tooltip("goal_cum:Q", title=f"Goal {unit}", format=",.1f")])
    layers = [bars, goal]
    if line.as_of_day is not None and line.as_of_day < line.days_in_month:
        as_of = pd.DataFrame({"date": [data["date"].iloc[line.as_of_day - 1]], "label": ["as of"]})
        layers.append(alt.Chart(as_of).mark_rule(color=theme.AS_OF, strokeDash=[2, 2]).encode(x="date:T"))
        layers.append(alt.Chart(as_of).mark_text(align="left", dx=4, dy=-6, color=theme.AS_OF)
                      .encode(x="date:T", y=alt.value(8), text="label:N"))
    return theme.themed(alt.layer(*layers).add_params(_goal_param(line.goal)).properties(
        height=320, title=f"{line.month:%B %Y}: {unit} against the goal line"))


def _verdict_expr() -> str:
    """Each month's verdict in the chart, by the marketing rule of ``verdicts.marketing``: a complete month is met
    when its leads reach the goal, the month in progress is in progress (on track while it is on the goal line)."""
    return (f"datum.stage == '{COMPLETE}' ? (datum.actual >= datum.goal_cum ? '{verdicts.MET}' : '{verdicts.MISSED}')"
            f" : '{verdicts.IN_PROGRESS}'")


def attainment_chart(months: pd.DataFrame, goal: float | None) -> alt.LayerChart:
    """Attainment per month (bars, from ``month_attainments`` with each month's ``stage``) against the 100 % line,
    each bar in its verdict's colour (``theme.VERDICT``) and words (``verdicts``).

    Attainment and verdict are computed in the chart from each month's actual, as-of day and length, so
    the goal parameter can change without new data; months with no value are left out.
    """
    data = pd.DataFrame({"month": pd.to_datetime(months["month"]), "actual": months["actual"],
                         "day": months["as_of_day"], "days": months["days_in_month"], "stage": months["stage"]})
    data = data.dropna(subset=["actual", "day"])
    shown = (verdicts.MET, verdicts.MISSED, verdicts.IN_PROGRESS)
    bars = alt.Chart(data).transform_calculate(goal_cum=GOAL_CUM).transform_calculate(
        attainment="datum.goal_cum > 0 ? datum.actual / datum.goal_cum : null").transform_filter(
        "isValid(datum.attainment)").transform_calculate(verdict=_verdict_expr()).transform_calculate(
        said=f"datum.verdict == '{verdicts.IN_PROGRESS}' ? datum.verdict + (datum.actual >= datum.goal_cum ? "
             f"', {verdicts.ON_TRACK}' : ', {verdicts.BEHIND}') : datum.verdict").mark_bar().encode(
        x=alt.X("yearmonth(month):O", title="Month"),
        y=alt.Y("attainment:Q", title="Attainment", axis=alt.Axis(format="%")),
        color=alt.Color("verdict:N", title=None, scale=alt.Scale(domain=list(shown),
                                                                 range=[theme.VERDICT[v] for v in shown])),
        tooltip=[alt.Tooltip("yearmonth(month):O", title="Month"), alt.Tooltip("said:N", title="Verdict"),
                 alt.Tooltip("attainment:Q", title="Attainment", format=".0%"),
                 alt.Tooltip("actual:Q", title="Actual to date", format=",.0f"),
                 alt.Tooltip("goal_cum:Q", title="Goal to date", format=",.0f")])
    target = alt.Chart(pd.DataFrame({"y": [1.0]})).mark_rule(color=theme.GOAL, strokeDash=[6, 3]).encode(y="y:Q")
    return theme.themed(alt.layer(bars, target).add_params(_goal_param(goal)).properties(
        height=220, title="Attainment month by month (100 % = on the goal line)"))


def catch_up_chart(plan: CatchUp, line: GoalLine | None = None) -> alt.LayerChart:
    """Month N's goal line with the dashed catch-up goal line above it (SPEC 8b), from ``catch_up.catch_up_plan``.

    Both lines climb evenly over the month (goal × d ÷ n); ``line``, the same month's goal
    line once it has started, adds its cumulative actual as bars.
    """
    goal_color, catch_up_color, actual_color = theme.GOAL, theme.ORANGE, theme.ACTUAL
    series = {"Goal (cumulative)": plan.leads_needed, "Catch-up goal (cumulative)": plan.goal_leads}
    days = calendar.monthrange(plan.month.year, plan.month.month)[1]
    dates = pd.date_range(plan.month, periods=days, freq="D")
    goals = pd.DataFrame([{"date": d, "series": name, "leads": goal * (i + 1) / days}
                          for name, goal in series.items() if goal is not None for i, d in enumerate(dates)],
                         columns=["date", "series", "leads"])
    color = alt.Color("series:N", title=None, legend=alt.Legend(orient="top"),
                      scale=alt.Scale(domain=[*series, "Actual (cumulative)"],
                                      range=[goal_color, catch_up_color, actual_color]))
    x = alt.X("date:T", title="Day of month", axis=alt.Axis(format="%d %b"))
    day = alt.Tooltip("date:T", title="Day", format="%a %d %b %Y")
    lines = alt.Chart(goals).mark_line(strokeWidth=2).encode(
        x=x, y=alt.Y("leads:Q", title="Cumulative leads"), color=color,
        strokeDash=alt.StrokeDash("series:N", legend=None, scale=alt.Scale(domain=list(series),
                                                                          range=[[1, 0], [6, 3]])),
        tooltip=[day, alt.Tooltip("series:N", title="Line"), alt.Tooltip("leads:Q", title="Leads", format=",.1f")])
    layers = [lines]
    if line is not None and line.month == plan.month:
        actual = pd.DataFrame({"date": dates, "leads": list(line.actual_cum), "series": "Actual (cumulative)"})
        layers.insert(0, alt.Chart(actual.dropna(subset=["leads"])).mark_bar(opacity=0.6).encode(
            x=x, y="leads:Q", color=color,
            tooltip=[day, alt.Tooltip("leads:Q", title="Actual leads", format=",.0f")]))
    extra = "n/a" if plan.extra_leads is None else f"+{plan.extra_leads:,} leads"
    return theme.themed(alt.layer(*layers).properties(
        height=320, title=f"{plan.month:%B %Y}: goal line and catch-up goal ({extra}, "
                          f"{plan.spread_months}-month catch-up)"))


def conversion_curve_chart(m: Maturity) -> alt.LayerChart:
    """F(t) of the mature cohorts as a step line, the maturity threshold, the 20 % floor below which a
    projection is too early to tell, and each maturing month at its age with the share it should have seen."""
    steps = m.curve.steps()
    end = max(steps[-1][0] if steps else 0.0, m.threshold_days) * 1.05  # draw the last step out past both
    line_data = pd.DataFrame([*steps, *([(end, steps[-1][1])] if steps else [])], columns=["days", "share"])
    x = alt.X("days:Q", title="Days from MQL to customer", scale=alt.Scale(domainMin=0))
    y = alt.Y("share:Q", title="Share of a month's customers won by then", axis=alt.Axis(format="%"),
              scale=alt.Scale(domain=[0, 1]))
    curve = alt.Chart(line_data).mark_line(interpolate="step-after", strokeWidth=2, color=theme.ACTUAL).encode(
        x=x, y=y, tooltip=[alt.Tooltip("days:Q", title="Days from MQL", format=",.1f"),
                           alt.Tooltip("share:Q", title="Customers won by then", format=".0%")])
    floor = alt.Chart(pd.DataFrame({"share": [LEAST_CONVERTED], "label": ["below: too early to tell"]}))
    threshold = alt.Chart(pd.DataFrame({"days": [m.threshold_days],
                                        "label": [f"mature {m.threshold_days:,.0f} days after the month ends"]}))
    cohorts = pd.DataFrame([{"days": c.age_days, "share": c.converted_share, "month": f"{c.month:%b %Y}",
                             "so_far": c.close_rate, "projected": c.projected_close_rate}
                            for c in m.cohorts if c.converted_share is not None],
                           columns=["days", "share", "month", "so_far", "projected"])
    layers = [
        floor.mark_rule(color=theme.GOAL, strokeDash=[6, 3]).encode(y="share:Q"),
        floor.mark_text(align="left", baseline="bottom", dx=4, dy=-2, color=theme.SLATE).encode(
            x=alt.value(0), y="share:Q", text="label:N"),
        threshold.mark_rule(color=theme.AS_OF, strokeDash=[2, 2]).encode(x="days:Q"),
        threshold.mark_text(align="left", baseline="top", dx=4, dy=4, color=theme.AS_OF).encode(
            x="days:Q", y=alt.value(0), text="label:N"),
        curve,
    ]
    if not cohorts.empty:
        points = alt.Chart(cohorts).encode(x="days:Q", y="share:Q")
        layers += [points.mark_point(filled=True, size=70, color=theme.ORANGE).encode(tooltip=[
            alt.Tooltip("month:N", title="Maturing month"), alt.Tooltip("days:Q", title="Age (days)", format=",.1f"),
            alt.Tooltip("share:Q", title="Share it should have seen", format=".0%"),
            alt.Tooltip("so_far:Q", title="Close rate so far", format=".2%"),
            alt.Tooltip("projected:Q", title="Projected close rate", format=".2%")]),
            points.mark_text(align="left", dx=7, dy=-7, color=theme.INK).encode(text="month:N")]
    return theme.themed(alt.layer(*layers).properties(
        height=300, title="How fast a month's leads become customers (mature months)"))
