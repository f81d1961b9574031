"""The goal line (SPEC 4): cumulative goal g·d/n, actual to the as-of day, attainment and projection."""
from __future__ import annotations

import math
from datetime import date, datetime, timezone

import pandas as pd
import pytest
from hypothesis import given, strategies as st

from sla_core.marketing.actuals import daily_marketing_leads
from sla_core.marketing.goal_line import goal_line, month_attainments, tier_series, value_series

DAILY = pd.DataFrame({
    "day": [date(2024, 1, 31), date(2024, 2, 10), date(2024, 2, 15), date(2024, 2, 15), date(2024, 3, 3)],
    "tier": ["other", "executive", "manager", "other", "other"],
    "leads": [4, 1, 2, 3, 5],
})


def test_as_of_month_stops_at_the_as_of_day():
    line = goal_line(DAILY, date(2024, 2, 1), 29, date(2024, 2, 20))
    assert line.days_in_month == 29 and line.as_of_day == 20
    assert list(line.points["goal_cum"]) == [float(d) for d in range(1, 30)]  # 29 × d / 29
    assert line.points["actual_cum"].iloc[8] == 0 and line.points["actual_cum"].iloc[9] == 1
    assert line.points["actual_cum"].iloc[19] == 6
    assert line.points["actual_cum"].iloc[20:].isna().all()
    assert (line.actual, line.goal_to_date) == (6, 20)
    assert line.attainment == pytest.approx(0.3)
    assert line.on_track is False
    assert line.projection == pytest.approx(6 * 29 / 20)


def test_past_month_uses_the_whole_month():
    line = goal_line(DAILY, date(2024, 1, 1), 3.1, date(2024, 4, 10))
    assert line.as_of_day == 31
    assert line.actual == 4 and line.goal_to_date == pytest.approx(3.1)
    assert line.attainment == pytest.approx(4 / 3.1) and line.on_track is True
    assert line.projection == 4
    assert line.points["goal_cum"].iloc[0] == pytest.approx(0.1)


def test_future_month_and_missing_goal_are_na():
    future = goal_line(DAILY, date(2024, 5, 1), 100, date(2024, 4, 10))
    assert (future.as_of_day, future.attainment, future.on_track, future.projection) == (None, None, None, None)
    assert future.points["actual_cum"].isna().all() and len(future.points) == 31
    no_goal = goal_line(DAILY, date(2024, 2, 1), None, date(2024, 2, 20))
    assert no_goal.attainment is None and no_goal.on_track is None and no_goal.actual == 6
    assert no_goal.points["goal_cum"].isna().all()
    zero_goal = goal_line(DAILY, date(2024, 2, 1), 0, date(2024, 2, 20))
    assert zero_goal.attainment is None


@pytest.mark.parametrize("month, as_of", [(date(2024, 2, 1), date(2024, 2, 20)), (date(2024, 1, 1), date(2024, 4, 10)),
                                           (date(2024, 5, 1), date(2024, 4, 10))])
def test_a_day_to_leads_mapping_draws_the_same_line_as_the_daily_frame(month, as_of):
    # what the report command passes: the month's leads per day, read without pandas
    per_day = {date(2024, 1, 31): 4, date(2024, 2, 10): 1, date(2024, 2, 15): 5, date(2024, 3, 3): 5}
    from_frame, from_mapping = goal_line(DAILY, month, 29, as_of), goal_line(per_day, month, 29, as_of)
    assert from_mapping.points_records() == from_frame.points_records()
    figures = ("as_of_day", "actual", "goal_to_date", "attainment", "on_track", "projection")
    assert [getattr(from_mapping, f) for f in figures] == [getattr(from_frame, f) for f in figures]
    pd.testing.assert_frame_equal(from_mapping.points, from_frame.points)


def test_aware_as_of_is_taken_in_the_workspace_zone():
    # 02:00 UTC on 1 March is still 29 February in New York
    line = goal_line(DAILY, date(2024, 2, 1), 29, datetime(2024, 3, 1, 2, tzinfo=timezone.utc), tz="America/New_York")
    assert line.as_of_day == 29


def test_points_records_are_json_ready():
    records = goal_line(DAILY, date(2024, 2, 1), 29, date(2024, 2, 20)).points_records()
    assert records[0] == {"date": "2024-02-01", "goal_cum": 1.0, "actual_cum": 0.0}
    assert records[-1] == {"date": "2024-02-29", "goal_cum": 29.0, "actual_cum": None}


def test_month_attainments_for_health_over_time():
    months = [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1), date(2024, 4, 1)]
    table = month_attainments(DAILY, 31, date(2024, 3, 16), months)
    assert list(table["as_of_day"].astype("Int64")) == [31, 29, 16, pd.NA]
    assert list(table["actual"].iloc[:3]) == [4, 6, 5]
    assert table["attainment"].iloc[0] == pytest.approx(4 / 31)
    assert table["attainment"].iloc[2] == pytest.approx(5 / (31 * 16 / 31))
    assert table["attainment"].iloc[3] is None or math.isnan(table["attainment"].iloc[3])
    per_month = month_attainments(DAILY, {date(2024, 1, 1): 4}, date(2024, 3, 16), months[:2])
    assert per_month["on_track"].tolist() == [True, None]


