"""The SLA's answer for one month in sentences a VP reads first (SPEC 8): one per side of the SLA, the
change against the month before, and each team's run of misses with what happens at three.

Pure Python on ``MonthFigures`` (what the health table and the report both judge), so the Overview,
the agreement, a share view and the weekly digest say the same words; every verdict is decided by
``verdicts.judge``, never here. The sentences are plain text: a surface that renders Markdown escapes them.
"""
from __future__ import annotations

import calendar
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sla_core.assumptions import Assumptions
from sla_core.formatting import count, money
from sla_core.health import verdicts
from sla_core.health.months import label
from sla_core.health.verdicts import (IN_PROGRESS, MET, MISSED, NOT_MEASURED, REVIEW_AFTER, Measured, MonthFigures,
                                      Verdict, floor_percent, target_percent)
from sla_core.marketing.targets import compute_targets

JUDGED = (MET, MISSED, IN_PROGRESS)


@dataclass(frozen=True)
class Part:
    """One judged figure of a side: its numbers in words and its verdict."""

    name: str  # "marketing", "speed" or "depth"
    text: str  # the figure in words, e.g. "51.0 % of due leads followed up within 4 h (target 80 %)"
    verdict: Verdict

    @property
    def judged(self) -> bool:
        """Met, missed or in progress; a figure not measured or with nothing to judge says why instead."""
        return self.verdict.verdict in JUDGED

    @property
    def sentence(self) -> str:
        if self.judged:
            return f"{self.text} — {self.verdict.short}"
        if self.verdict.verdict == NOT_MEASURED:
            return f"{self.name} not measured: {self.verdict.detail}"
        return f"{self.name}: {self.verdict.detail}"


@dataclass(frozen=True)
class Side:
    """Marketing or sales for the month: the side's verdict and the parts it is judged on."""

    name: str  # "Marketing" or "Sales"
    verdict: Verdict
    parts: tuple[Part, ...]

    @property
    def sentence(self) -> str:
        """"Marketing delivered 634 of 100 leads in June 2024 — met"; "Sales: 51.0 % … — missed; 11.0 % … — missed"."""
        first = self.parts[0]
        if any(p.judged for p in self.parts):
            if len(self.parts) == 1:
                return f"{self.name} {first.text} — {first.verdict.short}"
            return f"{self.name}: " + "; ".join(p.sentence for p in self.parts)
        if all(p.verdict.verdict == NOT_MEASURED for p in self.parts):  # the side's reason says what to upload
            return f"{self.name}: {self.verdict.short} ({self.verdict.detail})"
        if len({(p.verdict.verdict, p.verdict.detail) for p in self.parts}) == 1:  # e.g. no leads handed
            return f"{self.name}: {first.verdict.short} ({first.verdict.detail})"
        return f"{self.name}: " + "; ".join(p.sentence for p in self.parts)


@dataclass(frozen=True)
class Change:
    """One figure of the month beside the month before (None where n/a)."""

    name: str  # "Marketing leads", "Speed", "Depth"
    now: float | None
    before: float | None
    share: bool  # a share of leads (compared in points) rather than a count
    partial: bool = False  # a count of the month in progress beside a whole month: not like for like

    @property
    def delta(self) -> float | None:
        """The difference as shown: shares in points between the rounded-down shares, counts in leads."""
        if self.now is None or self.before is None:
            return None
        if self.share:
            return _floored(self.now) - _floored(self.before)
        return self.now - self.before

    def shown(self, value: float | None) -> str:
        if value is None:
            return "n/a"
        return floor_percent(value) if self.share else f"{value:,.0f}"

    @property
    def delta_text(self) -> str | None:
        """"+3.1 pts", "-62"; None when n/a or when the month in progress is set against a whole month."""
        if self.delta is None or self.partial:
            return None
        sign = "+" if self.delta > 0 else "-" if self.delta < 0 else "±"
        return f"{sign}{abs(self.delta):.1f} pts" if self.share else f"{sign}{abs(self.delta):,.0f}"

    def sentence(self, before: date) -> str:
        """"speed 23.4 % → 26.2 % (+2.8 pts)"; the month in progress: "marketing leads 101 so far (246 in all of …)"."""
        if self.partial:
            return (f"{self.name.lower()} {self.shown(self.now)} so far "
                    f"({self.shown(self.before)} in all of {label(before)})")
        change = f" ({self.delta_text})" if self.delta_text else ""
        return f"{self.name.lower()} {self.shown(self.before)} → {self.shown(self.now)}{change}"


def _floored(share: float) -> float:
    """A share as ``floor_percent`` shows it, in points."""
    return math.floor(share * 1000 + 1e-9) / 10


