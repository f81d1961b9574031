"""The Marketing SLA page through AppTest: sliders move the targets, actuals fill them, links reopen them."""
from __future__ import annotations

import json
import re
from datetime import date

import pandas as pd
import pyarrow as pa
import pytest
from apptest_support import (
    app_with_upload,
    count_statements,
    metric,
    new_app,
    workspace_of,
)
from apptest_support import shown as text
from marketing_fixture import WORKED_EXAMPLE, small_export
from maturity_fixture import maturity_export
from streamlit.proto.Metric_pb2 import Metric as MetricProto

from pages.common.ui import KEYS
from sla_core.assumptions import Assumptions

PAGE = "pages/marketing.py"


def targets(app) -> tuple[str, str, str]:
    return metric(app, "Marketing revenue goal"), metric(app, "Customers needed"), metric(app, "Leads needed")


def open_section(app, key: str) -> None:
    """Open a section of the page, as a click on its header does (its widgets are built only while it is open):
    ``KEYS.exact_values_open`` (exact values, use my actuals and the monthly recalculation) or ``KEYS.tiers_open``."""
    app.session_state[key] = True
    app.run()
    assert not app.exception


def tier_goals(app) -> pd.DataFrame:
    """The tier goals table (a markdown table under its heading) as the user reads it, indexed by tier."""
    body = next(m.value for m in app.markdown if "Tier goals for the chosen month" in m.value)
    rows = [[re.sub(r"\\(.)", r"\1", cell).strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
            for line in body.splitlines() if line.startswith("|") and not line.startswith("|---")]
    return pd.DataFrame(rows[1:], columns=rows[0]).set_index("Tier")


def monthly_table(app) -> pd.DataFrame:
    return next(d.value for d in app.dataframe if "Month" in d.value.columns).set_index("Month")


def chart_rows(app, title: str) -> list[dict]:
    """Every data row of the chart whose title holds ``title`` (its datasets, as the page sends them)."""
    (found,) = [c.proto for c in app.get("vega_lite_chart") if title in json.loads(c.proto.spec).get("title", "")]
    return [row for d in found.datasets for row in pa.ipc.open_stream(d.data.data).read_all().to_pylist()]


def badge(app, label: str, name: str) -> str:
    """The figure in the badge ``name …`` under the metric ``label``."""
    shown = next(m for m in app.metric if m.label == label).proto.delta
    assert shown.startswith(f"{name} "), shown
    return shown.removeprefix(f"{name} ")


def goal_to_date(app, unit: str = "leads") -> str:
    """The goal to date: the badge under the actual to date."""
    return badge(app, f"Actual to date ({unit})", "goal to date")


def month_goal(app, unit: str = "leads") -> str:
    """The goal line's goal for the month: the badge under the projection."""
    return badge(app, f"Projection ({unit})", "goal for the month")


def attainment_help(app) -> str:
    return next(m for m in app.metric if m.label == "Attainment").proto.help


def on_track(app) -> tuple[str, str]:
    """The badge under the attainment (on track or behind the goal line) and its colour."""
    attainment = next(m for m in app.metric if m.label == "Attainment")
    return attainment.proto.delta, MetricProto.MetricColor.Name(attainment.proto.color)


@pytest.fixture
def at():
    """The sample export on the default page (the Marketing SLA)."""
    app = new_app()
    app.run()
    assert not app.exception
    return app


@pytest.fixture
def small():
    """The hand-computed ten-lead export loaded through the Data page, then the Marketing SLA page."""
    return app_with_upload("small.csv", small_export().encode(), PAGE)


def test_default_page_shows_targets_from_the_default_assumptions(at):
    assert at.title[0].value == "Marketing SLA"
    assert at.markdown[0].value.endswith("\n### Assumptions and targets for the month")  # under the page's note
    # 200,000 × 70 % = 140,000; ÷ 15,000 = 9.3 → 10 customers; ÷ 5 % = 200 leads
    assert targets(at) == ("$140,000", "10", "200")
    assert on_track(at) == ("On track", "GREEN")  # Jan 2025: 101 leads vs 90 to date


@pytest.mark.parametrize("key,value,expected", [
    ("quota", 500_000.0, ("$350,000", "24", "480")),
    ("marketing_share", 50.0, ("$100,000", "7", "140")),
    ("avg_deal_size", 20_000.0, ("$140,000", "7", "140")),
    ("close_rate", 10.0, ("$140,000", "10", "100")),
])
def test_each_slider_moves_the_targets(at, key, value, expected):
    open_section(at, KEYS.exact_values_open)
    at.slider(key=KEYS.assumption(key)).set_value(value).run()
    assert not at.exception
    assert targets(at) == expected
    assert at.number_input(key=KEYS.exact(key)).value == value  # the number input follows the slider


def test_number_inputs_reach_the_worked_example(at):
    open_section(at, KEYS.exact_values_open)
    for key, shown in (("quota", 5000.0), ("marketing_share", 100.0), ("avg_deal_size", 100.0), ("close_rate", 50.0)):
        at.number_input(key=KEYS.exact(key)).set_value(shown).run()
    assert not at.exception
    assert targets(at) == ("$5,000", "50", "100")
    assert at.slider(key=KEYS.assumption("close_rate")).value == 50.0
    assert month_goal(at) == "100"


@pytest.fixture
def statements(monkeypatch):
    """The names of the SQL statements the page runs from the time the fixture is set up."""
    return count_statements(monkeypatch)


def test_slider_rerun_does_not_query_the_data_again(statements, at):
    # the first visit read the sample through the counted door (so a re-run query would show up below)
    assert {"marketing/monthly_actuals", "marketing/daily_marketing_leads"} <= set(statements)
    statements.clear()
    at.slider(key=KEYS.assumption("quota")).set_value(300_000.0).run()
    assert targets(at)[0] == "$210,000"
    at.slider(key=KEYS.assumption("close_rate")).set_value(10.0).run()
    assert targets(at)[2] == "140"  # 210,000 ÷ 15,000 = 14 customers ÷ 10 %
    assert statements == []


def test_monthly_table_and_goal_line_hand_computed(small):
    open_section(small, KEYS.exact_values_open)
    table = monthly_table(small)
    # two marketing customers (fewer than 20): a month is mature 90 days after it ends, so none is yet
    no_curve = "no mature month to learn from yet"
    assert table.loc["2024-01"].tolist() == ["3", "2", "66.67 % so far", no_curve, "$2,000", "33.3 %", "17.0 days",
                                             "maturing"]
    assert table.loc["2024-02"].tolist() == ["2", "0", "0.00 % so far", no_curve, "n/a", "100.0 %", "26.0 days",
                                             "maturing"]
    assert table.loc["2024-03"].tolist() == ["4", "0", "0.00 % so far", no_curve, "n/a", "n/a", "n/a", "in progress"]
    assert "No month is mature yet" in text(small.caption)
    for key, shown in (("quota", 5000.0), ("marketing_share", 100.0), ("avg_deal_size", 100.0), ("close_rate", 50.0)):
        small.slider(key=KEYS.assumption(key)).set_value(shown).run()
    # March, as of day 10 of 31: goal to date 100 × 10 / 31 = 32.3, four leads → 12 %, projection 4 × 31 / 10 = 12.4
    assert metric(small, "Actual to date (leads)") == "4"
    assert goal_to_date(small) == "32"
    assert metric(small, "Attainment") == "12 %"
    assert metric(small, "Projection (leads)") == "12"
    assert on_track(small) == ("Behind the goal line", "RED")


@pytest.fixture
def aged():
    """The ten-lead export seen three months later (a sales lead on 15 Jun): January and February are mature by
    then (90 days after they ended: two marketing customers are fewer than 20), March is still maturing."""
    later = small_export() + "11,2024-06-15 10:00,Outbound,Intern,,\n"
    return app_with_upload("small_later.csv", later.encode(), PAGE)


@pytest.fixture
def matured():
    """maturity_fixture's export (Jan, Mar, Apr mature; Feb without leads; May maturing; June in progress)."""
    return app_with_upload("matured.csv", maturity_export().encode(), PAGE)


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


def test_a_link_reopens_the_same_what_if_view():
    app = new_app()
    for key, value in {**WORKED_EXAMPLE, "quota": 8000}.items():
        app.query_params[key] = str(value)
    app.run()
    assert not app.exception
    assert app.slider(key=KEYS.assumption("quota")).value == 8000.0
    assert app.slider(key=KEYS.assumption("close_rate")).value == 50.0
    assert targets(app) == ("$8,000", "80", "160")
    app.slider(key=KEYS.assumption("avg_deal_size")).set_value(200.0).run()
    assert (app.query_params["avg_deal_size"], app.query_params["quota"]) == ("200", "8000")  # the URL follows


def test_bad_link_parameters_warn_and_keep_the_defaults():
    app = new_app()
    app.query_params["close_rate"] = "lots"
    app.query_params["quota"] = "-5"
    app.query_params["utm_source"] = "mail"
    app.query_params["month"] = "2024-13"
    app.run()
    assert not app.exception
    warnings = text(app.warning)
    assert "close_rate" in warnings and "not a number" in warnings
    assert "quota" in warnings and "utm_source" in warnings and "month" in warnings
    assert app.slider(key=KEYS.assumption("close_rate")).value == 5.0
    assert app.slider(key=KEYS.assumption("quota")).value == 200_000.0
    assert targets(app) == ("$140,000", "10", "200")


def test_read_only_view_shows_the_assumptions_as_values_and_hides_use_my_actuals(at):
    workspace_of(at).read_only = True
    workspace_of(at).assumptions = Assumptions(quota=300_000, catch_up_months=2)
    at.run()  # a shared view is read-only from its first run
    page = text(at.markdown)
    assert "Read-only shared view: the assumptions are fixed by whoever shared it" in page
    assert "Move an assumption" not in page
    assert ("| Sales quota | Marketing share of revenue | Average deal size | Close rate | Catch-up spread |\n"
            "|---|---:|---:|---:|---:|\n| $300,000 | 70.0 % | $15,000 | 5.00 % | 2 months |") in page
    assert not at.slider and not at.number_input
    assert at.expander[0].label == "The monthly recalculation"
    open_section(at, KEYS.exact_values_open)
    assert not at.number_input and not [b for b in at.button if b.key == KEYS.use_actuals]
    assert monthly_table(at).loc["2025-01", "Marketing leads"] == "101"  # the recalculation stays readable
    assert targets(at) == ("$210,000", "14", "280")
    assert metric(at, "Catch-up goal") == "716"  # the plan is shown, its spread as a value, not a control
    assert not [r for r in at.radio if r.key == KEYS.assumption("catch_up_months")]


def test_tier_goals_and_value_mode(small):
    for key, shown in (("quota", 5000.0), ("marketing_share", 100.0), ("avg_deal_size", 100.0), ("close_rate", 50.0)):
        small.slider(key=KEYS.assumption(key)).set_value(shown).run()
    tiers = tier_goals(small)
    # default shares 40/30/20/10 % of 5,000 at deal 100 and close 50 %: 20/15/10/5 customers → 40/30/20/10 leads
    assert tiers["Leads needed"].tolist() == ["40", "30", "20", "10"]
    # March leads by title: CTO (executive), IT Manager (manager), Engineer and no title (other)
    assert tiers["Leads to date"].tolist() == ["1", "0", "1", "2"]
    small.radio(key=KEYS.goal_view).set_value("executive").run()
    assert month_goal(small, "executive leads") == "40"
    small.radio(key=KEYS.goal_view).set_value("Lead value (value mode)").run()
    # value per lead 50 % × 100 = 50 for every tier: value goal 100 leads × 50, March value to date 4 × 50
    assert month_goal(small, "lead value") == "$5,000"
    assert metric(small, "Actual to date (lead value)") == "$200"
    assert goal_to_date(small, "lead value") == "$1,613"  # $5,000 × 10 / 31 days


def test_value_mode_what_ifs_never_query_the_data_again(small, statements):
    small.radio(key=KEYS.goal_view).set_value("Lead value (value mode)").run()
    statements.clear()
    for rate in (10.0, 20.0, 40.0):  # each close rate gives other values per lead, so another series and chart
        small.slider(key=KEYS.assumption("close_rate")).set_value(rate).run()
        assert not small.exception
    assert statements == []  # their results fill the session's cache without pushing out the queried data
    # every tier at 40 % × $15,000 = $6,000 a lead; March has four marketing leads so far
    assert metric(small, "Actual to date (lead value)") == "$24,000"


def open_tiers(app) -> None:
    open_section(app, KEYS.tiers_open)


def test_tier_editors_are_built_only_while_their_section_is_open(aged):
    assert not [b for b in aged.button if b.key == KEYS.use_tier_actuals]
    assert KEYS.tier_table() not in aged.session_state and KEYS.tier_rules() not in aged.session_state
    before = tier_goals(aged)  # the tier goals come from the same tiers, open or closed
    open_tiers(aged)
    assert [b for b in aged.button if b.key == KEYS.use_tier_actuals]
    assert KEYS.tier_table() in aged.session_state and KEYS.tier_rules() in aged.session_state
    assert tier_goals(aged).equals(before)
    aged.session_state[KEYS.tiers_open] = False
    aged.run()
    assert not [b for b in aged.button if b.key == KEYS.use_tier_actuals]


def _edit(app, key: str, rows: dict) -> None:
    """Edit cells of a data editor the way the browser reports them."""
    app.session_state[key] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}
    app.run()
    assert not app.exception


