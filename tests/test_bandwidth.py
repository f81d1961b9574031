"""Rep bandwidth: each rep's real load of a month against their hours, by hand (docs/metrics.md)."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from sla_core.assumptions import Assumptions
from sla_core.sales import bandwidth, charts
from sla_core.sales.bandwidth import RepHours, RepLoad
from sla_core.sales.capacity import rep_capacity
from sla_core.sales.goal_rules import GoalRule, GoalRules
from sla_core.store import workspaces as store

TZ = "America/New_York"
MARCH = date(2024, 3, 1)
AS_OF = datetime(2024, 4, 10, tzinfo=UTC)
WEEKS = 31 / 7
# depth goal 6 attempts, 30 minutes an attempt; the team has 10 h a week per rep, Ann only 2
A = Assumptions(depth_goal_attempts=6, minutes_per_attempt=30, hours_per_week_on_marketing_leads=10)
ANN_HOURS = RepHours.of({"Ann": 2})


def lead(lead_id, owner, handed, attempts, connected=False, origin="marketing"):
    return {"lead_id": lead_id, "created_at": "2024-01-01T00:00:00Z", "handed_at": handed, "owner": owner,
            "attempts": attempts, "connected": connected, "origin": origin}


LEADS = [
    # Ann (overloaded): five marketing leads not connected, 0, 0, 0, 2 and 7 attempts, one connected
    lead("A1", "Ann", "2024-03-04T15:00:00Z", 0),
    lead("A2", "Ann", "2024-03-05T15:00:00Z", 0),
    lead("A3", "Ann", "2024-04-01T02:00:00Z", 0),  # 31 March 22:00 in New York: a March hand-off
    lead("A4", "Ann", "2024-03-12T15:00:00Z", 2),
    lead("A5", "Ann", "2024-03-13T15:00:00Z", 7),  # above the goal: nothing missing
    lead("A6", "Ann", "2024-03-14T15:00:00Z", 1, connected=True),  # reached: the depth goal is done
    lead("S1", "Ann", "2024-03-15T15:00:00Z", 3, origin="sales"),
    lead("AF", "Ann", "2024-03-01T03:00:00Z", 0),  # 29 February 22:00 in New York: not March
    lead("AL", "Ann", "2024-04-11T15:00:00Z", 0),  # handed after the as-of time
    # Bob (idle): his one unconnected marketing lead is at the goal
    lead("B1", "Bob", "2024-03-06T15:00:00Z", 6),
    lead("B2", "Bob", "2024-03-07T15:00:00Z", 2, connected=True),
    lead("S2", " Bob ", "2024-03-08T15:00:00Z", 4, connected=True, origin="sales"),  # owner trimmed
    # a marketing lead nobody owns: its missing attempts count for the team, against nobody's hours
    lead("U1", "  ", "2024-03-09T15:00:00Z", 1),
]


@pytest.fixture
def leads_con(make_leads):
    return make_leads(LEADS)


def test_each_reps_load_of_the_month_from_the_query(leads_con):
    loads = {load.owner: load for load in bandwidth.rep_loads(leads_con, MARCH, AS_OF, TZ)}
    assert set(loads) == {"Ann", "Bob", bandwidth.NO_OWNER}
    assert loads["Ann"] == RepLoad("Ann", marketing_handed=6, sales_handed=1, marketing_attempts=10, sales_attempts=3,
                                   unconnected=((0, 3), (2, 1), (7, 1)))
    assert loads["Bob"] == RepLoad("Bob", 2, 1, 8, 4, ((6, 1),))
    assert loads[bandwidth.NO_OWNER] == RepLoad(bandwidth.NO_OWNER, 1, 0, 1, 0, ((1, 1),))
    assert bandwidth.rep_loads(leads_con, MARCH, None, TZ) == ()


def test_one_rep_overloaded_and_one_idle(leads_con):
    bw = bandwidth.rep_bandwidth(leads_con, A, MARCH, AS_OF, TZ, ANN_HOURS)
    ann, bob = bw.reps  # most hours short first
    assert ann.rep == "Ann" and bob.rep == "Bob"
    # Ann: missing 6 + 6 + 6 + 4 = 22 attempts × 30 min = 11 h; 2 h a week × 31/7 weeks = 62/7 h
    assert (ann.marketing_handed, ann.sales_handed, ann.unconnected_marketing, ann.below_goal,
            ann.missing_attempts) == (6, 1, 5, 4, 22)
    assert ann.marketing_hours_spent == pytest.approx(5.0) and ann.sales_hours_spent == pytest.approx(1.5)
    assert ann.needed_hours == pytest.approx(11.0)
    assert ann.hours_per_week == 2 and ann.available_hours == pytest.approx(62 / 7)
    assert ann.gap_hours == pytest.approx(11 - 62 / 7) and ann.overloaded is True
    assert ann.minutes_per_lead == pytest.approx(62 / 7 * 60 / 6)
    # Bob: nothing missing, the team's 10 h a week
    assert (bob.missing_attempts, bob.needed_hours, bob.below_goal) == (0, 0.0, 0)
    assert bob.available_hours == pytest.approx(10 * WEEKS) and bob.overloaded is False
    assert bob.gap_hours == pytest.approx(-10 * WEEKS)
    assert bob.marketing_hours_spent == pytest.approx(4.0) and bob.sales_hours_spent == pytest.approx(2.0)
    assert bw.overloaded == (ann,)


def test_team_total_counts_every_lead_against_the_reps_hours_beside_the_leads_needed_check(leads_con):
    bw = bandwidth.rep_bandwidth(leads_con, A, MARCH, AS_OF, TZ, ANN_HOURS)
    nobody = bw.unassigned
    assert (nobody.marketing_handed, nobody.missing_attempts, nobody.needed_hours) == (1, 5, 2.5)
    assert nobody.available_hours is None and nobody.overloaded is None and nobody.gap_hours is None
    team = bw.team
    assert (team.marketing_handed, team.sales_handed, team.missing_attempts) == (9, 2, 27)
    assert team.needed_hours == pytest.approx(13.5)
    assert team.available_hours == pytest.approx(62 / 7 + 310 / 7)
    assert team.overloaded is False  # the team total hides Ann's overload: why it is per rep
    assert bw.capacity == rep_capacity(A, MARCH)  # today's check at the leads needed, beside it
    rows = bw.table_rows()
    assert [r["Rep"] for r in rows] == ["Ann", "Bob", bandwidth.NO_OWNER, bandwidth.TEAM]
    assert rows[0]["Missing attempts"] == 22 and rows[0]["Overloaded"] is True
    assert list(rows[0]) == list(bandwidth.LABELS.values())


def test_the_sentence_names_the_overloaded_rep_with_the_numbers(leads_con):
    bw = bandwidth.rep_bandwidth(leads_con, A, MARCH, AS_OF, TZ, ANN_HOURS)
    (sentence,) = bw.overload_sentences()
    assert sentence.startswith("Ann has 4 marketing lead(s) below the depth goal of 6 attempts: the 22 missing "
                               "attempts take 11.0 h at 30 min each, but Ann has 8.9 h for marketing leads in "
                               "March 2024 (2.1 h short).")
    assert "An attempts goal is useless without bandwidth" in sentence


def test_goal_and_hours_moves_are_arithmetic_on_the_same_loads(leads_con):
    loads = bandwidth.rep_loads(leads_con, MARCH, AS_OF, TZ)
    lower = bandwidth.bandwidth(loads, A.updated(depth_goal_attempts=3), MARCH, ANN_HOURS)
    ann = next(r for r in lower.reps if r.rep == "Ann")
    assert ann.missing_attempts == 3 + 3 + 3 + 1 and ann.needed_hours == pytest.approx(5.0)
    assert ann.overloaded is False and lower.overload_sentences() == []
    team_hours = bandwidth.bandwidth(loads, A, MARCH)  # no override: Ann has the team's 10 h a week
    assert next(r for r in team_hours.reps if r.rep == "Ann").overloaded is False
    no_time = bandwidth.bandwidth(loads, A, MARCH, RepHours.of({"Bob": 0, "Ann": 2}))
    assert [r.rep for r in no_time.overloaded] == ["Ann"]  # Bob has no hours but nothing missing: not overloaded


def test_an_empty_month_has_no_reps_and_a_zero_total(leads_con):
    bw = bandwidth.rep_bandwidth(leads_con, A, date(2024, 5, 1), AS_OF, TZ)
    assert bw.reps == () and bw.unassigned is None
    assert (bw.team.needed_hours, bw.team.available_hours, bw.team.overloaded) == (0, 0, False)
    assert bw.overload_sentences() == []


@pytest.mark.parametrize("bad,message", [
    ({"Ann": -1}, "between 0 and 168"), ({"Ann": 169}, "between 0 and 168"), ({"Ann": float("nan")}, "a number"),
    ({"Ann": True}, "a number"), ({"Ann": "5"}, "a number"), ({" ": 5}, "rep's name"),
])
def test_rep_hours_are_validated_once(bad, message):
    with pytest.raises(ValueError, match=message):
        RepHours.of(bad)


def test_rep_hours_are_frozen_sorted_and_trimmed():
    hours = RepHours.of({"Bob ": 4, "Ann": 2.5})
    assert hours.overrides == (("Ann", 2.5), ("Bob", 4.0))
    assert hours.hours_for("Bob", 10) == 4 and hours.hours_for("Cy", 10) == 10
    with pytest.raises(ValueError, match="two hours-a-week settings"):
        RepHours((("Ann", 1), ("Ann ", 2)))
    with pytest.raises(AttributeError):
        hours.overrides = ()


def test_rep_hours_are_saved_with_a_workspaces_settings():
    hints = {"rep_hours": RepHours}
    saved = store.settings_to_json({"rep_hours": RepHours.of({"Ann": 2, "Bob": 7.5})})
    assert json.loads(saved) == {"rep_hours": {"overrides": [["Ann", 2.0], ["Bob", 7.5]]}}
    assert store.settings_from_json(saved, hints) == {"rep_hours": RepHours.of({"Ann": 2, "Bob": 7.5})}
    tampered = json.dumps({"rep_hours": {"overrides": [["Ann", -3]]}})
    assert store.settings_from_json(tampered, hints) == {}  # refused, so the setting keeps its default
    for raw in ([], {"overrides": {"Ann": 2}}, {"overrides": [], "other": 1}, {"overrides": [["Ann"]]}):
        with pytest.raises(ValueError):
            RepHours.from_dict(raw)


def test_bandwidth_chart_marks_the_overloaded_rep(leads_con):
    bw = bandwidth.rep_bandwidth(leads_con, A, MARCH, AS_OF, TZ, ANN_HOURS)
    spec = charts.bandwidth_chart(bw).to_dict()
    (rows,) = spec["datasets"].values()
    by_rep = {r["rep"]: r for r in rows}
    assert by_rep["Ann"]["status"] == "Overloaded" and by_rep["Bob"]["status"] == "Has the hours"
    assert by_rep["Ann"]["needed_hours"] == pytest.approx(11.0)
    assert spec["layer"][0]["encoding"]["x"]["field"] == "needed_hours"
    assert spec["layer"][1]["encoding"]["x"]["field"] == "available_hours"


def test_an_editor_keeps_only_the_hours_that_differ_from_the_team():
    hours = RepHours.of({"Ann": 2, "Cy": 4})
    # Bob set to 5, Ann back at the team's 10 (follows the team again), Dee cleared; Cy not shown keeps his 4
    edited = hours.edited({"Ann": 10.0, "Bob": 5.0, "Dee": None, "Eve": float("nan")}, team_hours=10)
    assert edited.overrides == (("Bob", 5.0), ("Cy", 4.0))
    with pytest.raises(ValueError, match="between 0 and 168"):
        hours.edited({"Bob": 200.0}, team_hours=10)


def test_a_long_rep_list_is_capped_with_the_others_summed(leads_con):
    bw = bandwidth.rep_bandwidth(leads_con, A, MARCH, AS_OF, TZ, ANN_HOURS)
    rows = bw.table_rows(limit=1)
    assert [r["Rep"] for r in rows] == ["Ann", "Other reps (1)", bandwidth.NO_OWNER, bandwidth.TEAM]
    other = rows[1]
    assert other["Marketing leads"] == 2 and other["Hours available"] == pytest.approx(10 * WEEKS)  # Bob's
    assert bw.table_rows() == bw.table_rows(limit=None) and len(bw.table_rows()) == 4
    chart = charts.bandwidth_chart(bw, limit=1).to_dict()
    (rows_drawn,) = chart["datasets"].values()
    assert [r["rep"] for r in rows_drawn] == ["Ann"]


def test_each_lead_owes_attempts_to_its_own_depth_goal(make_leads):
    """A1 and A2 (Webinar, 0 attempts) owe 1 attempt each to their rule's goal of 1, not 6: Ann's missing attempts
    fall from 22 to 1 + 1 + 6 + 4 = 12, 6 h, within her 62/7 h: no longer overloaded. A rule without a depth goal
    leaves the default."""
    leads = [{**row, "source": "Webinar"} if row["lead_id"] in ("A1", "A2") else row for row in LEADS]
    con = make_leads(leads)
    webinar = GoalRules((GoalRule("source", "Webinar", depth_goal_attempts=1),))
    bw = bandwidth.rep_bandwidth(con, replace(A, goal_rules=webinar), MARCH, AS_OF, TZ, ANN_HOURS)
    ann = next(r for r in bw.reps if r.rep == "Ann")
    assert (ann.unconnected_marketing, ann.below_goal, ann.missing_attempts) == (5, 4, 12)
    assert ann.needed_hours == pytest.approx(6.0) and ann.overloaded is False and bw.own_goals
    speed_only = GoalRules((GoalRule("source", "Webinar", speed_goal_hours=2),))
    bw = bandwidth.rep_bandwidth(con, replace(A, goal_rules=speed_only), MARCH, AS_OF, TZ, ANN_HOURS)
    ann = next(r for r in bw.reps if r.rep == "Ann")
    assert (ann.below_goal, ann.missing_attempts, ann.overloaded, bw.own_goals) == (4, 22, True, False)
