"""The Marketing SLA page through AppTest: sliders move the targets, actuals fill them, links reopen them."""
from __future__ import annotations

import re

import pandas as pd
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
from streamlit.proto.Metric_pb2 import Metric as MetricProto

from pages.common.ui import KEYS

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
    assert table.loc["2024-01"].tolist() == ["3", "2", "66.67 %", "$2,000", "33.3 %", "17.0 days", "complete"]
    assert table.loc["2024-02"].tolist() == ["2", "0", "0.00 %", "n/a", "100.0 %", "26.0 days", "maturing"]
    assert table.loc["2024-03"].tolist() == ["4", "0", "0.00 %", "n/a", "n/a", "n/a", "in progress"]
    for key, shown in (("quota", 5000.0), ("marketing_share", 100.0), ("avg_deal_size", 100.0), ("close_rate", 50.0)):
        small.slider(key=KEYS.assumption(key)).set_value(shown).run()
    # March, as of day 10 of 31: goal to date 100 × 10 / 31 = 32.3, four leads → 12 %, projection 4 × 31 / 10 = 12.4
    assert metric(small, "Actual to date (leads)") == "4"
    assert goal_to_date(small) == "32"
    assert metric(small, "Attainment") == "12 %"
    assert metric(small, "Projection (leads)") == "12"
    assert on_track(small) == ("Behind the goal line", "RED")


def test_use_my_actuals_fills_the_pooled_rates_and_names_the_months(small):
    open_section(small, KEYS.exact_values_open)
    assert "Months used: Jan 2024, Feb 2024 (still maturing: Feb 2024)" in text(small.caption)
    small.button(key=KEYS.use_actuals).click().run()
    assert not small.exception
    assert small.slider(key=KEYS.assumption("close_rate")).value == 40.0
    assert small.slider(key=KEYS.assumption("avg_deal_size")).value == 2000.0
    assert small.slider(key=KEYS.assumption("marketing_share")).value == pytest.approx(200 / 3)
    # 200,000 × 2/3 = 133,333; ÷ 2,000 = 66.7 → 67 customers; ÷ 40 % = 167.5 → 168 leads
    assert targets(small) == ("$133,333", "67", "168")
    assert "Filled from Jan 2024, Feb 2024" in text(small.success)


def test_pooling_only_matured_months(small):
    open_section(small, KEYS.exact_values_open)
    small.checkbox(key=KEYS.pool_skip_maturing).check().run()
    assert "Months used: Jan 2024." in text(small.caption)
    small.button(key=KEYS.use_actuals).click().run()
    assert small.slider(key=KEYS.assumption("close_rate")).value == pytest.approx(200 / 3)  # January alone: 2 of 3 leads


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
    assert app.slider(key=KEYS.assumption("close_rate")).value == 5.0 and app.slider(key=KEYS.assumption("quota")).value == 200_000.0
    assert targets(app) == ("$140,000", "10", "200")


def test_read_only_view_disables_inputs_and_hides_use_my_actuals(at):
    workspace_of(at).read_only = True
    at.run()  # a shared view is read-only from its first run
    assert "Read-only shared view: the assumptions are fixed by whoever shared it" in text(at.markdown)
    assert at.expander[0].label == "Exact values and the monthly recalculation"
    open_section(at, KEYS.exact_values_open)
    assert all(at.slider(key=KEYS.assumption(k)).disabled for k in ("quota", "marketing_share", "avg_deal_size", "close_rate"))
    assert at.number_input(key=KEYS.exact("quota")).disabled
    assert not [b for b in at.button if b.key == KEYS.use_actuals]
    assert monthly_table(at).loc["2025-01", "Marketing leads"] == "101"  # the recalculation stays readable
    assert targets(at) == ("$140,000", "10", "200")


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


