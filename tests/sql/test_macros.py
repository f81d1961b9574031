"""The shared SQL: every macro of sla_core/sql/macros.sql case by case, and the shape of the fragments.

Each macro case is an expression, its bound values and the value it must give, computed by hand.
The clock macros take hand-built ``$clock`` structs (the fields sla_core.sales.clock binds): a
Mon–Fri 09:00–17:00 week, one holiday, one DST correction, a zone with one change of offset.
A macro without a case fails ``test_every_macro_has_a_case``.

A fragment (a file with ``-- @defines``, pulled in by ``-- @include``) starts with its first CTE,
never with a comma, so it parses alone as ``WITH <fragment> SELECT 1``; it reads only the tables
and CTEs it names in ``-- @reads``.
"""
from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

SQL = Path(__file__).resolve().parents[2] / "sla_core" / "sql"
HOUR_US = 3_600_000_000
DAY_US = 24 * HOUR_US


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


NINE_TO_FIVE = {  # Mon–Fri 09:00–17:00, no holidays, no DST corrections
    "business": True, "regions": [], "week_count": [5], "week_prefix": [0, 1, 2, 3, 4, 5, 5, 5],
    "week_open": [True, True, True, True, True, False, False], "open_us": [9 * HOUR_US], "open_len_us": [8 * HOUR_US],
    "hol_first": 0, "hol_days": 0, "hol_cum": [0], "dst_first": 0, "dst_days": 0, "dst_cum": [0], "dst_at": [None],
    "dst_us": [0],
}
TUESDAY_OFF = {**NINE_TO_FIVE, "hol_first": 1, "hol_days": 1, "hol_cum": [0, 1]}  # day 1 (Tue 2 Jan 1900) a holiday
SHIFT_AT = utc(2024, 3, 7, 11)
THURSDAY_SHIFT = {**NINE_TO_FIVE, "dst_first": 3, "dst_days": 1, "dst_cum": [0, -HOUR_US], "dst_at": [SHIFT_AT],
                  "dst_us": [-HOUR_US]}  # from SHIFT_AT on day 3 (a Thursday) one wall-clock hour never passed
UTC_ZONE = {"tz_block_us": DAY_US, "tz_first": 0, "tz_blocks": 1, "tz_switch_us": [None], "tz_before_us": [0],
            "tz_after_us": [0]}
