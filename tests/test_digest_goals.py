"""The digest's speed chart and figure labels hold each lead to its own goal (SPEC 5b), like every other surface, and
the report and digest count on the workspace's business hours.

March 2024, as of 1 April, default speed goal 1 h: Y (Web) answered in 0.5 h, Z (Web) in 2 h, X (Events) in 3 h.
On the default goal 1 of 3 is within (33.3 %); with the rule "source Events: 4 h", X is within too: 2 of 3.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time
from types import SimpleNamespace

import pytest

from sla_core.assumptions import Assumptions
from sla_core.digest import figures, images, source
from sla_core.health.verdicts import ALL_MEASURED
from sla_core.sales.clock import BusinessHours
from sla_core.sales.goal_rules import GoalRule, GoalRules
from sla_core.sales.report import sales_sections
from sla_core.store import workspaces as store

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


# --- the workspace's business hours on the report's and the digest's path ------------------------------------

EARLY = BusinessHours(open=time(7, 0))  # a team that opens at 07:00


def test_the_report_counts_on_the_workspaces_business_hours(make_leads):
    """Handed Mon 4 March 08:00, touched 09:30: 0.5 h from a 09:00 opening (within 1 h), 1.5 h from 07:00 (missed)."""
    con = make_leads([{"lead_id": "E", "created_at": "2024-03-04T08:00:00Z", "handed_at": "2024-03-04T08:00:00Z",
                       "first_touch_at": "2024-03-04T09:30:00Z"}])
    as_of, a = datetime(2024, 4, 1, tzinfo=UTC), Assumptions(speed_goal_hours=1)
    default = sales_sections(con, "UTC", as_of, date(2024, 3, 1), a, "business", ALL_MEASURED)["speed"]
    early = sales_sections(con, "UTC", as_of, date(2024, 3, 1), a, "business", ALL_MEASURED, EARLY)["speed"]
    assert (default["mean_hours"], default["pct_within_goal"]) == (0.5, 1.0)
    assert (early["mean_hours"], early["pct_within_goal"]) == (1.5, 0.0)
    assert early["clock"] == EARLY.describe()


def test_a_digest_reads_the_business_hours_its_scenario_saved():
    saved = store.settings_to_json({"assumptions": Assumptions(), "sales_clock": "business", "business_hours": EARLY})
    assert source.scenario_settings(SimpleNamespace(settings_json=saved)) == (Assumptions(), "business", EARLY)
    older = store.settings_to_json({"assumptions": Assumptions(), "sales_clock": "business"})
    assert source.scenario_settings(SimpleNamespace(settings_json=older))[2] is None  # Mon–Fri 09:00–17:00
