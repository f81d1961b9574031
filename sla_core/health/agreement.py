"""The written SLA agreement: drafted from the live numbers, in the two-column marketing | sales layout.

The numbers (targets, goals, this month's status, the health streaks) are generated; the
parts only people can write (contacts, plans, requirements, cancellation terms) are
editable text with sensible starting drafts. Every piece of text is escaped for the
format it goes into: Markdown table cells and HTML (``html.escape``), so a contact name
like ``<script>`` or ``| x`` stays literal text.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, fields, replace
from datetime import date

from sla_core.assumptions import Assumptions
from sla_core.marketing.catch_up import CatchUp, WorkFirst
from sla_core.marketing.targets import compute_targets

SECTION_TITLES = ("Summary", "Goals", "Requirements", "Points of contact", "Plan when goals are missed",
                  "Cancellation conditions")


@dataclass(frozen=True)
class AgreementText:
    """What people write; the defaults are a starting draft to edit."""

    marketing_contact: str = ""
    sales_contact: str = ""
    marketing_needs: str = ("Every handed-over lead is followed up within the speed goal and every attempt is "
                            "logged in the CRM, so speed and depth can be measured.")
    sales_needs: str = ("Leads arrive with source, contact details and job title, meet the agreed MQL definition, "
                        "and are routed to an owner as soon as they qualify.")
    marketing_plan: str = ""
    sales_plan: str = ""
    cancellation: str = ("Either team may ask to renegotiate when the quota, deal size or close rate behind these "
                         "targets changes materially.")

    def updated(self, **changes) -> "AgreementText":
        return replace(self, **{k: str(v) for k, v in changes.items()})

    @classmethod
    def editable(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


@dataclass(frozen=True)
class LiveStatus:
    """This month's standing, from the health table (None where n/a)."""

    month: date
    as_of: str
    marketing_attainment: float | None = None
    speed_pct: float | None = None
    depth_pct: float | None = None
    marketing_misses: int = 0
    sales_misses: int = 0


def status_from(latest: dict, as_of: str) -> LiveStatus:
    """The live status from the latest row of the SLA health table (``health.headline``)."""
    def number(key: str) -> float | None:
        value = latest.get(key)
        return None if value is None or value != value else float(value)
    return LiveStatus(latest["month"], as_of, number("marketing_attainment"), number("speed_pct"), number("depth_pct"),
                      int(latest.get("marketing_misses", 0)), int(latest.get("sales_misses", 0)))


@dataclass(frozen=True)
class Section:
    title: str
    marketing: str | None = None  # two-column sections
    sales: str | None = None
    full: str | None = None  # one-column sections


def _pct(value: float | None) -> str:
    return "n/a" if value is None or value != value else f"{value:.0%}"


def _money(value: float | None) -> str:
    return "n/a" if value is None else f"${value:,.0f}"


def _count(value: int | None) -> str:
    return "n/a" if value is None else f"{value:,}"


def _or_placeholder(text: str, placeholder: str) -> str:
    return text.strip() or placeholder


def draft(a: Assumptions, status: LiveStatus, text: AgreementText) -> list[Section]:
    """The agreement's sections in order, from the assumptions, the live status and the written parts."""
    t = compute_targets(a)
    month = f"{status.month:%B %Y}"
    summary = (
        f"Marketing and sales agree on the service levels below for {month}. The sales quota is "
        f"{_money(a.quota)}, of which marketing is responsible for {_pct(a.marketing_share)}: a marketing revenue "
        f"goal of {_money(t.marketing_revenue_goal)}. At an average deal of {_money(a.avg_deal_size)} that is "
        f"{_count(t.customers_needed)} customers, and at a lead-to-customer close rate of {_pct(a.close_rate)} "
        f"{_count(t.leads_needed)} marketing leads in the month. "
        f"As of {status.as_of}: marketing attainment {_pct(status.marketing_attainment)}, "
        f"{_pct(status.speed_pct)} of leads followed up within {a.speed_goal_hours:g} h, "
        f"{_pct(status.depth_pct)} of unconnected leads tried at least {a.depth_goal_attempts} times.")
    goals = Section(
        "Goals",
        marketing=(f"Deliver {_count(t.leads_needed)} marketing-qualified leads in {month}, tracked daily against "
                   f"the goal line (the month's goal spread evenly over its days)."),
        sales=(f"Follow up {_pct(a.speed_target_share)} of handed-over leads within {a.speed_goal_hours:g} h, and "
               f"make at least {a.depth_goal_attempts} attempts on {_pct(a.speed_target_share)} of the leads not yet "
               f"connected."))
    streaks = (f"Current standing: marketing has missed {status.marketing_misses} and sales "
               f"{status.sales_misses} complete month(s) in a row.")
    return [
        Section("Summary", full=summary),
        goals,
        Section("Requirements", marketing=_or_placeholder(text.marketing_needs, "(what marketing needs from sales)"),
                sales=_or_placeholder(text.sales_needs, "(what sales needs from marketing)")),
        Section("Points of contact", marketing=_or_placeholder(text.marketing_contact, "(name, role, email)"),
                sales=_or_placeholder(text.sales_contact, "(name, role, email)")),
        Section("Plan when goals are missed",
                marketing=_or_placeholder(text.marketing_plan, "(what marketing does when it is behind the goal line)"),
                sales=_or_placeholder(text.sales_plan, "(what sales does when speed or depth falls short)")),
        Section("Cancellation conditions", full=(
            "The agreement is reviewed, and may be cancelled, when either team misses its goals three complete "
            f"months in a row. {streaks} {text.cancellation.strip()}").strip()),
    ]


