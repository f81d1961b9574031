"""The business calendar per region on the Sales SLA page through AppTest: add one for a region of the data with
its country's holidays, see the figures move, find it in the link and the saved settings, remove it.

Two leads handed Friday 2 February 2024 16:30 UTC (17:30 in Berlin) and first touched Monday 5 February 08:30 UTC
(09:30 in Berlin), one from Germany, one from the United States; the workspace is in UTC. On the default
business hours (Mon–Fri 09:00–17:00 UTC) each took 0.5 h: within a 0.75 h goal. On a Berlin 09:00–18:00
calendar the German lead took 1 h (Friday 17:30–18:00, Monday 09:00–09:30): missed.
"""
from __future__ import annotations

from datetime import date, time

import pytest
from apptest_support import app_with_upload, metric, open_section, shown, workspace_of
from ingest_support import csv_bytes

from pages.common.state import settings_of
from pages.common.ui import KEYS

PAGE = "pages/sales.py"
HEADERS = ["Record ID", "Create Date", "Owner Assigned Date", "Date of first engagement", "Contact owner",
           "Country/Region"]
EXPORT = csv_bytes([HEADERS,
                    ["DE", "2024-02-02T16:30Z", "2024-02-02T16:30Z", "2024-02-05T08:30Z", "Ann", "Germany"],
                    ["US", "2024-02-02T16:30Z", "2024-02-02T16:30Z", "2024-02-05T08:30Z", "Ann", "United States"]])
WITHIN = "Within the speed goal"


@pytest.fixture
def app():
    app = app_with_upload("hubspot.csv", EXPORT, PAGE)
    app.radio(key=KEYS.sales_clock).set_value("business").run()
    app.slider(key=KEYS.assumption("speed_goal_hours")).set_value(0.75).run()
    assert not app.exception
    open_section(app, KEYS.calendars_section_open)  # as a click on its header: the form is built only while open
    return app


def test_a_region_calendar_is_added_with_its_holidays_moves_the_figures_and_is_removed(app):
    assert metric(app, WITHIN) == "100.0 %"
    region = app.selectbox(key=KEYS.rc_region)
    assert region.options == ["Germany (1 lead)", "United States (1 lead)"]  # the data's own regions, counted
    region.set_value("Germany")
    app.selectbox(key=KEYS.rc_tz).set_value("Europe/Berlin")
    app.time_input(key=KEYS.rc_open).set_value(time(9))
    app.time_input(key=KEYS.rc_close).set_value(time(18))
    app.selectbox(key=KEYS.rc_country).set_value("DE")
    app.button(key=KEYS.rc_prefill).click().run()
    assert "2024-10-03" in app.text_area(key=KEYS.rc_holidays).value  # German Unity Day, the data's year
    app.button(key=KEYS.rc_add).click().run()
    assert not app.exception

    ws = workspace_of(app)
    (calendar,) = ws.assumptions.region_calendars
    assert (calendar.region, calendar.hours.tz, calendar.hours.open, calendar.hours.close) == (
        "Germany", "Europe/Berlin", time(9), time(18))
    assert date(2024, 10, 3) in calendar.hours.holidays and date(2025, 1, 1) not in calendar.hours.holidays
    assert metric(app, WITHIN) == "50.0 %"  # the German lead took 1 business hour on Berlin's calendar
    assert "Germany: Mon–Fri 09:00–18:00 Europe/Berlin" in shown(app.markdown)
    assert app.query_params["region_calendars"].startswith("Germany:Europe/Berlin:01234:0900-1800:2023")
    assert settings_of(ws)["assumptions"].region_calendars == ws.assumptions.region_calendars  # saved with it

    app.button(key=KEYS.region_calendar_remove(0)).click().run()
    assert not workspace_of(app).assumptions.region_calendars
    assert metric(app, WITHIN) == "100.0 %"
    assert "region_calendars" not in app.query_params


def test_a_link_with_a_region_calendar_opens_the_view_it_describes(app):
    app.query_params["region_calendars"] = "Germany:Europe/Berlin:01234:0900-1800:"
    app.run()
    (calendar,) = workspace_of(app).assumptions.region_calendars
    assert calendar.hours.close == time(18)
    assert metric(app, WITHIN) == "50.0 %"


def test_the_form_keeps_what_was_typed_while_its_section_is_closed(app):
    app.selectbox(key=KEYS.rc_region).set_value("Germany")
    app.text_area(key=KEYS.rc_holidays).set_value("2024-03-04").run()
    app.session_state[KEYS.calendars_section_open] = False
    app.run()
    assert not app.exception and not app.get("text_area")  # closed: the form is not drawn
    open_section(app, KEYS.calendars_section_open)
    assert app.selectbox(key=KEYS.rc_region).value == "Germany"
    assert app.text_area(key=KEYS.rc_holidays).value == "2024-03-04"


def test_a_calendar_without_a_region_is_refused_in_words(app):
    app.button(key=KEYS.rc_add).click().run()
    assert "Region calendar not applied: choose a region" in shown(app.error)
    assert not workspace_of(app).assumptions.region_calendars
