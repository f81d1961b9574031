"""Every statement under sla_core/sql/sales, table-driven: given leads in, the rows out, computed by hand.

One small export (LEADS, as of Fri 10 May 2024 00:00 UTC) feeds most cases; each case names the
statement, its parameters, the columns it checks and the rows they must hold. The business clock
is the default one, Mon–Fri 09:00–17:00 UTC. A statement added under sql/sales without a case
fails ``test_every_sales_statement_has_a_case``; the fragments are checked in test_macros.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sql_cases import statement_rows

from sla_core import queries
from sla_core.sales.clock import BusinessHours
from sla_core.sales.goal_rules import NO_RULES, GoalRule, GoalRules
from sla_core.sales.region_calendars import RegionCalendar, RegionCalendars
from sla_core.sales.speed import clock_params

SALES_SQL = Path(__file__).resolve().parents[2] / "sla_core" / "sql" / "sales"
AS_OF = datetime(2024, 5, 10, tzinfo=UTC)
MARCH, APRIL, MAY = date(2024, 3, 1), date(2024, 4, 1), date(2024, 5, 1)
CALENDAR = clock_params(None)["clock"]
BUSINESS = clock_params(BusinessHours())["clock"]
HOUR_US = 3_600_000_000
# Germany's leads (of SEGMENTED) on a Berlin calendar, Mon–Fri 09:00–18:00; every other lead on the default clock
BERLIN = RegionCalendar("Germany", BusinessHours("Europe/Berlin", (0, 1, 2, 3, 4), close=time(18)))
GERMAN_CALENDAR = clock_params(BusinessHours().with_regions(RegionCalendars((BERLIN,))))["clock"]


def lead(lead_id: str, handed: str, touched: str | None = None, owner: str | None = None, attempts: int = 0,
         connected: bool = False, **segment: str) -> dict:
    """A lead handed over at ``handed`` ('MM-DD HH:MM', 2024, UTC), created (so an MQL) an hour before."""
    handed_at = datetime.fromisoformat(f"2024-{handed}+00:00")
    return {"lead_id": lead_id, "created_at": (handed_at - timedelta(hours=1)).isoformat(),
            "handed_at": handed_at.isoformat(), "first_touch_at": touched and f"2024-{touched}+00:00",
            "owner": owner, "attempts": attempts, "connected": connected, **segment}


# Response time in calendar hours (business hours in brackets); routing is 1 h (business: 1 h unless said).
LEADS = (
    lead("A", "03-04 10:00", "03-04 10:03", "Ann", attempts=1, connected=True),  # Mon: 0.05 (0.05)
    lead("B", "03-05 10:00", "03-05 12:00", " Ann ", attempts=3),  # Tue: 2 (2)
    lead("D", "03-07 10:00", "03-07 09:00", "Cy", attempts=1),  # touched before hand-off: excluded from speed
    lead("C", "03-08 16:00", None, None),  # Fri, never touched
    lead("H", "03-15 16:00", "03-18 10:00", "Ann", attempts=1),  # Fri → Mon: 66 (2)
    lead("E", "05-02 10:00", "05-03 12:00", "Bob", attempts=2),  # Thu → Fri: 26 (10)
    lead("G", "05-09 23:45", None, "Bob"),  # 15 min before the as-of time, untouched; business routing 0
    lead("F", "05-20 10:00", "05-20 10:05", "Bob"),  # handed after the as-of time: left out
)

# Goals per segment: the same leads with a source, tier or region. B is both Germany and Paid Search, so which
# rule holds it depends on the order; C's region has stray spaces and D's tier capitals (matched as trimmed and
# lower-case). Default goals 1 h and 2 attempts.
SEGMENTED = (
    {**LEADS[0], "source": "Web"},
    {**LEADS[1], "source": "Paid Search", "region": "Germany"},
    {**LEADS[2], "tier": "Executive"},
    {**LEADS[3], "region": " Germany "},
    {**LEADS[4], "source": "Paid Search"},
    {**LEADS[5], "region": "Germany"},
    {**LEADS[6], "source": "Paid Search"},
    LEADS[7],
)
GERMANY = GoalRule("region", "Germany", speed_goal_hours=1.5, depth_goal_attempts=3)
PAID_SEARCH = GoalRule("source", "Paid Search", speed_goal_hours=70, depth_goal_attempts=1)
EXECUTIVE = GoalRule("tier", "Executive", depth_goal_attempts=1)  # no speed goal: speed stays on the default
RULES = GoalRules((GERMANY, PAID_SEARCH, EXECUTIVE))
PAID_SEARCH_FIRST = GoalRules((PAID_SEARCH, GERMANY, EXECUTIVE))
MARCH_ONLY = {"handed_from": datetime(2024, 3, 1, tzinfo=UTC), "handed_to": datetime(2024, 4, 1, tzinfo=UTC)}


@dataclass(frozen=True)
class Case:
    statement: str
    title: str
    params: dict
    columns: tuple[str, ...]
    expected: list[tuple]
    leads: tuple[dict, ...] = LEADS


def speed(**given) -> dict:
    return {"tz": "UTC", "as_of": AS_OF, "period": "month", "by_owner": False, "handed_from": None,
            "handed_to": None, "clock": CALENDAR, **given}


def goal(hours: float, rules: GoalRules = NO_RULES, **given) -> dict:
    return speed(**rules.sql_params(hours), **given)


def depth(rules: GoalRules = NO_RULES, **given) -> dict:
    return {"tz": "UTC", "as_of": AS_OF, "period": "month", **rules.sql_params(depth_goal_attempts=2),
            "by_owner": False, "handed_from": None, "handed_to": None, **given}


def segments(rules: GoalRules) -> dict:
    """March's hand-offs per rule at default goals of 1 h and 2 attempts, on the calendar clock."""
    return {"as_of": AS_OF, "clock": CALENDAR, **MARCH_ONLY, **rules.sql_params(1, 2)}


