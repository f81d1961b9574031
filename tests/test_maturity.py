"""Mature months and the projected close rate of a maturing month (SPEC 3), on exports computed by hand."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest
from maturity_fixture import AS_OF, ROWS

from sla_core.marketing.actuals import monthly_actuals
from sla_core.marketing.maturity import (
    IN_PROGRESS,
    MATURE,
    MATURING,
    NO_CURVE,
    NO_LEADS,
    TOO_EARLY,
    assess,
    conversion_cycles,
    month_middle,
    quantile,
)

JAN, FEB, MAR, APR, MAY, JUN = (date(2024, m, 1) for m in range(1, 7))


@pytest.fixture
def maturity(make_leads):
    con = make_leads(ROWS)
    return assess(monthly_actuals(con, "UTC", AS_OF), conversion_cycles(con, "UTC", AS_OF), AS_OF, "UTC")


def test_the_threshold_is_the_90th_percentile_of_the_marketing_sales_cycle(maturity):
    # 21 customers: 10 days × 11, 30 × 8, 60 × 2; position 0.9 × 20 = 18 is a 30-day cycle
    assert (maturity.customers, maturity.threshold_days) == (21, 30.0)
    assert {c.month: c.stage for c in maturity.cohorts} == {
        JAN: MATURE, FEB: MATURE, MAR: MATURE, APR: MATURE,  # April ended 50 days before the as-of time
        MAY: MATURING,  # ended 19 days before
        JUN: IN_PROGRESS}
    assert maturity.mature_months == {JAN, FEB, MAR, APR}


def test_the_conversion_curve_of_the_mature_months(maturity):
    # January's and March's 20 customers (April has none; May's customer is not in a mature month)
    f = maturity.curve.share_within
    assert [f(t) for t in (0, 9.99, 10, 29.9, 30, 59.9, 60, 400)] == [0, 0, 0.5, 0.5, 0.9, 0.9, 1, 1]
    assert maturity.curve.steps() == [(0.0, 0.0), (10.0, 0.5), (30.0, 0.9), (60.0, 1.0)]


def test_projected_close_rate_of_the_maturing_and_the_running_month(maturity):
    may, june = maturity.cohort(MAY), maturity.cohort(JUN)
    # May: as of 20 Jun 00:00, 34.5 days after its midpoint (16 May 12:00), 90 % of a mature month's customers won
    assert (may.age_days, may.converted_share, may.close_rate) == (34.5, 0.9, 0.1)
    assert may.projected_close_rate == pytest.approx(1 / (10 * 0.9))  # 11.11 %, beside 10 % so far
    assert may.no_projection == ""
    # June: 4 days after its midpoint (16 Jun 00:00): none of a mature month's customers are won that early
    assert (june.age_days, june.converted_share, june.projected_close_rate) == (4.0, 0.0, None)
    assert june.no_projection == TOO_EARLY
    assert (maturity.cohort(APR).projected_close_rate, maturity.cohort(APR).no_projection) == (None, MATURE)
    assert maturity.cohort(FEB).no_projection == NO_LEADS


def test_a_projection_needs_a_fifth_of_the_customers_in():
    # January, mature (5 customers: 90 days, and it ended 1 Feb), won its customers after 1, 2, 3, 4 and 5 days;
    # May, in progress, has its midpoint on 16 May 12:00
    cycles = frame(month=[JAN] * 5, cycle_days=[1.0, 2.0, 3.0, 4.0, 5.0])
    monthly = frame(month=[JAN, MAY], marketing_leads=[10, 8], customers=[5, 1], complete=[True, False])
    early = assess(monthly, cycles, datetime(2024, 5, 17, tzinfo=UTC), "UTC").cohort(MAY)  # age 0.5 days: F = 0
    assert (early.converted_share, early.projected_close_rate, early.no_projection) == (0.0, None, TOO_EARLY)
    later = assess(monthly, cycles, datetime(2024, 5, 18, tzinfo=UTC), "UTC").cohort(MAY)  # age 1.5 days: F = 1/5
    assert later.converted_share == 0.2 and later.projected_close_rate == pytest.approx(1 / (8 * 0.2))


def frame(**columns) -> pd.DataFrame:
    return pd.DataFrame(columns)


def test_fewer_than_20_customers_mature_after_90_days_of_elapsed_time():
    # 19 customers: 90 days. Berlin: January ends 31 Jan 23:00 UTC; 90 days later is 30 Apr 23:00 UTC (DST or not)
    cycles = frame(month=[JAN] * 19, cycle_days=[5.0] * 19)
    monthly = frame(month=[JAN, FEB], marketing_leads=[30, 30], customers=[19, 0], complete=[True, True])
    at = assess(monthly, cycles, datetime(2024, 4, 30, 23, tzinfo=UTC), "Europe/Berlin")
    assert at.threshold_days == 90.0 and "fewer than 20" in at.threshold_from
    assert [c.stage for c in at.cohorts] == [MATURE, MATURING]  # exactly 90 days is mature
    a_minute_early = assess(monthly, cycles, datetime(2024, 4, 30, 22, 59, tzinfo=UTC), "Europe/Berlin")
    assert [c.stage for c in a_minute_early.cohorts] == [MATURING, MATURING]
    assert a_minute_early.cohort(FEB).no_projection == NO_CURVE  # no mature month to learn the curve from


def test_quantile_interpolates_as_numpy_and_duckdb_do():
    assert quantile((1.0, 2.0, 3.0, 4.0), 0.9) == pytest.approx(3.7)
    assert quantile((7.0,), 0.9) == 7.0


def test_a_months_midpoint_is_half_its_days_on_the_local_wall_clock():
    assert month_middle(JAN, "UTC") == datetime(2024, 1, 16, 12, tzinfo=UTC)
    # 29 days: 14.5 days after 1 Feb 00:00 in New York is 15 Feb 12:00 there
    assert month_middle(FEB, "America/New_York") == datetime(2024, 2, 15, 17, tzinfo=UTC)


def test_without_data_there_are_no_cycles(make_leads):
    assert conversion_cycles(make_leads(ROWS), "UTC", None).empty
