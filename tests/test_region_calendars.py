"""Business calendars per region (SPEC 5b): each lead on its region's calendar, pooled per rep, carried everywhere.

Hand-worked week: Friday 2 February 2024, 17:30 in Berlin (16:30 UTC, 11:30 in New York) to Monday 5 February,
09:30 in Berlin (08:30 UTC, 03:30 in New York).
- On a Berlin Mon–Fri 09:00–18:00 calendar: Friday 17:30–18:00 and Monday 09:00–09:30, 1 business hour.
- On the default New York Mon–Fri 09:00–17:00 calendar: Friday 11:30–17:00, Monday not open yet, 5.5 hours.
"""
from __future__ import annotations

import json
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from ingest_support import csv_bytes
from sla_core.__main__ import main
from sla_core.assumptions import Assumptions
from sla_core.health.monthly import clock_for
from sla_core.sales import speed
from sla_core.sales.clock import BusinessHours
from sla_core.sales.region_calendars import RegionCalendar, RegionCalendars
from sla_core.store.settings import settings_from_json, settings_to_json

BERLIN, NY = ZoneInfo("Europe/Berlin"), "America/New_York"
HANDED = datetime(2024, 2, 2, 17, 30, tzinfo=BERLIN)
TOUCHED = datetime(2024, 2, 5, 9, 30, tzinfo=BERLIN)
GERMANY = RegionCalendar("Germany", BusinessHours("Europe/Berlin", (0, 1, 2, 3, 4), time(9), time(18),
                                                  (date(2024, 10, 3), date(2024, 12, 25), date(2024, 12, 26))))
CALENDARS = RegionCalendars((GERMANY,))
AS_OF = datetime(2024, 2, 10, tzinfo=timezone.utc)


def _lead(lead_id: str, region: str | None, owner: str, handed: datetime = HANDED, touched: datetime = TOUCHED):
    return {"lead_id": lead_id, "created_at": handed.isoformat(), "handed_at": handed.isoformat(),
            "first_touch_at": touched.isoformat(), "region": region, "owner": owner}


def _by_owner(con, clock: BusinessHours | None) -> dict[str, float]:
    df = speed.rep_rows(speed.speed_summary(con, "month", AS_OF, NY, clock, by_owner=True))
    return dict(zip(df["owner"], df["mean_hours"], strict=True))


def test_a_region_on_its_own_calendar_against_the_default_new_york_calendar(make_leads):
    after_closing = datetime(2024, 2, 2, 18, 30, tzinfo=BERLIN)  # 12:30 in New York
    con = make_leads([_lead("DE", " Germany ", "Ann"), _lead("US", "United States", "Bob"), _lead("XX", None, "Cy"),
                      _lead("DE late", "Germany", "Dee", handed=after_closing)])
    clock = BusinessHours(NY).with_regions(CALENDARS)
    assert _by_owner(con, clock) == {"Ann": pytest.approx(1.0), "Bob": pytest.approx(5.5), "Cy": pytest.approx(5.5),
                                     "Dee": pytest.approx(0.5)}  # Monday 09:00–09:30 in Berlin only
    assert _by_owner(con, BusinessHours(NY)) == {"Ann": pytest.approx(5.5), "Bob": pytest.approx(5.5),
                                                  "Cy": pytest.approx(5.5),
                                                  "Dee": pytest.approx(4.5)}  # no region calendar: all on New York
    assert _by_owner(con, None)["Ann"] == pytest.approx(64.0)  # the calendar clock ignores calendars


def test_a_rep_mixing_two_calendars_is_pooled_lead_by_lead(make_leads):
    # Ann: the German lead (1 h on Berlin hours), a US lead (5.5 h on New York hours) and an untouched German lead
    # handed Friday 17:30 Berlin whose 2-hour goal window closed on Monday 10:00 Berlin, before the as-of time.
    con = make_leads([_lead("DE", "Germany", "Ann"), _lead("US", "United States", "Ann"),
                      {**_lead("DE2", "Germany", "Ann"), "first_touch_at": None}])
    clock = BusinessHours(NY).with_regions(CALENDARS)
    summary = speed.rep_rows(speed.speed_summary(con, "month", AS_OF, NY, clock, by_owner=True)).iloc[0]
    assert (summary["handed"], summary["touched"]) == (3, 2)
    assert summary["mean_hours"] == pytest.approx((1.0 + 5.5) / 2)
    assert summary["median_hours"] == pytest.approx(3.25)
    goals = speed.goal_counts(con, "month", 2.0, AS_OF, NY, clock, by_owner=True)
    ann = goals[goals["owner"] == "Ann"].iloc[0]
    assert (ann["within"], ann["missed"]) == (1, 2)  # DE within 2 h; US took 5.5 h; DE2 never touched
    assert ann["pct_within_goal"] == pytest.approx(1 / 3)


