"""A business calendar per region on the Sales SLA page: the calendars listed, an add form, a remove button each.

``ws.assumptions.region_calendars`` holds them, so they are saved with the workspace and its
scenarios and written into the page's link like the goal rules. The regions offered are the
data's own, with their numbers of leads; a region's leads count on its calendar on the business
clock only.
"""
from __future__ import annotations

import streamlit as st

from pages.common.state import Workspace
from pages.common.ui import KEEP, KEYS, built_while_open, literal
from sla_core.sales import view as sales
from sla_core.sales.clock import (
    WEEKDAY_NAMES,
    BusinessHours,
    holiday_countries,
    parse_holidays,
    public_holidays,
)
from sla_core.sales.region_calendars import RegionCalendar, RegionCalendars, time_zones

CALENDAR_ERROR = "region_calendar_error"
DEFAULT_FORM = {KEYS.rc_weekdays: [0, 1, 2, 3, 4], KEYS.rc_holidays: ""}


def _set_calendars(ws: Workspace, build) -> None:
    """Replace the region calendars with ``build()``; a bad calendar is reported and changes nothing."""
    if ws.read_only:  # no widget in a shared view; refuse a crafted change on the server too
        return
    try:
        ws.assumptions = ws.assumptions.updated(region_calendars=build())
        st.session_state.pop(CALENDAR_ERROR, None)
    except ValueError as exc:
        st.session_state[CALENDAR_ERROR] = str(exc)


def _from_form(calendars: RegionCalendars, span: sales.HolidaySpan | None) -> RegionCalendars:
    s = st.session_state
    if not s.get(KEYS.rc_region):
        raise ValueError("choose a region")
    hours = BusinessHours(tz=s[KEYS.rc_tz], weekdays=tuple(s[KEYS.rc_weekdays]), open=s[KEYS.rc_open],
                          close=s[KEYS.rc_close], holidays=parse_holidays(s[KEYS.rc_holidays]))
    if span is not None:
        hours = span.bound(hours)[0]
    return calendars.with_calendar(RegionCalendar(s[KEYS.rc_region], hours))


def _prefill(span: sales.HolidaySpan | None) -> None:
    """Put the chosen country's public holidays of the data's years into the form's holiday list."""
    country = st.session_state.get(KEYS.rc_country)
    if not country or span is None:
        return
    try:
        found = public_holidays(country, range(span.first.year, span.last.year + 1))
    except ValueError as exc:
        st.session_state[CALENDAR_ERROR] = str(exc)
        return
    given = parse_holidays(st.session_state.get(KEYS.rc_holidays, ""))
    st.session_state[KEYS.rc_holidays] = "\n".join(d.isoformat() for d in sorted({*given, *found}))


def region_calendars(ws: Workspace, data: sales.Sales) -> None:
    """The regions on a calendar of their own; a shared view lists them as text."""
    calendars = ws.assumptions.region_calendars
    title = f"Business calendars per region ({len(calendars)})"
    built_while_open(title, KEYS.calendars_section_open, lambda: _calendars_body(ws, data), expanded=bool(calendars))


def _calendars_body(ws: Workspace, data: sales.Sales) -> None:
    calendars = ws.assumptions.region_calendars
    st.caption("A team selling into several countries keeps their hours: on the business clock each lead of a "
               "region below counts on that region's time zone, working days, hours and holidays; every other "
               "lead on the business hours above. Saved with the workspace, its scenarios and the link.")
    for number, calendar in enumerate(calendars):
        line, remove = st.columns([5, 1], vertical_alignment="center")
        line.markdown(literal(calendar.describe()))
        if not ws.read_only:
            remove.button("Remove", key=KEYS.region_calendar_remove(number), on_click=_set_calendars,
                          args=(ws, lambda region=calendar.region: ws.assumptions.region_calendars.without(region)))
    if not ws.read_only:
        _add_form(ws, data)


def _leads(count: int) -> str:
    return f"{count:,} lead{'' if count == 1 else 's'}"


def _add_form(ws: Workspace, data: sales.Sales) -> None:
    """The form of a new region calendar; what is typed in it outlives its section's closing (``KEEP``)."""
    values = dict(data.segment_values("region"))
    if not values:
        st.info("The loaded data has no region values: map a region column (e.g. Country/Region) on the Data page.")
        return
    for key, value in DEFAULT_FORM.items():
        st.session_state.setdefault(key, value)
    span, zones = data.holiday_span, time_zones()
    st.session_state.setdefault(KEYS.rc_tz, data.dataset.tz if data.dataset.tz in zones else "UTC")
    st.session_state.setdefault(KEYS.rc_open, data.business_hours.open)
    st.session_state.setdefault(KEYS.rc_close, data.business_hours.close)
    region, tz = st.columns(2)
    region.selectbox("Region", list(values), format_func=lambda v: f"{literal(v)} ({_leads(values[v])})", index=None,
                     placeholder="Choose a region of the data", key=KEYS.rc_region, **KEEP)
    tz.selectbox("Time zone", zones, key=KEYS.rc_tz, **KEEP)
    days, opens, closes = st.columns([2, 1, 1])
    days.multiselect("Working days", list(range(7)), format_func=lambda d: WEEKDAY_NAMES[d], key=KEYS.rc_weekdays,
                     **KEEP)
    opens.time_input("Opens at", key=KEYS.rc_open, **KEEP, step=900, help="Local time in the region's time zone.")
    closes.time_input("Closes at", key=KEYS.rc_close, **KEEP, step=900, help="Local time in the region's time zone.")
    st.text_area("Holidays of the region (one date per line, e.g. 2024-12-25)", key=KEYS.rc_holidays, height=100,
                 **KEEP)
    country, fill, add = st.columns([2, 1, 1], vertical_alignment="bottom")
    countries = holiday_countries()
    country.selectbox("Public holidays of", list(countries), format_func=countries.get, index=None,
                      placeholder="Choose a country", key=KEYS.rc_country, **KEEP)
    years = f"{span.first.year}–{span.last.year}" if span else "the data's years"
    fill.button("Fill public holidays", key=KEYS.rc_prefill, on_click=_prefill, args=(span,),
                help=f"Adds the country's public holidays for {years} to the list above.")
    add.button("Add calendar", key=KEYS.rc_add, type="primary", on_click=_set_calendars,
               args=(ws, lambda: _from_form(ws.assumptions.region_calendars, span)),
               help="A region that already has a calendar gets this one instead.")
    if CALENDAR_ERROR in st.session_state:
        st.error(f"Region calendar not applied: {literal(st.session_state[CALENDAR_ERROR])}")
