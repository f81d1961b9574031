"""Goals per segment on the Sales SLA page through AppTest: the rules editor, the headline it moves, the segment
table, suggested goals, and the rules in the deep link and the saved settings."""
from __future__ import annotations

import pytest
from apptest_support import app_with_upload, metric, open_section, shown, workspace_of
from ingest_support import csv_bytes

from pages.common.state import settings_of
from pages.common.ui import KEYS
from sla_core.sales.goal_rules import GoalRule, GoalRules

PAGE = "pages/sales.py"
HEADERS = ["Record ID", "Create Date", "Owner Assigned Date", "Date of first engagement",
           "Number of Sales Activities", "Lead Status", "Original Source", "Contact owner", "Country/Region"]


def _lead(lead_id, handed, touched, region):
    return [lead_id, f"2024-03-{handed}Z", f"2024-03-{handed}Z", touched and f"2024-03-{touched}Z", "1", "Attempted",
            "Web", "Ann", region]


# As of 11 March 10:45 (the latest timestamp). Default goal 1 h: L2 and L6 within, L1 (2 h), L3 (5 h), L4 (24 h)
# and L5 (never touched, its window closed) missed: 2 of 6. Germany at 8 h: L1, L3, L6 within, L5 (its 8 h closed
# 8 March 18:00) missed; with L2 within and L4 missed, 4 of 6.
EXPORT = csv_bytes([HEADERS,
                    _lead("L1", "04T10:00", "04T12:00", "Germany"), _lead("L2", "05T10:00", "05T10:30", "France"),
                    _lead("L3", "06T10:00", "06T15:00", "Germany"), _lead("L4", "07T10:00", "08T10:00", "France"),
                    _lead("L5", "08T10:00", "", "Germany"), _lead("L6", "11T10:00", "11T10:45", "Germany")])
GERMANY = "region = Germany (4 leads)"


@pytest.fixture
def app():
    """The Sales page on the export, its rules editor opened as a click on its header does (built only while open)."""
    app = app_with_upload("hubspot.csv", EXPORT, PAGE)
    open_section(app, KEYS.rules_section_open)
    return app


def edit_rules(app, added: list[dict], version: int = 0) -> None:
    """Add rows to the rules editor the way the browser reports them."""
    app.session_state[KEYS.goal_rules(version)] = {"edited_rows": {}, "added_rows": added, "deleted_rows": []}
    app.run()
    assert not app.exception


def grid(app, *columns: str):
    """The grid (st.dataframe) that has ``columns``."""
    return next(d.value for d in app.dataframe if set(columns) <= set(d.value.columns))


def test_adding_a_rule_moves_the_headline_and_shows_its_segment(app):
    assert metric(app, "Within the speed goal") == "33.3 %"
    assert "Segments in" not in shown(app.subheader)
    edit_rules(app, [{"Order": 1, "Segment": GERMANY, "Speed goal (h)": 8.0}])
    ws = workspace_of(app)
    assert ws.assumptions.goal_rules == GoalRules((GoalRule("region", "Germany", 8.0),))
    assert metric(app, "Within the speed goal") == "66.7 %"
    table = grid(app, "Baseline median (h)")
    assert list(table["Segment"]) == ["region = Germany", "every other lead (default goals)"]
    assert list(table["Handed"]) == [4, 2]
    assert list(table["Within goal (%)"]) == [75.0, 50.0]  # L1, L3, L6 of 4; L2 of L2 and L4
    assert app.query_params["goal_rules"] == "region:Germany:8:"  # the deep link carries the rule
    assert settings_of(ws)["assumptions"].goal_rules == ws.assumptions.goal_rules  # and a save keeps it
    open_section(app, KEYS.breaches_open)
    breaching = grid(app, "Speed goal (h)", "Breaches")  # each lead's own goal in the list
    assert dict(zip(breaching["Lead"], breaching["Speed goal (h)"], strict=True)) == {
        "L1": "8 h", "L2": "1 h", "L3": "8 h", "L4": "1 h", "L5": "8 h", "L6": "8 h"}  # all: 1 attempt of 6