def drill_down(rules: GoalRules = NO_RULES, **given) -> dict:
    return {"tz": "UTC", "as_of": AS_OF, "period": "month", "period_start": MARCH,
            "near_from": datetime(2024, 2, 28, tzinfo=UTC), "near_to": datetime(2024, 4, 3, tzinfo=UTC),
            **rules.sql_params(1, 2), "owner": None, "breaching_only": False, "untouched_only": False, "limit": 100,
            "offset": 0,
            "clock": CALENDAR, **given}


SUMMARY = ("period_start", "handed", "touched", "mean_hours", "median_hours", "p90_hours", "routed",
           "routing_mean_hours", "routing_median_hours", "touched_before_handoff")
BANDS = ("period_start", "band_0_5m", "band_5_15m", "band_15_60m", "band_1_4h", "band_4_24h", "band_over_24h",
         "band_never")
REP = ("period_start", "owner", "handed", "touched", "mean_hours", "touched_before_handoff")
GOAL = ("period_start", "owner", "within", "missed", "pct_within_goal")
VERDICT_FIGURES = ("period_start", "handed", "within", "missed", "pct_within_goal")
JOINED = ("period_start", "handed", "touched", "mean_hours", "within", "missed", "pct_within_goal",
          "touched_before_handoff")
LISTED = ("lead_id", "owner", "response_hours", "speed_status", "depth_status", "breach", "total")
DEPTH = ("period_start", "handed", "not_connected", "avg_attempts", "at_goal", "pct_at_goal", "worked",
         "leads_worked_pct")
NO_HANDOFF = (0, 0, None, None, None, 0, None, None, 0)
GOAL_FACTS = ("lead_id", "rule", "response_hours", "touched_before_handoff")
SEGMENT = ("rule", "handed", "touched", "median_hours", "p75_hours", "p90_hours", "within", "missed",
           "pct_within_goal", "depth_handed", "not_connected", "avg_attempts", "at_goal", "pct_at_goal", "worked",
           "leads_worked_pct")

SALES_GENERATED = {**lead("S", "03-06 10:00", "03-06 11:00", "Cy", attempts=4), "origin": "sales"}

# Two hand-offs a New York week apart although the same UTC day: Sun 3 Mar 22:00 EST and Mon 4 Mar 10:00 EST.
NEW_YORK_WEEKS = (
    {"lead_id": "P", "created_at": "2024-03-04T03:00:00Z", "handed_at": "2024-03-04T03:00:00Z", "owner": "Ann",
     "attempts": 2},
    {"lead_id": "Q", "created_at": "2024-03-04T15:00:00Z", "handed_at": "2024-03-04T15:00:00Z"},
)

