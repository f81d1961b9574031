"""Target arithmetic of the marketing SLA (SPEC section 2): pure, instant, no data needed.

Everything here runs on every slider move, so it is plain Python on a few numbers.
A target that cannot be computed (a zero or missing deal size or close rate) is
``None`` ("n/a"), never 0 or infinity.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from sla_core.assumptions import Assumptions

SHARE_TOLERANCE = 1e-6
DEFAULT_TIER_NAMES = ("executive", "director", "manager", "other")
DEFAULT_TIER_SHARES = (0.4, 0.3, 0.2, 0.1)


def ceil_tolerant(value: float) -> int:
    """Ceiling that ignores float noise: 5000 × 1.0 / 100 must give 50, not 51.

    A value within a relative 1e-9 of a whole number is that number: this absorbs
    binary-fraction error (0.1, 0.7 …) that would otherwise push an exact whole number
    just above itself, while a tiny positive goal still needs one customer.
    """
    nearest = round(value)
    if abs(value - nearest) <= 1e-9 * abs(value):
        return int(nearest)
    return math.ceil(value)


def _usable(x: float | None, upper: float | None = None) -> bool:
    return x is not None and math.isfinite(x) and x > 0 and (upper is None or x <= upper)


def customers_needed(revenue_goal: float, avg_deal_size: float | None) -> int | None:
    """ceil(revenue goal / deal size); n/a without a positive deal size."""
    if not _usable(avg_deal_size) or not math.isfinite(revenue_goal):
        return None
    return ceil_tolerant(revenue_goal / avg_deal_size)


def leads_needed(customers: int | None, close_rate: float | None) -> int | None:
    """ceil(customers needed / close rate); n/a without a close rate in (0, 1]."""
    if customers is None or not _usable(close_rate, upper=1.0):
        return None
    return ceil_tolerant(customers / close_rate)


@dataclass(frozen=True)
class Targets:
    marketing_revenue_goal: float
    customers_needed: int | None
    leads_needed: int | None

    def as_dict(self) -> dict:
        return {"marketing_revenue_goal": self.marketing_revenue_goal,
                "customers_needed": self.customers_needed, "leads_needed": self.leads_needed}


def compute_targets(a: Assumptions) -> Targets:
    """The three headline numbers of the agreement from the what-if inputs."""
    goal = a.quota * a.marketing_share
    customers = customers_needed(goal, a.avg_deal_size)
    return Targets(goal, customers, leads_needed(customers, a.close_rate))


@dataclass(frozen=True)
class TierAssumption:
    """One lead-quality tier's slice of the goal; ``value_per_lead`` None means close rate × deal size."""

    name: str
    share: float  # of the marketing revenue goal
    avg_deal_size: float | None
    close_rate: float | None
    value_per_lead: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", str(self.name).strip().lower())

    @property
    def value(self) -> float | None:
        """Worth of one lead of this tier in value mode (n/a when it cannot be derived)."""
        if self.value_per_lead is not None and math.isfinite(self.value_per_lead):
            return self.value_per_lead
        if _usable(self.close_rate, 1.0) and _usable(self.avg_deal_size):
            return self.close_rate * self.avg_deal_size
        return None


def default_tiers(a: Assumptions, names_in_data: tuple[str, ...] = ()) -> tuple[TierAssumption, ...]:
    """A starting point to edit: the four title tiers, each on the overall deal size and close rate.

    Tiers found in the data's own tier column are added with a 0 % share, so the user sees them.
    """
    tiers = [TierAssumption(name, share, a.avg_deal_size, a.close_rate)
             for name, share in zip(DEFAULT_TIER_NAMES, DEFAULT_TIER_SHARES, strict=True)]
    extra = sorted({str(n).strip().lower() for n in names_in_data} - set(DEFAULT_TIER_NAMES) - {""})
    return tuple(tiers + [TierAssumption(name, 0.0, a.avg_deal_size, a.close_rate) for name in extra])


def tier_errors(tiers: tuple[TierAssumption, ...] | list[TierAssumption]) -> list[str]:
    """Every rule the tier table breaks, in words a user can act on (empty when valid)."""
    problems = []
    names = [t.name for t in tiers]
    if not tiers:
        problems.append("add at least one tier")
    if any(not n for n in names):
        problems.append("every tier needs a name")
    if len(set(names)) != len(names):
        problems.append("tier names must be different")
    shares = [t.share for t in tiers]
    if any(s is None or not math.isfinite(s) or not 0 <= s <= 1 for s in shares):
        problems.append("each tier's share must be between 0 % and 100 %")
    elif tiers and abs(sum(shares) - 1) > SHARE_TOLERANCE:
        problems.append(f"tier shares must add up to 100 % (they add up to {sum(shares):.1%})")
    if any(t.value_per_lead is not None and (not math.isfinite(t.value_per_lead) or t.value_per_lead < 0)
           for t in tiers):
        problems.append("a value per lead must be 0 or more (leave it empty for close rate × deal size)")
    return problems


@dataclass(frozen=True)
class TierTarget:
    name: str
    revenue_goal: float
    customers_needed: int | None
    leads_needed: int | None
    value_per_lead: float | None
    value_goal: float | None  # leads_needed × value_per_lead


def tier_targets(a: Assumptions, tiers: tuple[TierAssumption, ...] | list[TierAssumption]) -> list[TierTarget]:
    """Each tier's share of the marketing revenue goal through the same two ceilings.

    A tier without a usable deal size or close rate gets n/a targets rather than
    blocking the other tiers. Raises ValueError when the tier table itself is invalid.
    """
    problems = tier_errors(tiers)
    if problems:
        raise ValueError("; ".join(problems))
    goal = compute_targets(a).marketing_revenue_goal
    result = []
    for t in tiers:
        revenue = goal * t.share
        if revenue == 0:  # a tier with no share owes nothing, whatever its rates
            customers = leads = 0
        else:
            customers = customers_needed(revenue, t.avg_deal_size)
            leads = leads_needed(customers, t.close_rate)
        value = t.value
        worth = 0.0 if leads == 0 else None if leads is None or value is None else leads * value
        result.append(TierTarget(t.name, revenue, customers, leads, value, worth))
    return result


def value_goal(targets: list[TierTarget]) -> float | None:
    """Σ leads_needed_t × value_t; n/a when any tier that owes leads is n/a."""
    parts = [t.value_goal for t in targets]
    return None if any(p is None for p in parts) else float(sum(parts))
