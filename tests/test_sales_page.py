"""The Sales SLA page through AppTest: goals, clock, periods, verdicts, reps, bandwidth and the drill-down, on the
sample and by hand."""
from __future__ import annotations

import io
import json
import re
from datetime import date, time

import pandas as pd
import pytest
from apptest_support import (
    capture_downloads,
    clicked,
    app_with_upload,
    count_statements,
    metric,
    new_app,
    open_section,
    shown,
    workspace_of,
)
from ingest_support import csv_bytes
from sales_page_support import (  # the hand-computed exports and the page's readers
    PAGE,
    SMALL,
    captions,
    chart_titled,
    charts,
    errors,
    grid,
    markdown,
)

from pages.common.state import settings_of
from pages.common.ui import KEYS
from sla_core.sales import charts as sales_charts
from sla_core.sales.bandwidth import RepHours
from sla_core.sales.clock import BusinessHours


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
    for label in ("Leads handed", "Median response", "p90 response", "Within the speed goal",
                  "Leads worked", "Avg attempts (not connected)", "At the depth goal", "Hours needed",
                  "Hours available"):
        assert metric(at, label) != ""
    assert metric(at, "Hours needed") == "200.00 h"  # 200 leads × 6 attempts × 10 min
    assert at.select_slider(key=KEYS.sales_month).value.strftime("%Y-%m") == "2025-01"  # the month shown first
    assert "13 months of hand-offs: Jan 2024 – Jan 2025." in captions(at)
    assert "reps outside the SLA" in captions(at)
    for column in ("Verdict", "Marketing leads"):  # rep table, bandwidth
        assert not grid(at, column).empty
    open_section(at, KEYS.breaches_open)  # the breaching leads are listed only while their section is open
    assert not grid(at, "Breaches").empty


def test_the_month_in_progress_is_labelled_and_never_missed(at):
    options = at.select_slider(key=KEYS.sales_month).options
    assert [o for o in options if "in progress" in o] == ["Jan 2025 (in progress)"]
    assert at.subheader[1].value == "January 2025 (in progress)"
    assert ":blue-badge[" in markdown(at) and ":red-badge[:material/warning: Sales SLA" not in markdown(at)
    assert "Sales SLA in progress, behind so far" in markdown(at)
    assert "so far (target 80 %)" in captions(at)


def test_switching_the_period_redraws_the_charts(at):
    at.radio(key=KEYS.sales_period).set_value("week").run()
    assert not at.exception
    assert "55 weeks of hand-offs: week of 01 Jan 2024 – week of 13 Jan 2025." in captions(at)
    at.radio(key=KEYS.sales_period).set_value("day").run()
    # the day view opens on the chosen month's days rather than 400-odd bars
    assert "14 days of hand-offs: Wed 01 Jan 2025 – Tue 14 Jan 2025." in captions(at)
    at.date_input(key=KEYS.sales_days(date(2025, 1, 1))).set_value((date(2024, 1, 1), date(2025, 1, 14))).run()
    assert not at.exception
    assert re.search(r"\d{3} days of hand-offs: Mon 01 Jan 2024", captions(at))


def test_week_labels_carry_the_year_and_every_chart_of_a_view_spans_the_same_months(at):
    at.radio(key=KEYS.sales_period).set_value("week").run()
    x_axes = []
    for view in ("speed", "delays", "depth"):  # the by-period charts are drawn one view at a time
        at.segmented_control(key=KEYS.sales_charts).set_value(view).run()
        x_axes += [layer["encoding"]["x"] for spec in charts(at) for layer in spec.get("layer", [spec])
                   if layer.get("encoding", {}).get("x", {}).get("type") == "temporal"]
    assert len(x_axes) >= 6
    assert {x["axis"]["format"] for x in x_axes} == {"%d %b %Y"}  # "01 Jan 2024", never "01 Jan" twice
    domains = {json.dumps(x["scale"]["domain"]) for x in x_axes}
    assert len(domains) == 1  # they all start in the first week and end in the last one
    first, last = json.loads(domains.pop())
    assert (first["year"], first["month"], first["date"]) == (2024, 1, 1)
    assert (last["year"], last["month"], last["date"]) == (2025, 1, 19)  # the week of 13 Jan 2025 ends on the 19th


