"""SLA health: consecutive misses per team and the "review" status after three missed months in a row."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from sla_core.health import monthly as health
from sla_core.assumptions import Assumptions

MONTHS = [date(2024, m, 1) for m in range(1, 9)]


def test_consecutive_misses_count_resets_and_skip_na():
    T, F, N = True, False, None
    assert health.consecutive_misses([F, F, T, F, N, F, F, T]) == [1, 2, 0, 1, 1, 2, 3, 0]
    assert health.consecutive_misses([]) == []


def test_review_after_three_missed_months_of_either_team():
    T, F = True, False
    table = health.assess(MONTHS, [True] * 8, marketing_met=[F, F, F, T, T, T, T, T],
                          sales_met=[T, T, T, F, F, T, F, F])
    assert list(table["marketing_misses"]) == [1, 2, 3, 0, 0, 0, 0, 0]
    assert list(table["sales_misses"]) == [0, 0, 0, 1, 2, 0, 1, 2]
    assert list(table["status"]) == ["missed", "missed", "review", "missed", "missed", "met", "missed", "missed"]


def test_month_in_progress_is_neither_a_miss_nor_a_pass():
    table = health.assess(MONTHS[:4], [True, True, True, False], [False, False, True, False], [True] * 4)
    assert list(table["marketing_misses"]) == [1, 2, 0, 0]
    assert list(table["status"]) == ["missed", "missed", "met", "in progress"]
    ongoing = health.assess(MONTHS[:4], [True, True, True, False], [False] * 4, [True] * 4)
    assert list(ongoing["status"]) == ["missed", "missed", "review", "review"]  # a review stands until a pass


def test_unmeasurable_months_are_na_and_keep_the_streak():
    table = health.assess(MONTHS[:4], [True] * 4, [False, None, False, False], [None, None, None, None])
    assert list(table["marketing_misses"]) == [1, 1, 2, 3]
    assert list(table["status"]) == ["missed", "n/a", "missed", "review"]


def test_met_and_sales_combination():
    assert health.met(0.8, 0.8) is True and health.met(0.79, 0.8) is False
    assert health.met(None, 0.8) is None and health.met(float("nan"), 0.8) is None
    assert health.both_met(True, None) is True and health.both_met(True, False) is False
    assert health.both_met(None, None) is None


def test_health_table_joins_the_monthly_frames_by_month():
    monthly = pd.DataFrame({"month": MONTHS[:3], "complete": [True, True, False]})
    marketing = pd.DataFrame({"month": MONTHS[:3], "attainment": [1.2, 0.5, float("nan")]})
    speed = pd.DataFrame({"period_start": MONTHS[1:3], "pct_within_goal": [0.9, 0.5]})  # no hand-offs in January
    depth = pd.DataFrame({"period_start": MONTHS[:3], "pct_at_goal": [0.1, 0.85, 0.9]})
    table = health.health_table(monthly, marketing, speed, depth, target_share=0.8)
    assert list(table.columns) == list(health.COLUMNS)
    assert list(table["marketing_met"]) == [True, False, None]
    assert list(table["speed_met"]) == [None, True, False]
    assert list(table["depth_met"]) == [False, True, True]
    assert list(table["sales_met"]) == [False, True, False]
    assert list(table["status"]) == ["missed", "missed", "in progress"]
    assert pd.isna(table["speed_pct"].iloc[0])  # n/a, never 0


def test_monthly_health_lists_every_month_of_the_data(make_leads):
    con = make_leads([
        {"lead_id": "1", "created_at": "2024-01-10T10:00:00+00:00", "handed_at": "2024-01-10T10:00:00+00:00",
         "first_touch_at": "2024-01-10T10:30:00+00:00", "attempts": 6},
        {"lead_id": "2", "created_at": "2024-03-05T10:00:00+00:00"},
    ])
    from datetime import datetime, timezone
    table = health.monthly_health(con, Assumptions(quota=100, marketing_share=1, avg_deal_size=100, close_rate=1),
                                  "UTC", datetime(2024, 3, 20, tzinfo=timezone.utc))
    assert list(table["month"]) == MONTHS[:3]
    # goal 1 lead a month: January and March on track, February missed
    assert list(table["marketing_met"]) == [True, False, True]
    assert table["speed_pct"].iloc[0] == pytest.approx(1.0)
    assert list(table["status"]) == ["met", "missed", "in progress"]


def test_clock_follows_the_workspace_setting():
    from sla_core.sales.clock import BusinessHours
    assert health.clock_for("calendar", BusinessHours(), "UTC") is None
    assert health.clock_for("business", None, "Europe/Berlin") == BusinessHours(tz="Europe/Berlin")


def test_health_chart_renders():
    from sla_core import export
    table = health.assess(MONTHS[:2], [True, False], [True, False], [False, None]).assign(
        marketing_attainment=[1.1, 0.4], speed_pct=[0.7, None], depth_pct=[0.9, 0.95])
    assert export.chart_bytes(health.health_chart(table, 0.8), "svg").startswith(b"<svg")
