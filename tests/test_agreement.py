"""The written agreement: live numbers in the two-column layout, every section, user text escaped."""
from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

import pandas as pd

from sla_core.assumptions import Assumptions
from sla_core.health import agreement
from sla_core.marketing import catch_up

WORKED = Assumptions(quota=5000, marketing_share=1.0, avg_deal_size=100, close_rate=0.5, speed_goal_hours=1,
                     depth_goal_attempts=6, speed_target_share=0.8)
STATUS = agreement.LiveStatus(date(2024, 3, 1), "2024-03-15 12:00 UTC", 0.9, 0.75, None, 1, 3)
PAYLOAD = '<script>alert(1)</script> | [x](javascript:alert(1)) & "quotes"'


DEFAULT_TEXT = agreement.AgreementText()


def _sections(text=DEFAULT_TEXT):
    return agreement.draft(WORKED, STATUS, text)


def test_sections_in_order_with_the_worked_example_numbers():
    sections = _sections()
    assert tuple(s.title for s in sections) == agreement.SECTION_TITLES
    summary = sections[0].full
    # SPEC 2 worked example: quota 5,000, deal 100, close 50 %, all from marketing → 50 customers → 100 leads
    assert "$5,000" in summary and "50 customers" in summary and "100 marketing leads" in summary
    assert "marketing attainment 90%" in summary and "75% of leads followed up within 1 h" in summary
    assert "n/a of unconnected leads" in summary  # depth n/a stays n/a, never 0 %
    goals = sections[1]
    assert "Deliver 100 marketing-qualified leads in March 2024" in goals.marketing
    assert "80% of handed-over leads within 1 h" in goals.sales and "at least 6 attempts" in goals.sales
    assert "missed 1 and sales 3 complete month(s) in a row" in sections[-1].full


def test_written_parts_fill_the_columns_and_placeholders_show_what_is_missing():
    text = agreement.AgreementText().updated(marketing_contact="Ana Ruiz, CMO", sales_plan="Daily stand-up")
    by_title = {s.title: s for s in _sections(text)}
    assert by_title["Points of contact"].marketing == "Ana Ruiz, CMO"
    assert by_title["Points of contact"].sales == "(name, role, email)"
    assert by_title["Plan when goals are missed"].sales == "Daily stand-up"


def test_markdown_is_two_columns_and_escapes_user_text():
    text = agreement.AgreementText().updated(marketing_contact=PAYLOAD, sales_contact="line one\nline two")
    md = agreement.to_markdown("SLA <b>", _sections(text))
    assert md.startswith("# SLA &lt;b&gt;")
    assert md.count("| Marketing | Sales |") == 4
    assert "<script>" not in md and "&lt;script&gt;" in md and "\\|" in md
    assert "line one<br>line two" in md
    for line in md.splitlines():  # every table row still has exactly two cells
        if line.startswith("| ") and "---" not in line:
            assert len(re.findall(r"(?<!\\)\|", line)) == 3


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_html_escapes_everything_and_keeps_the_layout():
    text = agreement.AgreementText().updated(sales_contact=PAYLOAD)
    page = agreement.html_document('Q1 "SLA" <img src=x onerror=alert(1)>', _sections(text))
    parser = _Collector()
    parser.feed(page)
    assert "script" not in parser.tags and "img" not in parser.tags
    assert PAYLOAD in "".join(parser.text)  # shown literally
    assert parser.tags.count("table") == 5  # four two-column sections and the signatures
    assert "@media print" in page


# --- the plan when goals are missed, with the live numbers (SPEC 8b) --------------------------------

SPEC_8B = Assumptions(quota=32_500, marketing_share=1.0, avg_deal_size=100, close_rate=0.5)  # 650 leads
SPEC_8B_MONTHS = [{"month": date(2024, 1, 1), "marketing_leads": 551, "complete": True},
                  {"month": date(2024, 2, 1), "marketing_leads": 633, "complete": True}]


def _work(by_rep: dict[str, int]) -> catch_up.WorkFirst:
    owners = [rep for rep, n in by_rep.items() for _ in range(n)]
    leads = pd.DataFrame({"lead_id": [str(i) for i in range(len(owners))], "owner": owners})
    return catch_up.WorkFirst(date(2024, 2, 1), 1.0, leads, tuple(by_rep.items()))


def test_marketing_plan_carries_the_deficit_and_the_catch_up_goal():
    plan = catch_up.catch_up_plan(SPEC_8B_MONTHS, date(2024, 3, 1), SPEC_8B, spread_months=2)
    marketing, sales = agreement.missed_goal_plan(plan)
    assert marketing.startswith("Marketing is 116 leads behind the goal after February 2024, about $5,800 of revenue "
                                "at risk. To catch up over 2 months, March 2024 asks for 708 leads: the usual 650 "
                                "plus 58 of the shortfall.")
    assert "over-delivery pays it back" in marketing
    assert sales == agreement.SALES_PLAN_RULE  # no miss to follow up: the rule alone


def test_marketing_plan_without_a_deficit_keeps_the_goal():
    ahead = [{"month": date(2024, 1, 1), "marketing_leads": 700, "complete": True}]
    marketing, _ = agreement.missed_goal_plan(catch_up.catch_up_plan(ahead, date(2024, 2, 1), SPEC_8B))
    assert marketing.startswith("Marketing owes no leads from past months through January 2024, so February 2024 "
                                "keeps its goal of 650 leads. A month that falls short adds its shortfall to the "
                                "goals that follow, spread over 1 month;")
    first, _ = agreement.missed_goal_plan(catch_up.catch_up_plan([], date(2024, 1, 1), SPEC_8B))
    assert first.startswith("Marketing owes no leads from past months, so January 2024 keeps its goal of 650")


def test_marketing_plan_without_a_lead_target_says_na():
    plan = catch_up.CatchUp(date(2024, 3, 1), None, 1, None, None, None)
    assert agreement.missed_goal_plan(plan)[0] == "The assumptions give no lead target, so March 2024 has no catch-up goal (n/a)."


def test_sales_plan_names_the_reps_with_leads_still_untouched():
    plan = catch_up.catch_up_plan(SPEC_8B_MONTHS, date(2024, 3, 1), SPEC_8B)
    _, sales = agreement.missed_goal_plan(plan, _work({"Bob": 3, "Ann": 2}))
    assert sales == ("5 lead(s) handed in February 2024 are still untouched past the 1 h speed goal (Bob 3, Ann 2). "
                     "Sales works them first, oldest hand-off first, before new leads.")
    _, many = agreement.missed_goal_plan(plan, _work({f"Rep {i}": 8 - i for i in range(7)}))
    assert "(Rep 0 8, Rep 1 7, Rep 2 6, Rep 3 5, Rep 4 4 and 2 more reps)" in many
    _, none = agreement.missed_goal_plan(plan, _work({}))
    assert none.startswith("No lead handed in February 2024 is still untouched past the 1 h speed goal.")


def test_plan_text_with_a_hostile_rep_name_is_escaped_in_the_documents():
    plan = catch_up.catch_up_plan(SPEC_8B_MONTHS, date(2024, 3, 1), SPEC_8B)
    marketing, sales = agreement.missed_goal_plan(plan, _work({"<script>x</script> | y": 1}))
    section = agreement.Section("Plan when goals are missed", marketing=marketing, sales=sales)
    md = agreement.to_markdown("SLA", [section])
    assert "<script>" not in md and "&lt;script&gt;x&lt;/script&gt; \\| y 1" in md
    assert "<script>" not in agreement.html_document("SLA", [section])
