"""The written agreement: live numbers in the two-column layout, every section, user text escaped."""
from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

import pandas as pd

from sla_core.assumptions import Assumptions
from sla_core.health import agreement, headline
from sla_core.health.months import COMPLETE
from sla_core.health.verdicts import ALL_MEASURED, MonthFigures
from sla_core.marketing import catch_up
from sla_core.marketing.targets import default_tiers, tier_targets

WORKED = Assumptions(quota=5000, marketing_share=1.0, avg_deal_size=100, close_rate=0.5, speed_goal_hours=1,
                     depth_goal_attempts=6, speed_target_share=0.8)


def _month(m: int, leads: int, pct_within: float, not_connected: int = 0) -> MonthFigures:
    return MonthFigures(date(2024, m, 1), COMPLETE, None, leads, speed_handed=10, pct_within_goal=pct_within,
                        depth_handed=10, not_connected=not_connected, pct_at_goal=0.9 if not_connected else None)


# marketing meets January and February and misses March (90 of 100); sales misses speed all three months, and
# every lead handed in March was connected (depth has nothing to judge: n/a, never 0 %)
FIGURES = [_month(1, 120, 0.5, 4), _month(2, 120, 0.6, 4), _month(3, 90, 0.75)]
STATUS = agreement.LiveStatus.of(headline.headline(FIGURES, WORKED, ALL_MEASURED, date(2024, 3, 1)),
                                 "2024-03-15 12:00 UTC")
PAYLOAD = '<script>alert(1)</script> | [x](javascript:alert(1)) & "quotes"'
HOSTILE = "[x](http://evil.example/a) ![p](https://evil.example/p.png) <b>bold</b> www.evil.example a -> b &amp; it's"


DEFAULT_TEXT = agreement.AgreementText()


def _sections(text=DEFAULT_TEXT, a=WORKED, **extra):
    return agreement.draft(a, STATUS, text, **extra)


def test_sections_in_order_with_the_worked_example_numbers():
    sections = _sections()
    assert tuple(s.title for s in sections) == agreement.SECTION_TITLES
    summary = sections[0].full
    # SPEC 2 worked example: quota 5,000, deal 100, close 50 %, all from marketing → 50 customers → 100 leads
    assert "$5,000" in summary and "50 customers" in summary
    assert "at a lead-to-customer close rate of 50 % it takes 100 marketing leads a month." in summary
    # the month's standing in the Overview's own sentences (the same verdicts)
    assert "Marketing delivered 90 of 100 leads in March 2024 (10 short) — missed." in summary
    assert "75.0 % of due leads followed up within 1 h (target 80 %) — missed" in summary
    assert "depth: every lead handed in March 2024 was connected" in summary  # n/a stays n/a, never 0 %
    assert "0.0 %" not in summary
    goals = sections[1]
    assert "Deliver 100 marketing-qualified leads in March 2024" in goals.marketing
    assert "80 % of handed-over leads within 1 h" in goals.sales and "at least 6 attempts" in goals.sales
    assert "marketing has missed 1 complete month in a row, sales 3 complete months in a row" in sections[-1].full


def test_the_depth_goal_uses_the_depth_target_share():
    goals = _sections(a=WORKED.updated(depth_target_share=0.6))[1].sales
    assert "Follow up 80 % of handed-over leads within 1 h" in goals
    assert "at least 6 attempts on 60 % of the leads not yet connected" in goals


def test_tier_and_value_goals_when_tiers_are_on():
    tiers = tier_targets(WORKED, default_tiers(WORKED))  # 40/30/20/10 % of $5,000 at $100 and 50 %, $50 a lead
    goals = _sections(tiers=tiers)[1].marketing
    assert "By lead-quality tier: executive 40, director 30, manager 20 and other 10 leads." in goals
    assert "In lead value, a goal of $5,000 (each tier's leads needed × its value per lead)." in goals
    assert "By lead-quality tier" not in _sections()[1].marketing  # tiers off: the one lead goal


def test_written_parts_fill_the_columns_and_placeholders_show_what_is_missing():
    text = agreement.AgreementText().updated(marketing_contact="Ana Ruiz, CMO", sales_plan="Daily stand-up")
    by_title = {s.title: s for s in _sections(text)}
    assert by_title["Points of contact"].marketing == "Ana Ruiz, CMO"
    assert by_title["Points of contact"].sales == "(name, role, email)"
    assert by_title["Plan when goals are missed"].sales == "Daily stand-up"


def test_a_read_only_view_says_an_unwritten_part_is_not_filled_in_yet_not_the_forms_hint():
    text = agreement.AgreementText().updated(marketing_contact="Ana Ruiz, CMO")
    by_title = {s.title: s for s in _sections(text, read_only=True)}
    assert by_title["Points of contact"].marketing == "Ana Ruiz, CMO"
    assert by_title["Points of contact"].sales == "Not filled in yet."
    plan = by_title["Plan when goals are missed"]
    assert (plan.marketing, plan.sales) == ("Not filled in yet.", "Not filled in yet.")
    assert {s.title: s for s in _sections(text)}["Points of contact"].sales == "(name, role, email)"  # editing


