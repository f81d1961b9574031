"""The business-hours clock: settings validation, hand-worked cases, and the SQL against a Python oracle."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sla_core.sales import speed
from sla_core.sales.clock import (BusinessHours, calendar_params, dst_corrections, parse_holidays, public_holidays,
                             transitions)
from sla_core.sales.region_calendars import RegionCalendar, RegionCalendars

NY = "America/New_York"


def oracle_hours(start: datetime, end: datetime, clock: BusinessHours) -> float:
    """Business hours between two minute-aligned instants, minute by minute: the slow, obvious definition.

    A minute counts when its local wall time falls on a working, non-holiday day inside the
    opening hours; DST needs no special case because every real minute is visited once.
    """
    tz = ZoneInfo(clock.tz)
    minutes = 0
    at = start
    while at < end:
        local = at.astimezone(tz)
        if clock.is_open_day(local.date()) and clock.open <= local.time().replace(tzinfo=None) < clock.close:
            minutes += 1
        at += timedelta(minutes=1)
    return minutes / 60


def sql_hours(make_leads, handed: datetime, touched: datetime, clock: BusinessHours | None) -> float:
    """The response time the app reports for one lead (mean of one), on ``clock`` (None: calendar)."""
    con = make_leads([{"lead_id": "L", "created_at": handed.isoformat(), "handed_at": handed.isoformat(),
                       "first_touch_at": touched.isoformat()}])
    as_of = max(handed, touched)
    df = speed.speed_by_period(con, "month", 1.0, as_of, "UTC", clock)
    return float(df["mean_hours"].dropna().iloc[0])


def local(tz: str, *args) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(tz))


# --- settings ---------------------------------------------------------------------------------

def test_default_is_monday_to_friday_nine_to_five_without_holidays():
    clock = BusinessHours()
    assert (clock.weekdays, clock.open, clock.close, clock.holidays) == ((0, 1, 2, 3, 4), time(9), time(17), ())
    assert clock.describe() == "Mon–Fri 09:00–17:00 UTC, no holidays"


@pytest.mark.parametrize("kwargs,message", [
    ({"tz": "Mars/Olympus"}, "unknown time zone"),
    ({"weekdays": ()}, "working days"),
    ({"weekdays": (7,)}, "working days"),
    ({"open": time(17), "close": time(9)}, "must be after opening time"),
    ({"open": time(9), "close": time(9)}, "must be after opening time"),
])
def test_bad_settings_are_refused_with_a_reason(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BusinessHours(**kwargs)


def test_round_trips_through_a_dict_for_saving():
    clock = BusinessHours(NY, (0, 2, 4), time(8, 30), time(18), (date(2024, 12, 25), date(2024, 7, 4)))
    raw = clock.to_dict()
    assert raw == {"tz": NY, "weekdays": [0, 2, 4], "open": "08:30", "close": "18:00",
                   "holidays": ["2024-07-04", "2024-12-25"]}
    assert BusinessHours.from_dict(raw) == clock
    assert BusinessHours.from_dict({}) == BusinessHours()
    with pytest.raises(ValueError, match="unknown business-hours keys: colour"):
        BusinessHours.from_dict({"colour": "red"})
    with pytest.raises(ValueError, match="not a time of day"):
        BusinessHours.from_dict({"open": "9am"})


def test_pasted_holidays_accept_dates_with_names_and_a_header():
    pasted = "date,name\n2024-12-25,Christmas Day\n\n2024-01-01; 2024-12-25\n2024-12-24, 2024-12-31\n"
    assert parse_holidays(pasted) == (date(2024, 1, 1), date(2024, 12, 24), date(2024, 12, 25), date(2024, 12, 31))
    with pytest.raises(ValueError, match="'25/12/2024' is not a date like 2024-12-25"):
        parse_holidays("25/12/2024")
    with pytest.raises(ValueError, match="is not a date"):
        parse_holidays("2024-02-30")


def test_public_holidays_prefill_from_the_holidays_package():
    us = public_holidays("US", range(2024, 2025))
    assert date(2024, 7, 4) in us and date(2024, 12, 25) in us
    with pytest.raises(ValueError, match="no public-holiday calendar"):
        public_holidays("XX", range(2024, 2025))


# --- hand-worked cases through the SQL -----------------------------------------------------------

def test_friday_evening_to_monday_morning_counts_only_opening_hours(make_leads):
    clock = BusinessHours("Europe/Berlin")
    handed = local("Europe/Berlin", 2024, 3, 15, 18, 30)  # Friday after closing
    touched = local("Europe/Berlin", 2024, 3, 18, 9, 45)  # Monday
    assert sql_hours(make_leads, handed, touched, clock) == pytest.approx(0.75)
    assert sql_hours(make_leads, handed, touched, None) == pytest.approx(63.25)
    # a touch on Tuesday 09:45 took a whole day more, unless Monday was a holiday
    tuesday = touched + timedelta(days=1)
    assert sql_hours(make_leads, handed, tuesday, clock) == pytest.approx(8.75)
    holiday = BusinessHours("Europe/Berlin", holidays=(date(2024, 3, 18),))
    assert sql_hours(make_leads, handed, tuesday, holiday) == pytest.approx(0.75)
    assert sql_hours(make_leads, handed, touched, holiday) == pytest.approx(0)


def test_dst_spring_forward_in_new_york_counts_real_hours(make_leads):
    every_day = BusinessHours(NY, weekdays=tuple(range(7)))
    handed = local(NY, 2024, 3, 8, 16, 0)  # Friday 16:00 EST
    touched = local(NY, 2024, 3, 11, 10, 0)  # Monday 10:00 EDT, clocks went forward on Sunday 02:00
    assert sql_hours(make_leads, handed, touched, every_day) == pytest.approx(1 + 8 + 8 + 1)
    assert sql_hours(make_leads, handed, touched, None) == pytest.approx(65)  # 66 wall-clock hours, one never happened
    around_the_clock = BusinessHours(NY, weekdays=tuple(range(7)), open=time(0), close=time(23, 59))
    night = local(NY, 2024, 3, 10, 1, 0).astimezone(timezone.utc)  # 01:00 EST
    later = night + timedelta(hours=2)  # two real hours later: 04:00 EDT
    assert later.astimezone(ZoneInfo(NY)).strftime("%H:%M") == "04:00"
    assert sql_hours(make_leads, night, later, around_the_clock) == pytest.approx(2)


def test_dst_fall_back_in_new_york_counts_the_repeated_hour_twice(make_leads):
    around_the_clock = BusinessHours(NY, weekdays=tuple(range(7)), open=time(0), close=time(23, 59))
    first = datetime(2024, 11, 3, 4, 30, tzinfo=timezone.utc)  # 00:30 EDT
    second_pass = first + timedelta(hours=2)  # 01:30 EST, the second 01:30 of the night
    assert second_pass.astimezone(ZoneInfo(NY)).strftime("%H:%M") == "01:30"
    assert sql_hours(make_leads, first, second_pass, around_the_clock) == pytest.approx(2)
    assert [c[2] for c in dst_corrections(around_the_clock) if c[0] == date(2024, 11, 3)] == [3600]
    nine_to_five = BusinessHours(NY, weekdays=tuple(range(7)))
    assert not [c for c in dst_corrections(nine_to_five) if c[0].year == 2024]  # 02:00 is outside 09–17


# --- properties: the SQL against the oracle -----------------------------------------------------

ZONES = ("UTC", NY, "Europe/London", "America/Santiago", "Australia/Lord_Howe", "Asia/Kolkata")
MINUTE = st.integers(min_value=0, max_value=24 * 60 - 1)


@st.composite
def clocks(draw) -> BusinessHours:
    tz = draw(st.sampled_from(ZONES))
    weekdays = tuple(draw(st.sets(st.integers(0, 6), min_size=1)))
    a, b = sorted(draw(st.lists(MINUTE, min_size=2, max_size=2, unique=True)))
    holidays = draw(st.lists(st.dates(date(2024, 3, 1), date(2024, 4, 15))
                             | st.dates(date(2024, 10, 25), date(2024, 11, 10)),
                             max_size=4))
    return BusinessHours(tz, weekdays, time(a // 60, a % 60), time(b // 60, b % 60), tuple(holidays))


# hand-offs around the 2024 clock changes of the zones above (March/April and October/November)
HANDOFFS = st.sampled_from([datetime(2024, 3, 7, tzinfo=timezone.utc), datetime(2024, 3, 28, tzinfo=timezone.utc),
                            datetime(2024, 4, 4, tzinfo=timezone.utc), datetime(2024, 10, 25, tzinfo=timezone.utc),
                            datetime(2024, 11, 1, tzinfo=timezone.utc)])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(clock=clocks(), base=HANDOFFS, offset=st.integers(0, 6 * 24 * 60), length=st.integers(0, 4 * 24 * 60))
def test_sql_business_hours_match_the_oracle_and_never_exceed_calendar_hours(make_leads, clock, base, offset, length):
    handed = base + timedelta(minutes=offset)
    touched = handed + timedelta(minutes=length)
    business = sql_hours(make_leads, handed, touched, clock)
    assert business == pytest.approx(oracle_hours(handed, touched, clock), abs=1e-9)
    assert business <= sql_hours(make_leads, handed, touched, None) + 1e-9
    assert business >= 0


LEAD_TIMES = st.tuples(st.integers(0, 6 * 24 * 60), st.integers(0, 4 * 24 * 60))  # hand-off offset, response


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(default=clocks(), own=clocks(), base=HANDOFFS, times=st.lists(LEAD_TIMES, min_size=3, max_size=3))
def test_a_mix_of_two_calendars_matches_the_oracle_lead_by_lead(make_leads, default, own, base, times):
    """A region on its own calendar beside the default: each lead against the oracle on its own calendar, and the
    pooled mean against the mean of those."""
    regions = ("Region", None, " Region ")  # the region's leads (trimmed as rules compare), one on the default
    leads, expected = [], {}
    for number, ((offset, length), region) in enumerate(zip(times, regions, strict=True)):
        handed = base + timedelta(minutes=offset)
        touched = handed + timedelta(minutes=length)
        leads.append({"lead_id": f"L{number}", "created_at": handed.isoformat(), "handed_at": handed.isoformat(),
                      "first_touch_at": touched.isoformat(), "owner": f"rep {number}", "region": region})
        expected[f"rep {number}"] = oracle_hours(handed, touched, own if region else default)
    con = make_leads(leads)
    clock = default.with_regions(RegionCalendars((RegionCalendar("Region", own),)))
    as_of = max(datetime.fromisoformat(lead["first_touch_at"]) for lead in leads)
    reps = speed.rep_rows(speed.speed_summary(con, "month", as_of, "UTC", clock, by_owner=True))
    assert dict(zip(reps["owner"], reps["mean_hours"], strict=True)) == pytest.approx(expected, abs=1e-9)
    pooled = speed.speed_summary(con, "month", as_of, "UTC", clock)
    assert (pooled["mean_hours"] * pooled["touched"]).sum() == pytest.approx(sum(expected.values()), abs=1e-9)


def test_the_calendar_clock_binds_every_business_parameter_without_scanning_a_zone():
    transitions.cache_clear()
    inert = calendar_params()
    assert transitions.cache_info().misses == 0  # no zone history read for parameters the SQL never uses
    assert inert.keys() == BusinessHours("Europe/Berlin").sql_params().keys()


def test_holidays_outside_a_span_are_left_out_and_the_holiday_list_stays_short():
    centuries = BusinessHours(holidays=(date(1, 1, 1), date(2024, 3, 4), date(2024, 12, 25), date(9999, 12, 31)))
    assert centuries.sql_params()["hol_days"] > 3_000_000  # the span the clock walks: every day from year 1
    bounded = centuries.holidays_between(date(2023, 1, 1), date(2024, 12, 31))
    assert bounded.holidays == (date(2024, 3, 4), date(2024, 12, 25))
    assert (bounded.weekdays, bounded.open, bounded.close, bounded.tz) == (centuries.weekdays, centuries.open,
                                                                            centuries.close, centuries.tz)
    assert bounded.sql_params()["hol_days"] == 297  # 4 March to 25 December 2024
