"""The Sales SLA page through AppTest: goals, clock, periods, reps and the drill-down, on the sample and by hand."""
from __future__ import annotations

import re
from datetime import time

import pytest
from apptest_support import (
    app_with_upload,
    count_statements,
    metric,
    new_app,
    shown,
    workspace_of,
)
from ingest_support import csv_bytes

from pages.common.ui import KEYS

PAGE = "pages/sales.py"

# As of 2024-03-08 16:30 UTC (the latest timestamp), goal 1 h. Calendar responses: A 0.5 within, B 2 missed,
# C never touched (missed), D 5 min within, E not yet due, F handed Friday 16:30 and touched Monday 09:15:
# 64.75 calendar hours (missed) but 0.75 business hours (within, Mon–Fri 09–17).
SMALL = csv_bytes([
    ["lead_id", "created_at", "handed_at", "first_touch_at", "attempts", "connected", "owner"],
    ["A", "2024-03-04T09:00:00Z", "2024-03-04T10:00:00Z", "2024-03-04T10:30:00Z", "3", "true", "Ann"],
    ["B", "2024-03-04T09:00:00Z", "2024-03-04T10:00:00Z", "2024-03-04T12:00:00Z", "6", "false", "Ann"],
    ["C", "2024-03-05T09:00:00Z", "2024-03-05T10:00:00Z", "", "1", "false", "Bob"],
    ["D", "2024-03-06T09:00:00Z", "2024-03-06T10:00:00Z", "2024-03-06T10:05:00Z", "2", "false", "Bob"],
    ["E", "2024-03-08T09:00:00Z", "2024-03-08T16:30:00Z", "", "0", "false", "Bob"],
    ["F", "2024-03-01T09:00:00Z", "2024-03-01T16:30:00Z", "2024-03-04T09:15:00Z", "1", "false", "=cmd|calc"],
])


def captions(app) -> str:
    return shown(app.caption)


def errors(app) -> str:
    return shown(app.error)


@pytest.fixture
def at():
    """The bundled sample on the Sales SLA page."""
    app = new_app()
    app.run()
    app.switch_page(PAGE).run()
    assert not app.exception
    return app


@pytest.fixture
def small():
    """The hand-computed export loaded through the Data page, then the Sales SLA page."""
    return app_with_upload("small.csv", SMALL, PAGE)


def test_sample_shows_headline_numbers_capacity_charts_and_reps(at):
    assert at.title[0].value == "Sales SLA"
    assert not at.error
    for label in ("Leads handed", "Median response (hours)", "p90 response (hours)", "Within the speed goal",
                  "Leads worked", "Avg attempts (not connected)", "At the depth goal", "Hours needed",
                  "Hours available"):
        assert metric(at, label) != ""
    assert metric(at, "Hours needed") == "200.00 h"  # 200 leads × 6 attempts × 10 min
    assert at.select_slider(key=KEYS.sales_month).value.strftime("%Y-%m") == "2025-01"  # the as-of month
    assert "13 months of hand-offs: Jan 2024 – Jan 2025." in captions(at)
    assert "reps outside the SLA" in captions(at)
    assert len(at.dataframe) == 2  # rep table and the breaching leads


def test_switching_the_period_redraws_the_charts(at):
    at.radio(key=KEYS.sales_period).set_value("week").run()
    assert not at.exception
    assert "55 weeks of hand-offs: week of 01 Jan 2024 – week of 13 Jan 2025." in captions(at)
    at.radio(key=KEYS.sales_period).set_value("day").run()
    assert re.search(r"\d{3} days of hand-offs: Mon 01 Jan 2024", captions(at))


def test_business_clock_and_goal_change_the_speed_figures(small):
    assert metric(small, "Leads handed") == "6"
    assert "No lead of this month was touched before its hand-off" in captions(small)
    assert metric(small, "Median response (hours)") == "1.25 h"  # 0.08, 0.5, 2, 64.75
    assert metric(small, "Within the speed goal") == "40.0 %"  # A, D within; B, C, F missed; E not yet due
    small.radio(key=KEYS.sales_clock).set_value("business").run()
    assert not small.exception
    assert metric(small, "Within the speed goal") == "60.0 %"  # F took 0.75 business hours
    assert "Median response (business hours)" in [m.label for m in small.metric]
    small.slider(key=KEYS.assumption("speed_goal_hours")).set_value(3.0).run()
    assert metric(small, "Within the speed goal") == "80.0 %"  # B's 2 h now within; C's window closed untouched
    assert not small.exception


@pytest.fixture
def statements(monkeypatch):
    """The names of the SQL statements the page runs (every query goes through sla_core.queries)."""
    return count_statements(monkeypatch)


@pytest.mark.parametrize("clock", ["calendar", "business"])
def test_a_speed_goal_move_runs_only_the_goal_counts_and_the_breaching_list(small, statements, clock):
    small.radio(key=KEYS.sales_clock).set_value(clock).run()
    small.radio(key=KEYS.sales_period).set_value("week").run()
    statements.clear()
    small.slider(key=KEYS.assumption("speed_goal_hours")).set_value(3.0).run()
    assert not small.exception
    # one count for the month (its totals for the headline, its owners for the rep table), one for the weeks;
    # no summary, depth or calendar-clock statement again
    assert sorted(statements) == ["sales/speed_goal_counts", "sales/speed_goal_counts", "sales/speed_leads"]
    assert metric(small, "Within the speed goal") == ("80.0 %" if clock == "business" else "60.0 %")
    statements.clear()
    small.slider(key=KEYS.assumption("speed_goal_hours")).set_value(1.0).run()  # a goal already seen: nothing to query
    assert statements == []
    assert metric(small, "Within the speed goal") == ("60.0 %" if clock == "business" else "40.0 %")