def test_the_live_plan_comes_first_and_what_people_wrote_follows():
    text = agreement.AgreementText().updated(sales_plan="Daily stand-up")
    plan = _sections(text, plan=("Marketing is 10 leads behind.", "Work the 3 untouched leads first."))[4]
    assert plan.marketing == "Marketing is 10 leads behind."
    assert plan.sales == "Work the 3 untouched leads first.\n\nDaily stand-up"


def test_the_further_conditions_appear_once():
    sections = _sections()
    md, page = agreement.to_markdown("SLA", sections), agreement.html_document("SLA", sections)
    assert md.count("ask to renegotiate") == 1 and page.count("ask to renegotiate") == 1
    assert "ask to renegotiate" not in agreement.cancellation_terms(STATUS)  # the page shows it in its text area


def _unescaped(md: str, specials: str = "[]()!<>") -> list[str]:
    """Markdown specials not preceded by a backslash (the <br> line breaks the document writes itself aside)."""
    text = md.replace("<br>", "")
    return [m.group() for m in re.finditer(f"(?<!\\\\)[{re.escape(specials)}]", text)]


def test_markdown_is_real_markdown_with_links_and_images_neutralised():
    text = agreement.AgreementText().updated(marketing_contact=HOSTILE, cancellation=HOSTILE)
    md = agreement.to_markdown("SLA [x](http://evil.example)", _sections(text))
    assert not re.search(r"&(lt|gt|amp|quot|#x?[0-9a-fA-F]+);", md.replace(r"\&amp;", ""))  # no HTML entities
    assert "month's goal" in md and "it's" in md  # an apostrophe stays an apostrophe
    assert _unescaped(md) == []  # no link, image or HTML tag can open
    assert not re.search(r"[a-z]://|www\.", md)  # nor a bare autolink ("http\://", "www\.")
    assert re.sub(r"\\(.)", r"\1", md).count(HOSTILE) == 2  # yet it reads as written, in a cell and a paragraph
    assert "- \\> b" not in md and "a -\\> b" in md


def test_markdown_is_two_columns_and_escapes_user_text():
    text = agreement.AgreementText().updated(marketing_contact=PAYLOAD, sales_contact="line one\nline two")
    md = agreement.to_markdown("SLA <b>", _sections(text))
    assert md.startswith("# SLA \\<b\\>")
    assert md.count("| Marketing | Sales |") == 4
    assert "<script>" not in md and "\\<script\\>" in md and "\\|" in md
    assert "line one<br>line two" in md
    for line in md.splitlines():  # every table row still has exactly two cells
        if line.startswith("| ") and "---" not in line:
            assert len(re.findall(r"(?<!\\)\|", line)) == 3


def test_a_line_of_user_text_cannot_start_a_list_a_heading_or_a_quote():
    md = agreement.md_text("- one\n1. two\n# three\n> four\n===")
    assert md.splitlines() == ["\\- one", "1\\. two", "\\# three", "\\> four", "\\==="]


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
    assert agreement.missed_goal_plan(plan)[0] == ("The assumptions give no lead target, so March 2024 has no "
                                                   "catch-up goal (n/a).")


def test_sales_plan_names_the_reps_with_leads_still_untouched():
    plan = catch_up.catch_up_plan(SPEC_8B_MONTHS, date(2024, 3, 1), SPEC_8B)
    _, sales = agreement.missed_goal_plan(plan, _work({"Bob": 3, "Ann": 2}))
    assert sales == ("5 leads handed in February 2024 are still untouched past the 1 h speed goal (Bob 3, Ann 2). "
                     "Sales works them first, oldest hand-off first, before new leads.")
    _, many = agreement.missed_goal_plan(plan, _work({f"Rep {i}": 8 - i for i in range(7)}))
    assert "(Rep 0 8, Rep 1 7, Rep 2 6, Rep 3 5, Rep 4 4 and 2 more reps)" in many
    _, one = agreement.missed_goal_plan(plan, _work({"Bob": 1}))
    assert one.startswith("1 lead handed in February 2024 is still untouched past the 1 h speed goal (Bob 1).")
    _, none = agreement.missed_goal_plan(plan, _work({}))
    assert none.startswith("No lead handed in February 2024 is still untouched past the 1 h speed goal.")


def test_plan_text_with_a_hostile_rep_name_is_escaped_in_the_documents():
    plan = catch_up.catch_up_plan(SPEC_8B_MONTHS, date(2024, 3, 1), SPEC_8B)
    marketing, sales = agreement.missed_goal_plan(plan, _work({"<script>x</script> | y": 1}))
    section = agreement.Section("Plan when goals are missed", marketing=marketing, sales=sales)
    md = agreement.to_markdown("SLA", [section])
    assert "<script>" not in md and "\\<script\\>x\\</script\\> \\| y 1" in md
    assert "<script>" not in agreement.html_document("SLA", [section])
