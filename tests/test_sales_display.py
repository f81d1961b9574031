"""The Sales page's tables and verdict styling: every judgement is a verdict function's, figures by hand."""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from sla_core import theme
from sla_core.assumptions import Assumptions
from sla_core.health import verdicts
from sla_core.health.months import COMPLETE, IN_PROGRESS
from sla_core.health.verdicts import Measured, Verdict
from sla_core.sales import display
from sla_core.sales.clock import BusinessHours
from sla_core.sales.view import HolidaySpan

FEB = date(2024, 2, 1)
A = Assumptions(speed_goal_hours=1, speed_target_share=0.8, depth_goal_attempts=6, depth_target_share=0.5)
# Ann: 4 of 5 due leads within (80 %: met); 1 of 2 unconnected at 6 attempts (50 %: met).
# Bob: 1 of 4 within (25 %: missed); 0 of 3 at goal (0 %: missed).
# Cy: 2 of 2 within; nobody left unconnected (depth has nothing to judge).
SPEED = pd.DataFrame({"period_start": [FEB] * 3, "owner": ["Ann", "Bob", "Cy"], "handed": [5, 4, 2],
                      "within": [4.0, 1.0, 2.0], "missed": [1.0, 3.0, 0.0], "median_hours": [0.5, 3.0, 0.2]})
DEPTH = pd.DataFrame({"period_start": [FEB] * 3, "owner": ["Ann", "Bob", "Cy"], "handed": [5, 4, 2],
                      "not_connected": [2, 3, 0], "avg_attempts": [4.0, 2.0, None], "at_goal": [1, 0, 0]})


def test_reps_outside_the_sla_are_those_the_verdicts_call_missed():
    table = display.rep_table(SPEED, DEPTH, FEB, COMPLETE, verdicts.ALL_MEASURED, A).frame.set_index("Rep")
    assert list(table.index) == ["Bob", "Ann", "Cy"]  # outside first
    assert table.loc["Bob", "Verdict"] == "missed" and bool(table.loc["Bob", "Outside SLA"])
    assert table.loc["Bob", "Why"] == ("speed missed: 25.0 % of due leads followed up within 1 h (target 80 %); "
                                       "depth missed: 0.0 % of unconnected leads had at least 6 attempts (target 50 %)")
    # Ann's average attempts (4) are below the goal of 6, but half her unconnected leads reached it: met
    assert table.loc["Ann", "Verdict"] == "met" and not table.loc["Ann", "Outside SLA"]
    assert table.loc["Cy", "Verdict"] == "met" and pd.isna(table.loc["Cy", "At depth goal (%)"])


def test_the_month_in_progress_flags_reps_behind_so_far():
    table = display.rep_table(SPEED, DEPTH, FEB, IN_PROGRESS, verdicts.ALL_MEASURED, A).frame.set_index("Rep")
    assert table.loc["Bob", "Verdict"] == "behind" and bool(table.loc["Bob", "Outside SLA"])
    assert table.loc["Ann", "Verdict"] == "on track"


def test_nothing_measured_flags_no_rep_and_shows_no_figure():
    table = display.rep_table(SPEED, DEPTH, FEB, COMPLETE, Measured(speed=False, depth=False), A).frame
    assert set(table["Verdict"]) == {"not measured"} and not table["Outside SLA"].any()
    shown = display.shown_reps(table, Measured(speed=False, depth=False))
    assert list(shown.columns) == ["Rep", "Verdict", "Handed leads"]
    only_speed = display.shown_reps(table, Measured(speed=True, depth=False))
    assert "Within goal (%)" in only_speed.columns and "At depth goal (%)" not in only_speed.columns


def test_owners_past_the_limit_are_one_row_with_pooled_shares():
    table = display.rep_table(SPEED, DEPTH, FEB, COMPLETE, verdicts.ALL_MEASURED, A, limit=1)
    assert table.grouped == 2 and table.reps == ["Ann"]  # Ann has the most leads (5; Bob 4, Cy 2)
    other = table.frame.iloc[-1]
    assert other["Rep"] == "Other reps (2)" and other["Handed leads"] == 6
    assert other["Within goal (%)"] == pytest.approx(50.0)  # (1 + 2) ÷ (1 + 3 + 2 + 0), not a mean of 25 and 100
    assert other["At depth goal (%)"] == pytest.approx(0.0) and other["Avg attempts (not connected)"] == 2.0
    assert pd.isna(other["Median response (h)"])  # a median of medians is not a median
    assert other["Verdict"] == "missed"


