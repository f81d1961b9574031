"""Goals per segment (SPEC 5b) end to end: a HubSpot export with "Country/Region", rules where the first match
wins, pooled and per-segment figures computed by hand, the report's ``segments`` key, and the rules' own forms
(ASSUMPTIONS.json, a deep link, a saved workspace's settings)."""
from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from ingest_support import csv_bytes

from sla_core.__main__ import main
from sla_core.assumptions import Assumptions
from sla_core.sales.goal_rules import GoalRule, GoalRules
from sla_core.sales.segments import sensible_hours, suggest
from sla_core.store.settings import settings_from_json, settings_to_json

HEADERS = ["Record ID", "Create Date", "Owner Assigned Date", "Date of first engagement",
           "Number of Sales Activities", "Lead Status", "Original Source", "Contact owner", "Country/Region"]


def _lead(lead_id, handed, touched, attempts, status, source, region):
    return [lead_id, f"2024-03-{handed}Z", f"2024-03-{handed}Z", touched and f"2024-03-{touched}Z", str(attempts),
            status, source, "Ann", region]


# All handed in March 2024 (as of 2 April: March is complete). Response, attempts:
LEADS = [
    _lead("L1", "04T10:00", "04T12:00", 2, "Attempted", "Paid Search", "Germany"),  # 2 h, 2
    _lead("L2", "05T10:00", "05T10:30", 1, "Attempted", "Paid Search", "France"),  # 0.5 h, 1
    _lead("L3", "06T10:00", "06T15:00", 4, "Attempted", "Webinar", "Germany"),  # 5 h, 4
    _lead("L4", "07T10:00", "08T10:00", 0, "Attempted", "Webinar", "France"),  # 24 h, 0
    _lead("L5", "08T10:00", "", 1, "Attempted", "Webinar", "Germany"),  # never touched, 1
    _lead("L6", "11T10:00", "11T10:45", 3, "Connected", "Paid Search", "Germany"),  # 0.75 h, connected
]
PAID_SEARCH = {"field": "source", "value": "Paid Search", "speed_goal_hours": 1, "depth_goal_attempts": 2}
GERMANY = {"field": "region", "value": "Germany", "speed_goal_hours": 8, "depth_goal_attempts": 3}
DEFAULTS = {"speed_goal_hours": 12, "depth_goal_attempts": 1}


@pytest.fixture
def export(tmp_path):
    path = tmp_path / "hubspot.csv"
    path.write_bytes(csv_bytes([HEADERS, *LEADS]))
    return path


def report(capsys, tmp_path, export, rules: list[dict] | None) -> dict:
    assumptions = tmp_path / "assumptions.json"
    assumptions.write_text(json.dumps({**DEFAULTS, **({"goal_rules": rules} if rules is not None else {})}))
    code = main(["report", "--leads", str(export), "--month", "2024-03", "--as-of", "2024-04-02T00:00:00Z",
                 "--assumptions", str(assumptions)])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def test_without_rules_every_lead_is_on_the_default_goals_and_there_is_no_segments_key(capsys, tmp_path, export):
    out = report(capsys, tmp_path, export, None)
    # 12 h: L1, L2, L3, L6 within; L4 (24 h) and L5 (never) missed. 1 attempt: L1, L2, L3, L5 of the 5 unconnected.
    assert (out["speed"]["within"], out["speed"]["missed"]) == (4, 2)
    assert out["depth"]["pct_at_goal"] == pytest.approx(0.8)
    assert "segments" not in out


def test_pooled_figures_hold_each_lead_to_its_first_matching_rule(capsys, tmp_path, export):
    out = report(capsys, tmp_path, export, [PAID_SEARCH, GERMANY])
    # L1 and L6 are Paid Search and Germany: Paid Search comes first (1 h, 2 attempts).
    # Within: L2 0.5 ≤ 1, L3 5 ≤ 8, L6 0.75 ≤ 1; missed: L1 2 > 1, L4 24 > 12, L5 never (Germany's 8 h closed).
    assert (out["speed"]["within"], out["speed"]["missed"], out["speed"]["pct_within_goal"]) == (3, 3, 0.5)
    # Unconnected L1..L5 at goals 2, 2, 3, 1, 3 with 2, 1, 4, 0, 1 attempts: L1 and L3 at goal.
    assert out["depth"]["pct_at_goal"] == pytest.approx(0.4)
    assert out["verdict_reasons"]["speed"] == "missed: 50.0 % of due leads followed up within their own goals " \
                                              "(target 80 %)"


def test_the_order_of_the_rules_decides_overlapping_leads(capsys, tmp_path, export):
    out = report(capsys, tmp_path, export, [GERMANY, PAID_SEARCH])
    # Now L1 and L6 are Germany's (8 h, 3 attempts): L1 2 h within, L1's 2 attempts below 3.
    assert (out["speed"]["within"], out["speed"]["missed"]) == (4, 2)
    assert out["depth"]["pct_at_goal"] == pytest.approx(0.2)  # L3 only


