"""The written SLA agreement: drafted from the live numbers, in the two-column marketing | sales layout.

The numbers (targets, goals, the month's standing, the catch-up plan, the runs of misses) are
generated from the same verdicts and sentences as the Overview (``headline``); the parts only
people can write (contacts, requirements, their own plans, further conditions) are editable text
with sensible starting drafts. Every piece of text is escaped for the format it goes into: the
Markdown download is real Markdown whose specials are backslash-escaped (a ``[x](http…)`` or
``![p](http…)`` written into a field stays text in any viewer), the HTML download is ``html.escape``d.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, fields, replace
from datetime import date

from sla_core.assumptions import Assumptions
from sla_core.health.headline import Headline
from sla_core.health.verdicts import REVIEW_AFTER, target_percent
from sla_core.marketing.catch_up import CatchUp, WorkFirst
from sla_core.marketing.targets import TierTarget, compute_targets, value_goal

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
    """The month's standing in the Overview's sentences, and each team's run of misses up to it."""

    month: date
    as_of: str
    marketing: str  # headline sentence, e.g. "Marketing delivered 187 of 200 leads in June 2024 (13 short) — missed"
    sales: str
    marketing_misses: int = 0
    sales_misses: int = 0

    @classmethod
    def of(cls, shown: Headline, as_of: str) -> LiveStatus:
        marketing, sales = shown.streaks
        return cls(shown.month, as_of, shown.marketing.sentence, shown.sales.sentence, marketing.misses,
                   sales.misses)


@dataclass(frozen=True)
class Section:
    title: str
    marketing: str | None = None  # two-column sections
    sales: str | None = None
    full: str | None = None  # one-column sections


def _money(value: float | None) -> str:
    return "n/a" if value is None else f"${value:,.0f}"


def _count(value: int | None) -> str:
    return "n/a" if value is None else f"{value:,}"


NOT_FILLED = "Not filled in yet."  # a part nobody wrote, as a read-only view says it (not the form's hint)


def _plural(count: int, noun: str) -> str:
    """"1 lead", "27 leads"."""
    return f"{_count(count)} {noun}{'' if count == 1 else 's'}"


def _or_placeholder(text: str, placeholder: str, read_only: bool = False) -> str:
    return text.strip() or (NOT_FILLED if read_only else placeholder)


def _joined(generated: str, written: str) -> str:
    """The live text, then what people wrote under it (when they wrote anything)."""
    return f"{generated}\n\n{written.strip()}" if written.strip() else generated


def _summary(a: Assumptions, status: LiveStatus) -> str:
    t = compute_targets(a)
    return (f"Marketing and sales agree on the service levels below for {status.month:%B %Y}. The sales quota is "
            f"{_money(a.quota)}, of which marketing is responsible for {target_percent(a.marketing_share)}: a "
            f"marketing revenue goal of {_money(t.marketing_revenue_goal)}. At an average deal of "
            f"{_money(a.avg_deal_size)} that is {_count(t.customers_needed)} customers, and at a lead-to-customer "
            f"close rate of {target_percent(a.close_rate)} it takes {_count(t.leads_needed)} marketing leads a month. "
            f"Standing as of {status.as_of}: {status.marketing}. {status.sales}.")


def _tier_goals(tiers: list[TierTarget]) -> str:
    """"By lead-quality tier: executive 80, director 60 and other 20 leads. In lead value, a goal of $9,000 …"."""
    owed = [f"{t.name} {_count(t.leads_needed)}" for t in tiers if t.leads_needed != 0]
    listed = ", ".join(owed[:-1]) + (f" and {owed[-1]}" if len(owed) > 1 else owed[-1] if owed else "")
    return (f" By lead-quality tier: {listed or 'no tier owes leads'} leads. In lead value, a goal of "
            f"{_money(value_goal(tiers))} (each tier's leads needed × its value per lead).")


def _goals(a: Assumptions, month: date, tiers: list[TierTarget] | None) -> Section:
    t = compute_targets(a)
    return Section(
        "Goals",
        marketing=(f"Deliver {_count(t.leads_needed)} marketing-qualified leads in {month:%B %Y}, tracked daily "
                   "against the goal line (the month's goal spread evenly over its days)."
                   + (_tier_goals(tiers) if tiers else "")),
        sales=(f"Follow up {target_percent(a.speed_target_share)} of handed-over leads within "
               f"{a.speed_goal_hours:g} h, and make at least {a.depth_goal_attempts} attempts on "
               f"{target_percent(a.depth_target_share)} of the leads not yet connected." + a.goal_rules.sentence()))


def cancellation_terms(status: LiveStatus) -> str:
    """The generated part of the cancellation conditions: the rule and the runs of misses up to the month."""
    return (f"The agreement is reviewed, and may be cancelled, when either team misses its goals {REVIEW_AFTER} "
            f"complete months in a row. Current standing: marketing has missed "
            f"{_plural(status.marketing_misses, 'complete month')} in a row, sales "
            f"{_plural(status.sales_misses, 'complete month')} in a row.")