def test_grids_spell_out_na_and_units():
    table = display.rep_table(SPEED, DEPTH, FEB, COMPLETE, verdicts.ALL_MEASURED, A).frame
    shown = display.shown_reps(table, verdicts.ALL_MEASURED).set_index("Rep")
    assert shown.loc["Cy", "At depth goal (%)"] == "n/a" and shown.loc["Bob", "Within goal (%)"] == "25.0 %"
    assert shown.loc["Ann", "Median response (h)"] == "0.50 h"
    # the page names the figures outside the SLA; the row beside them has the numbers, the CSV keeps the details
    assert (shown.loc["Bob", "Outside SLA"], shown.loc["Bob", "Why"]) == ("yes", "speed missed; depth missed")
    assert (shown.loc["Ann", "Outside SLA"], shown.loc["Ann", "Why"]) == ("", "")


@pytest.mark.parametrize("verdict,colour", [("met", "green"), ("missed", "red"), ("in progress", "blue"),
                                            ("not measured", "gray")])
def test_badge_colours_are_the_theme_verdict_hues(verdict, colour):
    assert verdict in theme.VERDICT
    assert display.verdict_style(Verdict(verdict, "x"))[0] == colour
    assert set(display.VERDICT_STYLE) == {*theme.VERDICT, None}


def test_the_badge_never_shows_a_figure_that_is_not_measured_or_has_nothing_to_judge():
    assert display.sales_badge(Verdict(verdicts.NOT_MEASURED, "no data"), FEB) is None
    assert display.sales_badge(Verdict(None, "no leads"), FEB) is None
    assert display.sales_badge(Verdict(verdicts.MISSED, "x"), FEB) == "Sales SLA missed in February 2024"
    behind = Verdict(verdicts.IN_PROGRESS, "x", verdicts.BEHIND)
    assert display.sales_badge(behind, FEB) == "Sales SLA in progress, behind so far"
    assert display.verdict_style(behind) == ("blue", ":material/warning:", "off")
    assert display.verdict_delta(behind, "target 80 %") == "behind · target 80 %"


def test_the_holiday_span_runs_from_the_year_before_the_first_hand_off_to_the_as_of_year():
    span = HolidaySpan.of(range(2024, 2026))
    assert (span.first, span.last) == (date(2023, 1, 1), date(2025, 12, 31))
    hours, left_out = span.bound(BusinessHours(holidays=(date(1, 1, 1), date(2022, 12, 31), date(2023, 1, 1),
                                                         date(2025, 12, 31), date(9999, 12, 31))))
    assert hours.holidays == (date(2023, 1, 1), date(2025, 12, 31)) and left_out == 3
    assert HolidaySpan.of(range(0)) is None


def test_each_period_of_a_chart_is_judged_as_the_verdicts_judge_a_month():
    weeks = pd.DataFrame({"period_start": [date(2024, 2, 19), date(2024, 2, 26), date(2024, 3, 4)],
                          "handed": [0, 5, 3], "pct_within_goal": [None, 0.9, 0.5]})
    as_of = datetime(2024, 3, 6, 12)  # a Wednesday: the week of 4 March is in progress
    judged = display.period_verdicts(weeks, "week", as_of, True, 0.8, 1.0)
    assert list(judged["verdict"]) == ["no verdict", "met", "behind"]
    assert list(display.period_verdicts(weeks, "week", as_of, False, 0.8, 1.0)["verdict"]) == ["not measured"] * 3
    none_due = weeks.assign(pct_within_goal=[None, 0.9, None])
    assert display.period_verdicts(none_due, "week", as_of, True, 0.8, 1.0)["verdict"].iloc[-1] == "in progress"