CASES = [
    # --- speed_summary: the goal-free figures ---------------------------------------------------
    Case("sales/speed_summary", "calendar months: mean, median, p90, routing; April listed empty", speed(), SUMMARY, [
        (MARCH, 4, 3, 22.683333, 2.0, 53.2, 4, 1.0, 1.0, 1),  # A, B, C, H; (0.05 + 2 + 66) / 3; D excluded
        (APRIL, *NO_HANDOFF),
        (MAY, 2, 1, 26.0, 26.0, 26.0, 2, 1.0, 1.0, 0),  # E and G; F is after the as-of time
    ]),
    Case("sales/speed_summary", "business months: the weekend and the nights do not count", speed(clock=BUSINESS),
         SUMMARY, [
             (MARCH, 4, 3, 1.35, 2.0, 2.0, 4, 1.0, 1.0, 1),  # (0.05 + 2 + 2) / 3
             (APRIL, *NO_HANDOFF),
             (MAY, 2, 1, 10.0, 10.0, 10.0, 2, 0.5, 0.5, 0),  # G was created and handed after closing: routing 0
         ]),
    Case("sales/speed_summary", "Germany on Berlin's calendar: E took 11 h (Thu 12:00–18:00, Fri 09:00–14:00 CEST)",
         speed(clock=GERMAN_CALENDAR), SUMMARY, [
             (MARCH, 4, 3, 1.35, 2.0, 2.0, 4, 1.0, 1.0, 1),  # B (Germany) 11:00–13:00 CET: 2 h as on UTC's
             (APRIL, *NO_HANDOFF),
             (MAY, 2, 1, 11.0, 11.0, 11.0, 2, 0.5, 0.5, 0),
         ], SEGMENTED),
    Case("sales/speed_summary", "calendar bands", speed(), BANDS, [
        (MARCH, 1, 0, 0, 1, 0, 1, 1), (APRIL, 0, 0, 0, 0, 0, 0, 0), (MAY, 0, 0, 0, 0, 0, 1, 1),
    ]),
    Case("sales/speed_summary", "business bands", speed(clock=BUSINESS), BANDS, [
        (MARCH, 1, 0, 0, 2, 0, 0, 1), (APRIL, 0, 0, 0, 0, 0, 0, 0), (MAY, 0, 0, 0, 0, 1, 0, 1),
    ]),
    Case("sales/speed_summary", "per owner: trimmed names, (no owner), an owner with only an exclusion",
         speed(by_owner=True), REP, [
             (MARCH, "(no owner)", 1, 0, None, 0),
             (MARCH, "Ann", 3, 3, 22.683333, 0),  # "Ann" and " Ann " are one rep
             (MARCH, "Cy", 0, 0, None, 1),
             (APRIL, None, 0, 0, None, 0),
             (MAY, "Bob", 2, 1, 26.0, 0),
         ]),
    Case("sales/speed_summary", "one month's hand-offs: the spine ends with the window",
         speed(handed_from=datetime(2024, 3, 1, tzinfo=UTC), handed_to=datetime(2024, 4, 1, tzinfo=UTC)),
         SUMMARY, [(MARCH, 4, 3, 22.683333, 2.0, 53.2, 4, 1.0, 1.0, 1)]),
    # --- speed_goal_counts: within / missed at a goal ----------------------------------------------
    Case("sales/speed_goal_counts", "per owner at 1 h: period totals (owner None) first; no row for April",
         goal(1, by_owner=True), GOAL, [
             (MARCH, None, 1, 3, 0.25),  # A within; B, C (never touched, window closed), H missed
             (MARCH, "(no owner)", 0, 1, 0.0),
             (MARCH, "Ann", 1, 2, 0.333333),
             (MAY, None, 0, 1, 0.0),  # G is still inside its window: neither
             (MAY, "Bob", 0, 1, 0.0),
         ]),
    Case("sales/speed_goal_counts", "calendar 2 h: a response on the goal is within", goal(2), GOAL, [
        (MARCH, None, 2, 2, 0.5), (MAY, None, 0, 1, 0.0),
    ]),
    Case("sales/speed_goal_counts", "business 2 h: H's weekend does not count", goal(2, clock=BUSINESS), GOAL, [
        (MARCH, None, 3, 1, 0.75), (MAY, None, 0, 1, 0.0),
    ]),
    Case("sales/speed_goal_counts", "business weeks at 1 h: a week with only a lead not yet due has n/a",
         goal(1, clock=BUSINESS, period="week"), GOAL, [
             (date(2024, 3, 4), None, 1, 2, 0.333333),
             (date(2024, 3, 11), None, 0, 1, 0.0),
             (date(2024, 4, 29), None, 0, 1, 0.0),
             (date(2024, 5, 6), None, 0, None, None),  # G alone: missed is NULL, which with_goal reads as 0
         ]),
    Case("sales/speed_goal_counts", "goal rules, first match wins: B is Germany's (1.5 h, missed), H Paid Search's",
         goal(1, RULES), GOAL, [
             (MARCH, None, 2, 2, 0.5),  # A within 1 h, H 66 h within 70 h; B 2 h > 1.5 h, C never touched
             (MAY, None, 0, 1, 0.0),  # E (Germany) 26 h missed; G (Paid Search) not yet due
         ], SEGMENTED),
    Case("sales/speed_goal_counts", "10.5 h, Germany on Berlin's calendar: E (11 h there) missed",
         goal(10.5, clock=GERMAN_CALENDAR), GOAL, [(MARCH, None, 3, 1, 0.75), (MAY, None, 0, 1, 0.0)], SEGMENTED),
    Case("sales/speed_goal_counts", "10.5 h, the same leads all on the default clock: E (10 h) within",
         goal(10.5, clock=BUSINESS), GOAL, [(MARCH, None, 3, 1, 0.75), (MAY, None, 1, 0, 1.0)], SEGMENTED),
    Case("sales/speed_goal_counts", "goal rules in the other order: B is Paid Search's (70 h, within)",
         goal(1, PAID_SEARCH_FIRST), GOAL, [(MARCH, None, 3, 1, 0.75), (MAY, None, 0, 1, 0.0)], SEGMENTED),
    # --- speed_by_period: the summary and the goal counts in one pass --------------------------------
    Case("sales/speed_by_period", "one month, calendar 1 h",
         goal(1, handed_from=datetime(2024, 3, 1, tzinfo=UTC), handed_to=datetime(2024, 4, 1, tzinfo=UTC)),
         JOINED, [(MARCH, 4, 3, 22.683333, 1, 3, 0.25, 1)]),
    Case("sales/speed_by_period", "every month, business 2 h: April has nothing within or missed",
         goal(2, clock=BUSINESS), JOINED, [
             (MARCH, 4, 3, 1.35, 3, 1, 0.75, 1), (APRIL, 0, 0, None, 0, 0, None, 0), (MAY, 2, 1, 10.0, 0, 1, 0.0, 0),
         ]),
    # --- speed_verdict_figures: what a speed verdict is judged on, from the per-lead table alone -----------
    Case("sales/speed_verdict_figures", "every month, business 2 h: as speed_by_period, April (no hand-off) unlisted",
         goal(2, clock=BUSINESS), VERDICT_FIGURES, [(MARCH, 4, 3, 1, 0.75), (MAY, 2, 0, 1, 0.0)]),
    Case("sales/speed_verdict_figures", "business weeks at 1 h: G alone is handed, neither within nor missed",
         goal(1, clock=BUSINESS, period="week"), VERDICT_FIGURES, [
             (date(2024, 3, 4), 3, 1, 2, 0.333333),
             (date(2024, 3, 11), 1, 0, 1, 0.0),
             (date(2024, 4, 29), 1, 0, 1, 0.0),
             (date(2024, 5, 6), 1, 0, 0, None),
         ]),
    Case("sales/speed_verdict_figures", "goal rules up to April: D (touched before hand-off) and May left out",
         goal(1, RULES, handed_to=datetime(2024, 5, 1, tzinfo=UTC)), VERDICT_FIGURES, [(MARCH, 4, 2, 2, 0.5)],
         SEGMENTED),
    # --- speed_leads: the drill-down list --------------------------------------------------------
    Case("sales/speed_leads", "every lead of March, oldest hand-off first, with why it breaches",
         drill_down(), LISTED, [
        ("A", "Ann", 0.05, "within goal", "connected", "", 5),
        ("B", "Ann", 2.0, "missed", "at goal", "speed", 5),
        ("D", "Cy", -1.0, "touched before hand-off (excluded)", "below goal", "depth", 5),
        ("C", "(no owner)", None, "missed", "below goal", "speed, depth", 5),
        ("H", "Ann", 66.0, "missed", "below goal", "speed, depth", 5),
    ]),
    Case("sales/speed_leads", "breaching only", drill_down(breaching_only=True), LISTED, [
        ("B", "Ann", 2.0, "missed", "at goal", "speed", 4),
        ("D", "Cy", -1.0, "touched before hand-off (excluded)", "below goal", "depth", 4),
        ("C", "(no owner)", None, "missed", "below goal", "speed, depth", 4),
        ("H", "Ann", 66.0, "missed", "below goal", "speed, depth", 4),
    ]),
    Case("sales/speed_leads", "untouched past the goal only (the list to work first): C, not the late B and H",
         drill_down(breaching_only=True, untouched_only=True), LISTED, [
        ("C", "(no owner)", None, "missed", "below goal", "speed, depth", 1),
    ]),
    Case("sales/speed_leads", "one owner on the business clock", drill_down(owner="Ann", clock=BUSINESS), LISTED, [
        ("A", "Ann", 0.05, "within goal", "connected", "", 3),
        ("B", "Ann", 2.0, "missed", "at goal", "speed", 3),
        ("H", "Ann", 2.0, "missed", "below goal", "speed, depth", 3),
    ]),
    Case("sales/speed_leads", "May on Berlin's calendar for Germany's lead E",
         drill_down(period_start=MAY, near_from=datetime(2024, 4, 29, tzinfo=UTC),
                    near_to=datetime(2024, 6, 3, tzinfo=UTC), clock=GERMAN_CALENDAR),
         ("lead_id", "response_hours"), [("E", 11.0), ("G", None)], SEGMENTED),
    Case("sales/speed_leads", "a page of one from the second lead", drill_down(limit=1, offset=1), LISTED, [
        ("B", "Ann", 2.0, "missed", "at goal", "speed", 5),
    ]),
    Case("sales/speed_leads", "one week", drill_down(period="week", period_start=date(2024, 3, 4),
                                                     near_from=datetime(2024, 3, 2, tzinfo=UTC),
                                                     near_to=datetime(2024, 3, 13, tzinfo=UTC)),
         ("lead_id", "total"), [("A", 4), ("B", 4), ("D", 4), ("C", 4)]),
    Case("sales/speed_leads", "one New York day, in local time",
         drill_down(tz="America/New_York", period="day", period_start=date(2024, 3, 4),
                    near_from=datetime(2024, 3, 2, tzinfo=UTC), near_to=datetime(2024, 3, 7, tzinfo=UTC)),
         ("lead_id", "handed_local", "first_touch_local"),
         [("A", datetime(2024, 3, 4, 5), datetime(2024, 3, 4, 5, 3))]),
    Case("sales/speed_leads", "goal rules: each lead shows the goals it is held to", drill_down(RULES),
         ("lead_id", "speed_goal_hours", "speed_status", "depth_goal", "depth_status", "breach"), [
             ("A", 1.0, "within goal", 2, "connected", ""),
             ("B", 1.5, "missed", 3, "at goal", "speed"),
             ("D", 1.0, "touched before hand-off (excluded)", 1, "at goal", ""),  # the executive rule sets depth only
             ("C", 1.5, "missed", 3, "below goal", "speed, depth"),
             ("H", 70.0, "within goal", 1, "at goal", ""),
         ], SEGMENTED),
    # --- depth_by_period ---------------------------------------------------------------------------
    Case("sales/depth_by_period", "months at a depth goal of 2; leads touched before hand-off count", depth(), DEPTH, [
        (MARCH, 5, 4, 1.25, 1, 0.25, 4, 0.8),  # not connected: B 3, C 0, D 1, H 1 attempts; A connected
        (APRIL, 0, 0, None, 0, None, 0, None),
        (MAY, 2, 2, 1.0, 1, 0.5, 1, 0.5),
    ]),
    Case("sales/depth_by_period", "one month's hand-offs",
         depth(handed_from=datetime(2024, 5, 1, tzinfo=UTC), handed_to=datetime(2024, 6, 1, tzinfo=UTC)),
         DEPTH, [(MAY, 2, 2, 1.0, 1, 0.5, 1, 0.5)]),
    Case("sales/depth_by_period", "New York weeks per owner: Sunday night is the week before",
         depth(tz="America/New_York", period="week", by_owner=True, as_of=datetime(2024, 3, 6, tzinfo=UTC)),
         ("period_start", "owner", "handed", "not_connected", "at_goal"), [
             (date(2024, 2, 26), "Ann", 1, 1, 1), (date(2024, 3, 4), "(no owner)", 1, 1, 0),
         ], NEW_YORK_WEEKS),
    Case("sales/depth_by_period", "goal rules: B at Germany's 3, D at the executives' 1, H at Paid Search's 1",
         depth(RULES), DEPTH, [
             (MARCH, 5, 4, 1.25, 3, 0.75, 4, 0.8),  # C (Germany, 0 attempts) is the only one below its goal
             (APRIL, 0, 0, None, 0, None, 0, None),
             (MAY, 2, 2, 1.0, 0, 0.0, 1, 0.5),  # E 2 attempts < Germany's 3; G 0 < Paid Search's 1
         ], SEGMENTED),
    # --- segment_figures: one row per rule, the default's last ---------------------------------------
    Case("sales/segment_figures", "March per rule: first match wins, each at its own goals",
         segments(RULES), SEGMENT, [
             (1, 2, 1, 2.0, 2.0, 2.0, 0, 2, 0.0, 2, 2, 1.5, 1, 0.5, 1, 0.5),  # B, C
             (2, 1, 1, 66.0, 66.0, 66.0, 1, 0, 1.0, 1, 1, 1.0, 1, 1.0, 1, 1.0),  # H
             (3, 0, 0, None, None, None, 0, 0, None, 1, 1, 1.0, 1, 1.0, 1, 1.0),  # D: depth only (excluded from speed)
             (None, 1, 1, 0.05, 0.05, 0.05, 1, 0, 1.0, 1, 0, None, 0, None, 1, 1.0),  # A, on the defaults
         ], SEGMENTED),
    Case("sales/segment_figures", "no rules: every lead on the defaults, one row",
         segments(GoalRules()), SEGMENT, [
             (None, 4, 3, 2.0, 34.0, 53.2, 1, 3, 0.25, 5, 4, 1.25, 1, 0.25, 4, 0.8),
         ]),
    # --- segment_values: what the rules editor offers ------------------------------------------------
    Case("sales/segment_values", "sources, most leads first, trimmed", {"field": "source", "limit": 10},
         ("value", "leads"), [("Paid Search", 3), ("Web", 1)], SEGMENTED),
    Case("sales/segment_values", "regions: ' Germany ' is Germany; a limit", {"field": "region", "limit": 1},
         ("value", "leads"), [("Germany", 3)], SEGMENTED),
    Case("sales/segment_values", "tiers in lower case", {"field": "tier", "limit": 10}, ("value", "leads"),
         [("executive", 1)], SEGMENTED),
    # --- lead_goals: each lead's goal facts, whatever the goals' values ----------------------------------
    Case("sales/lead_goals", "calendar: each lead's first matching rule and response; F after the as-of time left out",
         goal(1, RULES), GOAL_FACTS, [
             ("A", None, 0.05, False), ("B", 1, 2.0, False), ("D", 3, -1.0, True), ("C", 1, None, False),
             ("H", 2, 66.0, False), ("E", 1, 26.0, False), ("G", 2, None, False),
         ], SEGMENTED),
    Case("sales/lead_goals", "business clock, Paid Search first: B is rule 1 (Paid Search), H 2 h over the weekend",
         goal(5, PAID_SEARCH_FIRST, clock=BUSINESS), GOAL_FACTS, [
             ("A", None, 0.05, False), ("B", 1, 2.0, False), ("D", 3, -1.0, True), ("C", 2, None, False),
             ("H", 1, 2.0, False), ("E", 2, 10.0, False), ("G", 1, None, False),
         ], SEGMENTED),
    # --- rep_bandwidth -------------------------------------------------------------------------------
    Case("sales/rep_bandwidth",
         "March per owner: leads and attempts by origin, unconnected marketing leads by attempts",
         {"as_of": AS_OF, **NO_RULES.sql_params(),
          "handed_from": datetime(2024, 3, 1, tzinfo=UTC), "handed_to": datetime(2024, 4, 1, tzinfo=UTC)},
         ("owner", "marketing_handed", "sales_handed", "marketing_attempts", "sales_attempts",
          "unconnected_marketing"), [
             ("(no owner)", 1, 0, 0, 0, [{"attempts": 0, "rule": None, "leads": 1}]),  # C
             ("Ann", 3, 0, 5, 0, [{"attempts": 1, "rule": None, "leads": 1},
                                  {"attempts": 3, "rule": None, "leads": 1}]),  # A connected; B, H
             ("Cy", 1, 1, 1, 4, [{"attempts": 1, "rule": None, "leads": 1}]),  # D, and S sales-generated
         ], (*LEADS, SALES_GENERATED)),
    Case("sales/rep_bandwidth", "goal rules: the unconnected marketing leads also by their first matching rule",
         {"as_of": AS_OF, **RULES.sql_params(),
          "handed_from": datetime(2024, 3, 1, tzinfo=UTC), "handed_to": datetime(2024, 4, 1, tzinfo=UTC)},
         ("owner", "unconnected_marketing"), [
             ("(no owner)", [{"attempts": 0, "rule": 1, "leads": 1}]),  # C, Germany
             ("Ann", [{"attempts": 3, "rule": 1, "leads": 1},  # B, Germany before Paid Search
                      {"attempts": 1, "rule": 2, "leads": 1}]),  # H, Paid Search
             ("Cy", [{"attempts": 1, "rule": 3, "leads": 1}]),  # D, executive
         ], (*SEGMENTED, SALES_GENERATED)),
]


