"""The Marketing SLA page's goal line through AppTest: the month it opens on, the month's verdict, the catch-up
plan after a missed month."""
from __future__ import annotations

from datetime import date

import pytest
from apptest_support import app_with_upload, metric, new_app, open_section
from apptest_support import shown as text
from marketing_fixture import WORKED_EXAMPLE, small_export
from marketing_page_support import (
    PAGE,
    attainment_help,
    badge,
    chart_rows,
    goal_to_date,
    month_goal,
    on_track,
    sample_app,
    small_app,
    worked_example,
)

from pages.common.ui import KEYS


@pytest.fixture
def at():
    """The sample export on the default page (the Marketing SLA)."""
    return sample_app()


@pytest.fixture
def small():
    """The hand-computed ten-lead export loaded through the Data page, then the Marketing SLA page."""
    return small_app()


def test_flipping_to_a_past_month(small):
    for key, shown in (("quota", 5000.0), ("marketing_share", 100.0), ("avg_deal_size", 100.0), ("close_rate", 50.0)):
        small.slider(key=KEYS.assumption(key)).set_value(shown).run()
    small.select_slider(key=KEYS.goal_month).set_value(date(2024, 1, 1)).run()
    assert not small.exception
    # January is over: the whole month counts, three marketing leads against the full goal of 100
    assert (metric(small, "Actual to date (leads)"), goal_to_date(small)) == ("3", "100")
    assert (metric(small, "Attainment"), metric(small, "Projection (leads)")) == ("3 %", "3")
    assert small.query_params["month"] == "2024-01"


def test_without_a_goal_attainment_is_n_a_and_the_month_owes_nothing(at):
    open_section(at, KEYS.exact_values_open)
    at.number_input(key=KEYS.exact("quota")).set_value(0.0).run()
    assert not at.exception
    assert month_goal(at) == "0"
    assert metric(at, "Attainment") == "n/a"
    # the marketing verdict of every surface: with nothing needed, the month in progress is on track
    assert on_track(at) == ("On track", "GREEN")
    assert "0 needed in January 2025" in attainment_help(at)


def test_the_page_opens_on_the_latest_month_with_marketing_leads():
    # the ten leads and a customer date in April: the as-of month (April) has no marketing lead
    late = small_export().replace("9,2024-03-05 10:00,Paid Search,,,",
                                  "9,2024-03-05 10:00,Paid Search,,2024-04-15 09:00,500")
    app = app_with_upload("late_close.csv", late.encode(), PAGE)
    month = app.select_slider(key=KEYS.goal_month)
    assert month.value == date(2024, 3, 1) and app.query_params["month"] == "2024-03"
    assert month.options[-2:] == ["Mar 2024", "Apr 2024 (in progress)"]
    assert "March 2024 is over: all 31 days count." in text(app.markdown)
    worked_example(app)
    # March is complete: its 4 marketing leads missed the 100 needed, whatever the pace
    assert on_track(app) == ("Missed", "RED")
    assert "missed: 4 marketing leads in March 2024, 100 needed (96 short)" in attainment_help(app)
    app.select_slider(key=KEYS.goal_month).set_value(date(2024, 4, 1)).run()
    assert "April 2024 is in progress: as of day 15 of 30." in text(app.markdown)
    assert app.query_params["month"] == "2024-04"


def test_the_month_in_progress_is_labelled_and_judged_on_its_pace(small):
    month = small.select_slider(key=KEYS.goal_month)
    assert month.value == date(2024, 3, 1)
    assert month.options == ["Jan 2024", "Feb 2024", "Mar 2024 (in progress)"]
    worked_example(small)
    assert on_track(small) == ("Behind the goal line", "RED")  # 4 leads by day 10, 32.3 expected: never "missed"
    small.select_slider(key=KEYS.goal_month).set_value(date(2024, 2, 1)).run()
    assert on_track(small) == ("Missed", "RED")


def test_catch_up_after_a_missed_month(small):
    worked_example(small)
    # 100 leads needed: January's 3 leave 97 outstanding, February's 2 → 195; March asks for 100 + 195
    assert (metric(small, "Leads outstanding"), metric(small, "Revenue at risk"), metric(small, "Catch-up goal")) == (
        "195", "$9,750", "295")  # 195 × 50 % × $100
    assert badge(small, "Catch-up goal", "+195 on top of") == "100"
    assert "Catch-up plan for March 2024" in text(small.markdown)
    spread = small.radio(key=KEYS.assumption("catch_up_months"))
    assert spread.options == ["1 month", "2 months", "3 months"]
    spread.set_value(2).run()
    assert metric(small, "Catch-up goal") == "198"  # 100 + ceil(195 ÷ 2)
    assert small.query_params["catch_up_months"] == "2"
    catch_up = [r for r in chart_rows(small, "March 2024: goal line and catch-up goal") if r.get("series")]
    assert [r["leads"] for r in catch_up if r["series"] == "Catch-up goal (cumulative)"][-1] == pytest.approx(198)
    small.select_slider(key=KEYS.goal_month).set_value(date(2024, 1, 1)).run()
    assert not [m for m in small.metric if m.label == "Catch-up goal"]  # nothing outstanding before January


def test_a_link_carries_the_catch_up_spread():
    app = new_app()
    for key, value in {**WORKED_EXAMPLE, "quota": 30_000, "catch_up_months": 3}.items():
        app.query_params[key] = str(value)
    app.run()
    assert not app.exception
    # the sample, 600 leads needed a month: 12 months of 2,488 leads in all leave 7,200 − 2,488 = 4,712 outstanding
    assert app.radio(key=KEYS.assumption("catch_up_months")).value == 3
    assert metric(app, "Leads outstanding") == "4,712" and metric(app, "Catch-up goal") == "2,171"  # 600 + 1,571
