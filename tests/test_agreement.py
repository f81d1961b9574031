"""The written agreement: live numbers in the two-column layout, every section, user text escaped."""
from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

from sla_core.health import agreement
from sla_core.assumptions import Assumptions

WORKED = Assumptions(quota=5000, marketing_share=1.0, avg_deal_size=100, close_rate=0.5, speed_goal_hours=1,
                     depth_goal_attempts=6, speed_target_share=0.8)
STATUS = agreement.LiveStatus(date(2024, 3, 1), "2024-03-15 12:00 UTC", 0.9, 0.75, None, 1, 3)
PAYLOAD = '<script>alert(1)</script> | [x](javascript:alert(1)) & "quotes"'


def _sections(text=agreement.AgreementText()):
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