def test_editing_the_tier_table_changes_tier_goals(small):
    for key, shown in (("quota", 5000.0), ("marketing_share", 100.0), ("avg_deal_size", 100.0), ("close_rate", 50.0)):
        small.slider(key=KEYS.assumption(key)).set_value(shown).run()
    assert workspace_of(small).tiers is None  # untouched, the default tiers follow the sliders
    open_tiers(small)
    _edit(small, KEYS.tier_table(), {0: {"Share of goal (%)": 70.0}, 3: {"Share of goal (%)": 20.0}})
    assert "tier shares must add up to 100 % (they add up to 140.0%)" in text(small.error)
    _edit(small, KEYS.tier_table(), {0: {"Share of goal (%)": 70.0, "Value per lead ($)": 100.0},
                                  2: {"Share of goal (%)": 0.0}, 3: {"Share of goal (%)": 0.0}})
    assert not small.error
    tiers = tier_goals(small)
    # executive: 70 % of 5,000 = 3,500 → 35 customers → 70 leads; value 70 × 100
    assert tiers.loc["executive", ["Leads needed", "Value goal"]].tolist() == ["70", "$7,000"]
    assert tiers["Leads needed"].tolist() == ["70", "30", "0", "0"]
    assert workspace_of(small).tiers[0].share == 0.7


