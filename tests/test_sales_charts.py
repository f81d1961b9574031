"""The speed chart draws the statistic the user picks (the article's average first) against the goal."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

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
    assert rule["mark"]["type"] == "rule" and chart["datasets"][rule["data"]["name"]] == [{"y": 1.0, "label": "goal 1 h"}]
    assert [t["field"] for t in bar_layer["encoding"]["tooltip"][1:4]] == ["mean_hours", "median_hours", "p90_hours"]


def test_the_default_stays_the_median_for_existing_callers():
    assert charts.response_bars(SPEED, "month", "hours").to_dict()["encoding"]["y"]["field"] == "median_hours"


def test_an_unknown_statistic_is_refused():
    with pytest.raises(ValueError, match="statistic must be one of mean, median, p90"):
        charts.response_bars(SPEED, "month", "hours", "max")


def test_the_badge_help_names_the_share_within_the_goal():
    assert "within ÷ (within + missed)" in charts.SPEED_BADGE_HELP
    assert "speed target share" in charts.SPEED_BADGE_HELP
