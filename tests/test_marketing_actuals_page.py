"""The Marketing SLA page's use my actuals and monthly recalculation through AppTest: only mature months
with leads are pooled, the months used and skipped are named, a maturing month's close rate is projected."""
from __future__ import annotations

import pytest
from apptest_support import open_section
from apptest_support import shown as text
from marketing_page_support import (
    aged_app,
    chart_rows,
    matured_app,
    monthly_table,
    small_app,
    targets,
)

from pages.common.ui import KEYS


@pytest.fixture
def small():
    """The hand-computed ten-lead export loaded through the Data page, then the Marketing SLA page."""
    return small_app()


@pytest.fixture
def aged():
    """The ten-lead export three months later (``marketing_page_support.aged_app``)."""
    return aged_app()


@pytest.fixture
def matured():
    """maturity_fixture's export (Jan, Mar, Apr mature; Feb without leads; May maturing; June in progress)."""
    return matured_app()


def test_use_my_actuals_pools_mature_months_and_says_which_it_skipped(matured):
    open_section(matured, KEYS.exact_values_open)
    assert ("Months used: Jan 2024, Mar 2024, Apr 2024. Skipped (no leads: Feb 2024; still maturing: May 2024). "
            "Close rate 40.00 %, deal size $1,000, marketing share 100.0 %.") in text(matured.caption)
    matured.button(key=KEYS.use_actuals).click().run()
    assert not matured.exception
    assert matured.slider(key=KEYS.assumption("close_rate")).value == 40.0
    assert matured.slider(key=KEYS.assumption("avg_deal_size")).value == 1000.0
    assert matured.slider(key=KEYS.assumption("marketing_share")).value == 100.0
    # 200,000 × 100 % ÷ 1,000 = 200 customers ÷ 40 % = 500 leads
    assert targets(matured) == ("$200,000", "200", "500")
    assert "Filled from Jan 2024, Mar 2024, Apr 2024" in text(matured.success)


def test_use_my_actuals_fills_the_pooled_rates_and_names_the_months(aged):
    open_section(aged, KEYS.exact_values_open)
    assert ("Months used: Jan 2024, Feb 2024 (only 2 of the 3 asked for qualify). Skipped (still maturing: "
            "Mar 2024; no leads: Apr 2024, May 2024).") in text(aged.caption)
    aged.button(key=KEYS.use_actuals).click().run()
    assert not aged.exception
    assert aged.slider(key=KEYS.assumption("close_rate")).value == 40.0
    assert aged.slider(key=KEYS.assumption("avg_deal_size")).value == 2000.0
    assert aged.slider(key=KEYS.assumption("marketing_share")).value == pytest.approx(200 / 3)
    # 200,000 × 2/3 = 133,333; ÷ 2,000 = 66.7 → 67 customers; ÷ 40 % = 167.5 → 168 leads
    assert targets(aged) == ("$133,333", "67", "168")
    assert "Filled from Jan 2024, Feb 2024" in text(aged.success)


def test_pooling_fewer_months(matured):
    open_section(matured, KEYS.exact_values_open)
    matured.number_input(key=KEYS.pool_months).set_value(2).run()
    assert "Months used: Mar 2024, Apr 2024. Skipped (still maturing: May 2024)." in text(matured.caption)
    matured.button(key=KEYS.use_actuals).click().run()
    assert matured.slider(key=KEYS.assumption("close_rate")).value == pytest.approx(100 / 3)  # 10 of 30 leads


def test_nothing_to_pool_while_every_complete_month_is_maturing(small):
    open_section(small, KEYS.exact_values_open)
    assert ("No complete month is mature and has marketing leads yet: nothing to pool. Skipped (still maturing: "
            "Jan 2024, Feb 2024).") in text(small.caption)
    assert small.button(key=KEYS.use_actuals).disabled


def test_monthly_table_projects_the_maturing_months_close_rate(matured):
    open_section(matured, KEYS.exact_values_open)
    table = monthly_table(matured)
    columns = ["Close rate", "Projected close rate", "Status"]
    assert table.loc["2024-06", columns].tolist() == ["0.00 % so far", "too early to tell", "in progress"]
    # May: 1 customer of 10 leads, 34.5 days old; mature months had won 90 % of their customers by then
    assert table.loc["2024-05", columns].tolist() == ["10.00 % so far", "11.11 %", "maturing"]
    assert table.loc["2024-04", columns].tolist() == ["0.00 %", "n/a: mature", "mature"]
    assert table.loc["2024-03", columns].tolist() == ["50.00 %", "n/a: mature", "mature"]
    assert table.loc["2024-02", ["Marketing leads", *columns]].tolist() == ["0", "n/a", "n/a", "mature"]
    assert ("A month is mature 30 days after it ends (the 90th percentile of 21 marketing customers' time from MQL "
            "to customer)") in text(matured.caption)
    curve = [r for r in chart_rows(matured, "How fast a month's leads become customers") if "label" not in r]
    assert [(r["days"], r["share"]) for r in curve if "month" not in r] == [(0, 0), (10, 0.5), (30, 0.9), (60, 1),
                                                                            (63, 1)]  # drawn on to 60 days × 1.05
    assert [(r["month"], r["days"], r["share"]) for r in curve if "month" in r] == [("May 2024", 34.5, 0.9),
                                                                                  ("Jun 2024", 4.0, 0.0)]


def test_exact_values_use_my_actuals_and_the_monthly_table_are_built_only_while_open(matured):
    assert [e.label for e in matured.expander][0] == "Exact values, use my actuals and the monthly recalculation"
    assert not matured.number_input and not matured.dataframe and not matured.get("download_button")
    open_section(matured, KEYS.exact_values_open)
    assert [d.key for d in matured.get("download_button")] == [KEYS.download_monthly]
    assert list(monthly_table(matured).index) == ["2024-06", "2024-05", "2024-04", "2024-03", "2024-02", "2024-01"]
    matured.number_input(key=KEYS.pool_months).set_value(1).run()
    assert "Months used: Apr 2024 (only" not in text(matured.caption)
    assert "Months used: Apr 2024. Skipped (still maturing: May 2024)." in text(matured.caption)
    matured.session_state[KEYS.exact_values_open] = False
    matured.run()
    assert not matured.number_input and not matured.dataframe and "Months used" not in text(matured.caption)
    open_section(matured, KEYS.exact_values_open)
    assert matured.number_input(key=KEYS.pool_months).value == 1  # the choice outlives the closed section
    assert "Months used: Apr 2024." in text(matured.caption)
