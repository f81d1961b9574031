"""Rep capacity (SPEC 7): can the sales team make the depth goal's attempts on the month's lead target?

Pure arithmetic on the assumptions, so it follows every slider move at once.
"""
from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import date

from sla_core.assumptions import Assumptions
from sla_core.marketing.targets import compute_targets


@dataclass(frozen=True)
class Capacity:
    month: date
    leads_needed: int | None
    needed_hours: float | None  # leads needed × depth goal × minutes per attempt ÷ 60
    available_hours: float  # reps × hours per week on marketing leads × weeks in the month
    weeks: float  # days in the month ÷ 7

    @property
    def feasible(self) -> bool | None:
        """True when the team has the hours; None (n/a) without a lead target."""
        return None if self.needed_hours is None else self.needed_hours <= self.available_hours

    @property
    def gap_hours(self) -> float | None:
        """Hours short of the need (positive) or spare (negative)."""
        return None if self.needed_hours is None else self.needed_hours - self.available_hours

    def reps_needed(self, hours_per_week: float) -> int | None:
        """Reps at ``hours_per_week`` each that would cover the need; n/a without a need or hours."""
        if self.needed_hours is None or not hours_per_week > 0:
            return None
        return math.ceil(self.needed_hours / (hours_per_week * self.weeks) - 1e-9)

    def as_dict(self, hours_per_week: float) -> dict:
        return {"leads_needed": self.leads_needed, "needed_hours": self.needed_hours,
                "available_hours": self.available_hours, "weeks": self.weeks, "feasible": self.feasible,
                "gap_hours": self.gap_hours, "reps_needed": self.reps_needed(hours_per_week)}


def weeks_in_month(month: date) -> float:
    return calendar.monthrange(month.year, month.month)[1] / 7


def hours_in_month(hours_per_week: float, month: date) -> float:
    """Hours for marketing leads in ``month`` at ``hours_per_week``: the team check and each rep's bandwidth."""
    return hours_per_week * weeks_in_month(month)


def rep_capacity(a: Assumptions, month: date) -> Capacity:
    """Needed against available follow-up hours in ``month`` at the current lead target."""
    leads = compute_targets(a).leads_needed
    needed = None if leads is None else leads * a.depth_goal_attempts * a.minutes_per_attempt / 60
    return Capacity(month=month, leads_needed=leads, needed_hours=needed,
                    available_hours=a.reps * hours_in_month(a.hours_per_week_on_marketing_leads, month),
                    weeks=weeks_in_month(month))
