"""Monthly actuals (SPEC 3) and "use my actuals" pooling, hand-computed on a small fixture.

Workspace zone America/New_York: a lead at 03:00 UTC on 1 Feb belongs to 31 January.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from maturity_fixture import AS_OF as MATURITY_AS_OF
from maturity_fixture import ROWS as MATURITY_ROWS

from sla_core.marketing.actuals import (
    NO_LEADS,
    STILL_MATURING,
    daily_marketing_leads,
    month_daily_leads,
    figures_of,
    RATE_COLUMNS,
    month_row,
    monthly_actuals,
    pooled_actuals,
)
from sla_core.marketing.goal_line import daily_series
from sla_core.marketing.report import monthly_rows
from sla_core.marketing.maturity import assess, conversion_cycles

TZ = "America/New_York"
AS_OF = datetime(2024, 4, 10, 12, tzinfo=timezone.utc)

ROWS = [
    # January (local): three marketing leads, two of them customers later
    {"lead_id": "L1", "created_at": "2024-01-15T10:00:00Z", "customer_at": "2024-02-14T10:00:00Z", "deal_amount": 1000},
    {"lead_id": "L2", "created_at": "2024-01-20T10:00:00Z"},
    {"lead_id": "L3", "created_at": "2024-02-01T03:00:00Z",  # 31 Jan 22:00 in New York
     "customer_at": "2024-03-02T03:00:00Z", "deal_amount": 3000},  # 1 Mar 22:00 in New York
    # February: two marketing leads, none a customer by the as-of time; one sales lead closes
    {"lead_id": "L4", "created_at": "2024-02-10T12:00:00Z"},
    {"lead_id": "L5", "origin": "sales", "created_at": "2024-02-05T12:00:00Z",
     "customer_at": "2024-02-20T12:00:00Z", "deal_amount": 1000},
    {"lead_id": "L6", "created_at": "2024-02-15T12:00:00Z", "customer_at": "2024-04-20T12:00:00Z", "deal_amount": 5000},
    # March: one lead, closed in ten days
    {"lead_id": "L7", "created_at": "2024-03-05T12:00:00Z", "customer_at": "2024-03-15T12:00:00Z", "deal_amount": 2000},
    # after the as-of time: ignored
    {"lead_id": "L8", "created_at": "2024-05-01T12:00:00Z"},
    # never became an MQL: not a marketing lead of any month
    {"lead_id": "L9", "created_at": "2024-03-06T12:00:00Z", "mql_at": None},
]


@pytest.fixture
def monthly(make_leads):
    return monthly_actuals(make_leads(ROWS), TZ, AS_OF)


def test_months_run_from_the_first_lead_to_the_as_of_month(monthly):
    assert list(monthly["month"]) == [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1), date(2024, 4, 1)]
    assert list(monthly["complete"]) == [True, True, True, False]


def figures(monthly, month: date, want: dict) -> dict:
    """The month's figures that ``want`` names: a metric added later is pinned by its own SQL case."""
    row = month_row(monthly, month)
    assert set(row) == {"marketing_leads", "customers", *RATE_COLUMNS}
    return {key: row[key] for key in want}


def test_hand_computed_months(monthly):
    jan = {"marketing_leads": 3, "customers": 2, "close_rate": pytest.approx(2 / 3), "avg_deal_size": 2000.0,
           "marketing_revenue_share": None, "avg_cycle_days": None}
    assert figures(monthly, date(2024, 1, 1), jan) == jan
    feb = {"marketing_leads": 2, "customers": 0, "close_rate": 0.0, "avg_deal_size": None,
           "marketing_revenue_share": 0.5, "avg_cycle_days": pytest.approx(30.0)}
    assert figures(monthly, date(2024, 2, 1), feb) == feb
    mar = {"marketing_leads": 1, "customers": 1, "close_rate": 1.0, "avg_deal_size": 2000.0,
           "marketing_revenue_share": 1.0, "avg_cycle_days": pytest.approx(20.0)}
    assert figures(monthly, date(2024, 3, 1), mar) == mar


def test_empty_month_is_na_not_zero(monthly):
    empty = {"marketing_leads": 0, "customers": 0, "close_rate": None, "avg_deal_size": None,
             "marketing_revenue_share": None, "avg_cycle_days": None}
    assert figures(monthly, date(2024, 4, 1), empty) == empty
    assert month_row(monthly, date(2031, 1, 1))["close_rate"] is None


JAN, FEB, MAR, APR, MAY = (date(2024, m, 1) for m in range(1, 6))


def test_with_three_customers_every_month_matures_90_days_after_it_ends(make_leads, monthly):
    # three marketing customers by the as-of time (fewer than 20): March ended 9 days before it, January 69
    con = make_leads(ROWS)
    maturity = assess(monthly, conversion_cycles(con, TZ, AS_OF), AS_OF, TZ)
    assert maturity.threshold_days == 90 and maturity.mature_months == frozenset()
    pooled = pooled_actuals(monthly, maturity.mature_months)
    assert pooled.months == () and pooled.close_rate is None
    assert pooled.skipped == ((MAR, STILL_MATURING), (FEB, STILL_MATURING), (JAN, STILL_MATURING))