def test_business_clock_and_goal_change_the_speed_figures(small):
    assert metric(small, "Leads handed") == "6"
    assert metric(small, "Median response") == "1.25 h"  # 0.08, 0.5, 2, 64.75
    assert next(m.delta for m in small.metric if m.label == "Median response") == "hours"
    assert metric(small, "Within the speed goal") == "40.0 %"  # A, D within; B, C, F missed; E not yet due
    small.radio(key=KEYS.sales_clock).set_value("business").run()
    assert not small.exception
    assert metric(small, "Within the speed goal") == "60.0 %"  # F took 0.75 business hours
    assert next(m.delta for m in small.metric if m.label == "Median response") == "business hours"
    small.slider(key=KEYS.assumption("speed_goal_hours")).set_value(3.0).run()
    assert metric(small, "Within the speed goal") == "80.0 %"  # B's 2 h now within; C's window closed untouched
    assert not small.exception


def business_hours(app) -> str:
    """The business hours in words, as the clock's "Business hours" option shows them under its label."""
    return app.radio(key=KEYS.sales_clock).proto.captions[1]


@pytest.fixture
def statements(monkeypatch):
    """The names of the SQL statements the page runs (every query goes through sla_core.queries)."""
    return count_statements(monkeypatch)


@pytest.mark.parametrize("clock", ["calendar", "business"])
def test_a_speed_goal_move_runs_only_the_goal_counts_and_the_breaching_list(small, statements, clock):
    open_section(small, KEYS.breaches_open)
    small.radio(key=KEYS.sales_clock).set_value(clock).run()
    small.radio(key=KEYS.sales_period).set_value("week").run()
    statements.clear()
    small.slider(key=KEYS.assumption("speed_goal_hours")).set_value(3.0).run()
    assert not small.exception
    # one count for the month (its totals for the headline, its owners for the rep table), one for the weeks;
    # no summary, depth, bandwidth or calendar-clock statement again, and the per-lead goal table is not rebuilt:
    # each count only looks up what it was built from (sla_core.sales.lead_goals, a catalog look-up)
    assert "sales/lead_goals:build" not in statements
    assert sorted(s for s in statements if s != "sales/lead_goals:state") == [
        "sales/speed_goal_counts", "sales/speed_goal_counts", "sales/speed_leads"]
    assert metric(small, "Within the speed goal") == ("80.0 %" if clock == "business" else "60.0 %")
    statements.clear()
    small.slider(key=KEYS.assumption("speed_goal_hours")).set_value(1.0).run()  # a goal already seen: nothing to query
    assert statements == []
    assert metric(small, "Within the speed goal") == ("60.0 %" if clock == "business" else "40.0 %")


def test_a_depth_goal_move_runs_no_speed_statement_and_a_target_move_none(small, statements):
    open_section(small, KEYS.breaches_open)
    statements.clear()
    small.slider(key=KEYS.assumption("depth_goal_attempts")).set_value(2).run()
    assert not small.exception
    # the month's depth figures (for the headline, then per rep) and the breaching list, which names depth breaches
    assert sorted(s for s in statements if s != "sales/lead_goals:state") == [
        "sales/depth_by_period", "sales/depth_by_period", "sales/speed_leads"]
    statements.clear()
    for field in ("speed_target_share", "depth_target_share"):  # a verdict is arithmetic on the kept figures
        small.select_slider(key=KEYS.assumption(field)).set_value(0.4).run()
    assert statements == [] and not small.exception
    deltas = {m.label: m.delta for m in small.metric}
    assert "target 40 %" in deltas["Within the speed goal"] and "target 40 %" in deltas["At the depth goal"]


def test_a_goal_move_builds_only_the_charts_that_show_it(small, monkeypatch):
    from sla_core import vega
    built: list[str] = []
    convert = vega.spec

    def recording(chart):
        title = chart.to_dict()["title"]
        built.append(title if isinstance(title, str) else title["text"])
        return convert(chart)

    monkeypatch.setattr(vega, "spec", recording)
    small.slider(key=KEYS.assumption("depth_goal_attempts")).set_value(2).run()
    # the by-period view shown is speed: its charts are kept, and the hidden depth charts are not built
    assert sorted(built) == ["Hours the depth goal needs, per rep", "Reps: share within the speed goal"]
    built.clear()
    small.slider(key=KEYS.assumption("speed_goal_hours")).set_value(3.0).run()
    assert sorted(built) == ["Reps: share within the speed goal", "Speed: average response time (hours)",
                             "Speed: share of leads within the goal"]


