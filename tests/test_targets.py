"""Target arithmetic (SPEC 2), the what-if inputs and the deep-link query parameters."""
from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given, strategies as st

from sla_core.marketing.actuals import PooledActuals
from sla_core.assumptions import RANGES, Assumptions
from sla_core.sales.capacity import rep_capacity
from sla_core.marketing.controls import INPUTS, apply_actuals, from_shown
from sla_core.marketing.targets import compute_targets, customers_needed, leads_needed

quotas = st.floats(min_value=0, max_value=1e9, allow_nan=False)
shares = st.floats(min_value=1e-3, max_value=1.0)
deal_sizes = st.floats(min_value=1.0, max_value=1e7)
close_rates = st.floats(min_value=1e-3, max_value=1.0)


def test_worked_example_from_the_article():
    t = compute_targets(Assumptions(quota=5000, marketing_share=1.0, avg_deal_size=100, close_rate=0.5))
    assert (t.marketing_revenue_goal, t.customers_needed, t.leads_needed) == (5000, 50, 100)


def test_float_noise_does_not_add_a_customer():
    # 3000 × 0.7 is 2100.0000000000005 in binary floating point; 2100 / 210 is exactly 10 customers
    t = compute_targets(Assumptions(quota=3000, marketing_share=0.7, avg_deal_size=210, close_rate=0.1))
    assert (t.customers_needed, t.leads_needed) == (10, 100)


def test_partial_customer_rounds_up():
    t = compute_targets(Assumptions(quota=1001, marketing_share=1.0, avg_deal_size=100, close_rate=0.3))
    assert (t.customers_needed, t.leads_needed) == (11, 37)  # 10.01 → 11; 36.67 → 37


@given(quotas, quotas, shares, deal_sizes, close_rates)
def test_targets_never_fall_when_quota_rises(q1, q2, share, deal, rate):
    low, high = sorted((q1, q2))
    a = Assumptions(quota=low, marketing_share=share, avg_deal_size=deal, close_rate=rate)
    t_low, t_high = compute_targets(a), compute_targets(a.updated(quota=high))
    assert t_low.marketing_revenue_goal <= t_high.marketing_revenue_goal
    assert t_low.customers_needed <= t_high.customers_needed
    assert t_low.leads_needed <= t_high.leads_needed


@given(quotas, shares, deal_sizes, close_rates)
def test_ceilings_are_the_smallest_whole_numbers_that_cover_the_goal(quota, share, deal, rate):
    t = compute_targets(Assumptions(quota=quota, marketing_share=share, avg_deal_size=deal, close_rate=rate))
    goal = quota * share
    tol = 1e-6 * max(1.0, goal)
    assert t.customers_needed * deal >= goal - tol
    assert (t.customers_needed - 1) * deal < goal + tol or t.customers_needed == 0
    assert t.leads_needed * rate >= t.customers_needed - 1e-6 * max(1, t.customers_needed)
    assert t.leads_needed >= t.customers_needed  # a close rate ≤ 100 % never needs fewer leads than customers
    assert isinstance(t.customers_needed, int) and isinstance(t.leads_needed, int)


@given(st.sampled_from([0.0, -1.0, math.inf, math.nan, None]))
def test_unusable_rates_are_na_not_zero_or_inf(bad):
    assert customers_needed(1000.0, bad) is None
    assert leads_needed(10, bad) is None
    assert leads_needed(None, 0.5) is None
    assert leads_needed(10, 1.5) is None


@pytest.mark.parametrize("field,value", [("close_rate", 0), ("close_rate", 1.01), ("avg_deal_size", 0),
                                         ("marketing_share", 0), ("quota", -1)])
def test_invalid_assumptions_are_refused(field, value):
    with pytest.raises(ValueError, match=field):
        Assumptions(**{field: value})


def test_widgets_show_rates_in_percent():
    a = Assumptions(close_rate=0.05, marketing_share=0.7)
    shown = {s.key: s.shown(a) for s in INPUTS}
    assert shown == {"quota": 200000.0, "marketing_share": 70.0, "avg_deal_size": 15000.0, "close_rate": 5.0}
    b = from_shown(a, {"close_rate": 2.5, "quota": 8000})
    assert (b.close_rate, b.quota) == (0.025, 8000)
    with pytest.raises(ValueError, match="close_rate"):
        from_shown(a, {"close_rate": 0})


def _pooled(**rates) -> PooledActuals:
    base = dict(months=(date(2024, 1, 1),), skipped=(), marketing_leads=10, customers=1,
                close_rate=None, avg_deal_size=None, marketing_revenue_share=None, avg_cycle_days=None)
    return PooledActuals(**{**base, **rates})


def test_use_my_actuals_replaces_only_usable_rates():
    base = Assumptions(quota=9000)
    done = apply_actuals(base, _pooled(close_rate=0.123456, avg_deal_size=1234.5678, marketing_revenue_share=0.0))
    assert done.assumptions.close_rate == 0.123456 and done.assumptions.avg_deal_size == 1234.5678
    assert done.assumptions.marketing_share == base.marketing_share and done.assumptions.quota == 9000
    assert done.applied == ("close_rate", "avg_deal_size") and done.skipped == ("marketing_share",)
    assert apply_actuals(base, _pooled()).assumptions == base


def test_query_round_trip():
    a = Assumptions(quota=12345.5, marketing_share=0.35, avg_deal_size=2500, close_rate=0.0425, reps=3)
    params = a.to_query()
    assert params["quota"] == "12345.5" and params["avg_deal_size"] == "2500" and params["reps"] == "3"
    assert Assumptions.from_query(params) == (a, [])


