"""The speed chart draws the statistic the user picks (the article's average first) against the goal."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from sla_core import theme
from sla_core.sales import charts

# two months: the mean, median and p90 differ, and February's p90 is n/a
SPEED = pd.DataFrame({"period_start": [date(2024, 1, 1), date(2024, 2, 1)], "touched": [10, 1],
                      "mean_hours": [5.0, 2.0], "median_hours": [1.5, 2.0], "p90_hours": [12.0, None]})


def test_average_comes_first_as_the_article_draws_it():
    assert list(charts.RESPONSE_STATISTICS) == ["mean", "median", "p90"]
    assert charts.RESPONSE_STATISTICS["mean"][0] == "Average"


@pytest.mark.parametrize("statistic,column,label", [("mean", "mean_hours", "Average"),
                                                    ("median", "median_hours", "Median"),
                                                    ("p90", "p90_hours", "p90")])
def test_each_choice_plots_its_column(statistic, column, label):
    bars = charts.response_bars(SPEED, "month", "hours", statistic)
    chart = charts.response_chart(bars, 1.0, "hours", statistic).to_dict()
    bar_layer = chart["layer"][0]
    assert bar_layer["encoding"]["y"] == {"field": column, "type": "quantitative", "title": f"{label} response (hours)"}
    assert bar_layer["transform"] == [{"filter": f"isValid(datum.{column})"}]  # an n/a period draws no bar
    assert chart["title"] == f"Speed: {label.lower()} response time (hours)"
    rule = chart["layer"][1]
    assert rule["mark"]["type"] == "rule"
    assert chart["datasets"][rule["data"]["name"]] == [{"y": 1.0, "label": "goal 1 h"}]
    assert [t["field"] for t in bar_layer["encoding"]["tooltip"][1:4]] == ["mean_hours", "median_hours", "p90_hours"]


def test_the_default_stays_the_median_for_existing_callers():
    assert charts.response_bars(SPEED, "month", "hours").to_dict()["encoding"]["y"]["field"] == "median_hours"


def test_an_unknown_statistic_is_refused():
    with pytest.raises(ValueError, match="statistic must be one of mean, median, p90"):
        charts.response_bars(SPEED, "month", "hours", "max")


def test_the_badge_help_names_the_share_within_the_goal():
    assert "within ÷ (within + missed)" in charts.SPEED_BADGE_HELP
    assert "speed target share" in charts.SPEED_BADGE_HELP


WEEKS = pd.DataFrame({"period_start": [date(2024, 12, 23), date(2024, 12, 30), date(2025, 1, 6)], "touched": [3, 2, 1],
                      "mean_hours": [1.0, 2.0, 3.0], "median_hours": [1.0, 2.0, 3.0], "p90_hours": [1.0, 2.0, 3.0]})


def test_a_view_shares_one_time_axis_that_names_the_year_and_stops_in_its_last_period():
    span = charts.span_of(WEEKS, "week")
    assert span == (date(2024, 12, 23), date(2025, 1, 13))  # the last week ends on Sunday 12 January
    x = charts.response_bars(WEEKS, "week", "hours", "mean", span).to_dict()["encoding"]["x"]
    assert x["axis"]["format"] == "%d %b %Y"  # "30 Dec 2024", "06 Jan 2025": no "01 Jan" twice in a year of weeks
    assert x["scale"] == {"domain": [{"year": 2024, "month": 12, "date": 23},
                                     {"year": 2025, "month": 1, "date": 12, "hours": 23, "minutes": 59,
                                      "seconds": 59}], "nice": False}
    assert charts.span_of(WEEKS.iloc[0:0], "week") is None
    assert charts.span_of(WEEKS.assign(period_start=[date(2024, 11, 1), date(2024, 12, 1), date(2025, 1, 1)]),
                          "month") == (date(2024, 11, 1), date(2025, 2, 1))


def test_reps_are_coloured_by_their_verdict():
    reps = pd.DataFrame({"Rep": ["Ann", "Bob", "Cy", "Dee"], "Verdict": ["missed", "met", "behind", "on track"],
                         "Within goal (%)": [40.0, 90.0, 50.0, 85.0], "Median response (h)": [1.0, 0.5, 2.0, 0.4],
                         "Avg attempts (not connected)": [2.0, 6.0, 3.0, 6.0], "Handed leads": [5, 4, 3, 2]})
    color = charts.rep_chart(reps, 0.8).to_dict()["layer"][0]["encoding"]["color"]
    assert color["field"] == "Verdict"
    assert dict(zip(color["scale"]["domain"], color["scale"]["range"], strict=True)) == {
        "met": theme.MET, "on track": theme.IN_PROGRESS, "behind": theme.IN_PROGRESS, "missed": theme.MISSED}