def test_depth_figures_and_rep_table(small, monkeypatch):
    downloads = capture_downloads(monkeypatch)
    assert metric(small, "Avg attempts (not connected)") == "2.00"  # B 6, C 1, D 2, E 0, F 1
    # March is in progress: behind on both so far, never "missed" before it ends
    assert "Sales SLA in progress, behind so far" in markdown(small)
    assert metric(small, "At the depth goal") == "20.0 %"
    assert metric(small, "Leads worked") == "83.3 %"
    small.slider(key=KEYS.assumption("depth_goal_attempts")).set_value(2).run()
    assert metric(small, "At the depth goal") == "40.0 %"  # B and D
    reps = grid(small, "Verdict").set_index("Rep")
    assert set(reps.index) == {"Ann", "Bob", "=cmd|calc"}  # shown as written (escaped in the HTML)
    assert reps.loc["Ann", "Within goal (%)"] == "50.0 %"
    assert reps.loc["Ann", "Outside SLA"] == "yes" and reps.loc["Ann", "Verdict"] == "behind"
    assert reps.loc["Ann", "Why"] == "speed behind"  # the row beside it shows the figures
    button = next(b for b in small.get("download_button") if b.proto.label == "Download the rep table (CSV)")
    csv = pd.read_csv(io.BytesIO(clicked(downloads[button.id])), dtype=str).set_index("Rep")
    assert csv.loc["Ann", "Why"].startswith("speed behind: 50.0 % of due leads followed up within 1 h so far")
    assert csv.loc["Ann", "Outside SLA"] == "True"


def test_the_breaching_list_keeps_its_filters_while_its_section_is_closed(small):
    open_section(small, KEYS.breaches_open)
    small.selectbox(key=KEYS.breach_owner).set_value("Bob").run()
    small.checkbox(key=KEYS.breach_all).check().run()
    small.session_state[KEYS.breaches_open] = False
    small.run()
    small.slider(key=KEYS.assumption("speed_goal_hours")).set_value(3.0).run()  # a what-if while it is closed
    open_section(small, KEYS.breaches_open)
    assert small.selectbox(key=KEYS.breach_owner).value == "Bob" and small.checkbox(key=KEYS.breach_all).value
    assert set(grid(small, "Breaches")["Rep"]) == {"Bob"}


def test_drill_down_filters_by_rep_and_spells_out_na(small):
    open_section(small, KEYS.breaches_open)
    assert "of 5 (oldest hand-off first)" in captions(small)  # every lead but A breaches speed or depth
    leads = grid(small, "Breaches")
    row_c = leads.set_index("Lead").loc["C"]
    assert (row_c["First touch"], row_c["Response"], row_c["Connected"]) == ("not touched", "n/a", "no")
    small.selectbox(key=KEYS.breach_owner).set_value("Ann").run()
    leads = grid(small, "Breaches")
    assert list(leads["Lead"]) == ["B"] and list(leads["Breaches"]) == ["speed"]
    for frame in (d.value for d in small.dataframe):  # no grid shows None for a missing figure
        assert not frame.isna().any().any()


def test_capacity_follows_the_inputs(at):
    at.number_input(key=KEYS.assumption("reps")).set_value(2).run()
    assert not at.exception
    assert metric(at, "Hours available") == "88.57 h"  # 2 × 10 h × 31/7 weeks in January
    assert any("Not feasible" in str(m.value) for m in at.markdown)
    at.number_input(key=KEYS.assumption("minutes_per_attempt")).set_value(5.0).run()
    assert metric(at, "Hours needed") == "100.00 h"


def test_business_hours_editor_applies_and_refuses_bad_settings(small):
    open_section(small, KEYS.hours_section_open)  # the editor is built only while open
    small.radio(key=KEYS.sales_clock).set_value("business").run()
    small.time_input(key=KEYS.bh_open).set_value(time(8, 0)).run()
    assert not small.exception
    assert "Mon–Fri 08:00–17:00" in business_hours(small)
    small.time_input(key=KEYS.bh_close).set_value(time(7, 0)).run()
    assert "must be after opening time" in errors(small)
    assert "Mon–Fri 08:00–17:00" in business_hours(small)  # the previous setting stays
    small.text_area(key=KEYS.bh_holidays).set_value("2024-03-04\nnot a day").run()
    assert "is not a date like 2024-12-25" in errors(small)
    small.text_area(key=KEYS.bh_holidays).set_value("2024-03-04").run()
    assert "1 holiday" in business_hours(small)
    # Monday a holiday: A and B (Monday) took 0 business hours, F only Friday 16:30–17:00; C stays missed
    assert metric(small, "Within the speed goal") == "80.0 %"
    assert not small.exception


