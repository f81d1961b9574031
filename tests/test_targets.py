"""Target arithmetic (SPEC 2), the what-if inputs and the deep-link query parameters."""
from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given, strategies as st

from sla_core.marketing.actuals import PooledActuals
from sla_core.assumptions import Assumptions
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
    base = dict(months=(date(2024, 1, 1),), maturing_months=(), marketing_leads=10, customers=1,
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