def test_the_as_of_time_is_counted_on_each_leads_own_calendar(make_leads):
    # untouched leads handed Friday 17:30 Berlin, as of Monday 09:30 Berlin: the German lead has waited 1 business
    # hour (not yet past a 2 h goal), the US one 5.5 hours (missed)
    con = make_leads([{**_lead("DE", "Germany", "Ann"), "first_touch_at": None},
                      {**_lead("US", None, "Ann"), "first_touch_at": None}])
    clock = BusinessHours(NY).with_regions(CALENDARS)
    goals = speed.goal_counts(con, "month", 2.0, TOUCHED.astimezone(timezone.utc), NY, clock)
    assert (goals["within"].sum(), goals["missed"].sum()) == (0, 1)


def test_region_calendars_round_trip_through_a_file_a_link_and_saved_settings():
    a = Assumptions(speed_goal_hours=2, region_calendars=RegionCalendars((
        GERMANY, RegionCalendar("Ca:na;da %", BusinessHours("America/Toronto", (0, 1, 2, 3), time(8), time(16, 30))))))
    assert Assumptions.from_dict(json.loads(a.to_json())) == a
    link = a.to_query()["region_calendars"]
    assert link == ("Germany:Europe/Berlin:01234:0900-1800:20241003.2b.1;"
                    "Ca%3Ana%3Bda %25:America/Toronto:0123:0800-1630:")
    assert Assumptions.from_query(a.to_query()) == (a, [])
    saved = settings_to_json({"assumptions": a})
    assert settings_from_json(saved, {"assumptions": Assumptions})["assumptions"] == a
    assert "region_calendars" not in Assumptions().to_dict()  # without calendars the saved form is as before
    assert "region_calendars" not in Assumptions().to_query()


@pytest.mark.parametrize(("text", "warning"), [
    ("Germany:Mars/Base:01234:0900-1800:", "unknown time zone 'Mars/Base'"),
    ("Germany:Europe/Berlin:01234:1800-0900:", "closing time 09:00 must be after opening time 18:00"),
    ("Germany:Europe/Berlin:012", "is not region:zone:days:hours:holidays"),
    ("Germany:Europe/Berlin:01234:0900-1800:2024XX01", "are not a date like 20241225"),
])
def test_a_bad_link_calendar_is_ignored_with_a_warning(text, warning):
    got, warnings = Assumptions.from_query({"region_calendars": text})
    assert got == Assumptions()
    assert len(warnings) == 1 and warning in warnings[0]


def test_a_bad_calendar_in_a_file_is_refused_with_its_number():
    with pytest.raises(ValueError, match="region calendar 2: one calendar per region|one calendar per region"):
        Assumptions.from_dict({"region_calendars": [GERMANY.to_dict(), GERMANY.to_dict()]})
    with pytest.raises(ValueError, match="region calendar 1: .*outside 1970–2100"):
        Assumptions.from_dict({"region_calendars": [{**GERMANY.to_dict(), "holidays": ["1600-01-01"]}]})


def test_the_clock_of_a_workspace_carries_the_calendars_only_on_business_hours():
    assert clock_for("calendar", None, NY, CALENDARS) is None
    clock = clock_for("business", None, NY, CALENDARS)
    assert clock.regions == (("Germany", GERMANY.hours),)
    assert clock.describe() == "Mon–Fri 09:00–17:00 America/New_York, no holidays; 1 region calendar"
    assert CALENDARS.with_calendar(RegionCalendar("Germany", BusinessHours("Europe/Berlin"))).pairs()[0][1].close \
        == time(17)  # replaced, not added
    assert not CALENDARS.without("Germany")


REPORT_HEADERS = ["Record ID", "Create Date", "Owner Assigned Date", "Date of first engagement", "Contact owner",
                  "Country/Region"]


def test_the_report_on_the_business_clock_honours_the_region_calendars(capsys, tmp_path):
    rows = [[lead_id, HANDED.astimezone(timezone.utc).isoformat(), HANDED.astimezone(timezone.utc).isoformat(),
             TOUCHED.astimezone(timezone.utc).isoformat(), "Ann", region]
            for lead_id, region in (("1", "Germany"), ("2", "United States"))]
    export = tmp_path / "leads.csv"
    export.write_bytes(csv_bytes([REPORT_HEADERS, *rows]))

    def mean_hours(assumptions: dict) -> float:
        path = tmp_path / "assumptions.json"
        path.write_text(json.dumps(assumptions))
        code = main(["report", "--leads", str(export), "--month", "2024-02", "--tz", NY, "--clock", "business",
                     "--as-of", AS_OF.isoformat(), "--assumptions", str(path)])
        out, err = capsys.readouterr()
        assert code == 0, err
        return json.loads(out)["speed"]["mean_hours"]

    # the default business hours in New York are 09:00–17:00, as --clock business documents
    assert mean_hours({}) == pytest.approx(5.5)
    assert mean_hours({"region_calendars": CALENDARS.to_list()}) == pytest.approx((1.0 + 5.5) / 2)