@dataclass(frozen=True)
class Streak:
    """Complete months a team has missed in a row up to the month (SPEC 8: three put the agreement up for review)."""

    team: str  # "Marketing" or "Sales"
    misses: int

    @property
    def review(self) -> bool:
        return self.misses >= REVIEW_AFTER

    @property
    def sentence(self) -> str:
        if self.review:
            return (f"{self.team} has missed {self.misses} complete months in a row — the agreement is up for review "
                    f"({REVIEW_AFTER} in a row is its cancellation condition).")
        if self.misses:
            months = "month" if self.misses == 1 else "months"
            return (f"{self.team}: {self.misses} {months} missed in a row — at {REVIEW_AFTER} the agreement is up "
                    "for review.")
        return f"{self.team}: no month missed in a row."


@dataclass(frozen=True)
class Headline:
    """One month's answer: each side with its verdict, the change on the month before, the runs of misses."""

    month: date
    stage: str  # months.COMPLETE or months.IN_PROGRESS
    marketing: Side
    sales: Side
    previous: date | None  # the month the changes compare with (None for the data's first month)
    changes: tuple[Change, ...]
    streaks: tuple[Streak, Streak]

    @property
    def review(self) -> bool:
        return any(s.review for s in self.streaks)

    @property
    def change_sentence(self) -> str | None:
        if self.previous is None:
            return None
        return f"Against {label(self.previous)}: " + "; ".join(c.sentence(self.previous) for c in self.changes) + "."

    @property
    def sentences(self) -> tuple[str, ...]:
        """The answer in plain text, in reading order (what the weekly digest sends)."""
        lines = [self.marketing.sentence, self.sales.sentence, self.change_sentence,
                 *(s.sentence for s in self.streaks)]
        return tuple(line for line in lines if line)


def _marketing_text(f: MonthFigures, leads_needed: int, v: Verdict) -> str:
    if v.verdict in (MET, MISSED):
        short = leads_needed - f.marketing_leads
        return (f"delivered {f.marketing_leads:,} of {leads_needed:,} leads in {label(f.month)}"
                f"{f' ({short:,} short)' if short > 0 else ''}")
    if v.verdict == IN_PROGRESS:
        days = calendar.monthrange(f.month.year, f.month.month)[1]
        return (f"has {f.marketing_leads:,} of {leads_needed:,} leads, {f.as_of_day} of {days} days into "
                f"{label(f.month)}")
    return v.detail


def _changes(f: MonthFigures, before: MonthFigures, measured: Measured) -> tuple[Change, ...]:
    partial = f.stage != before.stage  # the month in progress beside a complete month
    changes = [Change("Marketing leads", f.marketing_leads, before.marketing_leads, share=False, partial=partial)]
    if measured.speed:  # a figure the data cannot measure has nothing to compare
        changes.append(Change("Speed", f.pct_within_goal, before.pct_within_goal, share=True))
    if measured.depth:
        changes.append(Change("Depth", f.pct_at_goal, before.pct_at_goal, share=True))
    return tuple(changes)


def headline(figures: Sequence[MonthFigures], a: Assumptions, measured: Measured, month: date) -> Headline:
    """The answer for ``month``, one of ``figures`` (every month of the data in order, as the health table lists
    them, so the runs of misses count from the first). Raises ValueError for a month the figures do not hold."""
    index = next((i for i, f in enumerate(figures) if f.month == month), None)
    if index is None:
        raise ValueError(f"no figures for {label(month)}")
    judged = [verdicts.judge(f, a, measured) for f in figures]
    run = verdicts.runs(judged)[index]
    f, v = figures[index], judged[index]
    leads_needed = compute_targets(a).leads_needed
    marketing = Side("Marketing", v.marketing, (Part("marketing", _marketing_text(f, leads_needed, v.marketing),
                                                     v.marketing),))
    sales = Side("Sales", v.sales, (Part("speed", v.speed.detail, v.speed), Part("depth", v.depth.detail, v.depth)))
    before = figures[index - 1] if index else None
    return Headline(month, f.stage, marketing, sales, before.month if before else None,
                    _changes(f, before, measured) if before else (),
                    (Streak("Marketing", run.marketing_misses), Streak("Sales", run.sales_misses)))


def goals_sentence(a: Assumptions) -> str:
    """The goals the verdicts judge by, in words: a read-only view shows its assumptions as text, not as sliders."""
    t = compute_targets(a)
    return (f"Goals: {count(t.leads_needed)} marketing leads a month ({money(a.quota)} quota × "
            f"{target_percent(a.marketing_share)} from marketing ÷ {money(a.avg_deal_size)} per deal ÷ "
            f"{target_percent(a.close_rate)} close rate); sales follows up {target_percent(a.speed_target_share)} of "
            f"due leads within {a.speed_goal_hours:g} h and makes at least {a.depth_goal_attempts} attempts on "
            f"{target_percent(a.depth_target_share)} of the leads not connected.{a.goal_rules.sentence()}")