def test_editing_title_rules_moves_leads_between_tiers(small):
    # "Engineer" becomes a manager title: March's other tier loses one lead to managers
    open_tiers(small)
    _edit(small, KEYS.tier_rules(), {2: {"Job title keywords (comma-separated)": "Manager, Lead, Engineer"}})
    tiers = tier_goals(small)
    assert tiers.loc["manager", "Leads to date"] == "2" and tiers.loc["other", "Leads to date"] == "1"
    assert workspace_of(small).tier_rules[2].keywords == ("Manager", "Lead", "Engineer")


def test_without_data_the_targets_still_work(at):
    workspace_of(at).dataset = None
    at.run()
    assert not at.exception
    assert "No leads loaded yet" in text(at.info)
    at.slider(key=KEYS.assumption("close_rate")).set_value(10.0).run()
    assert targets(at) == ("$140,000", "10", "100")
    assert not [b for b in at.button if b.key == KEYS.use_actuals]


def test_data_without_marketing_leads_says_so():
    app = new_app()
    app.run()
    app.switch_page("pages/data.py").run()
    export = "lead_id,created_at,source\n1,2024-01-03 10:00,Outbound\n2,2024-01-04 10:00,Outbound\n"
    app.file_uploader(key="leads_file").upload("sales_only.csv", export.encode(), "text/csv")
    app.button[0].click()
    app.run()
    app.switch_page(PAGE).run()
    assert not app.exception
    assert "no marketing leads or customers" in text(app.info)
    assert targets(app) == ("$140,000", "10", "200")