def test_tier_editors_are_built_only_while_their_section_is_open(small):
    assert not [b for b in small.button if b.key == KEYS.use_tier_actuals]
    assert KEYS.tier_table() not in small.session_state and KEYS.tier_rules() not in small.session_state
    before = tier_goals(small)  # the tier goals come from the same tiers, open or closed
    open_tiers(small)
    assert [b for b in small.button if b.key == KEYS.use_tier_actuals]
    assert KEYS.tier_table() in small.session_state and KEYS.tier_rules() in small.session_state
    assert tier_goals(small).equals(before)
    small.session_state[KEYS.tiers_open] = False
    small.run()
    assert not [b for b in small.button if b.key == KEYS.use_tier_actuals]


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


def test_use_my_actuals_for_the_tiers(small):
    # Jan + Feb marketing leads: executives CEO (won 1,000) and VP; director (won 3,000); a manager; an engineer
    open_tiers(small)
    small.button(key=KEYS.use_tier_actuals).click().run()
    assert not small.exception and not small.error
    tiers = {t.name: t for t in workspace_of(small).tiers}
    assert (tiers["executive"].share, tiers["executive"].avg_deal_size, tiers["executive"].close_rate) == (0.25, 1000, 0.5)
    assert (tiers["director"].share, tiers["director"].avg_deal_size, tiers["director"].close_rate) == (0.75, 3000, 1.0)
    # no customer among managers: their share is 0 and their rates stay the overall ones
    assert (tiers["manager"].share, tiers["manager"].avg_deal_size, tiers["manager"].close_rate) == (0.0, 15000, 0.05)
    goals = tier_goals(small)
    # 140,000 × 25 % ÷ 1,000 = 35 customers ÷ 50 % = 70 leads; × 75 % ÷ 3,000 = 35 ÷ 100 % = 35 leads
    assert goals["Leads needed"].tolist() == ["70", "35", "0", "0"]


def test_flipping_to_a_past_month(small):
    from datetime import date

    for key, shown in (("quota", 5000.0), ("marketing_share", 100.0), ("avg_deal_size", 100.0), ("close_rate", 50.0)):
        small.slider(key=KEYS.assumption(key)).set_value(shown).run()
    small.select_slider(key=KEYS.goal_month).set_value(date(2024, 1, 1)).run()
    assert not small.exception
    # January is over: the whole month counts, three marketing leads against the full goal of 100
    assert (metric(small, "Actual to date (leads)"), goal_to_date(small)) == ("3", "100")
    assert (metric(small, "Attainment"), metric(small, "Projection (leads)")) == ("3 %", "3")
    assert small.query_params["month"] == "2024-01"


def test_without_a_goal_attainment_is_n_a(at):
    open_section(at, KEYS.exact_values_open)
    at.number_input(key=KEYS.exact("quota")).set_value(0.0).run()
    assert not at.exception
    assert month_goal(at) == "0"
    assert metric(at, "Attainment") == "n/a"
    assert on_track(at) == ("n/a: no goal", "GRAY")


def test_exact_values_use_my_actuals_and_the_monthly_table_are_built_only_while_open(small):
    assert [e.label for e in small.expander][0] == "Exact values, use my actuals and the monthly recalculation"
    assert not small.number_input and not small.dataframe and not small.get("download_button")
    open_section(small, KEYS.exact_values_open)
    assert [d.key for d in small.get("download_button")] == [KEYS.download_monthly]
    assert list(monthly_table(small).index) == ["2024-03", "2024-02", "2024-01"]
    small.checkbox(key=KEYS.pool_skip_maturing).check().run()
    assert "Months used: Jan 2024." in text(small.caption)
    small.session_state[KEYS.exact_values_open] = False
    small.run()
    assert not small.number_input and not small.dataframe and "Months used" not in text(small.caption)
    open_section(small, KEYS.exact_values_open)
    assert small.checkbox(key=KEYS.pool_skip_maturing).value  # the choice outlives the closed section
    assert small.number_input(key=KEYS.pool_months).value == 3
    assert "Months used: Jan 2024." in text(small.caption)