def test_a_holiday_list_spanning_centuries_is_bounded_to_the_data(small):
    open_section(small, KEYS.hours_section_open)  # the editor is built only while open
    small.radio(key=KEYS.sales_clock).set_value("business").run()
    small.text_area(key=KEYS.bh_holidays).set_value("0001-01-01\n2024-03-04\n9999-12-31").run()
    assert not small.exception
    assert ("Left out 2 holidays outside the data's years: only holidays from 2023 to 2024 count (the year before "
            "the first hand-off to the as-of year).") in shown(small.info)
    assert workspace_of(small).business_hours.holidays == (date(2024, 3, 4),)  # what a scenario would save
    assert small.text_area(key=KEYS.bh_holidays).value == "2024-03-04"
    assert metric(small, "Within the speed goal") == "80.0 %"  # as with 2024-03-04 alone


def test_a_saved_list_spanning_centuries_is_bounded_when_the_page_opens(small):
    ws = workspace_of(small)
    ws.sales_clock = "business"
    ws.business_hours = BusinessHours(holidays=(date(1, 1, 1), date(2024, 3, 4), date(9999, 12, 31)))
    small.run()
    assert not small.exception
    assert "Left out 2 holidays outside the data's years" in shown(small.info)
    assert ws.business_hours.holidays == (date(2024, 3, 4),)
    assert metric(small, "Within the speed goal") == "80.0 %"


def test_csv_downloads_defuse_spreadsheet_formulas():
    from sla_core.export import csv_bytes

    frame = pd.DataFrame({"Rep": ["=cmd|calc", "Ann", "@x"], "Handed leads": [-5, 2, None]})
    text = csv_bytes(frame).decode("utf-8-sig")
    assert text.splitlines() == ["Rep,Handed leads", "'=cmd|calc,-5.0", "Ann,2.0", "'@x,"]


def test_read_only_view_shows_the_settings_as_values(at):
    workspace_of(at).read_only = True
    open_section(at, KEYS.breaches_open)
    assert not at.slider and not at.file_uploader and not at.text_area
    assert [n.key for n in at.number_input] == [KEYS.breach_page]  # paging the lead list, not a goal
    assert [s.key for s in at.select_slider] == [KEYS.sales_month]  # the month: looking around stays possible
    assert [r.key for r in at.radio] == [KEYS.sales_period, KEYS.sales_statistic]  # no clock to flip
    text = markdown(at)
    assert "first touch within 1 h for 80 % of due leads" in text and "6 attempts on 80 % of the leads" in text
    assert "**Clock:** calendar hours" in text
    assert "Move" not in text + captions(at)
    assert "Upload an activity log" not in text  # the Data page is not part of a shared view


def test_holidays_from_an_upload_and_a_country_prefill(small):
    open_section(small, KEYS.hours_section_open)  # the editor is built only while open
    small.file_uploader(key=KEYS.bh_holidays_file).upload("holidays.csv", b"date,name\n2024-03-04,Company day\n",
                                                          "text/csv")
    small.run()
    assert not small.exception
    assert small.text_area(key=KEYS.bh_holidays).value == "2024-03-04"
    small.selectbox(key=KEYS.bh_country).set_value("US").run()
    small.button(key=KEYS.bh_prefill).click().run()
    assert not small.exception
    holidays = small.text_area(key=KEYS.bh_holidays).value.splitlines()
    assert "2024-01-01" in holidays and "2024-03-04" in holidays  # New Year's Day joins the uploaded day
    assert all("2023" <= day[:4] <= "2024" for day in holidays)  # only the data's years


# --- the speed chart's statistic ------------------------------------------------------------------