# Blocks of one day from 1 Jan 1970: UTC+1, then from 2 Jan 12:00 UTC (in block 2) UTC+2.
SHIFTING_ZONE = {"business": True, "tz_block_us": DAY_US, "tz_first": 0, "tz_blocks": 2,
                 "tz_switch_us": [None, DAY_US + DAY_US // 2], "tz_before_us": [HOUR_US, HOUR_US],
                 "tz_after_us": [HOUR_US, 2 * HOUR_US]}
BUSINESS_UTC = {**NINE_TO_FIVE, **UTC_ZONE}
CALENDAR = {**BUSINESS_UTC, "business": False}
HOURS_BETWEEN = ("SELECT (clock_us($end, clock_day(e), clock_time_of_day(e), 0, $clock)"
                 " - clock_us($start, clock_day(s), clock_time_of_day(s), 0, $clock)) / 3600e6"
                 " FROM (SELECT clock_wall_us($start, 0, $clock) AS s, clock_wall_us($end, 0, $clock) AS e)")
WALL_TIME = "make_timestamp(clock_wall_us($at, 0, $clock))"
WALL_TIME_1 = "make_timestamp(clock_wall_us($at, 1, $clock))"  # on calendar 1
BUSINESS_HOURS = "clock_us($at::TIMESTAMPTZ, $n, $sod * 3600000000, $cal, $clock) / 3600e6"
# Two calendars end to end (calendar 0: NINE_TO_FIVE with Tuesday 2 Jan 1900 off; calendar 1, a region: Sun–Thu
# 08:00–18:00, no holiday), the holiday span common to both, so calendar 1's running count is all zeros.
TWO_CALENDARS = {**TUESDAY_OFF, "regions": ["Israel"], "week_count": [5, 5],
                 "week_prefix": [0, 1, 2, 3, 4, 5, 5, 5, 0, 1, 2, 3, 4, 4, 4, 5],
                 "week_open": [True] * 5 + [False] * 2 + [True] * 4 + [False, False, True],
                 "open_us": [9 * HOUR_US, 8 * HOUR_US], "open_len_us": [8 * HOUR_US, 10 * HOUR_US],
                 "hol_cum": [0, 1, 0, 0], "dst_cum": [0, 0], "dst_at": [None, None], "dst_us": [0, 0]}
# Two zones on one grid of day blocks: calendar 0 UTC throughout, calendar 1 UTC+1 then UTC+2 from 2 Jan 12:00
TWO_ZONES = {"business": True, "tz_block_us": DAY_US, "tz_first": 0, "tz_blocks": 2,
             "tz_switch_us": [None, None, None, DAY_US + DAY_US // 2], "tz_before_us": [0, 0, HOUR_US, HOUR_US],
             "tz_after_us": [0, 0, HOUR_US, 2 * HOUR_US]}
SPINE = ("SELECT coalesce(list(period_start ORDER BY period_start), []) "
         "FROM period_spine($first::DATE, $period, $tz, $as_of::TIMESTAMPTZ, $end_at::TIMESTAMPTZ)")
# Goal rules as GoalRules.sql_params binds them: 1 region=Germany 8 h, 2 source=Paid Search 1 h and 3 attempts,
# 3 tier=executive 4 attempts; defaults 2 h and 6 attempts.
GOALS = {"speed_us": 2 * HOUR_US, "depth": 6,
         "keys": ["region\x1fGermany", "source\x1fPaid Search", "tier\x1fexecutive"],
         "rule_speed_us": [8 * HOUR_US, HOUR_US, None], "rule_depth": [None, 3, 4]}
NO_GOAL_RULES = {"speed_us": 2 * HOUR_US, "depth": 6, "keys": [], "rule_speed_us": [], "rule_depth": []}
RULE_OF = "goal_rule($source, $tier, $region, $goals)"

# (macro, expression, bound values, the value it gives)
CASES = [
    ("happened_by", "happened_by($at, $by)", {"at": utc(2024, 3, 1, 10), "by": utc(2024, 3, 1, 11)},
     utc(2024, 3, 1, 10)),
    ("happened_by", "happened_by($at, $by)", {"at": utc(2024, 3, 1, 11), "by": utc(2024, 3, 1, 11)},
     utc(2024, 3, 1, 11)),
    ("happened_by", "happened_by($at, $by)", {"at": utc(2024, 3, 1, 12), "by": utc(2024, 3, 1, 11)}, None),
    ("happened_by", "happened_by($at, $by)", {"at": None, "by": utc(2024, 3, 1, 11)}, None),
    ("in_span", "in_span($at, $start, $end)", {"at": utc(2024, 3, 1), "start": utc(2024, 3, 1), "end": utc(2024, 4, 1)},
     True),
    ("in_span", "in_span($at, $start, $end)", {"at": utc(2024, 4, 1), "start": utc(2024, 3, 1), "end": utc(2024, 4, 1)},
     False),
    ("in_span", "in_span($at, $start, $end)", {"at": utc(2024, 2, 29), "start": utc(2024, 3, 1), "end": None}, False),
    ("in_span", "in_span($at, $start, $end)", {"at": utc(1970, 1, 1), "start": None, "end": None}, True),
    ("owner_name", "owner_name($owner)", {"owner": " Ann "}, "Ann"),
    ("owner_name", "owner_name($owner)", {"owner": "  "}, "(no owner)"),
    ("owner_name", "owner_name($owner)", {"owner": None}, "(no owner)"),
    ("split_owner", "split_owner($split, $owner)", {"split": True, "owner": " Ann "}, "Ann"),
    ("split_owner", "split_owner($split, $owner)", {"split": True, "owner": None}, "(no owner)"),
    ("split_owner", "split_owner($split, $owner)", {"split": False, "owner": "Ann"}, None),
    ("days_between", "days_between($from_at, $to_at)", {"from_at": utc(2024, 3, 1, 12), "to_at": utc(2024, 3, 31, 0)},
     29.5),
    ("days_between", "days_between($from_at, $to_at)", {"from_at": utc(2024, 3, 2), "to_at": utc(2024, 3, 1, 18)},
     -0.25),  # a customer date before the MQL date
    ("local_day", "local_day($tz, $at)", {"tz": "Europe/Berlin", "at": utc(2024, 2, 29, 23, 30)}, date(2024, 3, 1)),
    ("local_day", "local_day($tz, $at)", {"tz": "America/New_York", "at": utc(2024, 3, 1, 3)}, date(2024, 2, 29)),
    ("period_of", "period_of($period, $at::TIMESTAMP)", {"period": "week", "at": datetime(2024, 3, 3, 22)},
     date(2024, 2, 26)),  # a Sunday: the week began on Monday
    ("period_of", "period_of($period, $at::TIMESTAMP)", {"period": "month", "at": datetime(2024, 3, 31, 23, 59)},
     date(2024, 3, 1)),
    ("period_of", "period_of($period, $at::TIMESTAMP)", {"period": "day", "at": datetime(2024, 3, 31, 23, 59)},
     date(2024, 3, 31)),
    ("period_spine", SPINE, {"first": date(2024, 1, 1), "period": "month", "tz": "UTC", "as_of": utc(2024, 3, 15),
                             "end_at": None}, [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)]),
    ("period_spine", SPINE, {"first": date(2024, 1, 1), "period": "month", "tz": "UTC", "as_of": utc(2024, 3, 15),
                             "end_at": utc(2024, 2, 1)}, [date(2024, 1, 1)]),  # the window's end is not in it
    ("period_spine", SPINE, {"first": date(2024, 2, 26), "period": "week", "tz": "UTC", "as_of": utc(2024, 3, 11),
                             "end_at": None}, [date(2024, 2, 26), date(2024, 3, 4), date(2024, 3, 11)]),
    ("period_spine", SPINE, {"first": date(2024, 3, 30), "period": "day", "tz": "Europe/Berlin",
                             "as_of": utc(2024, 3, 31, 22, 30), "end_at": None},
     [date(2024, 3, 30), date(2024, 3, 31), date(2024, 4, 1)]),  # 00:30 on 1 April in Berlin
    ("period_spine", SPINE, {"first": None, "period": "month", "tz": "UTC", "as_of": utc(2024, 3, 15), "end_at": None},
     []),  # nothing handed: no periods
    ("lead_tier", "lead_tier($given, $rule, 'other')", {"given": " Gold ", "rule": "executive"}, "gold"),
    ("lead_tier", "lead_tier($given, $rule, 'other')", {"given": " ", "rule": "executive"}, "executive"),
    ("lead_tier", "lead_tier($given, $rule, 'other')", {"given": None, "rule": None}, "other"),
    # local March in Berlin is [29 Feb 23:00 UTC, 31 Mar 22:00 UTC); the prune widens it by a day each side
    ("near_months", "near_months($at, 'Europe/Berlin', $from::DATE, $to::DATE)",
     {"at": utc(2024, 2, 28, 22, 59), "from": date(2024, 3, 1), "to": date(2024, 4, 1)}, False),
    ("near_months", "near_months($at, 'Europe/Berlin', $from::DATE, $to::DATE)",
     {"at": utc(2024, 2, 28, 23), "from": date(2024, 3, 1), "to": date(2024, 4, 1)}, True),
    ("near_months", "near_months($at, 'Europe/Berlin', $from::DATE, $to::DATE)",
     {"at": utc(2024, 4, 1, 21, 59), "from": date(2024, 3, 1), "to": date(2024, 4, 1)}, True),
    ("near_months", "near_months($at, 'Europe/Berlin', $from::DATE, $to::DATE)",
     {"at": utc(2024, 4, 1, 22), "from": date(2024, 3, 1), "to": date(2024, 4, 1)}, False),
    ("near_months", "near_months($at, 'Europe/Berlin', $from::DATE, $to::DATE)",
     {"at": utc(1999, 1, 1), "from": None, "to": None}, True),  # no window: every month
    # blocks of one day from day 10 on, three of them: earlier instants use the first, later the last
    ("clock_block", "clock_block($at, 0, {tz_block_us: 86400000000, tz_first: 10, tz_blocks: 3})",
     {"at": utc(1970, 1, 10, 12)}, 1),  # day 9
    ("clock_block", "clock_block($at, 0, {tz_block_us: 86400000000, tz_first: 10, tz_blocks: 3})",
     {"at": utc(1970, 1, 12, 12)}, 2),  # day 11
    ("clock_block", "clock_block($at, 0, {tz_block_us: 86400000000, tz_first: 10, tz_blocks: 3})",
     {"at": utc(1970, 1, 31)}, 3),  # day 30
    ("clock_block", "clock_block($at, 1, {tz_block_us: 86400000000, tz_first: 10, tz_blocks: 3})",
     {"at": utc(1970, 1, 12, 12)}, 5),  # day 11 of the second calendar's three blocks
    ("clock_wall_us", WALL_TIME, {"at": utc(1970, 1, 2, 18), "clock": TWO_ZONES},
     datetime(1970, 1, 2, 18)),  # calendar 0: UTC
    ("clock_wall_us", WALL_TIME_1, {"at": utc(1970, 1, 2, 18), "clock": TWO_ZONES},
     datetime(1970, 1, 2, 20)),  # calendar 1: after its change to UTC+2
    ("clock_wall_us", WALL_TIME_1, {"at": utc(1970, 1, 1, 12), "clock": TWO_ZONES},
     datetime(1970, 1, 1, 13)),
    ("clock_calendar", "clock_calendar($region, $clock)",
     {"region": " Israel ", "clock": {"regions": ["Germany", "Israel"]}}, 2),  # trimmed, as goal rules compare
    ("clock_calendar", "clock_calendar($region, $clock)", {"region": "France", "clock": {"regions": ["Germany"]}}, 0),
    ("clock_calendar", "clock_calendar($region, $clock)", {"region": None, "clock": {"regions": ["Germany"]}}, 0),
    ("clock_calendar", "clock_calendar($region, $clock)", {"region": "Germany", "clock": {"regions": []}}, 0),
    ("clock_cal", "clock_cal($cal, $clock)", {"cal": 2, "clock": {"regions": ["Germany", "Israel"]}}, 2),
    ("clock_cal", "clock_cal($cal, $clock)", {"cal": None, "clock": {"regions": []}}, 0),  # a constant, folded
    ("clock_wall_us", WALL_TIME, {"at": utc(1970, 1, 1, 12), "clock": SHIFTING_ZONE},
     datetime(1970, 1, 1, 13)),
    ("clock_wall_us", WALL_TIME, {"at": utc(1970, 1, 2, 6), "clock": SHIFTING_ZONE},
     datetime(1970, 1, 2, 7)),  # block 2 before its change
    ("clock_wall_us", WALL_TIME, {"at": utc(1970, 1, 2, 18), "clock": SHIFTING_ZONE},
     datetime(1970, 1, 2, 20)),  # after it
    ("clock_wall_us", WALL_TIME, {"at": utc(1970, 1, 6), "clock": SHIFTING_ZONE},
     datetime(1970, 1, 6, 2)),  # after the last block: its offset
    ("clock_wall_us", "clock_wall_us($at, 0, $clock)",
     {"at": utc(1970, 1, 6), "clock": {**SHIFTING_ZONE, "business": False}},
     None),  # the calendar clock needs no wall time
    ("clock_time_of_day", "clock_time_of_day(epoch_us($wall::TIMESTAMP)) / 3600e6",
     {"wall": datetime(2024, 3, 4, 10, 30)},
     10.5),
    ("clock_time_of_day", "clock_time_of_day(epoch_us($wall::TIMESTAMP)) / 3600e6",
     {"wall": datetime(1969, 12, 31, 23)},
     23.0),  # before 1970 too
    ("clock_day", "clock_day(epoch_us($wall::TIMESTAMP))", {"wall": datetime(1900, 1, 1)}, 0),  # a Monday
    ("clock_day", "clock_day(epoch_us($wall::TIMESTAMP))", {"wall": datetime(1900, 1, 7, 23, 59)}, 6),
    ("clock_day", "clock_day(epoch_us($wall::TIMESTAMP))", {"wall": datetime(1969, 12, 31, 23)}, 25566),
    ("clock_day", "clock_day(epoch_us($wall::TIMESTAMP))", {"wall": datetime(1970, 1, 1)},
     25567),  # 70 × 365 + 17 leap days
    # business hours before day n at an hour of day since Monday 1 Jan 1900 (`at` matters only on a DST day)
    ("clock_us", BUSINESS_HOURS, {"at": None, "n": 0, "cal": 0, "sod": 10, "clock": NINE_TO_FIVE}, 1.0),
    ("clock_us", BUSINESS_HOURS, {"at": None, "n": 0, "cal": 0, "sod": 8, "clock": NINE_TO_FIVE}, 0.0),
    ("clock_us", BUSINESS_HOURS, {"at": None, "n": 1, "cal": 0, "sod": 8, "clock": NINE_TO_FIVE}, 8.0),
    ("clock_us", BUSINESS_HOURS, {"at": None, "n": 4, "cal": 0, "sod": 18, "clock": NINE_TO_FIVE}, 40.0),
    ("clock_us", BUSINESS_HOURS, {"at": None, "n": 5, "cal": 0, "sod": 12, "clock": NINE_TO_FIVE}, 40.0),  # Saturday
    ("clock_us", BUSINESS_HOURS, {"at": None, "n": 7, "cal": 0, "sod": 18, "clock": NINE_TO_FIVE}, 48.0),
    ("clock_us", BUSINESS_HOURS, {"at": None, "n": 0, "cal": 0, "sod": 10, "clock": TUESDAY_OFF}, 1.0),
    ("clock_us", BUSINESS_HOURS, {"at": None, "n": 1, "cal": 0, "sod": 10, "clock": TUESDAY_OFF}, 8.0),  # the holiday
    ("clock_us", BUSINESS_HOURS, {"at": None, "n": 2, "cal": 0, "sod": 10, "clock": TUESDAY_OFF}, 9.0),
    # calendar 1 of TWO_CALENDARS: Sun–Thu 08:00–18:00, Tuesday 2 Jan 1900 a working day there
    ("clock_us", BUSINESS_HOURS, {"at": None, "n": 0, "cal": 1, "sod": 10, "clock": TWO_CALENDARS}, 2.0),
    ("clock_us", BUSINESS_HOURS, {"at": None, "n": 1, "cal": 0, "sod": 10, "clock": TWO_CALENDARS}, 8.0),
    ("clock_us", BUSINESS_HOURS, {"at": None, "n": 1, "cal": 1, "sod": 10, "clock": TWO_CALENDARS}, 12.0),
    ("clock_us", BUSINESS_HOURS, {"at": None, "n": 4, "cal": 1, "sod": 12, "clock": TWO_CALENDARS}, 40.0),  # Friday
    ("clock_us", BUSINESS_HOURS, {"at": None, "n": 6, "cal": 1, "sod": 9, "clock": TWO_CALENDARS}, 41.0),  # Sunday
    ("clock_us", BUSINESS_HOURS, {"at": None, "n": 7, "cal": 1, "sod": 0, "clock": TWO_CALENDARS}, 50.0),
    ("clock_us", BUSINESS_HOURS, {"at": utc(2024, 3, 7, 10), "n": 3, "cal": 0, "sod": 12, "clock": THURSDAY_SHIFT},
     27.0),
    ("clock_us", BUSINESS_HOURS, {"at": SHIFT_AT, "n": 3, "cal": 0, "sod": 12, "clock": THURSDAY_SHIFT}, 26.0),
    ("clock_us", BUSINESS_HOURS, {"at": None, "n": 4, "cal": 0, "sod": 12, "clock": THURSDAY_SHIFT}, 34.0),
    ("clock_us", HOURS_BETWEEN, {"start": utc(2024, 3, 8, 16), "end": utc(2024, 3, 11, 10), "clock": BUSINESS_UTC},
     2.0),  # Friday 16:00 to Monday 10:00
    ("clock_us", HOURS_BETWEEN, {"start": utc(2024, 3, 11, 10), "end": utc(2024, 3, 11, 10, 30), "clock": BUSINESS_UTC},
     0.5),
    ("clock_us", HOURS_BETWEEN, {"start": utc(2024, 3, 9, 10), "end": utc(2024, 3, 10, 10), "clock": BUSINESS_UTC},
     0.0),  # the weekend
    ("clock_us", HOURS_BETWEEN, {"start": utc(2024, 3, 8, 16), "end": utc(2024, 3, 11, 10), "clock": CALENDAR}, 66.0),
    ("clock_us", "clock_us($at, NULL, NULL, 0, $clock)", {"at": utc(1970, 1, 2), "clock": CALENDAR},
     DAY_US),  # the epoch
    ("goal_rule", RULE_OF, {"source": "Paid Search", "tier": None, "region": "Germany", "goals": GOALS},
     1),  # Germany and Paid Search: the first rule wins
    ("goal_rule", RULE_OF, {"source": " Paid Search ", "tier": " Executive", "region": None, "goals": GOALS}, 2),
    ("goal_rule", RULE_OF, {"source": "Web", "tier": "EXECUTIVE", "region": "France", "goals": GOALS}, 3),
    ("goal_rule", RULE_OF, {"source": "Web", "tier": None, "region": "germany", "goals": GOALS}, None),  # case counts
    ("goal_rule", RULE_OF, {"source": "Web", "tier": None, "region": None, "goals": NO_GOAL_RULES}, None),
    ("segment_value", "segment_value($field, ' Web ', ' Executive ', 'Germany')", {"field": "source"}, "Web"),
    ("segment_value", "segment_value($field, ' Web ', ' Executive ', 'Germany')", {"field": "tier"}, "executive"),
    ("segment_value", "segment_value($field, ' Web ', ' Executive ', ' ')", {"field": "region"}, None),
    ("lead_speed_goal_us", "lead_speed_goal_us($rule, $goals)", {"rule": 2, "goals": GOALS}, HOUR_US),
    ("lead_speed_goal_us", "lead_speed_goal_us($rule, $goals)", {"rule": 3, "goals": GOALS}, 2 * HOUR_US),  # unset
    ("lead_speed_goal_us", "lead_speed_goal_us($rule, $goals)", {"rule": None, "goals": NO_GOAL_RULES}, 2 * HOUR_US),
    ("lead_depth_goal", "lead_depth_goal($rule, $goals)", {"rule": 3, "goals": GOALS}, 4),
    ("lead_depth_goal", "lead_depth_goal($rule, $goals)", {"rule": 1, "goals": GOALS}, 6),  # Germany sets speed only
    ("lead_depth_goal", "lead_depth_goal($rule, $goals)", {"rule": None, "goals": GOALS}, 6),
    ("goal_within", "goal_within($response, $goal)", {"response": HOUR_US, "goal": HOUR_US}, True),  # on the goal
    ("goal_within", "goal_within($response, $goal)", {"response": None, "goal": HOUR_US}, False),
    ("goal_missed", "goal_missed($response, $waited, $goal)", {"response": 2 * HOUR_US, "waited": 3 * HOUR_US,
                                                                 "goal": HOUR_US}, True),
    ("goal_missed", "goal_missed($response, $waited, $goal)", {"response": None, "waited": HOUR_US, "goal": HOUR_US},
     True),  # untouched, its window just closed
    ("goal_missed", "goal_missed($response, $waited, $goal)", {"response": None, "waited": HOUR_US - 1,
                                                                 "goal": HOUR_US}, None),  # not yet due
]


@pytest.mark.parametrize(("macro", "expression", "values", "expected"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_macro(con, macro, expression, values, expected):
    query = expression if expression.startswith("SELECT") else f"SELECT {expression}"
    assert con.execute(query, values).fetchone()[0] == expected


def test_every_macro_has_a_case():
    defined = re.findall(r"^CREATE OR REPLACE MACRO (\w+)", (SQL / "macros.sql").read_text(), re.MULTILINE)
    assert sorted(defined) == sorted({c[0] for c in CASES})


def test_the_macros_are_on_every_cursor_of_a_session_connection(con):
    cursor = con.cursor()  # the CSV download runs on a cursor of its own
    assert cursor.execute("SELECT owner_name(NULL)").fetchone() == ("(no owner)",)
    cursor.close()


# --- fragments ---------------------------------------------------------------------------------------

STATEMENTS = sorted(p for d in ("marketing", "sales") for p in (SQL / d).glob("*.sql"))
FRAGMENTS = [p for p in STATEMENTS if "\n-- @defines " in p.read_text()]


def tagged(text: str, tag: str) -> list[str]:
    found = re.search(rf"^-- @{tag} (.+)$", text, re.MULTILINE)
    return found.group(1).split(", ") if found else []


def parsed(con, text: str) -> dict:
    """DuckDB's parse tree of ``text`` (parsed only, nothing bound or run)."""
    tree = json.loads(con.execute("SELECT json_serialize_sql($text)", {"text": text}).fetchone()[0])
    assert not tree["error"], tree.get("error_message")
    return tree["statements"][0]["node"]


def table_names(node, found: set[str]) -> set[str]:
    if isinstance(node, dict):
        if node.get("type") == "BASE_TABLE":
            found.add(node["table_name"])
        for value in node.values():
            table_names(value, found)
    elif isinstance(node, list):
        for value in node:
            table_names(value, found)
    return found


@pytest.mark.parametrize("path", FRAGMENTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_a_fragment_parses_alone_and_reads_only_what_it_declares(con, path):
    text = path.read_text()
    body = "\n".join(line for line in text.splitlines() if not line.startswith("--")).strip()
    defines, reads = tagged(text, "defines"), tagged(text, "reads")
    assert body.startswith(f"{defines[0]} AS ("), "a fragment starts with its first CTE, never with a comma"
    tree = parsed(con, f"WITH {body}\nSELECT 1")
    assert [entry["key"] for entry in tree["cte_map"]["map"]] == defines
    assert table_names(tree, set()) - set(defines) == set(reads)


def test_every_include_is_a_fragment():
    included = {name for p in STATEMENTS for name in re.findall(r"^-- @include ([\w/]+)$", p.read_text(), re.MULTILINE)}
    assert included == {f"{p.parent.name}/{p.stem}" for p in FRAGMENTS}
