"""Depth of follow-up (SPEC 6) on a hand-computed fixture."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from sla_core.sales import depth
AS_OF = datetime(2024, 3, 10, 12, 0, tzinfo=timezone.utc)


def lead(lead_id, handed, attempts, connected=False, owner="Ann"):
    return {"lead_id": lead_id, "created_at": "2024-01-01T00:00:00Z", "handed_at": handed,
            "attempts": attempts, "connected": connected, "owner": owner}


LEADS = [
    lead("A", "2024-03-04T10:00:00Z", 3, connected=True),  # connected: out of the average, in "worked"
    lead("B", "2024-03-04T10:00:00Z", 6),  # at the goal of 6
    lead("C", "2024-03-05T09:00:00Z", 1, owner="Bob"),
    lead("D", "2024-03-05T09:00:00Z", 0, owner="Bob"),  # not worked
    lead("E", "2024-03-11T09:00:00Z", 9, owner="Bob"),  # handed after the as-of time: left out
    lead("F", "2024-02-28T10:00:00Z", 8, owner=None),
    lead("G", None, 4),  # never handed
]


@pytest.fixture
def leads_con(make_leads):
    return make_leads(LEADS)


def test_month_depth_figures(leads_con):
    df = depth.depth_by_period(leads_con, "month", 6, AS_OF, "UTC")
    assert list(df["period_start"]) == [date(2024, 2, 1), date(2024, 3, 1)]
    march = df.iloc[1]
    assert (march.handed, march.not_connected, march.at_goal, march.worked) == (4, 3, 1, 3)
    assert march.avg_attempts == pytest.approx((6 + 1 + 0) / 3)
    assert march.pct_at_goal == pytest.approx(1 / 3)
    assert march.leads_worked_pct == pytest.approx(3 / 4)
    feb = df.iloc[0]
    assert ((feb.handed, feb.not_connected, feb.avg_attempts, feb.pct_at_goal, feb.leads_worked_pct)
            == (1, 1, 8, 1.0, 1.0))


def test_the_goal_moves_the_share_at_goal_only(leads_con):
    march = depth.depth_by_period(leads_con, "month", 1, AS_OF, "UTC").iloc[1]
    assert march.pct_at_goal == pytest.approx(2 / 3) and march.avg_attempts == pytest.approx(7 / 3)
    with pytest.raises(ValueError, match="at least 1 attempt"):
        depth.depth_by_period(leads_con, "month", 0, AS_OF, "UTC")


def test_all_connected_leaves_the_averages_na(make_leads):
    con = make_leads([lead("A", "2024-03-04T10:00:00Z", 2, connected=True)])
    march = depth.depth_by_period(con, "month", 6, AS_OF, "UTC").iloc[0]
    assert march.not_connected == 0
    assert march.avg_attempts != march.avg_attempts and march.pct_at_goal != march.pct_at_goal  # NaN → "n/a"
    assert march.leads_worked_pct == 1.0


def test_weeks_and_reps(leads_con):
    weeks = depth.depth_by_period(leads_con, "week", 6, AS_OF, "UTC")
    assert list(weeks["period_start"]) == [date(2024, 2, 26), date(2024, 3, 4)]
    reps = depth.depth_by_rep(leads_con, "month", 6, AS_OF, "UTC")
    march = reps[reps["period_start"] == date(2024, 3, 1)].set_index("owner")
    assert march.loc["Ann", ["handed", "not_connected", "avg_attempts"]].tolist() == [2, 1, 6.0]
    assert march.loc["Bob", "avg_attempts"] == pytest.approx(0.5)
    assert reps[reps["period_start"] == date(2024, 2, 1)]["owner"].tolist() == ["(no owner)"]
