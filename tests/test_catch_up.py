"""The plan when goals are missed (SPEC 8b): the deficit, the catch-up goal, the report key, sales' list, by hand."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest
from marketing_fixture import WORKED_EXAMPLE, small_export

from sla_core import report
from sla_core.assumptions import Assumptions
from sla_core.db import open_session_db
from sla_core.ingest import load as ingest
from sla_core.ingest.mapping import Mapping
from sla_core.marketing import catch_up, charts
from sla_core.marketing.goal_line import goal_line
from sla_core.marketing.targets import Targets
from sla_core.sales.goal_rules import GoalRule, GoalRules

ROOT = Path(__file__).resolve().parent.parent
SPEC_8B = Assumptions(quota=32_500, marketing_share=1.0, avg_deal_size=100, close_rate=0.5)  # 325 customers → 650 leads
ARTICLE = Assumptions(quota=5000, marketing_share=1.0, avg_deal_size=100, close_rate=0.5)  # 50 customers → 100 leads


def months(*leads: tuple[date, int, bool]) -> list[dict]:
    return [{"month": m, "marketing_leads": n, "complete": done} for m, n, done in leads]


def test_the_specs_worked_example():
    rows = months((date(2023, 12, 1), 0, True),  # before the first month with marketing leads: not counted
                  (date(2024, 1, 1), 551, True), (date(2024, 2, 1), 633, True), (date(2024, 3, 1), 120, False))
    plan = catch_up.catch_up_plan(rows, date(2024, 3, 1), SPEC_8B, spread_months=2)
    assert [(m.month, m.deficit) for m in plan.run] == [(date(2024, 1, 1), 99), (date(2024, 2, 1), 116)]
    assert (plan.leads_needed, plan.deficit_leads, plan.goal_leads) == (650, 116, 708)  # 650 + ceil(116 / 2)
    assert plan.extra_leads == 58 and plan.deficit_through == date(2024, 2, 1)
    assert plan.revenue_at_risk == pytest.approx(116 * 0.5 * 100)
    assert plan.as_dict() == {"deficit_leads": 116, "spread_months": 2, "goal_leads": 708, "revenue_at_risk": 5800}
    april = catch_up.catch_up_plan(rows, date(2024, 4, 1), SPEC_8B, spread_months=2)
    assert april.deficit_leads == 116  # March is in progress: it adds nothing until it ends


# Leads needed 100: Jan 70 → D 30; Feb 80 → D 50; Mar 130 → D 20; Apr 150 → D 0 (over-delivery, never −30);
# May 90 → D 10. Month N's goal = 100 + ceil(D(N−1) ÷ k).
RUN = months((date(2024, 1, 1), 70, True), (date(2024, 2, 1), 80, True), (date(2024, 3, 1), 130, True),
             (date(2024, 4, 1), 150, True), (date(2024, 5, 1), 90, True))
DEFICIT_BEFORE = {date(2024, 1, 1): 0, date(2024, 2, 1): 30, date(2024, 3, 1): 50, date(2024, 4, 1): 20,
                  date(2024, 5, 1): 0, date(2024, 6, 1): 10}
GOALS = {  # k → goal of Jan … Jun
    1: [100, 130, 150, 120, 100, 110],
    2: [100, 115, 125, 110, 100, 105],
    3: [100, 110, 117, 107, 100, 104],
}


@pytest.mark.parametrize("k", [1, 2, 3])
def test_spreads_one_two_and_three_months_by_hand(k):
    plans = [catch_up.catch_up_plan(RUN, month, ARTICLE, k) for month in DEFICIT_BEFORE]
    assert [p.deficit_leads for p in plans] == list(DEFICIT_BEFORE.values())
    assert [p.goal_leads for p in plans] == GOALS[k]
    assert [p.revenue_at_risk for p in plans] == [d * 0.5 * 100 for d in DEFICIT_BEFORE.values()]
    assert all(p.spread_months == k for p in plans)


def test_over_delivery_pays_back_but_never_goes_below_zero():
    run = catch_up.deficit_run(RUN, 100, date(2024, 6, 1))
    assert [m.deficit for m in run] == [30, 50, 20, 0, 10]


def test_a_month_without_leads_after_the_first_owes_the_whole_goal():
    rows = months((date(2024, 1, 1), 0, True), (date(2024, 2, 1), 100, True), (date(2024, 3, 1), 0, True))
    plan = catch_up.catch_up_plan(rows, date(2024, 4, 1), ARTICLE)
    assert [m.month for m in plan.run] == [date(2024, 2, 1), date(2024, 3, 1)]
    assert (plan.deficit_leads, plan.goal_leads) == (100, 200)


def test_no_complete_month_yet_keeps_the_usual_goal():
    plan = catch_up.catch_up_plan(months((date(2024, 3, 1), 40, False)), date(2024, 3, 1), ARTICLE, 3)
    assert (plan.run, plan.deficit_leads, plan.goal_leads, plan.revenue_at_risk) == ((), 0, 100, 0)
    assert plan.deficit_through is None


def test_a_monthly_actuals_frame_gives_the_same_plan():
    frame = pd.DataFrame(RUN)
    assert catch_up.catch_up_plan(frame, date(2024, 3, 1), ARTICLE, 2) == catch_up.catch_up_plan(
        RUN, date(2024, 3, 1), ARTICLE, 2)


@pytest.mark.parametrize("bad", [0, 4, 1.5, True, "2"])
def test_the_spread_is_one_to_three_months(bad):
    with pytest.raises(ValueError, match="catch_up_months must be 1, 2 or 3"):
        catch_up.catch_up_plan(RUN, date(2024, 3, 1), ARTICLE, bad)


def test_no_lead_target_gives_na(monkeypatch):
    monkeypatch.setattr(catch_up, "compute_targets", lambda a: Targets(0.0, None, None))
    plan = catch_up.catch_up_plan(RUN, date(2024, 3, 1), ARTICLE)
    assert plan.as_dict() == {"deficit_leads": None, "spread_months": 1, "goal_leads": None, "revenue_at_risk": None}
    assert plan.extra_leads is None


def test_chart_draws_the_goal_and_the_dashed_catch_up_goal_over_the_month():
    plan = catch_up.catch_up_plan(RUN, date(2024, 3, 1), ARTICLE, 2)  # goal 100, catch-up 125
    spec = charts.catch_up_chart(plan).to_dict()
    (rows,) = spec["datasets"].values()
    goal = [r["leads"] for r in rows if r["series"] == "Goal (cumulative)"]
    catch = [r["leads"] for r in rows if r["series"] == "Catch-up goal (cumulative)"]
    assert goal == pytest.approx([100 * d / 31 for d in range(1, 32)])
    assert catch == pytest.approx([125 * d / 31 for d in range(1, 32)])
    dash = spec["layer"][0]["encoding"]["strokeDash"]
    assert dash["scale"] == {"domain": ["Goal (cumulative)", "Catch-up goal (cumulative)"], "range": [[1, 0], [6, 3]]}
    assert "+25 leads, 2-month catch-up" in spec["title"]


def test_chart_adds_the_months_actual_when_it_has_started():
    plan = catch_up.catch_up_plan(RUN, date(2024, 6, 1), ARTICLE)
    line = goal_line({date(2024, 6, 2): 3, date(2024, 6, 3): 4}, date(2024, 6, 1), 100,
                     datetime(2024, 6, 3, 12, tzinfo=UTC), tz="UTC")
    spec = charts.catch_up_chart(plan, line).to_dict()
    bars = [layer for layer in spec["layer"] if layer["mark"]["type"] == "bar"]
    (actual,) = [spec["datasets"][layer["data"]["name"]] for layer in bars]
    assert [r["leads"] for r in actual] == [0, 3, 7]  # up to the as-of day


# --- the report key ------------------------------------------------------------------------------

def run(*args) -> dict:
    done = subprocess.run([sys.executable, "-m", "sla_core", "report", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def files(tmp_path) -> tuple[Path, Path]:
    leads, assumptions = tmp_path / "leads.csv", tmp_path / "assumptions.json"
    leads.write_text(small_export())
    assumptions.write_text(json.dumps(WORKED_EXAMPLE))
    return leads, assumptions


def test_report_catch_up_key(files):
    # marketing_fixture: 100 leads needed; Jan 3 marketing leads → D 97, Feb 2 → D 195; March is in progress
    leads, assumptions = files
    march = run("--leads", leads, "--assumptions", assumptions, "--month", "2024-03")
    assert march["catch_up"] == {"deficit_leads": 195, "spread_months": 1, "goal_leads": 295,
                                 "revenue_at_risk": 9750}
    assert run("--leads", leads, "--assumptions", assumptions, "--month", "2024-02")["catch_up"] == {
        "deficit_leads": 97, "spread_months": 1, "goal_leads": 197, "revenue_at_risk": 4850}
    assert run("--leads", leads, "--assumptions", assumptions, "--month", "2024-01")["catch_up"] == {
        "deficit_leads": 0, "spread_months": 1, "goal_leads": 100, "revenue_at_risk": 0}


def test_report_catch_up_key_with_a_spread(files, tmp_path):
    leads, _ = files
    con = open_session_db(tmp_path / "session", readable=(leads.parent,))
    dataset = ingest.load(con, ingest.UploadSet(leads=ingest.Upload(leads.name, leads)), Mapping(),
                          ingest.ReadOptions(), tmp_path / "work")
    request = report.ReportRequest(date(2024, 4, 1), Assumptions.from_dict({**WORKED_EXAMPLE, "catch_up_months": 2}))
    out = report.build(con, dataset, request)
    con.close()
    # April: March still in progress on 10 March adds nothing; 100 + ceil(195 ÷ 2)
    assert out["catch_up"] == {"deficit_leads": 195, "spread_months": 2, "goal_leads": 198, "revenue_at_risk": 9750}


# --- sales' mirror: the leads to work first --------------------------------------------------------

def lead(lead_id, owner, handed, touched=None, attempts=0):
    return {"lead_id": lead_id, "created_at": "2024-01-01T00:00:00Z", "handed_at": handed, "owner": owner,
            "first_touch_at": touched, "attempts": attempts}


WORK_LEADS = [
    lead("W1", "Ann", "2024-03-04T10:00:00Z"),  # untouched: on the list
    lead("W2", "Ann", "2024-03-05T10:00:00Z", "2024-03-05T15:00:00Z", 1),  # answered late: not untouched
    lead("W3", "Bob", "2024-03-06T10:00:00Z"),
    lead("W4", "Ann", "2024-03-03T09:00:00Z"),
    lead("W5", "Bob", "2024-03-31T23:30:00Z"),  # its goal window is still open at the as-of time
    lead("W6", "Cy", "2024-03-07T10:00:00Z", "2024-03-07T10:30:00Z", 1),  # below the depth goal, but reached
    lead("W7", "Ann", "2024-02-28T10:00:00Z"),  # February
    lead("W8", "Bob", "2024-03-20T10:00:00Z", "2024-04-02T10:00:00Z", 1),  # touched after the as-of time
    lead("W9", "Bob", "2024-03-21T10:00:00Z"),
]


def test_sales_work_first_lists_the_leads_untouched_past_the_goal(make_leads):
    con = make_leads(WORK_LEADS)
    a = Assumptions(speed_goal_hours=1, depth_goal_attempts=6)
    work = catch_up.work_first(con, date(2024, 3, 1), a, datetime(2024, 4, 1, tzinfo=UTC), "UTC")
    assert list(work.leads["lead_id"]) == ["W4", "W1", "W3", "W8", "W9"]  # oldest hand-off first
    assert work.by_rep == (("Bob", 3), ("Ann", 2)) and work.total == 5
    assert set(work.leads["speed_status"]) == {"missed"} and "total" not in work.leads.columns
    empty = catch_up.work_first(con, date(2024, 3, 1), a, None, "UTC")
    assert (empty.total, empty.by_rep) == (0, ())


def test_sales_work_first_holds_each_lead_to_its_own_speed_goal(make_leads):
    """W9 (Events) waited 254 h by 1 April, within its rule's 300 h; W3 (Germany) 614 h, past its 600 h: only W9
    leaves the list."""
    leads = [{**row, "source": "Events"} if row["lead_id"] == "W9" else
             {**row, "region": "Germany"} if row["lead_id"] == "W3" else row for row in WORK_LEADS]
    rules = GoalRules((GoalRule("source", "Events", speed_goal_hours=300), GoalRule("region", "Germany", 600)))
    a = Assumptions(speed_goal_hours=1, depth_goal_attempts=6, goal_rules=rules)
    work = catch_up.work_first(make_leads(leads), date(2024, 3, 1), a, datetime(2024, 4, 1, tzinfo=UTC), "UTC")
    assert list(work.leads["lead_id"]) == ["W4", "W1", "W3", "W8"]
    assert work.by_rep == (("Ann", 2), ("Bob", 2)) and work.own_goals
    assert work.goal_words == "their own speed goal (1 h unless a goal rule sets another)"
    assert list(work.leads["speed_goal_hours"]) == [1.0, 1.0, 600.0, 1.0]
