"""Every statement under sla_core/sql/marketing, table-driven: given leads in, the rows out, computed by hand.

Each case names the statement, its parameters, the columns it checks and the rows they must hold.
Job-title rules are given as the patterns ``tiers.TierRule`` would bind: executive (VP), then
manager. A statement added under sql/marketing without a case fails
``test_every_marketing_statement_has_a_case``; the fragment is checked in test_macros.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest
from sql_cases import statement_rows

MARKETING_SQL = Path(__file__).resolve().parents[2] / "sla_core" / "sql" / "marketing"
RULES = {"rule_tiers": ["executive", "manager"], "rule_patterns": [r"(?i)\bvp\b", r"(?i)\bmanager\b"],
         "fallback_tier": "other"}
NO_RULES = {"rule_tiers": [], "rule_patterns": [], "fallback_tier": "other"}
JAN, FEB, MAR, APR = date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1), date(2024, 4, 1)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(f"2024-{text}+00:00")


def lead(lead_id: str, mql: str | None, **fields) -> dict:
    """A lead that became an MQL at ``mql`` ('MM-DD HH:MM', 2024, UTC; None: never); timestamps likewise."""
    at = {k: utc(v).isoformat() for k, v in fields.items() if k.endswith("_at") and v}
    return {"lead_id": lead_id, "created_at": utc(mql or "01-01 00:00").isoformat(),
            "mql_at": mql and utc(mql).isoformat(), **fields, **at}


# As of 10 Mar 00:00 UTC. Cycles: M1 41 days, M3 30 days (average 35.5).
MONTHLY_LEADS = (
    lead("M1", "01-10 12:00", customer_at="02-20 12:00", deal_amount=1000),
    lead("M2", "01-15 12:00"),
    lead("M3", "02-05 12:00", customer_at="03-06 12:00", deal_amount=500),
    # closes in Feb, not marketing
    lead("S1", "02-01 12:00", origin="sales", customer_at="02-10 12:00", deal_amount=3000),
    lead("M4", "03-12 12:00"),  # after the as-of time
    lead("M5", None),  # never an MQL
)

# America/New_York, as of 10 Mar 00:00 UTC: the cycle from MQL to customer, in days.
CYCLE_LEADS = (
    lead("C1", "01-10 12:00", customer_at="02-20 12:00"),  # 41 days
    lead("C2", "02-05 12:00", customer_at="02-15 06:00"),  # 9.75 days
    lead("C3", "02-01 03:00", customer_at="02-01 15:00"),  # 0.5 days, a January MQL in New York
    lead("C4", "02-10 12:00", mql_at="02-12 12:00", customer_at="02-11 12:00"),  # a customer before its MQL
    lead("C5", "02-20 12:00", origin="sales", customer_at="02-21 12:00"),  # not a marketing lead
    lead("C6", "02-25 12:00", customer_at="03-12 12:00"),  # a customer after the as-of time
    lead("C7", "03-12 12:00", customer_at="03-12 13:00"),  # an MQL after the as-of time
    lead("C8", "02-26 12:00"),  # not a customer
)

# Europe/Berlin, as of 10 Mar 00:00 UTC: 29 Feb 23:30 UTC is already 1 March there.
DAILY_LEADS = (
    lead("T0", "02-29 22:30", job_title="Sales Manager"),  # 29 Feb 23:30 local
    lead("T1", "02-29 23:30", tier=" Gold "),  # 1 Mar 00:30 local; the tier column comes first
    lead("T2", "03-01 11:00", job_title="VP Sales", tier=""),  # an empty tier falls to the rules
    lead("T3", "03-01 12:00", job_title="Intern"),  # no rule matches: other
    lead("T4", "03-01 13:00", job_title="VP, Manager"),  # the first rule that matches wins
    lead("T5", "03-01 14:00", origin="sales", job_title="VP"),  # not a marketing lead
    lead("T6", None, job_title="VP"),  # never an MQL
    lead("T7", "03-12 09:00", job_title="VP"),  # after the as-of time
)

# As of 10 Apr 00:00 UTC, pooled over March.
TIER_LEADS = (
    lead("X1", "03-05 10:00", tier="Gold", customer_at="03-20 10:00", deal_amount=100),
    # a customer, closed in April
    lead("X2", "03-06 10:00", job_title="VP Ops", customer_at="04-02 10:00", deal_amount=300),
    lead("X3", "03-07 10:00", job_title="Clerk"),
    # February's lead, closed in March
    lead("X4", "02-20 10:00", job_title="VP", customer_at="03-03 10:00", deal_amount=600),
    lead("X5", "03-08 10:00", origin="sales", job_title="VP", customer_at="03-09 10:00", deal_amount=999),
    # closes after the as-of time
    lead("X6", "03-09 10:00", job_title="Manager", customer_at="04-20 10:00", deal_amount=50),
)

TITLE_LEADS = (
    lead("Y1", "03-01 10:00", job_title="VP Sales"),
    lead("Y2", "03-01 10:00", job_title="VP Sales"),
    lead("Y3", "03-01 10:00", job_title="VP Sales", tier="Gold"),
    lead("Y4", "03-01 10:00"),
    lead("Y5", "03-01 10:00", job_title="Clerk"),
    lead("Y6", "03-01 10:00", job_title="Clerk", tier="  "),  # a blank tier is no tier
)


@dataclass(frozen=True)
class Case:
    statement: str
    title: str
    leads: tuple[dict, ...]
    params: dict
    columns: tuple[str, ...]
    expected: list[tuple]


MONTH = ("month", "marketing_leads", "customers", "close_rate", "avg_deal_size", "marketing_revenue_share",
         "avg_cycle_days", "complete")
SUMS = ("month", "customer_revenue", "marketing_closed_revenue", "closed_revenue", "cycle_days_sum", "cycle_customers")
MONTHLY = {"tz": "UTC", "as_of": utc("03-10 00:00")}
DAILY = {"tz": "Europe/Berlin", "as_of": utc("03-10 00:00"), "by_tier": True, "month_from": None, "month_to": None,
         **RULES}
TIER = ("tier", "marketing_leads", "customers", "close_rate", "avg_deal_size", "revenue_share")

CASES = [
    # --- monthly_actuals ---------------------------------------------------------------------------
    Case("marketing/monthly_actuals", "every month from the first MQL or close to the as-of month", MONTHLY_LEADS,
         MONTHLY, MONTH, [
             (JAN, 2, 1, 0.5, 1000.0, None, None, True),
             (FEB, 1, 1, 1.0, 500.0, 0.25, 41.0, True),  # closed in Feb: 1000 marketing of 4000
             (MAR, 0, 0, None, None, 1.0, 30.0, False),  # incomplete; M4 comes after the as-of time
         ]),
    Case("marketing/monthly_actuals", "the sums behind pooled rates", MONTHLY_LEADS, MONTHLY, SUMS, [
        (JAN, 1000.0, 0.0, None, None, 0),
        (FEB, 500.0, 1000.0, 4000.0, 41.0, 1),
        (MAR, None, 500.0, 500.0, 30.0, 1),
    ]),
    # --- conversion_cycles: the marketing sales cycle behind maturity --------------------------------
    Case("marketing/conversion_cycles", "marketing customers by the as-of time, shortest cycle first", CYCLE_LEADS,
         {"tz": "America/New_York", "as_of": utc("03-10 00:00")}, ("month", "cycle_days"), [
             (FEB, 0.0),  # C4: a customer date before the MQL date is a cycle of 0 days
             (JAN, 0.5),  # C3: 1 Feb 03:00 UTC is still 31 January in New York
             (FEB, 9.75),
             (JAN, 41.0),
         ]),
    # --- daily_marketing_leads -------------------------------------------------------------------
    Case("marketing/daily_marketing_leads", "per local day and tier", DAILY_LEADS, DAILY, ("day", "tier", "leads"), [
        (date(2024, 2, 29), "manager", 1),
        (date(2024, 3, 1), "executive", 2),
        (date(2024, 3, 1), "gold", 1),
        (date(2024, 3, 1), "other", 1),
    ]),
    Case("marketing/daily_marketing_leads", "March without tiers", DAILY_LEADS,
         {**DAILY, "by_tier": False, "month_from": MAR, "month_to": APR, **NO_RULES}, ("day", "tier", "leads"), [
             (date(2024, 3, 1), None, 4),
         ]),
    Case("marketing/daily_marketing_leads", "February's window keeps only February's local days", DAILY_LEADS,
         {**DAILY, "by_tier": False, "month_from": FEB, "month_to": MAR, **NO_RULES}, ("day", "tier", "leads"), [
             (date(2024, 2, 29), None, 1),
         ]),
    # --- tier_actuals --------------------------------------------------------------------------
    Case("marketing/tier_actuals", "March per tier: cohort close rate and deal size, share of revenue closed",
         TIER_LEADS, {"tz": "UTC", "as_of": utc("04-10 00:00"), "from_month": MAR, "to_month": APR, **RULES}, TIER, [
             ("executive", 1, 1, 1.0, 300.0, 0.857143),  # X2's cohort; X4's 600 closed in March, of 700
             ("gold", 1, 1, 1.0, 100.0, 0.142857),
             ("manager", 1, 0, 0.0, None, 0.0),
             ("other", 1, 0, 0.0, None, 0.0),
         ]),
    # --- title_tiers ---------------------------------------------------------------------------
    Case("marketing/title_tiers", "titles with their tier and where it came from, most leads first", TITLE_LEADS,
         {"limit": 50, **RULES}, ("job_title", "tier", "tier_from", "leads"), [
             ("Clerk", "other", "no rule matched", 2),
             ("VP Sales", "executive", "job title rule", 2),
             ("(no title)", "other", "no rule matched", 1),
             ("VP Sales", "gold", "tier column", 1),
         ]),
    Case("marketing/title_tiers", "the limit", TITLE_LEADS, {"limit": 1, **RULES}, ("job_title", "leads"), [
        ("Clerk", 2),
    ]),
    # --- latest_month: the month shown first --------------------------------------------------------
    Case("marketing/latest_month", "the latest month with a marketing MQL by the as-of time (M4 comes after it)",
         MONTHLY_LEADS, {"tz": "UTC", "as_of": utc("03-10 00:00")}, ("month",), [(FEB,)]),
    Case("marketing/latest_month", "in Berlin, 29 Feb 23:30 UTC is already March", DAILY_LEADS,
         {"tz": "Europe/Berlin", "as_of": utc("03-01 00:00")}, ("month",), [(MAR,)]),
    Case("marketing/latest_month", "no marketing lead at all: no month", (lead("S", "03-01 10:00", origin="sales"),),
         {"tz": "UTC", "as_of": utc("04-01 00:00")}, ("month",), [(None,)]),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.statement.split('/')[1]}: {c.title}")
def test_statement(make_leads, case: Case):
    assert statement_rows(make_leads, case.statement, list(case.leads), case.columns, **case.params) == case.expected


def test_every_marketing_statement_has_a_case():
    statements = {f"marketing/{p.stem}" for p in MARKETING_SQL.glob("*.sql") if "-- @defines" not in p.read_text()}
    assert statements == {c.statement for c in CASES}