def test_tier_and_value_series():
    assert tier_series(DAILY, "other").to_dict() == {date(2024, 1, 31): 4, date(2024, 2, 15): 3, date(2024, 3, 3): 5}
    values = value_series(DAILY, {"executive": 100, "manager": 40, "other": None})
    assert values.to_dict() == {date(2024, 1, 31): 0, date(2024, 2, 10): 100, date(2024, 2, 15): 80,
                                date(2024, 3, 3): 0}
    line = goal_line(values, date(2024, 2, 1), 290, date(2024, 2, 29))
    assert line.actual == 180 and line.attainment == pytest.approx(180 / 290)


def test_daily_marketing_leads_query_local_days_and_tiers(make_leads):
    con = make_leads([
        {"lead_id": "1", "created_at": "2024-02-01T03:00:00Z", "job_title": "VP Sales"},
        {"lead_id": "2", "created_at": "2024-02-01T15:00:00Z", "job_title": "Sales Manager", "tier": " Director "},
        {"lead_id": "3", "created_at": "2024-02-01T16:00:00Z", "job_title": "Marketing Manager"},
        {"lead_id": "4", "created_at": "2024-02-01T17:00:00Z"},
        {"lead_id": "5", "created_at": "2024-02-01T18:00:00Z", "origin": "sales"},
        {"lead_id": "6", "created_at": "2024-02-03T18:00:00Z"},  # after the as-of time
    ])
    daily = daily_marketing_leads(con, "America/New_York", datetime(2024, 2, 2, tzinfo=timezone.utc))
    got = {(d, t): n for d, t, n in daily.itertuples(index=False)}
    assert got == {(date(2024, 1, 31), "executive"): 1, (date(2024, 2, 1), "director"): 1,
                   (date(2024, 2, 1), "manager"): 1, (date(2024, 2, 1), "other"): 1}


def test_chart_specs_swap_the_goal_and_render():
    import vl_convert

    from sla_core import theme
    from sla_core.marketing import charts
    line = goal_line(DAILY, date(2024, 2, 1), 29, date(2024, 2, 20))
    spec = charts.goal_line_chart(line).to_dict()
    moved = charts.with_goal(spec, 58)
    assert [p for p in moved["params"] if p["name"] == "goal"] == [{"name": "goal", "value": 58}]
    assert [p for p in spec["params"] if p["name"] == "goal"] == [{"name": "goal", "value": 29}]  # cached spec kept
    assert "February 2024: leads against the goal line" in vl_convert.vegalite_to_svg(moved)
    history = month_attainments(DAILY, None, date(2024, 3, 16), [date(2024, 1, 1), date(2024, 2, 1)]).assign(
        stage="complete")
    bars = charts.attainment_chart(history, None).to_dict()

    def colours(goal):  # bars of each colour, less the one legend symbol each
        svg = vl_convert.vegalite_to_svg(charts.with_goal(bars, goal))
        return svg.count(theme.MET) - 1, svg.count(theme.MISSED) - 1

    # attainment is computed in the chart: Jan 4 leads and Feb 6 leads against goal × d*/n = the goal
    assert colours(31) == (0, 2)
    assert colours(5) == (1, 1)
    assert colours(4) == (2, 0)
    assert colours(None) == (0, 0)


@given(st.lists(st.integers(min_value=0, max_value=50), min_size=29, max_size=29),
       st.floats(min_value=0.5, max_value=1e4), st.integers(min_value=1, max_value=29))
def test_projection_and_attainment_agree(per_day, goal, as_of):
    daily = pd.DataFrame({"day": [date(2024, 2, d) for d in range(1, 30)], "leads": per_day})
    line = goal_line(daily, date(2024, 2, 1), goal, date(2024, 2, as_of))
    assert line.points["goal_cum"].iloc[-1] == pytest.approx(goal)
    assert line.actual == sum(per_day[:as_of])
    assert line.projection == pytest.approx(line.attainment * goal)  # on pace for attainment × the month's goal
    assert line.on_track == (line.attainment >= 1)


def test_with_goal_gives_the_line_computed_with_that_goal():
    """The page computes a month's actuals once and swaps the goal per slider move."""
    series = pd.Series([3.0, 5.0, 2.0], index=[date(2024, 6, 1), date(2024, 6, 2), date(2024, 6, 10)])
    as_of = date(2024, 6, 15)
    for goal in (300.0, 0.0, None):
        swapped = goal_line(series, date(2024, 6, 1), None, as_of).with_goal(goal)
        direct = goal_line(series, date(2024, 6, 1), goal, as_of)
        assert (swapped.goal, swapped.actual, swapped.goal_to_date, swapped.attainment, swapped.on_track,
                swapped.projection) == (direct.goal, direct.actual, direct.goal_to_date, direct.attainment,
                                        direct.on_track, direct.projection)
        pd.testing.assert_frame_equal(swapped.points, direct.points)
    assert goal_line(series, date(2024, 6, 1), 300.0, as_of).attainment == 10 / (300 * 15 / 30)