def test_a_rule_without_a_segment_is_refused_in_words(app):
    edit_rules(app, [{"Order": 1, "Speed goal (h)": 8.0}])
    assert "Rules not applied yet: rule 1: pick a segment" in shown(app.error)
    assert not workspace_of(app).assumptions.goal_rules
    assert metric(app, "Within the speed goal") == "33.3 %"


def test_rules_are_reordered_by_their_order_number(app):
    edit_rules(app, [{"Order": 2, "Segment": GERMANY, "Speed goal (h)": 8.0},
                     {"Order": 1, "Segment": "source = Web (6 leads)", "Speed goal (h)": 0.25}])
    rules = workspace_of(app).assumptions.goal_rules
    assert [r.field for r in rules] == ["source", "region"]  # Web first: every lead at 15 min
    assert metric(app, "Within the speed goal") == "0.0 %"


def test_a_deep_link_sets_the_rules(app):
    app.query_params["goal_rules"] = "region:Germany:8:"
    app.run()
    assert workspace_of(app).assumptions.goal_rules == GoalRules((GoalRule("region", "Germany", 8.0),))
    assert metric(app, "Within the speed goal") == "66.7 %"


def test_suggested_goals_are_shown_then_accepted(app):
    edit_rules(app, [{"Order": 1, "Segment": GERMANY, "Speed goal (h)": 8.0}])
    app.button(key=KEYS.suggest_goals).click().run()
    suggested = grid(app, "Suggested speed goal (h)")
    assert list(suggested["Speed goal now (h)"]) == [8.0]
    app.button(key=KEYS.accept_goals).click().run()
    assert not app.exception
    # The baseline (December to February) has no lead: Germany keeps its 8 h goal.
    assert workspace_of(app).assumptions.goal_rules == GoalRules((GoalRule("region", "Germany", 8.0),))


def add_rule(app, segment: str, speed: float | None = None, depth: int | None = None) -> None:
    """Fill the add-a-rule form and press "Add rule", as a user does."""
    app.selectbox(key=KEYS.goal_rule_segment).set_value(segment)
    app.number_input(key=KEYS.goal_rule_speed).set_value(speed)
    app.number_input(key=KEYS.goal_rule_depth).set_value(depth)
    app.button(key=KEYS.add_goal_rule).click().run()
    assert not app.exception


def test_the_add_a_rule_form_moves_the_headline_and_a_second_add_sets_that_segments_goals(app):
    assert metric(app, "Within the speed goal") == "33.3 %"
    add_rule(app, GERMANY, speed=8.0)
    assert workspace_of(app).assumptions.goal_rules == GoalRules((GoalRule("region", "Germany", 8.0),))
    assert metric(app, "Within the speed goal") == "66.7 %"  # 4 of 6, as the editor's rule gives
    add_rule(app, "source = Web (6 leads)", speed=0.25)
    add_rule(app, GERMANY, speed=24.0, depth=2)  # Germany again: its goals change, it keeps its place
    assert workspace_of(app).assumptions.goal_rules == GoalRules((GoalRule("region", "Germany", 24.0, 2),
                                                                  GoalRule("source", "Web", 0.25)))


def test_the_add_a_rule_form_refuses_a_rule_without_a_segment_or_a_goal(app):
    app.button(key=KEYS.add_goal_rule).click().run()
    assert "Rule not added: choose a segment." in shown(app.error)
    add_rule(app, GERMANY)
    assert 'sets neither a speed nor a depth goal' in shown(app.error)
    assert not workspace_of(app).assumptions.goal_rules


def test_a_depth_rule_moves_the_depth_headline_which_then_names_no_single_goal(app):
    """Every lead has 1 attempt and none is connected: 0 of 6 at the default 6 attempts; Germany's four at 1: 4 of 6."""
    assert metric(app, "At the depth goal") == "0.0 %"
    assert next(m.delta for m in app.metric if m.label == "Avg attempts (not connected)") == "goal 6"
    add_rule(app, GERMANY, depth=1)
    assert metric(app, "At the depth goal") == "66.7 %"
    assert next(m.delta for m in app.metric if m.label == "Avg attempts (not connected)") == "own goals"