def test_use_my_actuals_for_the_tiers(aged):
    # Jan + Feb marketing leads: executives CEO (won 1,000) and VP; director (won 3,000); a manager; an engineer
    open_tiers(aged)
    aged.button(key=KEYS.use_tier_actuals).click().run()
    assert not aged.exception and not aged.error
    tiers = {t.name: t for t in workspace_of(aged).tiers}
    executive = tiers["executive"]
    assert (executive.share, executive.avg_deal_size, executive.close_rate) == (0.25, 1000, 0.5)
    assert (tiers["director"].share, tiers["director"].avg_deal_size, tiers["director"].close_rate) == (0.75, 3000, 1.0)
    # no customer among managers: their share is 0 and their rates stay the overall ones
    assert (tiers["manager"].share, tiers["manager"].avg_deal_size, tiers["manager"].close_rate) == (0.0, 15000, 0.05)
    goals = tier_goals(aged)
    # 140,000 × 25 % ÷ 1,000 = 35 customers ÷ 50 % = 70 leads; × 75 % ÷ 3,000 = 35 ÷ 100 % = 35 leads
    assert goals["Leads needed"].tolist() == ["70", "35", "0", "0"]


def test_flipping_to_a_past_month(small):
    for key, shown in (("quota", 5000.0), ("marketing_share", 100.0), ("avg_deal_size", 100.0), ("close_rate", 50.0)):
        small.slider(key=KEYS.assumption(key)).set_value(shown).run()
    small.select_slider(key=KEYS.goal_month).set_value(date(2024, 1, 1)).run()
    assert not small.exception
    # January is over: the whole month counts, three marketing leads against the full goal of 100
    assert (metric(small, "Actual to date (leads)"), goal_to_date(small)) == ("3", "100")
    assert (metric(small, "Attainment"), metric(small, "Projection (leads)")) == ("3 %", "3")
    assert small.query_params["month"] == "2024-01"


