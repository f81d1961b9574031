"""One verdict per figure and month (SPEC 8), decided here once for every surface.

The Sales page badge, the Overview, the health table, the agreement, a share view and the
report all call these functions, so they cannot disagree. A verdict is met, missed, in
progress or not measured, or None when the month has nothing to judge (no leads handed, a
month not started); the reason is written for a VP. Choices the SPEC leaves open are in
docs/metrics.md ("SLA health"). Plain Python: the report path never loads pandas.
"""
from __future__ import annotations

import calendar
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sla_core.assumptions import Assumptions
from sla_core.health.months import COMPLETE, NOT_STARTED, label, phase
from sla_core.health.months import IN_PROGRESS as MONTH_IN_PROGRESS
from sla_core.marketing.targets import compute_targets

MET, MISSED, IN_PROGRESS, NOT_MEASURED = "met", "missed", "in progress", "not measured"
ON_TRACK, BEHIND = "on track", "behind"
REVIEW_AFTER = 3  # complete months missed in a row that put the agreement up for review
NO_FIRST_TOUCH = ("the export has no first-touch dates — upload an activity log on the Data page "
                  "(or map a first-touch date column)")
NO_ATTEMPTS = ("the export has no follow-up attempt counts — upload an activity log on the Data page "
               "(or map an attempts column)")


@dataclass(frozen=True)
class Verdict:
    verdict: str | None  # MET, MISSED, IN_PROGRESS, NOT_MEASURED; None: nothing to judge this month
    detail: str  # why, in words a VP reads
    pace: str | None = None  # the month in progress: ON_TRACK or BEHIND (None while nothing is due)

    @property
    def reason(self) -> str:
        """The verdict and why: "missed: 187 marketing leads in June 2024, 200 needed (13 short)"."""
        head = self.verdict or "no verdict"
        return f"{head}{', ' + self.pace if self.pace else ''}: {self.detail}"

    @property
    def short(self) -> str:
        """The word that matters within a sentence: the pace of a month in progress, else the verdict."""
        return self.pace or self.verdict or "no verdict"

    @property
    def passed(self) -> bool | None:
        """True when met, False when missed; any other verdict neither adds to nor resets a run of misses."""
        return {MET: True, MISSED: False}.get(self.verdict)

    @property
    def on_track(self) -> bool | None:
        """For a badge: met or on track → True, missed or behind → False, else None (no badge)."""
        if self.verdict == IN_PROGRESS:
            return {ON_TRACK: True, BEHIND: False}.get(self.pace)
        return self.passed


@dataclass(frozen=True)
class Measured:
    """Which sales figures the data can measure at all: not measured is not missed."""

    speed: bool = True
    depth: bool = True

    @classmethod
    def of(cls, dataset) -> Measured:
        """Speed needs first-touch dates, depth attempt counts: a mapped column or an activity log (a ``Dataset``)."""
        return cls(speed="first_touch_at" in dataset.columns or dataset.has_activities,
                   depth="attempts" in dataset.columns or dataset.has_activities)


ALL_MEASURED = Measured()  # data with first-touch dates and attempt counts


def floor_percent(share: float) -> str:
    """A share rounded down to 0.1 %, so 79.96 % never reads as the 80 % target it missed."""
    return f"{math.floor(share * 1000 + 1e-9) / 10:.1f} %"


def target_percent(share: float) -> str:
    return f"{share * 100:g} %"


def _leads(count: int) -> str:
    return f"{count:,} marketing lead{'' if count == 1 else 's'}"