def test_the_speed_chart_switches_statistic_without_a_query(at, statements):
    radio = at.radio(key=KEYS.sales_statistic)
    assert radio.options == ["Average", "Median", "p90"] and radio.value == "mean"
    assert radio.help == sales_charts.SPEED_BADGE_HELP
    assert chart_titled(at, "Speed: average response time (hours)")
    statements.clear()
    at.radio(key=KEYS.sales_statistic).set_value("p90").run()
    assert not at.exception
    assert chart_titled(at, "Speed: p90 response time (hours)")
    assert statements == []  # the summary holds all three
    assert next(m.help for m in at.metric if m.label == "Within the speed goal") == sales_charts.SPEED_BADGE_HELP


# --- rep bandwidth --------------------------------------------------------------------------------

def test_bandwidth_table_names_the_one_overloaded_rep(small):
    # 100 min an attempt, 5 h a week (22.14 h in March): Bob's 15 missing attempts (C 5, D 4, E 6) take 25 h
    small.number_input(key=KEYS.assumption("minutes_per_attempt")).set_value(100.0).run()
    small.number_input(key=KEYS.assumption("hours_per_week_on_marketing_leads")).set_value(5.0).run()
    assert not small.exception
    table = grid(small, "Overloaded").set_index("Rep")
    assert table.loc["Bob", "Overloaded"] == "yes" and table.loc["Bob", "Hours needed"] == "25.0 h"
    assert table.loc["Ann", "Overloaded"] == "no" and table.loc["=cmd|calc", "Overloaded"] == "no"  # 8.3 h
    assert table.loc["Team", "Overloaded"] == "no"  # the team has the hours while one rep does not
    assert ":red-badge[:material/warning: 1 rep overloaded]" in markdown(small)
    assert "Bob has 3 marketing lead\\(s\\) below the depth goal of 6 attempts" in markdown(small)


def test_per_rep_hours_count_and_are_saved_with_the_workspace(small):
    ws = workspace_of(small)
    ws.rep_hours = RepHours.of({"=cmd|calc": 0.5})  # F's 5 missing attempts take 0.83 h; 0.5 h a week is 2.21 h
    small.number_input(key=KEYS.assumption("minutes_per_attempt")).set_value(30.0).run()
    assert not small.exception
    table = grid(small, "Overloaded").set_index("Rep")
    assert table.loc["=cmd|calc", "Hours a week"] == "0.5 h" and table.loc["=cmd|calc", "Overloaded"] == "yes"
    assert "=cmd\\|calc has 1 marketing lead" in markdown(small)  # a rep's name is data: escaped
    assert settings_of(ws)["rep_hours"] == RepHours.of({"=cmd|calc": 0.5})
    assert "1 rep has hours a week of their own; the others follow the team's 10 h." in captions(small)
    open_section(small, KEYS.rep_hours_open)  # the editor is built only while its section is open
    editor = next(d.value for d in small.dataframe if list(d.value.columns) == ["Rep", "Hours a week"])
    assert editor.set_index("Rep").loc["=cmd|calc", "Hours a week"] == 0.5


# --- hostile sizes --------------------------------------------------------------------------------

def test_tens_of_thousands_of_owners_are_capped_and_grouped():
    owners = 33_000  # more rows than a page can show: the 100 with the most leads, the others in one row
    rows = [["lead_id", "created_at", "handed_at", "first_touch_at", "attempts", "connected", "owner"]]
    rows += [[f"L{i}", "2024-03-04T09:00:00Z", "2024-03-04T10:00:00Z", "2024-03-04T10:30:00Z", "1", "false",
              f"rep {i:05d}"] for i in range(owners)]
    app = app_with_upload("many_owners.csv", csv_bytes(rows), PAGE)
    assert not app.exception
    assert ("33,000 reps had leads handed in March 2024: the 100 with the most leads are listed one by one and the "
            "other 32,900 are grouped in the last row") in shown(app.info)
    reps = grid(app, "Verdict")
    assert len(reps) == 101 and reps["Rep"].iloc[-1] == "Other reps (32,900)"
    assert reps["Within goal (%)"].iloc[-1] == "100.0 %" and reps["Handed leads"].iloc[-1] == "32,900"
    open_section(app, KEYS.breaches_open)
    assert len(app.selectbox(key=KEYS.breach_owner).options) == 101  # all reps and the 100 listed
    assert len(grid(app, "Overloaded")) <= 103  # 100 reps, the others summed, the team
