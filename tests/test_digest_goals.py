"""The digest's speed chart and figure labels hold each lead to its own goal (SPEC 5b), like every other surface.

March 2024, as of 1 April, default speed goal 1 h: Y (Web) answered in 0.5 h, Z (Web) in 2 h, X (Events) in 3 h.
On the default goal 1 of 3 is within (33.3 %); with the rule "source Events: 4 h", X is within too: 2 of 3.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from sla_core.assumptions import Assumptions
from sla_core.digest import figures, images
from sla_core.sales.goal_rules import GoalRule, GoalRules

EVENTS_4H = GoalRules((GoalRule("source", "Events", speed_goal_hours=4),))


def _lead(lead_id: str, source: str, touched: str) -> dict:
    return {"lead_id": lead_id, "created_at": "2024-03-04T09:00:00Z", "handed_at": "2024-03-04T09:00:00Z",
            "first_touch_at": f"2024-03-04T{touched}:00Z", "source": source}


@pytest.mark.parametrize(("rules", "share"), [(GoalRules(), 1 / 3), (EVENTS_4H, 2 / 3)])
def test_the_speed_chart_reads_each_leads_own_goal(make_leads, rules, share):
    con = make_leads([_lead("Y", "Web", "09:30"), _lead("Z", "Web", "11:00"), _lead("X", "Events", "12:00")])
    dataset = SimpleNamespace(as_of=datetime(2024, 4, 1, tzinfo=UTC), tz="UTC")
    a = Assumptions(speed_goal_hours=1, goal_rules=rules)
    trend = images.speed_trend(con, dataset, {"month": "2024-03"}, a, "calendar")
    march = trend[trend["period_start"] == date(2024, 3, 1)].iloc[0]
    assert march["pct_within_goal"] == pytest.approx(share)


def test_the_figure_labels_name_the_default_goal_only_without_rules():
    labels = {f.key: f.label for f in figures.figures({}, Assumptions(speed_goal_hours=1, goal_rules=EVENTS_4H))}
    assert labels["speed.pct_within_goal"] == ("Followed up within their own speed goal (1 h unless a goal rule sets "
                                               "another; target 80%)")
    plain = {f.key: f.label for f in figures.figures({}, Assumptions(speed_goal_hours=1))}
    assert plain["speed.pct_within_goal"] == "Followed up within 1 h (target 80%)"
