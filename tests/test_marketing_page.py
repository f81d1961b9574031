"""The Marketing SLA page through AppTest: sliders move the targets, actuals fill them, links reopen them."""
from __future__ import annotations

import pytest
from apptest_support import app_with_upload, count_statements, metric, new_app, open_section, workspace_of
from apptest_support import shown as text
from marketing_fixture import WORKED_EXAMPLE
from marketing_page_support import (
    PAGE,
    aged_app,
    goal_to_date,
    month_goal,
    monthly_table,
    on_track,
    sample_app,
    small_app,
    targets,
    tier_goals,
)

from pages.common.ui import KEYS
from sla_core.assumptions import Assumptions


@pytest.fixture
def at():
    """The sample export on the default page (the Marketing SLA)."""
    return sample_app()


@pytest.fixture
def small():
    """The hand-computed ten-lead export loaded through the Data page, then the Marketing SLA page."""
    return small_app()


@pytest.fixture
def aged():
    """The ten-lead export three months later (``marketing_page_support.aged_app``)."""
    return aged_app()


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
    cols = ["Marketing leads", "Customers from them", "Close rate", "Projected close rate", "Avg deal size",
            "Marketing share of revenue", "Avg sales cycle", "Status"]  # a column added later has its own case
    assert table.loc["2024-01", cols].tolist() == ["3", "2", "66.67 % so far", no_curve, "$2,000", "33.3 %",
                                                   "17.0 days", "maturing"]
    assert table.loc["2024-02", cols].tolist() == ["2", "0", "0.00 % so far", no_curve, "n/a", "100.0 %",
                                                   "26.0 days", "maturing"]
    assert table.loc["2024-03", cols].tolist() == ["4", "0", "0.00 % so far", no_curve, "n/a", "n/a", "n/a",
                                                   "in progress"]
    assert "No month is mature yet" in text(small.caption)
    for key, shown in (("quota", 5000.0), ("marketing_share", 100.0), ("avg_deal_size", 100.0), ("close_rate", 50.0)):
        small.slider(key=KEYS.assumption(key)).set_value(shown).run()
    # March, as of day 10 of 31: goal to date 100 × 10 / 31 = 32.3, four leads → 12 %, projection 4 × 31 / 10 = 12.4
    assert metric(small, "Actual to date (leads)") == "4"
    assert goal_to_date(small) == "32"
    assert metric(small, "Attainment") == "12 %"
    assert metric(small, "Projection (leads)") == "12"
    assert on_track(small) == ("Behind the goal line", "RED")


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
    assert ("| Assumption | Value |\n|---|---:|\n| Sales quota | $300,000 |\n| Marketing share of revenue | 70.0 % |\n"
            "| Average deal size | $15,000 |\n| Close rate | 5.00 % |\n| Catch-up spread | 2 months |") in page
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
    note = text(small.markdown)
    assert "Value goal for the month: $5,000" in note and "the marketing revenue goal of $5,000" in note
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