def test_depth_figures_and_rep_table(small):
    assert metric(small, "Avg attempts (not connected)") == "2.00"  # B 6, C 1, D 2, E 0, F 1
    assert "Sales SLA missed: speed and depth below the goal" in " ".join(str(m.value) for m in small.markdown)
    assert metric(small, "At the depth goal") == "20.0 %"
    assert metric(small, "Leads worked") == "83.3 %"
    small.slider(key=KEYS.assumption("depth_goal_attempts")).set_value(2).run()
    assert metric(small, "At the depth goal") == "40.0 %"  # B and D
    reps = small.dataframe[0].value
    assert set(reps["Rep"]) == {"Ann", "Bob", "=cmd|calc"}
    assert reps.set_index("Rep").loc["Ann", "Within goal (%)"] == 50.0
    assert bool(reps.set_index("Rep").loc["Ann", "Outside SLA"]) is True


def test_drill_down_filters_by_rep(small):
    assert "of 5 (oldest hand-off first)" in captions(small)  # every lead but A breaches speed or depth
    small.selectbox(key=KEYS.breach_owner).set_value("Ann").run()
    leads = small.dataframe[1].value
    assert list(leads["lead_id"]) == ["B"] and list(leads["breach"]) == ["speed"]


def test_capacity_follows_the_inputs(at):
    at.number_input(key=KEYS.assumption("reps")).set_value(2).run()
    assert not at.exception
    assert metric(at, "Hours available") == "88.57 h"  # 2 × 10 h × 31/7 weeks in January
    assert any("Not feasible" in str(m.value) for m in at.markdown)
    at.number_input(key=KEYS.assumption("minutes_per_attempt")).set_value(5.0).run()
    assert metric(at, "Hours needed") == "100.00 h"


def test_business_hours_editor_applies_and_refuses_bad_settings(small):
    small.radio(key=KEYS.sales_clock).set_value("business").run()
    small.time_input(key=KEYS.bh_open).set_value(time(8, 0)).run()
    assert not small.exception
    assert any("Mon–Fri 08:00–17:00" in e.label for e in small.expander)
    small.time_input(key=KEYS.bh_close).set_value(time(7, 0)).run()
    assert "must be after opening time" in errors(small)
    assert any("Mon–Fri 08:00–17:00" in e.label for e in small.expander)  # the previous setting stays
    small.text_area(key=KEYS.bh_holidays).set_value("2024-03-04\nnot a day").run()
    assert "is not a date like 2024-12-25" in errors(small)
    small.text_area(key=KEYS.bh_holidays).set_value("2024-03-04").run()
    assert any("1 holiday" in e.label for e in small.expander)
    # Monday a holiday: A and B (Monday) took 0 business hours, F only Friday 16:30–17:00; C stays missed
    assert metric(small, "Within the speed goal") == "80.0 %"
    assert not small.exception


def test_csv_downloads_defuse_spreadsheet_formulas():
    import pandas as pd

    from sla_core.export import csv_bytes

    text = csv_bytes(pd.DataFrame({"Rep": ["=cmd|calc", "Ann", "@x"], "Handed leads": [-5, 2, None]})).decode("utf-8-sig")
    assert text.splitlines() == ["Rep,Handed leads", "'=cmd|calc,-5.0", "Ann,2.0", "'@x,"]


def test_read_only_view_disables_every_input(at):
    workspace_of(at).read_only = True
    at.run()
    assert not at.exception
    assert at.slider(key=KEYS.assumption("speed_goal_hours")).disabled and at.slider(key=KEYS.assumption("depth_goal_attempts")).disabled
    assert at.select_slider(key=KEYS.assumption("speed_target_share")).disabled and at.number_input(key=KEYS.assumption("reps")).disabled
    assert at.radio(key=KEYS.sales_clock).disabled and at.time_input(key=KEYS.bh_open).disabled
    assert at.text_area(key=KEYS.bh_holidays).disabled and at.multiselect(key=KEYS.bh_weekdays).disabled
    assert not at.radio(key=KEYS.sales_period).disabled  # looking around stays possible


def test_holidays_from_an_upload_and_a_country_prefill(small):
    small.file_uploader(key=KEYS.bh_holidays_file).upload("holidays.csv", b"date,name\n2024-03-04,Company day\n", "text/csv")
    small.run()
    assert not small.exception
    assert small.text_area(key=KEYS.bh_holidays).value == "2024-03-04"
    small.selectbox(key=KEYS.bh_country).set_value("US").run()
    small.button(key=KEYS.bh_prefill).click().run()
    assert not small.exception
    holidays = small.text_area(key=KEYS.bh_holidays).value.splitlines()
    assert "2024-01-01" in holidays and "2024-03-04" in holidays  # New Year's Day joins the uploaded day
