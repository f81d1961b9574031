"""Lead-quality tiers: title rules, per-tier targets, value mode and per-tier actuals."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from sla_core.assumptions import Assumptions
from sla_core.marketing.targets import TierAssumption, default_tiers, tier_errors, tier_targets, value_goal
from sla_core.marketing.tiers import DEFAULT_RULES, TierRule, tier_actuals, title_tiers

BASE = Assumptions(quota=10_000, marketing_share=1.0, avg_deal_size=100, close_rate=0.5)


def test_tier_targets_split_the_goal_and_use_their_own_rates():
    tiers = [TierAssumption("Executive", 0.5, 1000, 0.25, value_per_lead=100),
             TierAssumption("director", 0.3, 500, 0.5),
             TierAssumption("other", 0.2, 100, 0.1)]
    got = {t.name: t for t in tier_targets(BASE, tiers)}
    executive = got["executive"]
    assert (executive.revenue_goal, executive.customers_needed, executive.leads_needed) == (5000, 5, 20)
    assert (got["director"].customers_needed, got["director"].leads_needed) == (6, 12)
    assert (got["other"].customers_needed, got["other"].leads_needed) == (20, 200)
    # value per lead: given 100, else close rate × deal size (250 and 10)
    assert [got[n].value_per_lead for n in ("executive", "director", "other")] == [100, 250, 10]
    assert value_goal(list(got.values())) == 20 * 100 + 12 * 250 + 200 * 10


def test_the_value_goal_is_told_apart_from_the_revenue_goal():
    """The sample's defaults: quota $200,000 × 70 % = a $140,000 revenue goal. Tiers 40/30/20/10 % at $15,000 and
    5 %: $56,000 → 4 customers → 80 leads, $42,000 → 3 → 60, $28,000 → 2 → 40, $14,000 → 1 → 20; a lead is worth
    5 % × $15,000 = $750, so the value goal is 200 × $750 = $150,000: the revenue of 10 whole customers."""
    from sla_core.marketing.display import value_goal_note

    a = Assumptions(quota=200_000, marketing_share=0.7, avg_deal_size=15_000, close_rate=0.05)
    got = tier_targets(a, default_tiers(a))
    assert [(t.customers_needed, t.leads_needed) for t in got] == [(4, 80), (3, 60), (2, 40), (1, 20)]
    assert value_goal(got) == 150_000
    note = value_goal_note(got, 140_000)
    assert note.startswith("Value goal for the month: $150,000, what the tiers' leads needed are worth")
    assert "not the marketing revenue goal of $140,000: each tier rounds up to whole customers (10 customers in " \
           "all)" in note


def test_tier_without_rates_is_na_and_zero_share_owes_nothing():
    tiers = [TierAssumption("executive", 1.0, None, 0.5), TierAssumption("other", 0.0, None, None)]
    got = tier_targets(BASE, tiers)
    assert (got[0].customers_needed, got[0].leads_needed, got[0].value_goal) == (None, None, None)
    assert (got[1].leads_needed, got[1].value_goal) == (0, 0.0)
    assert value_goal(got) is None


def test_invalid_tier_tables_are_refused_in_words():
    assert "tier shares must add up to 100 %" in tier_errors([TierAssumption("a", 0.5, 1, 1)])[0]
    assert tier_errors([TierAssumption("a", 0.5, 1, 1), TierAssumption("A ", 0.5, 1, 1)]) == [
        "tier names must be different"]
    assert tier_errors([]) == ["add at least one tier"]
    assert tier_errors(default_tiers(BASE)) == []
    with pytest.raises(ValueError, match="add up"):
        tier_targets(BASE, [TierAssumption("a", 0.4, 1, 1)])


def test_rules_match_whole_words_in_any_case(make_leads):
    con = make_leads([
        {"lead_id": "1", "created_at": "2024-01-01T00:00:00Z", "job_title": "vp, sales"},
        {"lead_id": "2", "created_at": "2024-01-01T00:00:00Z", "job_title": "Head of  IT"},
        {"lead_id": "3", "created_at": "2024-01-01T00:00:00Z", "job_title": "Product Management Intern"},
        {"lead_id": "4", "created_at": "2024-01-01T00:00:00Z", "job_title": "Director, Sales", "tier": "Manager"},
        {"lead_id": "5", "created_at": "2024-01-01T00:00:00Z"},
        {"lead_id": "6", "created_at": "2024-01-01T00:00:00Z", "job_title": "C++ Lead (Platform)"},
    ])
    table = title_tiers(con, DEFAULT_RULES)
    got = {r.job_title: (r.tier, r.tier_from) for r in table.itertuples()}
    assert got == {"vp, sales": ("executive", "job title rule"), "Head of  IT": ("director", "job title rule"),
                   "Product Management Intern": ("other", "no rule matched"),
                   "Director, Sales": ("manager", "tier column"), "(no title)": ("other", "no rule matched"),
                   "C++ Lead (Platform)": ("manager", "job title rule")}
    # the user's own keywords are bound parameters, regex characters included
    custom = (TierRule.from_text("engineering", "C++, (Platform"), TierRule("none", ()))
    got = {r.job_title: r.tier for r in title_tiers(con, custom).itertuples()}
    assert got["C++ Lead (Platform)"] == "engineering" and got["vp, sales"] == "other"


def test_first_matching_rule_wins(make_leads):
    con = make_leads([{"lead_id": "1", "created_at": "2024-01-01T00:00:00Z", "job_title": "VP and Director"}])
    rules = (TierRule("director", ("Director",)), TierRule("executive", ("VP",)))
    assert title_tiers(con, rules)["tier"].tolist() == ["director"]


def test_tier_actuals_hand_computed(make_leads):
    con = make_leads([
        {"lead_id": "1", "created_at": "2024-01-05T12:00:00Z", "job_title": "CEO",
         "customer_at": "2024-01-20T12:00:00Z", "deal_amount": 3000},
        {"lead_id": "2", "created_at": "2024-01-06T12:00:00Z", "job_title": "CFO"},
        {"lead_id": "3", "created_at": "2024-01-07T12:00:00Z", "job_title": "Sales Manager",
         "customer_at": "2024-02-20T12:00:00Z", "deal_amount": 1000},
        {"lead_id": "4", "created_at": "2024-03-07T12:00:00Z", "job_title": "Sales Manager"},  # outside the window
    ])
    got = tier_actuals(con, "UTC", datetime(2024, 4, 1, tzinfo=timezone.utc), DEFAULT_RULES,
                       date(2024, 1, 1), date(2024, 3, 1)).set_index("tier")
    assert got.loc["executive", "marketing_leads"] == 2 and got.loc["executive", "close_rate"] == 0.5
    assert got.loc["executive", "avg_deal_size"] == 3000 and got.loc["executive", "revenue_share"] == 0.75
    assert got.loc["manager", "marketing_leads"] == 1 and got.loc["manager", "close_rate"] == 1.0
    assert got.loc["manager", "revenue_share"] == 0.25


def test_tier_actuals_fill_the_tier_table():
    import pandas as pd

    from sla_core.marketing.actuals import month_span
    from sla_core.marketing.controls import apply_tier_actuals

    per_tier = pd.DataFrame({"tier": ["executive", "smb", "other"], "marketing_leads": [4, 2, 0],
                             "customers": [1, 1, 0], "close_rate": [0.25, 0.5, None],
                             "avg_deal_size": [1234.567, 100.0, None], "revenue_share": [0.9, 0.1, 0.0]})
    current = (TierAssumption("executive", 0.5, 10, 0.1, value_per_lead=7), TierAssumption("other", 0.5, 20, 0.2))
    got = apply_tier_actuals(current, per_tier)
    assert got == (TierAssumption("executive", 0.9, 1234.567, 0.25, value_per_lead=7),
                   TierAssumption("other", 0.0, 20, 0.2), TierAssumption("smb", 0.1, 100.0, 0.5))
    assert tier_errors(got) == []
    no_revenue = per_tier.assign(revenue_share=None)
    assert [t.share for t in apply_tier_actuals(current, no_revenue)] == [0.5, 0.5, 0.0]
    assert month_span((date(2024, 11, 1), date(2024, 12, 1))) == (date(2024, 11, 1), date(2025, 1, 1))