def test_without_a_goal_attainment_is_n_a_and_the_month_owes_nothing(at):
    open_section(at, KEYS.exact_values_open)
    at.number_input(key=KEYS.exact("quota")).set_value(0.0).run()
    assert not at.exception
    assert month_goal(at) == "0"
    assert metric(at, "Attainment") == "n/a"
    # the marketing verdict of every surface: with nothing needed, the month in progress is on track
    assert on_track(at) == ("On track", "GREEN")
    assert "0 needed in January 2025" in attainment_help(at)


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


def worked_example(app) -> None:
    for key, shown in (("quota", 5000.0), ("marketing_share", 100.0), ("avg_deal_size", 100.0), ("close_rate", 50.0)):
        app.slider(key=KEYS.assumption(key)).set_value(shown).run()


def test_the_page_opens_on_the_latest_month_with_marketing_leads():
    # the ten leads and a customer date in April: the as-of month (April) has no marketing lead
    late = small_export().replace("9,2024-03-05 10:00,Paid Search,,,",
                                  "9,2024-03-05 10:00,Paid Search,,2024-04-15 09:00,500")
    app = app_with_upload("late_close.csv", late.encode(), PAGE)
    month = app.select_slider(key=KEYS.goal_month)
    assert month.value == date(2024, 3, 1) and app.query_params["month"] == "2024-03"
    assert month.options[-2:] == ["Mar 2024", "Apr 2024 (in progress)"]
    assert "March 2024 is over: all 31 days count." in text(app.markdown)
    worked_example(app)
    # March is complete: its 4 marketing leads missed the 100 needed, whatever the pace
    assert on_track(app) == ("Missed", "RED")
    assert "missed: 4 marketing leads in March 2024, 100 needed (96 short)" in attainment_help(app)
    app.select_slider(key=KEYS.goal_month).set_value(date(2024, 4, 1)).run()
    assert "April 2024 is in progress: as of day 15 of 30." in text(app.markdown)
    assert app.query_params["month"] == "2024-04"