def _amount(value: float) -> str:
    """A goal-line value as read: 100, 32.3."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def marketing(month: date, stage: str, leads: int, leads_needed: int, as_of_day: int | None = None,
              data_from: date | None = None) -> Verdict:
    """Complete month: met when its marketing leads reach leads needed. The month in progress is never
    missed before it ends: on track while the leads so far reach the goal line to the as-of day ``as_of_day``."""
    if stage == NOT_STARTED:
        return Verdict(None, f"{label(month)} has not started yet")
    if data_from is not None and month < data_from:
        return Verdict(NOT_MEASURED, f"the data starts in {label(data_from)}")
    if stage == COMPLETE:
        short = leads_needed - leads
        detail = f"{_leads(leads)} in {label(month)}, {leads_needed:,} needed"
        return Verdict(MISSED, f"{detail} ({short:,} short)") if short > 0 else Verdict(MET, detail)
    days = calendar.monthrange(month.year, month.month)[1]
    to_date = leads_needed * as_of_day / days  # the goal line's goal_cum(d*) (SPEC 4)
    pace = ON_TRACK if leads >= to_date else BEHIND
    day = month.replace(day=as_of_day)
    return Verdict(IN_PROGRESS, f"{_leads(leads)} by {day.day} {day:%B}, {_amount(to_date)} expected by then on "
                                f"the goal line ({leads_needed:,} needed in {label(month)})", pace)


def speed(month: date, stage: str, measured: bool, handed: int, pct_within_goal: float | None,
          target_share: float, goal_hours: float | None) -> Verdict:
    """Met when the share of due leads first touched within the goal reaches the speed target share.

    ``goal_hours`` None: the leads have goals of their own (goal rules, SPEC 5b), so none is named."""
    if not measured:
        return Verdict(NOT_MEASURED, NO_FIRST_TOUCH)
    if stage == NOT_STARTED:
        return Verdict(None, f"{label(month)} has not started yet")
    if not handed:
        return Verdict(None, f"no leads were handed to sales in {label(month)}")
    if pct_within_goal is None:
        window = "its" if goal_hours is None else f"its {goal_hours:g} h"
        return Verdict(IN_PROGRESS, f"none of the leads handed in {label(month)} is past {window} goal window yet")
    within = "their own goals" if goal_hours is None else f"{goal_hours:g} h"
    detail = (f"{floor_percent(pct_within_goal)} of due leads followed up within {within}"
              f"{' so far' if stage == MONTH_IN_PROGRESS else ''} (target {target_percent(target_share)})")
    return _judged(stage, pct_within_goal >= target_share, detail)


def depth(month: date, stage: str, measured: bool, handed: int, not_connected: int, pct_at_goal: float | None,
          target_share: float, goal_attempts: int | None) -> Verdict:
    """Met when the share of unconnected handed leads with at least the goal's attempts reaches the depth target
    share (``goal_attempts`` None: each lead's own depth goal, as ``speed``)."""
    if not measured:
        return Verdict(NOT_MEASURED, NO_ATTEMPTS)
    if stage == NOT_STARTED:
        return Verdict(None, f"{label(month)} has not started yet")
    if not handed:
        return Verdict(None, f"no leads were handed to sales in {label(month)}")
    if not not_connected or pct_at_goal is None:
        return Verdict(None, f"every lead handed in {label(month)} was connected: no follow-up left to judge")
    reached = "reached their own depth goals" if goal_attempts is None else f"had at least {goal_attempts} attempts"
    detail = (f"{floor_percent(pct_at_goal)} of unconnected leads {reached}"
              f"{' so far' if stage == MONTH_IN_PROGRESS else ''} (target {target_percent(target_share)})")
    return _judged(stage, pct_at_goal >= target_share, detail)


def _judged(stage: str, reached: bool, detail: str) -> Verdict:
    if stage == COMPLETE:
        return Verdict(MET if reached else MISSED, detail)
    return Verdict(IN_PROGRESS, detail, ON_TRACK if reached else BEHIND)


def sales(speed_verdict: Verdict, depth_verdict: Verdict) -> Verdict:
    """Missed when either part is missed; met when the measured parts are met (a part that is not measured
    or has nothing to judge is left out, so it can neither fail nor excuse sales); in progress before that."""
    parts = (speed_verdict, depth_verdict)
    detail = "; ".join(f"{name} {part.short}: {part.detail}" for name, part in (("speed", speed_verdict),
                                                                                ("depth", depth_verdict)))
    verdicts = {p.verdict for p in parts}
    if MISSED in verdicts:
        return Verdict(MISSED, detail)
    if IN_PROGRESS in verdicts:
        paces = {p.pace for p in parts if p.verdict == IN_PROGRESS}
        return Verdict(IN_PROGRESS, detail, BEHIND if BEHIND in paces else ON_TRACK if ON_TRACK in paces else None)
    if MET in verdicts:
        return Verdict(MET, detail)
    if verdicts == {NOT_MEASURED}:
        return Verdict(NOT_MEASURED, "the export has neither first-touch dates nor follow-up attempt counts — "
                                     "upload an activity log on the Data page")
    return Verdict(NOT_MEASURED if NOT_MEASURED in verdicts else None, detail)


@dataclass(frozen=True)
class MonthFigures:
    """What one month is judged on, whichever surface read it (the health table's frames, the report's rows)."""

    month: date
    stage: str  # months.COMPLETE, IN_PROGRESS or NOT_STARTED
    as_of_day: int | None  # the as-of day of the month in progress
    marketing_leads: int  # in the month, by the as-of time
    speed_handed: int = 0
    pct_within_goal: float | None = None
    depth_handed: int = 0
    not_connected: int = 0
    pct_at_goal: float | None = None

    @classmethod
    def at(cls, month: date, as_of: datetime, tz: str, marketing_leads: int, **sales_figures) -> MonthFigures:
        """The figures of ``month`` placed against the as-of time in the workspace time zone."""
        stage = phase(month, as_of, tz)
        day = as_of.astimezone(ZoneInfo(tz)).day if stage == MONTH_IN_PROGRESS else None
        return cls(month, stage, day, marketing_leads, **sales_figures)


@dataclass(frozen=True)
class MonthVerdicts:
    month: date
    stage: str
    marketing: Verdict
    speed: Verdict
    depth: Verdict
    sales: Verdict

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in ("marketing", "speed", "depth", "sales")}


