"""What the digest says, read out of the report dict and the month's verdicts: no rule of its own.

Every verdict word and reason comes from ``sla_core.health.verdicts`` (through the report and
``health.report.month_health``); every number is a value of the report dict, looked up by its
key path, so the e-mail and ``python -m sla_core report`` cannot disagree.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sla_core.assumptions import Assumptions
from sla_core.health.months import label
from sla_core.health.verdicts import (IN_PROGRESS, MET, MISSED, NOT_MEASURED, ON_TRACK, REVIEW_AFTER, MonthVerdicts,
                                      Verdict)

PARTS = ("marketing", "speed", "depth", "sales")  # the verdicts a digest shows, in the order it shows them
SIDES = ("marketing", "sales")  # the two teams of the agreement, one sentence each
NA = "n/a"


def _count(value) -> str:
    return f"{value:,.0f}"


def _share(value) -> str:
    """A share rounded down to 0.1 %, as the verdict sentences round it: a table never reads 80.0 % beside
    a verdict that missed an 80 % target at 79.96 %."""
    return f"{math.floor(value * 1000 + 1e-9) / 10:.1f} %"


def _hours(value) -> str:
    return f"{value:,.2f} h"


def _attempts(value) -> str:
    return f"{value:,.2f}"


@dataclass(frozen=True)
class FigureSpec:
    """One line of the figures table: where the report keeps the number, and how it reads."""

    section: str  # "Marketing", "Sales" or "Health"
    key: str  # the report's key path, e.g. "speed.pct_within_goal"
    label: str  # may name an assumption: "{speed_goal_hours:g}"
    show: Callable[[float], str]
    own_goals_label: str | None = None  # the label when goal rules hold some leads to goals of their own

    def label_for(self, a: Assumptions) -> str:
        label = self.own_goals_label if a.goal_rules and self.own_goals_label else self.label
        return label.format(**a.to_dict())


FIGURES = (
    FigureSpec("Marketing", "actuals.marketing_leads", "Marketing leads", _count),
    FigureSpec("Marketing", "targets.leads_needed", "Leads needed in the month", _count),
    FigureSpec("Marketing", "actuals.customers", "Customers from the month's leads", _count),
    FigureSpec("Marketing", "catch_up.deficit_leads", "Leads owed from past months", _count),
    FigureSpec("Marketing", "catch_up.goal_leads", "Catch-up goal for the month", _count),
    FigureSpec("Sales", "speed.handed", "Leads handed to sales", _count),
    FigureSpec("Sales", "speed.pct_within_goal",
               "Followed up within {speed_goal_hours:g} h (target {speed_target_share:.0%})", _share,
               "Followed up within their own speed goal ({speed_goal_hours:g} h unless a goal rule sets another; "
               "target {speed_target_share:.0%})"),
    FigureSpec("Sales", "speed.median_hours", "Median response", _hours),
    FigureSpec("Sales", "depth.not_connected", "Handed leads not connected", _count),
    FigureSpec("Sales", "depth.pct_at_goal",
               "Not connected, with at least {depth_goal_attempts} attempts (target {depth_target_share:.0%})",
               _share, "Not connected, at their own depth goal ({depth_goal_attempts} attempts unless a goal rule "
               "sets another; target {depth_target_share:.0%})"),
    FigureSpec("Sales", "depth.avg_attempts", "Average attempts on them", _attempts),
    FigureSpec("Health", "health.consecutive_misses.marketing", "Marketing: complete months missed in a row",
               _count),
    FigureSpec("Health", "health.consecutive_misses.sales", "Sales: complete months missed in a row", _count),
)
SPEC_BY_KEY = {spec.key: spec for spec in FIGURES}


@dataclass(frozen=True)
class Figure:
    section: str
    key: str
    label: str
    text: str


def lookup(report: Mapping, key: str):
    """The report's value at a key path ("health.consecutive_misses.sales"); None when absent."""
    value: object = report
    for part in key.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _not_measured(report: Mapping, key: str) -> bool:
    section = report.get(key.split(".")[0])
    return isinstance(section, Mapping) and section.get("measured") is False


def show(key: str, value) -> str:
    """How the figure at ``key`` reads: its unit, or n/a."""
    return NA if value is None else SPEC_BY_KEY[key].show(value)


def figures(report: Mapping, a: Assumptions) -> tuple[Figure, ...]:
    """The figures table of the month: every number straight from the report; a sales figure the data
    cannot measure reads "not measured" (never n/a, never a miss)."""
    return tuple(Figure(spec.section, spec.key, spec.label_for(a),
                        "not measured" if _not_measured(report, spec.key) else show(spec.key, lookup(report, spec.key)))
                 for spec in FIGURES)


def figure_values(report: Mapping) -> dict[str, float | None]:
    """The raw numbers behind the table, as a digest records them for the next one to compare."""
    return {spec.key: None if _not_measured(report, spec.key) else lookup(report, spec.key) for spec in FIGURES}


# --- verdicts in words ---------------------------------------------------------------------------

def verdict_word(v: Verdict) -> str:
    """The badge text: "met", "missed", "in progress · on track", "not measured" or "no verdict"."""
    return f"{v.verdict} · {v.pace}" if v.verdict == IN_PROGRESS and v.pace else (v.verdict or "no verdict")


def _state(v: Verdict, month: str) -> str:
    if v.verdict == IN_PROGRESS:
        return {ON_TRACK: f"is on track in {month} so far", None: f"has nothing due yet in {month}"}.get(
            v.pace, f"is behind in {month} so far")
    return {MET: f"met its goal in {month}", MISSED: f"missed its goal in {month}",
            NOT_MEASURED: "is not measured"}.get(v.verdict, f"has nothing to judge in {month}")


def digest_side_sentences(report: Mapping, judged: MonthVerdicts) -> dict[str, str]:
    """One sentence per side of the agreement (marketing, sales) for the digest, from the verdicts of the
    report's month: "Marketing is on track in June 2024 so far: 120 marketing leads by 15 June, …"."""
    month = label(judged.month)
    if report.get("month") != f"{judged.month:%Y-%m}":
        raise ValueError(f"the verdicts are for {judged.month:%Y-%m}, the report for {report.get('month')}")
    verdicts = judged.as_dict()
    return {side: f"{side.capitalize()} {_state(verdicts[side], month)}: {verdicts[side].detail}."
            for side in SIDES}


def closed_month_line(judged: MonthVerdicts) -> str:
    """How the last complete month ended, one clause per verdict: "May 2024 closed: marketing met, speed missed, …"."""
    words = ", ".join(f"{part} {judged.as_dict()[part].verdict or 'no verdict'}" for part in PARTS)
    return f"{label(judged.month)} closed: {words}."


def review_lines(report: Mapping) -> tuple[str, ...]:
    """The agreement's review condition, as the report's health states it."""
    health = report.get("health") or {}
    if health.get("status") != "review":
        return ()
    misses = health.get("consecutive_misses") or {}
    return tuple(f"{team.capitalize()} has missed {n} complete months in a row: the agreement is up for review."
                 for team, n in misses.items() if n and n >= REVIEW_AFTER)