GOAL_TABLE = "sales/lead_goals"  # built by sla_core.sales.lead_goals.ensure before the statements that read it


def _with_goal_table(make_leads, params: dict):
    """``make_leads``, then the per-lead goal table for the case's as-of time, zone, clock and rules' order."""
    def make(leads):
        con = make_leads(leads)
        queries.records(con, f"{GOAL_TABLE}:build", as_of=params["as_of"], tz=params.get("tz", "UTC"),
                        clock=params.get("clock", CALENDAR), goals=params["goals"])
        return con
    return make


def _goal_facts(make_leads, case: Case) -> list[tuple]:
    con = _with_goal_table(make_leads, case.params)(list(case.leads))
    found = con.execute("SELECT *, response_us / 3600e6 AS response_hours FROM lead_goals ORDER BY handed_at")
    names = [d[0] for d in found.description]
    return [tuple(round(r[names.index(c)], 6) if isinstance(r[names.index(c)], float) else r[names.index(c)]
                  for c in case.columns) for r in found.fetchall()]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.statement.split('/')[1]}: {c.title}")
def test_statement(make_leads, case: Case):
    if case.statement == GOAL_TABLE:
        assert _goal_facts(make_leads, case) == case.expected
        return
    text = re.sub(r"--[^\n]*", "", queries.sql(case.statement))  # the statement without its comments
    if "FROM lead_goals" in text:  # the goal-dependent statements: the table first, then what they bind themselves
        make_leads = _with_goal_table(make_leads, case.params)
    params = {name: value for name, value in case.params.items() if re.search(rf"\${name}\b", text)}
    assert statement_rows(make_leads, case.statement, list(case.leads), case.columns, **params) == case.expected


def test_every_sales_statement_has_a_case():
    statements = {f"sales/{p.stem}" for p in SALES_SQL.glob("*.sql") if "-- @defines" not in p.read_text()}
    assert statements == {c.statement for c in CASES}