def _md_cell(text: str) -> str:
    """Text safe inside a Markdown table cell: HTML escaped, pipes escaped, line breaks kept."""
    return html.escape(text).replace("|", "\\|").replace("\r\n", "\n").replace("\n", "<br>")


def _md_text(text: str) -> str:
    return html.escape(text).replace("\r\n", "\n")


def to_markdown(title: str, sections: list[Section]) -> str:
    lines = [f"# {_md_text(title)}", ""]
    for s in sections:
        lines += [f"## {_md_text(s.title)}", ""]
        if s.full is not None:
            lines += [_md_text(s.full), ""]
        else:
            lines += ["| Marketing | Sales |", "|---|---|", f"| {_md_cell(s.marketing or '')} | {_md_cell(s.sales or '')} |", ""]
    return "\n".join(lines)


HTML_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 60rem; margin: 2rem auto; color: #111; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.15rem; margin-top: 1.6rem; border-bottom: 1px solid #ddd; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
th, td { border: 1px solid #ccc; padding: .5rem .7rem; vertical-align: top; text-align: left; white-space: pre-wrap; }
th { background: #f3f4f6; } .signatures td { height: 3rem; }
@media print { body { margin: 0; } h2 { break-after: avoid; } table { break-inside: avoid; } }
"""


def html_document(title: str, sections: list[Section]) -> str:
    """A standalone, printable (to PDF) page; every piece of text is escaped."""
    e = html.escape
    parts = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">', f"<title>{e(title)}</title>",
             f"<style>{HTML_STYLE}</style></head><body>", f"<h1>{e(title)}</h1>"]
    for s in sections:
        parts.append(f"<h2>{e(s.title)}</h2>")
        if s.full is not None:
            parts.append(f"<p>{e(s.full)}</p>")
        else:
            parts.append("<table><tr><th>Marketing</th><th>Sales</th></tr>"
                         f"<tr><td>{e(s.marketing or '')}</td><td>{e(s.sales or '')}</td></tr></table>")
    parts.append('<h2>Signatures</h2><table class="signatures"><tr><th>Marketing</th><th>Sales</th></tr>'
                 "<tr><td></td><td></td></tr></table></body></html>")
    return "\n".join(parts)


SALES_PLAN_RULE = ("After a month that misses the speed or depth goal, sales first works that month's leads still "
                   "untouched past the speed goal, oldest hand-off first, before new leads.")
REPS_NAMED = 5  # reps named in the sales plan; the rest are counted


def _marketing_plan(plan: CatchUp) -> str:
    month = f"{plan.month:%B %Y}"
    if plan.goal_leads is None:
        return f"The assumptions give no lead target, so {month} has no catch-up goal (n/a)."
    spread = f"{plan.spread_months} month{'s' if plan.spread_months > 1 else ''}"
    rule = (f"A month that falls short adds its shortfall to the goals that follow, spread over {spread}; "
            "over-delivery pays it back.")
    if not plan.deficit_leads:
        since = f" through {plan.deficit_through:%B %Y}" if plan.deficit_through else ""
        return (f"Marketing owes no leads from past months{since}, so {month} keeps its goal of "
                f"{_count(plan.leads_needed)} leads. {rule}")
    return (f"Marketing is {_count(plan.deficit_leads)} leads behind the goal after {plan.deficit_through:%B %Y}, "
            f"about {_money(plan.revenue_at_risk)} of revenue at risk. To catch up over {spread}, {month} asks for "
            f"{_count(plan.goal_leads)} leads: the usual {_count(plan.leads_needed)} plus "
            f"{_count(plan.extra_leads)} of the shortfall. {rule}")


def _sales_plan(work: WorkFirst | None) -> str:
    if work is None:
        return SALES_PLAN_RULE
    month, goal = f"{work.month:%B %Y}", f"{work.speed_goal_hours:g} h"
    if not work.total:
        return f"No lead handed in {month} is still untouched past the {goal} speed goal. {SALES_PLAN_RULE}"
    named = ", ".join(f"{rep} {n:,}" for rep, n in work.by_rep[:REPS_NAMED])
    rest = len(work.by_rep) - REPS_NAMED
    more = f" and {rest} more rep{'s' if rest > 1 else ''}" if rest > 0 else ""
    return (f"{_count(work.total)} lead(s) handed in {month} are still untouched past the {goal} speed goal "
            f"({named}{more}). Sales works them first, oldest hand-off first, before new leads.")


def missed_goal_plan(plan: CatchUp, work: WorkFirst | None = None) -> tuple[str, str]:
    """The "Plan when goals are missed" columns (marketing, sales) with the live numbers (SPEC 8b).

    Marketing: its outstanding deficit, the revenue at risk and the month's catch-up goal
    (``catch_up.catch_up_plan``). Sales: after a speed or depth miss, the leads still
    untouched past the speed goal per rep (``catch_up.work_first``), or the rule alone.
    Plain text: ``to_markdown`` and ``html_document`` escape it like every section.
    """
    return _marketing_plan(plan), _sales_plan(work)