def test_the_month_in_progress_is_labelled_and_judged_on_its_pace(small):
    month = small.select_slider(key=KEYS.goal_month)
    assert month.value == date(2024, 3, 1)
    assert month.options == ["Jan 2024", "Feb 2024", "Mar 2024 (in progress)"]
    worked_example(small)
    assert on_track(small) == ("Behind the goal line", "RED")  # 4 leads by day 10, 32.3 expected: never "missed"
    small.select_slider(key=KEYS.goal_month).set_value(date(2024, 2, 1)).run()
    assert on_track(small) == ("Missed", "RED")


def test_catch_up_after_a_missed_month(small):
    worked_example(small)
    # 100 leads needed: January's 3 leave 97 outstanding, February's 2 → 195; March asks for 100 + 195
    assert (metric(small, "Leads outstanding"), metric(small, "Revenue at risk"), metric(small, "Catch-up goal")) == (
        "195", "$9,750", "295")  # 195 × 50 % × $100
    assert badge(small, "Catch-up goal", "+195 on top of") == "100"
    assert "Catch-up plan for March 2024" in text(small.markdown)
    spread = small.radio(key=KEYS.assumption("catch_up_months"))
    assert spread.options == ["1 month", "2 months", "3 months"]
    spread.set_value(2).run()
    assert metric(small, "Catch-up goal") == "198"  # 100 + ceil(195 ÷ 2)
    assert small.query_params["catch_up_months"] == "2"
    catch_up = [r for r in chart_rows(small, "March 2024: goal line and catch-up goal") if r.get("series")]
    assert [r["leads"] for r in catch_up if r["series"] == "Catch-up goal (cumulative)"][-1] == pytest.approx(198)
    small.select_slider(key=KEYS.goal_month).set_value(date(2024, 1, 1)).run()
    assert not [m for m in small.metric if m.label == "Catch-up goal"]  # nothing outstanding before January


def test_a_link_carries_the_catch_up_spread():
    app = new_app()
    for key, value in {**WORKED_EXAMPLE, "quota": 30_000, "catch_up_months": 3}.items():
        app.query_params[key] = str(value)
    app.run()
    assert not app.exception
    # the sample, 600 leads needed a month: 12 months of 2,488 leads in all leave 7,200 − 2,488 = 4,712 outstanding
    assert app.radio(key=KEYS.assumption("catch_up_months")).value == 3
    assert metric(app, "Leads outstanding") == "4,712" and metric(app, "Catch-up goal") == "2,171"  # 600 + 1,571


def test_tier_names_from_the_data_are_shown_as_text_not_markdown():
    tier = "**VIP**_[x](https://e.vil)"
    export = f"lead_id,created_at,source,tier\n1,2024-03-02 10:00,Web,{tier}\n2,2024-03-03 10:00,Web,other\n"
    app = app_with_upload("tiers.csv", export.encode(), PAGE)
    escaped = r"\*\*vip\*\*\_\[x\]\(https\://e\.vil\)"  # the tier column is read in lower case
    goal_for = app.radio(key=KEYS.goal_view)
    assert escaped in goal_for.options and tier.lower() not in goal_for.options
    goal_for.set_value(tier.lower()).run()
    assert not app.exception
    assert metric(app, f"Actual to date ({escaped} leads)") == "1"
    assert [m.label for m in app.metric if m.label.startswith("Projection")] == [f"Projection ({escaped} leads)"]
    assert escaped in next(m.value for m in app.markdown if "Tier goals for the chosen month" in m.value)