def named_goals(a: Assumptions) -> tuple[float | None, int | None]:
    """The speed and depth goals a verdict's reason names: none when goal rules give leads goals of their own."""
    return (None, None) if a.goal_rules else (a.speed_goal_hours, a.depth_goal_attempts)


def judge(f: MonthFigures, a: Assumptions, measured: Measured, data_from: date | None = None) -> MonthVerdicts:
    """Every verdict of one month under the assumptions ``a`` (the one function all surfaces call); with goal rules
    the figures pool each lead at its own goal, so the reasons name no single goal."""
    speed_goal, depth_goal = named_goals(a)
    speed_verdict = speed(f.month, f.stage, measured.speed, f.speed_handed, f.pct_within_goal, a.speed_target_share,
                          speed_goal)
    depth_verdict = depth(f.month, f.stage, measured.depth, f.depth_handed, f.not_connected, f.pct_at_goal,
                          a.depth_target_share, depth_goal)
    return MonthVerdicts(f.month, f.stage,
                         marketing(f.month, f.stage, f.marketing_leads, compute_targets(a).leads_needed, f.as_of_day,
                                   data_from),
                         speed_verdict, depth_verdict, sales(speed_verdict, depth_verdict))


def consecutive_misses(passes: Iterable[bool | None]) -> list[int]:
    """Running count of months missed in a row: a miss adds one, a pass resets, None (no verdict) is skipped."""
    counts, run = [], 0
    for passed in passes:
        if passed is False:
            run += 1
        elif passed is True:
            run = 0
        counts.append(run)
    return counts


@dataclass(frozen=True)
class Health:
    """Complete months each team has missed in a row, up to and including one month."""

    marketing_misses: int
    sales_misses: int

    @property
    def status(self) -> str:
        """"review" once either team has missed REVIEW_AFTER complete months in a row (the cancellation condition)."""
        return "review" if max(self.marketing_misses, self.sales_misses) >= REVIEW_AFTER else "ok"

    def as_dict(self) -> dict:
        return {"consecutive_misses": {"marketing": self.marketing_misses, "sales": self.sales_misses},
                "status": self.status}


def runs(months: Sequence[MonthVerdicts]) -> list[Health]:
    """The run of misses after each month, oldest first; only met and missed (complete months) count."""
    marketing_runs = consecutive_misses(m.marketing.passed for m in months)
    sales_runs = consecutive_misses(m.sales.passed for m in months)
    return [Health(m, s) for m, s in zip(marketing_runs, sales_runs, strict=True)]