def test_bad_query_parameters_are_ignored_with_warnings():
    base = Assumptions(quota=1000)
    got, warnings = Assumptions.from_query(
        {"quota": "8000", "close_rate": "2", "marketing_share": "lots", "reps": "2.5", "colour": "red",
         "month": "2024-03", "avg_deal_size": ["100", "250"]}, base=base, other_keys=("month",))
    assert got == base.updated(quota=8000, avg_deal_size=250)
    assert len(warnings) == 4
    assert any("close_rate" in w and "at most 1" in w for w in warnings)
    assert any('"colour"' in w for w in warnings)
    assert any("marketing_share" in w and "not a number" in w for w in warnings)


@given(st.dictionaries(st.text(max_size=12), st.text(max_size=12), max_size=6))
def test_any_query_gives_valid_assumptions(params):
    result, warnings = Assumptions.from_query(params)
    assert isinstance(result, Assumptions) and isinstance(warnings, list)


def test_depth_target_share_and_catch_up_months_round_trip_through_a_link_and_a_saved_workspace():
    a = Assumptions(depth_target_share=0.65, speed_target_share=0.9, catch_up_months=2)
    params = a.to_query()
    assert (params["depth_target_share"], params["catch_up_months"]) == ("0.65", "2")
    assert Assumptions.from_query(params) == (a, [])
    assert Assumptions.from_dict(a.to_dict()) == a  # workspaces and scenarios save the dataclass
    assert Assumptions.from_dict({}).depth_target_share == 0.8  # a save from before the setting


def test_assumptions_files_accept_the_spec_names():
    a = Assumptions.from_dict({"speed_target": 0.7, "depth_target": 0.6, "catch_up_months": 3})
    assert (a.speed_target_share, a.depth_target_share, a.catch_up_months) == (0.7, 0.6, 3)
    with pytest.raises(ValueError, match='"depth_target" and "depth_target_share" are the same assumption'):
        Assumptions.from_dict({"depth_target_share": 0.6, "depth_target": 0.6})
    with pytest.raises(ValueError, match="depth_goal_attempts must be a whole number"):
        Assumptions.from_dict({"depth_goal_attempts": 2.5})
    with pytest.raises(ValueError, match="reps must be a finite number"):
        Assumptions.from_dict({"reps": math.inf})


# Inputs users reached through the page address that used to overflow or break a widget.
HOSTILE_LINKS = [
    ({"quota": "1e308", "avg_deal_size": "1e-300"}, ["quota", "avg_deal_size"]),  # leads needed overflowed
    ({"speed_goal_hours": "0.1"}, ["speed_goal_hours"]),  # below the Sales slider's 0.25 h
    ({"speed_goal_hours": "1e300"}, ["speed_goal_hours"]),  # the goal in microseconds overflowed
    ({"minutes_per_attempt": "1e308"}, ["minutes_per_attempt"]),  # capacity overflowed
    ({"depth_goal_attempts": "1e19"}, ["depth_goal_attempts"]),  # a slider end past 2^53
]


@pytest.mark.parametrize("params,refused", HOSTILE_LINKS)
def test_out_of_range_link_values_are_ignored_with_the_range_in_words(params, refused):
    base = Assumptions(quota=9000)
    got, warnings = Assumptions.from_query(params, base=base)
    assert got == base
    assert len(warnings) == len(refused)
    for name, warning in zip(refused, warnings, strict=True):
        assert warning.startswith(f"ignored the link parameter {name}=") and f"{name} must be between" in warning


def test_the_ranges_in_words():
    with pytest.raises(ValueError, match=r"speed_goal_hours must be between 0\.25 hours \(15 minutes\) and 720 hours "
                                         r"\(30 days\), got 0\.1"):
        Assumptions(speed_goal_hours=0.1)
    assert Assumptions(speed_goal_hours=0.25).speed_goal_hours == 0.25 and Assumptions(speed_goal_hours=720)
    assert Assumptions(hours_per_week_on_marketing_leads=0).hours_per_week_on_marketing_leads == 0
    with pytest.raises(ValueError, match="hours_per_week_on_marketing_leads must be 0, or between 0.01 and 168"):
        Assumptions(hours_per_week_on_marketing_leads=1e-300)
    with pytest.raises(ValueError, match="depth_target_share must be above 0 and at most 1"):
        Assumptions(depth_target_share=0)


def _in_range(name: str):
    allowed = RANGES[name]
    low = max(allowed.low, 1e-9) if allowed.low_open else allowed.low
    whole = isinstance(getattr(Assumptions(), name), int)
    values = st.integers(int(low), int(allowed.high)) if whole else st.floats(low, allowed.high)
    return st.one_of(st.just(allowed.high), st.just(low), values, *([st.just(0)] if allowed.zero_ok else []))


@given(st.fixed_dictionaries({name: _in_range(name) for name in RANGES}))
def test_every_valid_assumption_gives_finite_figures_that_fit_the_widgets(values):
    a = Assumptions(**values)
    t = compute_targets(a)
    assert isinstance(t.leads_needed, int) and t.leads_needed <= 10**16
    cap = rep_capacity(a, date(2024, 2, 1)).as_dict(a.hours_per_week_on_marketing_leads)
    assert all(math.isfinite(v) for v in (cap["needed_hours"], cap["available_hours"], cap["gap_hours"]))
    assert cap["reps_needed"] is None or isinstance(cap["reps_needed"], int)
    for spec in INPUTS:  # the Marketing page's number inputs accept the shown value
        assert spec.input_low <= spec.shown(a) <= (spec.upper_limit or math.inf)
    assert a.speed_goal_hours >= 0.25 and max(20, a.depth_goal_attempts) < 2**53  # the Sales sliders
    assert round(a.speed_goal_hours * 3600e6) < 2**63  # the goal in microseconds, bound as BIGINT
