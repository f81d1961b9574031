"""Rep capacity (SPEC 7): needed against available follow-up hours, by hand."""
from __future__ import annotations

from datetime import date

import pytest

from sla_core.assumptions import Assumptions
from sla_core.sales.capacity import rep_capacity, weeks_in_month


def test_default_assumptions_are_feasible_in_march():
    cap = rep_capacity(Assumptions(), date(2024, 3, 1))
    assert cap.leads_needed == 200  # 200,000 × 70 % ÷ 15,000 → 10 customers ÷ 5 % = 200 leads
    assert cap.needed_hours == pytest.approx(200 * 6 * 10 / 60)  # 200 h
    assert cap.weeks == pytest.approx(31 / 7)
    assert cap.available_hours == pytest.approx(6 * 10 * 31 / 7)  # 265.7 h
    assert cap.feasible is True
    assert cap.gap_hours == pytest.approx(200 - 6 * 10 * 31 / 7)  # spare hours are a negative gap
    assert cap.reps_needed(10) == 5  # 200 h ÷ 44.3 h per rep → 4.5 → 5


def test_a_short_month_with_fewer_reps_has_a_gap():
    a = Assumptions(reps=4, hours_per_week_on_marketing_leads=8, minutes_per_attempt=15)
    cap = rep_capacity(a, date(2023, 2, 1))
    assert cap.weeks == 4.0
    assert cap.needed_hours == pytest.approx(200 * 6 * 15 / 60)  # 300 h
    assert cap.available_hours == pytest.approx(4 * 8 * 4)  # 128 h
    assert cap.feasible is False and cap.gap_hours == pytest.approx(172)
    assert cap.reps_needed(8) == 10  # 300 ÷ 32 = 9.4 → 10
    assert cap.as_dict(8)["feasible"] is False


def test_exactly_enough_hours_is_feasible():
    a = Assumptions(quota=5000, marketing_share=1.0, avg_deal_size=100, close_rate=0.5,  # the article: 100 leads
                    depth_goal_attempts=6, minutes_per_attempt=14, reps=5, hours_per_week_on_marketing_leads=7)
    cap = rep_capacity(a, date(2023, 2, 1))  # 100 × 6 × 14 ÷ 60 = 140 h; 5 × 7 × 4 = 140 h
    assert cap.feasible is True and cap.gap_hours == pytest.approx(0)
    assert cap.reps_needed(7) == 5


def test_no_reps_or_hours_means_no_capacity_and_na_reps_needed():
    cap = rep_capacity(Assumptions(reps=0), date(2024, 4, 1))
    assert cap.available_hours == 0 and cap.feasible is False
    assert cap.reps_needed(0) is None


@pytest.mark.parametrize("month,days", [(date(2024, 2, 1), 29), (date(2023, 2, 1), 28), (date(2024, 4, 1), 30),
                                        (date(2024, 12, 1), 31)])
def test_weeks_in_month_is_days_over_seven(month, days):
    assert weeks_in_month(month) == days / 7
