"""Goals per segment on the Sales SLA page: the rules editor, the segment table and suggested goals.

``ws.assumptions.goal_rules`` holds the rules; an edit replaces them (and shows a fresh editor), so
they are saved with the workspace and its scenarios and written into the page's link like the sliders.
"""
from __future__ import annotations

from datetime import date

import streamlit as st

from pages.common.state import Workspace
from pages.common.ui import KEYS, built_while_open, literal
from sla_core.sales import segment_tables as tables
from sla_core.sales import view as sales
from sla_core.sales.goal_rules import FIELDS, GoalRules

RULES_VERSION = "goal_rules_version"  # a new editor key after each applied edit
SUGGESTING = "goal_rules_suggesting"  # the month whose suggestions are shown
DEFAULT_GOAL = "default"  # an empty goal cell: the rule keeps the slider's goal
RULE_COLUMNS = {
    tables.ORDER: st.column_config.NumberColumn(min_value=1, step=1, help="Rules apply in this order: the first "
                                                "that matches a lead gives its goals. Renumber to move a rule."),
    tables.SPEED: st.column_config.NumberColumn(min_value=0.25, max_value=720.0, step=0.25, format="%.2f h",
                                                help="Empty: the default speed goal."),
    tables.DEPTH: st.column_config.NumberColumn(min_value=1, max_value=100, step=1,
                                                help="Empty: the default depth goal."),
}


def _labels(data: sales.Sales, rules: GoalRules) -> dict[str, tuple[str, str]]:
    return tables.options({field: data.segment_values(field) for field in FIELDS}, rules)


def _next_editor() -> None:
    st.session_state[RULES_VERSION] = st.session_state.get(RULES_VERSION, 0) + 1


def set_rules(ws: Workspace, rules: GoalRules) -> None:
    """Replace the goal rules (a shared view changes nothing) and show a fresh editor."""
    if ws.read_only:
        return
    ws.assumptions = ws.assumptions.updated(goal_rules=rules)
    st.session_state.pop(SUGGESTING, None)
    _next_editor()


def rules_editor(ws: Workspace, data: sales.Sales) -> None:
    """The ordered goal rules: a segment (source, tier or region value of the data) and its speed or depth goal."""
    rules = ws.assumptions.goal_rules
    title = f"Goals per segment ({len(rules)} rule{'' if len(rules) == 1 else 's'})"
    built_while_open(title, KEYS.rules_section_open, lambda: _rules_body(ws, data), expanded=bool(rules))


def _rules_body(ws: Workspace, data: sales.Sales) -> None:
    rules = ws.assumptions.goal_rules
    st.caption("A demo request and an e-book download need not share one goal. Each lead takes its goals from "
               "the first rule that matches its source, tier or region; a goal left empty, and every lead no "
               "rule matches, follows the sliders above. Saved with the workspace, its scenarios and the link.")
    labels = _labels(data, rules)
    shown = tables.rules_frame(rules, labels)
    if ws.read_only:
        st.dataframe(shown, hide_index=True, width="stretch", placeholder=DEFAULT_GOAL)
        return
    _add_rule_form(ws, labels)
    if rules:
        st.caption("Change a goal in the table, renumber Order to move a rule, or select a row and delete it.")
    config = {**RULE_COLUMNS, tables.SEGMENT: st.column_config.SelectboxColumn(
        options=list(labels), required=True, width="medium",
        help="The values of your data, with how many leads have each.")}
    edited = st.data_editor(shown, key=KEYS.goal_rules(st.session_state.setdefault(RULES_VERSION, 0)),
                            num_rows="dynamic", hide_index=True, width="stretch", column_config=config,
                            placeholder=DEFAULT_GOAL)
    if edited.equals(shown):
        return
    try:
        edited_rules = tables.rules_from_frame(edited, labels)
    except ValueError as exc:  # a row still being filled in: say what it lacks, keep the editor as it is
        st.error(f"Rules not applied yet: {literal(str(exc))}")
        return
    if edited_rules != rules:  # a blank new row changes nothing: the editor keeps it for the user to fill
        set_rules(ws, edited_rules)
        st.rerun()


def _add_rule_form(ws: Workspace, labels: dict[str, tuple[str, str]]) -> None:
    """Add a rule (or set a segment's goals): a segment of the data with its number of leads, and its goals."""
    with st.form("add_goal_rule_form", clear_on_submit=True, border=False):
        segment, speed_goal, depth_goal, add = st.columns([3, 1.2, 1.2, 1], vertical_alignment="bottom")
        # a selectbox shows its options as plain text: the data's values need no Markdown escaping there
        chosen = segment.selectbox("Segment", list(labels), index=None, key=KEYS.goal_rule_segment,
                                   placeholder="Choose a source, tier or region",
                                   help="The values of your data, with how many leads have each.")
        speed = speed_goal.number_input("Speed goal (h)", min_value=0.25, max_value=720.0, value=None, step=0.25,
                                        key=KEYS.goal_rule_speed, help="Empty: the default speed goal.")
        depth = depth_goal.number_input("Depth goal", min_value=1, max_value=100, value=None, step=1,
                                        key=KEYS.goal_rule_depth, help="Attempts; empty: the default depth goal.")
        if not add.form_submit_button("Add rule", key=KEYS.add_goal_rule, width="stretch"):
            return
    if chosen is None:
        st.error("Rule not added: choose a segment.")
        return
    try:
        rules = tables.with_rule(ws.assumptions.goal_rules, *labels[chosen], speed, depth)
    except ValueError as exc:
        st.error(f"Rule not added: {literal(str(exc))}")
        return
    set_rules(ws, rules)
    st.rerun()


def segment_table(ws: Workspace, data: sales.Sales, month: date) -> None:
    """Per rule, this month's figures and verdicts beside its baseline; suggested goals on request."""
    a = ws.assumptions
    if not a.goal_rules:
        return
    st.subheader(f"Segments in {month:%B %Y}")
    st.caption("Each rule's leads at their own goals, beside the same segment over the three months before: "
               "measure first, target second.")
    st.dataframe(tables.segment_frame(data.segments(a, month), data.measured), hide_index=True, width="stretch",
                 column_config={c: st.column_config.NumberColumn(format="%.1f") for c in
                                ("Median (h)", "P90 (h)", "Within goal (%)", "At depth goal (%)",
                                 "Baseline median (h)", "Baseline p90 (h)", "Baseline within (%)")})
    if ws.read_only or not data.measured.speed:
        return
    if st.button("Suggest goals", key=KEYS.suggest_goals,
                 help="Per segment, a speed goal a step better than its baseline: the baseline's 75th percentile "
                      "response, rounded."):
        st.session_state[SUGGESTING] = month
    if st.session_state.get(SUGGESTING) == month:
        _suggestions(ws, data, month)


def _suggestions(ws: Workspace, data: sales.Sales, month: date) -> None:
    found = data.suggestions(ws.assumptions, month)
    st.dataframe(tables.suggestion_frame(found, ws.assumptions.goal_rules), hide_index=True, width="stretch")
    st.caption("A segment without a touched lead in its baseline keeps its goal. Accept, then edit any goal in "
               "the rules above.")
    st.button("Accept the suggested goals", key=KEYS.accept_goals, on_click=set_rules,
              args=(ws, tables.accepted(found)))