def _plan(text: AgreementText, plan: tuple[str, str] | None, read_only: bool) -> Section:
    if plan is None:
        return Section("Plan when goals are missed",
                       marketing=_or_placeholder(text.marketing_plan,
                                                 "(what marketing does when it is behind the goal line)", read_only),
                       sales=_or_placeholder(text.sales_plan, "(what sales does when speed or depth falls short)",
                                             read_only))
    return Section("Plan when goals are missed", marketing=_joined(plan[0], text.marketing_plan),
                   sales=_joined(plan[1], text.sales_plan))


def draft(a: Assumptions, status: LiveStatus, text: AgreementText, plan: tuple[str, str] | None = None,
          tiers: list[TierTarget] | None = None, read_only: bool = False) -> list[Section]:
    """The agreement's sections in order, from the assumptions, the month's standing and the written parts.

    ``plan`` is the live catch-up plan (``missed_goal_plan``), what people write is added under it;
    ``tiers`` (when tiers are on) adds each tier's lead goal and the value goal. A part nobody wrote shows what
    to write there, or in a ``read_only`` view (nobody can write there) that it is not filled in yet.
    """
    return [
        Section("Summary", full=_summary(a, status)),
        _goals(a, status.month, tiers),
        Section("Requirements",
                marketing=_or_placeholder(text.marketing_needs, "(what marketing needs from sales)", read_only),
                sales=_or_placeholder(text.sales_needs, "(what sales needs from marketing)", read_only)),
        Section("Points of contact",
                marketing=_or_placeholder(text.marketing_contact, "(name, role, email)", read_only),
                sales=_or_placeholder(text.sales_contact, "(name, role, email)", read_only)),
        _plan(text, plan, read_only),
        Section("Cancellation conditions", full=f"{cancellation_terms(status)} {text.cancellation.strip()}".strip()),
    ]


# Markdown's specials, and what a viewer turns into a link, an image or HTML: escaped with a backslash, so the
# text reads the same and nothing in it becomes markup (CommonMark allows a backslash before any punctuation).
_MD_SPECIALS = re.compile(r"([\\`*_{}\[\]()<>#!|~$&@])")
_BARE_LINK = re.compile(r"(?i)(?<=[a-z0-9])(?=://)|(?<=\bwww)(?=\.)")  # "https://…", "www.…" autolinks
_LIST_MARKER = re.compile(r"^(\s*)([-+=]|\d+(?=[.)]))", re.MULTILINE)  # "- x", "1. x", a setext underline


def md_text(text: str) -> str:
    """Text as literal Markdown: no link, image, HTML, list or heading can come out of it; line breaks kept."""
    escaped = _BARE_LINK.sub("\\\\", _MD_SPECIALS.sub(r"\\\1", text.replace("\r\n", "\n")))
    return _LIST_MARKER.sub(lambda m: f"{m.group(1)}{m.group(2)}\\" if m.group(2)[0].isdigit()
                            else f"{m.group(1)}\\{m.group(2)}", escaped)


def _md_cell(text: str) -> str:
    """Text safe inside a Markdown table cell: escaped as ``md_text``, line breaks as <br>."""
    return md_text(text).replace("\n", "<br>")


def to_markdown(title: str, sections: list[Section]) -> str:
    lines = [f"# {md_text(title)}", ""]
    for s in sections:
        lines += [f"## {md_text(s.title)}", ""]
        if s.full is not None:
            lines += [md_text(s.full), ""]
        else:
            lines += ["| Marketing | Sales |", "|---|---|",
                      f"| {_md_cell(s.marketing or '')} | {_md_cell(s.sales or '')} |", ""]
    return "\n".join(lines)


HTML_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 60rem; margin: 2rem auto;
       color: #111; }
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
    month, goal = f"{work.month:%B %Y}", work.goal_words
    if not work.total:
        return f"No lead handed in {month} is still untouched past {goal}. {SALES_PLAN_RULE}"
    named = ", ".join(f"{rep} {n:,}" for rep, n in work.by_rep[:REPS_NAMED])
    rest = len(work.by_rep) - REPS_NAMED
    more = f" and {rest} more rep{'s' if rest > 1 else ''}" if rest > 0 else ""
    handed = f"{_plural(work.total, 'lead')} handed in {month} {'is' if work.total == 1 else 'are'}"
    return (f"{handed} still untouched past {goal} ({named}{more}). Sales works them first, oldest "
            "hand-off first, before new leads.")


def missed_goal_plan(plan: CatchUp, work: WorkFirst | None = None) -> tuple[str, str]:
    """The "Plan when goals are missed" columns (marketing, sales) with the live numbers (SPEC 8b).

    Marketing: its outstanding deficit, the revenue at risk and the month's catch-up goal
    (``catch_up.catch_up_plan``). Sales: after a speed or depth miss, the leads still
    untouched past the speed goal per rep (``catch_up.work_first``), or the rule alone.
    Plain text: ``to_markdown`` and ``html_document`` escape it like every section.
    """
    return _marketing_plan(plan), _sales_plan(work)