def test_the_report_has_one_segment_per_rule_with_its_own_figures_and_verdicts(capsys, tmp_path, export):
    paid, germany = report(capsys, tmp_path, export, [PAID_SEARCH, GERMANY])["segments"]
    assert (paid["field"], paid["value"], paid["speed_goal_hours"], paid["depth_goal_attempts"]) == (
        "source", "Paid Search", 1.0, 2)
    # L1, L2, L6: responses 2, 0.5, 0.75 h → median 0.75, p90 0.75 + 0.8 × 1.25 = 1.75; L2 and L6 within.
    assert paid["speed"] == {"handed": 3, "touched": 3, "mean_hours": pytest.approx(3.25 / 3), "median_hours": 0.75,
                             "p90_hours": pytest.approx(1.75), "pct_within_goal": pytest.approx(2 / 3), "within": 2,
                             "missed": 1}
    assert paid["depth"] == {"not_connected": 2, "avg_attempts": 1.5, "pct_at_goal": 0.5,
                             "leads_worked_pct": 1.0}  # L1 2 ≥ 2, L2 1 < 2; L6 connected
    assert paid["verdicts"] == {"speed": "missed", "depth": "missed"}
    # L3 (5 h, within 8 h; 4 attempts) and L5 (never touched; 1 attempt).
    assert (germany["speed"]["handed"], germany["speed"]["touched"], germany["speed"]["median_hours"]) == (2, 1, 5.0)
    assert (germany["speed"]["within"], germany["speed"]["missed"], germany["depth"]["pct_at_goal"]) == (1, 1, 0.5)
    # The baseline is the three months before March: the export has none of them.
    assert germany["baseline"] == {"from": "2023-12", "to": "2024-02", "handed": 0, "median_hours": None,
                                   "p75_hours": None, "p90_hours": None, "pct_within_goal": None,
                                   "pct_at_goal": None}


def test_a_malformed_rule_in_the_assumptions_file_is_refused_in_words(capsys, tmp_path, export):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"goal_rules": [{"field": "country", "value": "Germany", "speed_goal_hours": 8}]}))
    code = main(["report", "--leads", str(export), "--assumptions", str(path)])
    assert code == 2
    assert "goal rule 1: a rule's field must be one of source, tier, region, got 'country'" in capsys.readouterr().err


def test_rules_survive_a_deep_link_and_a_saved_workspace():
    rules = GoalRules((GoalRule("source", "Paid: Search; 100%", 0.5), GoalRule("tier", " Executive ", None, 8)))
    a = Assumptions(goal_rules=rules)
    link = a.to_query()
    assert link["goal_rules"] == "source:Paid%3A Search%3B 100%25:0.5:;tier:executive::8"
    assert Assumptions.from_query(link) == (a, [])
    saved = settings_to_json({"assumptions": a})
    assert settings_from_json(saved, {"assumptions": Assumptions}) == {"assumptions": a}
    assert "goal_rules" not in Assumptions().to_query()  # a link without rules reads as before


def test_a_bad_link_keeps_the_rules_it_had_and_says_why():
    base = Assumptions(goal_rules=GoalRules((GoalRule("region", "Germany", 8),)))
    got, warnings = Assumptions.from_query({"goal_rules": "region:Germany:9999:"}, base=base)
    assert got == base
    assert warnings == ["ignored the link's goal rules: rule 1: a rule's speed goal must be between 0.25 and 720 "
                        "hours, got 9999"]


@pytest.mark.parametrize(("raw", "message"), [
    ({"field": "source", "value": " "}, "needs a value"),
    ({"field": "source", "value": "Web"}, "sets neither a speed nor a depth goal"),
    ({"field": "source", "value": "Web", "depth_goal_attempts": 2.5}, "whole number"),
    ({"field": "source", "value": "Web", "speed_goal_hours": True}, "number of hours"),
    ({"field": "source", "value": "Web", "colour": "red", "speed_goal_hours": 1}, "unknown goal rule keys: colour"),
])
def test_a_rule_is_validated_once_on_the_way_in(raw, message):
    with pytest.raises(ValueError, match=message):
        GoalRules.from_list([raw])


@pytest.mark.parametrize(("hours", "sensible"), [
    (0.1, 0.25), (0.6, 0.5), (1.9, 2.0), (2.4, 2.0), (9.45, 9.0), (30.0, 24.0), (40.0, 48.0), (5000.0, 720.0)])
def test_a_suggested_goal_is_rounded_to_a_unit_a_team_says(hours, sensible):
    assert sensible_hours(hours) == sensible


def _handed(lead_id: str, handed: str, hours: float | None, region: str = "Germany") -> dict:
    """A lead handed at ``handed`` (ISO, UTC) and first touched ``hours`` later (None: never)."""
    at = datetime.fromisoformat(f"{handed}+00:00")
    return {"lead_id": lead_id, "created_at": at.isoformat(), "handed_at": at.isoformat(), "region": region,
            "first_touch_at": None if hours is None else (at + timedelta(hours=hours)).isoformat()}


def test_a_suggested_goal_is_the_baselines_p75_tried_on_the_last_complete_month(make_leads):
    con = make_leads([
        *(_handed(f"F{h}", f"2024-02-0{h}T10:00:00", h) for h in (1, 2, 3, 4, 5)),  # February: 1..5 h, p75 4 h
        _handed("M1", "2024-03-04T10:00:00", 3), _handed("M2", "2024-03-05T10:00:00", 5),  # March: 3 h, 5 h
        _handed("X1", "2024-02-06T10:00:00", 30, region="France"),  # another segment: not Germany's baseline
    ])
    a = Assumptions(goal_rules=GoalRules((GoalRule("region", "Germany", 8), GoalRule("source", "Webinar", 2))))
    found = suggest(con, a, date(2024, 3, 1), datetime(2024, 4, 2, tzinfo=UTC), "UTC", None)
    germany, webinar = found
    assert (germany.baseline_p75_hours, germany.rule.speed_goal_hours) == (4.0, 4.0)
    assert (germany.month, germany.pct_within_goal) == (date(2024, 3, 1), 0.5)  # 3 h within 4 h, 5 h not
    assert (webinar.baseline_p75_hours, webinar.rule) == (None, a.goal_rules.rules[1])  # no leads: goal kept
