"""The per-lead goal table (sla_core.sales.lead_goals): built once per data, as-of time, zone, clock and rules'
order; a goal's value never rebuilds it, and anything it was built from does.

Four leads handed on Mon 4 Mar 2024 10:00 UTC, as of Fri 10 May: W (source Web) touched after 2 h, P (Paid
Search) after 3 h, Q (Paid Search) never, X (no source) after 30 min.
"""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from sla_core import queries
from sla_core.sales import lead_goals, speed
from sla_core.sales.clock import BusinessHours
from sla_core.sales.goal_rules import NO_RULES, GoalRule, GoalRules

AS_OF = datetime(2024, 5, 10, tzinfo=UTC)
MARCH = date(2024, 3, 1)
PAID_4H = GoalRules((GoalRule("source", "Paid Search", speed_goal_hours=4),))
WEB_3H_FIRST = GoalRules((GoalRule("source", "Web", speed_goal_hours=3), *PAID_4H))


def _lead(lead_id: str, touched: str | None, source: str | None) -> dict:
    return {"lead_id": lead_id, "created_at": "2024-03-04T09:00:00+00:00", "handed_at": "2024-03-04T10:00:00+00:00",
            "first_touch_at": touched and f"2024-03-04T{touched}:00+00:00", "source": source}


LEADS = [_lead("W", "12:00", "Web"), _lead("P", "13:00", "Paid Search"), _lead("Q", None, "Paid Search"),
         _lead("X", "10:30", None)]


def _table_oid(con) -> int:
    return con.execute("SELECT table_oid FROM duckdb_tables() WHERE table_name = 'lead_goals'").fetchone()[0]


def _march(con, goal_hours: float, rules: GoalRules, clock: BusinessHours | None = None) -> tuple:
    row = speed.totals(speed.goal_counts(con, "month", goal_hours, AS_OF, "UTC", clock, rules=rules)).iloc[0]
    assert row["period_start"] == MARCH
    return int(row["within"]), int(row["missed"])


@pytest.fixture
def con(make_leads):
    return make_leads(LEADS)


def test_a_goal_move_reads_the_same_table(con):
    assert _march(con, 1, PAID_4H) == (2, 2)  # P 3 h ≤ 4 h, X 0.5 h within; W 2 h > 1 h, Q never touched
    built = _table_oid(con)
    assert _march(con, 2.5, PAID_4H) == (3, 1)  # the default goal moved: W now within
    assert _march(con, 2.5, GoalRules((GoalRule("source", "Paid Search", speed_goal_hours=2),))) == (2, 2)  # P missed
    assert _table_oid(con) == built


def test_the_rules_order_the_clock_and_the_data_rebuild_it(con, make_leads):
    _march(con, 1, PAID_4H)
    first = _table_oid(con)
    assert _march(con, 1, WEB_3H_FIRST) == (3, 1)  # a new rule: W within its 3 h
    assert _table_oid(con) != first
    second = _table_oid(con)
    _march(con, 1, WEB_3H_FIRST, BusinessHours())
    assert _table_oid(con) != second
    make_leads(LEADS[:2])  # a new upload replaces `leads`, as of the same time
    assert _march(con, 1, NO_RULES) == (0, 2)


def test_a_shared_views_data_version_rebuilds_it(con):
    _march(con, 1, NO_RULES)
    first = _table_oid(con)
    con.execute("SET VARIABLE shown_data = {'workspace_id': 'w', 'version': 2}")
    _march(con, 1, NO_RULES)
    assert _table_oid(con) != first


def test_the_table_holds_what_the_clock_counts(con):
    lead_goals.ensure(con, AS_OF, "UTC", speed.clock_params(None), PAID_4H)
    rows = con.execute("SELECT lead_id, rule, response_us / 3600e6, waited_us FROM lead_goals ORDER BY lead_id")
    waited = (AS_OF - datetime(2024, 3, 4, 10, tzinfo=UTC)).total_seconds() * 1e6
    assert rows.fetchall() == [("P", 1, 3.0, waited), ("Q", 1, None, waited), ("W", None, 2.0, waited),
                               ("X", None, 0.5, waited)]
    assert queries.row(con, "sales/lead_goals:state")["built"] is not None