def test_pooling_is_a_ratio_of_sums(monthly):
    pooled = pooled_actuals(monthly, {JAN, FEB, MAR}, k=3)
    assert pooled.months == (JAN, FEB, MAR) and pooled.skipped == ()
    assert (pooled.marketing_leads, pooled.customers) == (6, 3)
    assert pooled.close_rate == pytest.approx(0.5)  # a mean of monthly ratios would be (2/3 + 0 + 1) / 3
    assert pooled.avg_deal_size == pytest.approx(2000.0)
    assert pooled.marketing_revenue_share == pytest.approx(6000 / 7000)
    assert pooled.avg_cycle_days == pytest.approx(70 / 3)


def test_pooling_fewer_months_or_only_matured_ones(monthly):
    two = pooled_actuals(monthly, {JAN, FEB, MAR}, k=2)
    assert two.months == (FEB, MAR)
    assert two.close_rate == pytest.approx(1 / 3)
    matured = pooled_actuals(monthly, {JAN, FEB}, k=3)
    assert matured.months == (JAN, FEB) and matured.skipped == ((MAR, STILL_MATURING),)
    assert matured.close_rate == pytest.approx(0.4)
    assert matured.marketing_revenue_share == pytest.approx(0.5)


@pytest.fixture
def matured(make_leads):
    """maturity_fixture: January, March and April mature; February without leads; May maturing; June running."""
    con = make_leads(MATURITY_ROWS)
    monthly = monthly_actuals(con, "UTC", MATURITY_AS_OF)
    return monthly, assess(monthly, conversion_cycles(con, "UTC", MATURITY_AS_OF), MATURITY_AS_OF, "UTC")


def test_pooling_skips_months_without_leads_and_months_still_maturing_and_says_why(matured):
    monthly, maturity = matured
    pooled = pooled_actuals(monthly, maturity.mature_months)
    assert pooled.months == (JAN, MAR, APR)  # June is in progress: never pooled
    assert pooled.skipped == ((MAY, STILL_MATURING), (FEB, NO_LEADS))
    assert pooled.skipped_by_reason() == {NO_LEADS: (FEB,), STILL_MATURING: (MAY,)}
    assert (pooled.marketing_leads, pooled.customers, pooled.close_rate) == (50, 20, 0.4)
    assert (pooled.avg_deal_size, pooled.marketing_revenue_share) == (1000.0, 1.0)
    one = pooled_actuals(monthly, maturity.mature_months, k=1)
    assert one.months == (APR,) and one.skipped == ((MAY, STILL_MATURING),)  # it stops once it has its months


def test_pooling_more_months_than_qualify_takes_every_one(matured):
    monthly, maturity = matured
    pooled = pooled_actuals(monthly, maturity.mature_months, k=6)
    assert pooled.months == (JAN, MAR, APR) and pooled.skipped == ((MAY, STILL_MATURING), (FEB, NO_LEADS))


def test_no_leads_gives_no_months_and_na_pool(make_leads):
    monthly = monthly_actuals(make_leads([]), TZ, AS_OF)
    assert monthly.empty
    pooled = pooled_actuals(monthly, set())
    assert pooled.months == ()
    assert (pooled.close_rate, pooled.avg_deal_size, pooled.marketing_revenue_share) == (None, None, None)


def test_customers_without_amounts_give_na_deal_size(make_leads):
    con = make_leads([{"lead_id": "A", "created_at": "2024-01-05T12:00:00Z", "customer_at": "2024-01-09T12:00:00Z"}])
    monthly = monthly_actuals(con, "UTC", AS_OF)
    row = month_row(monthly, date(2024, 1, 1))
    assert (row["customers"], row["close_rate"]) == (1, 1.0)
    assert (row["avg_deal_size"], row["marketing_revenue_share"]) == (None, None)
    assert row["avg_cycle_days"] == pytest.approx(4.0)


@pytest.mark.parametrize("month", [date(2023, 12, 1), date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1),
                                   date(2024, 4, 1), date(2024, 5, 1)])
def test_one_month_read_alone_matches_its_row_of_every_month(make_leads, month):
    # the report command reads the months as records and picks its month; L3 (31 Jan in New York, 1 Feb
    # in UTC) and months before the data or after the as-of time included
    con = make_leads(ROWS)
    assert figures_of(monthly_rows(con, TZ, AS_OF), month) == month_row(monthly_actuals(con, TZ, AS_OF), month)
    whole = daily_series(daily_marketing_leads(con, TZ, AS_OF))
    assert month_daily_leads(con, TZ, AS_OF, month) == {
        d: n for d, n in whole.items() if (d.year, d.month) == (month.year, month.month)}


def test_one_month_without_an_as_of_time_has_no_leads(make_leads):
    con = make_leads(ROWS)
    assert figures_of(monthly_rows(con, TZ, None), date(2024, 1, 1)) == month_row(monthly_actuals(con, TZ, None),
                                                                                   date(2024, 1, 1))
    assert month_daily_leads(con, TZ, None, date(2024, 1, 1)) == {}
