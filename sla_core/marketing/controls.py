"""The Marketing SLA what-if inputs: how each assumption is shown, and "use my actuals".

Rates are stored as fractions but shown in percent; keeping that conversion and the slider
ranges here leaves the page with nothing to compute.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sla_core.assumptions import Assumptions
from sla_core.formatting import money, percent
from sla_core.marketing.actuals import PooledActuals
from sla_core.marketing.targets import TierAssumption


@dataclass(frozen=True)
class InputSpec:
    """One assumption's widgets: ``scale`` turns the stored value into the shown one (100 for %)."""

    key: str  # Assumptions field, also the slider's widget key
    label: str
    help: str
    low: float
    high: float  # slider end; the number input has no upper end except for rates
    step: float
    slider_format: str
    input_format: str
    input_low: float  # the smallest value the number input accepts (shown units)
    scale: float = 1.0
    upper_limit: float | None = None  # the largest value the number input accepts (shown units)

    def shown(self, a: Assumptions) -> float:
        return round(getattr(a, self.key) * self.scale, 6)

    def stored(self, shown: float) -> float:
        return shown / self.scale

    def slider_high(self, shown: float) -> float:
        """The slider end, stretched when a typed or pooled value is beyond it."""
        return max(self.high, shown)

    def slider_low(self, shown: float) -> float:
        return min(self.low, shown)


INPUTS: tuple[InputSpec, ...] = (
    InputSpec("quota", "Sales quota for the month ($)", "Revenue sales must close in the month.",
              0.0, 1_000_000.0, 1_000.0, "$%,d", "%.0f", 0.0),
    InputSpec("marketing_share", "Marketing share of revenue (%)",
              "Part of the quota that should come from marketing-generated leads.",
              1.0, 100.0, 0.5, "%.1f%%", "%.1f", 0.1, scale=100.0, upper_limit=100.0),
    InputSpec("avg_deal_size", "Average deal size ($)", "Revenue of one won deal.",
              100.0, 100_000.0, 100.0, "$%,d", "%.2f", 1.0),
    InputSpec("close_rate", "Lead-to-customer close rate (%)",
              "Share of marketing leads that become customers.",
              0.1, 100.0, 0.1, "%.2f%%", "%.2f", 0.01, scale=100.0, upper_limit=100.0),
)
INPUT_KEYS = tuple(spec.key for spec in INPUTS)
NUMBER_SUFFIX = "_number"  # the number input beside each slider has key <field>_number


def from_shown(base: Assumptions, shown: dict[str, float]) -> Assumptions:
    """New assumptions from the values the widgets show; ValueError (in words) when invalid."""
    specs = {s.key: s for s in INPUTS}
    return base.updated(**{key: specs[key].stored(float(value)) for key, value in shown.items()})


def spread_label(months: int) -> str:
    return f"{months} month{'' if months == 1 else 's'}"


def with_spread(base: Assumptions, months: int) -> Assumptions:
    """The assumptions with the catch-up spread ``months`` (one of SPREAD_MONTHS)."""
    return base.updated(catch_up_months=months)


def shown_values(a: Assumptions) -> list[tuple[str, str]]:
    """(label, value as read) of each what-if input and the catch-up spread: a read-only view's assumptions."""
    formats = {"quota": money, "marketing_share": percent, "avg_deal_size": money,
               "close_rate": lambda rate: percent(rate, 2)}
    names = {"quota": "Sales quota", "marketing_share": "Marketing share of revenue",
             "avg_deal_size": "Average deal size", "close_rate": "Close rate"}
    return [*((names[s.key], formats[s.key](getattr(a, s.key))) for s in INPUTS),
            ("Catch-up spread", spread_label(a.catch_up_months))]


FIELD_NAMES = {"close_rate": "close rate", "avg_deal_size": "average deal size", "marketing_share": "marketing share"}


def exact_values_label(with_actuals: bool, with_monthly: bool) -> str:
    """The label of the section under the sliders: what it holds, in words."""
    parts = ["Exact values", *(["use my actuals"] if with_actuals else []),
             *(["the monthly recalculation"] if with_monthly else [])]
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]


@dataclass(frozen=True)
class AppliedActuals:
    assumptions: Assumptions
    applied: tuple[str, ...]
    skipped: tuple[str, ...]  # fields kept because the data gives no usable value

    def message(self, months: tuple) -> str:
        """What "use my actuals" did, for the note under its button."""
        used = ", ".join(f"{m:%b %Y}" for m in months) or "no complete month"
        text = f"Filled from {used}: {', '.join(FIELD_NAMES[f] for f in self.applied) or 'nothing'}."
        if self.skipped:
            text += f" Kept your {', '.join(FIELD_NAMES[f] for f in self.skipped)}: the data gives no usable value."
        return text


def apply_actuals(base: Assumptions, pooled: PooledActuals) -> AppliedActuals:
    """Replace close rate, deal size and marketing share with the pooled data, where usable.

    The values are taken unrounded, so the targets match what an analyst computes from the data.
    """
    found = {"close_rate": pooled.close_rate, "avg_deal_size": pooled.avg_deal_size,
             "marketing_share": pooled.marketing_revenue_share}
    result, applied, skipped = base, [], []
    for key, value in found.items():
        try:
            if value is None:
                raise ValueError(key)
            result = result.updated(**{key: value})
            applied.append(key)
        except ValueError:
            skipped.append(key)
    return AppliedActuals(result, tuple(applied), tuple(skipped))


def _positive(value) -> float | None:
    return None if value is None or pd.isna(value) or value <= 0 else float(value)


def apply_tier_actuals(tiers: tuple[TierAssumption, ...], per_tier: pd.DataFrame) -> tuple[TierAssumption, ...]:
    """Tier shares, deal sizes and close rates from ``tiers.tier_actuals`` over the pooled months.

    A rate the data cannot give (no leads, no customers) keeps the tier's current value. Shares
    come from the data when some marketing revenue closed (a tier without any gets 0 %), else
    they stay. Tiers found only in the data are added; values per lead stay as the user set them.
    """
    found = {row.tier: row for row in per_tier.itertuples(index=False)}
    shares_from_data = per_tier["revenue_share"].notna().any()
    current = {t.name: t for t in tiers}
    result = []
    for name in [*current, *sorted(set(found) - set(current))]:
        old = current.get(name, TierAssumption(name, 0.0, None, None))
        row = found.get(name)
        share = old.share
        if shares_from_data:
            share = 0.0 if row is None or pd.isna(row.revenue_share) else float(row.revenue_share)
        deal = _positive(row.avg_deal_size) if row is not None else None
        rate = _positive(row.close_rate) if row is not None else None
        result.append(TierAssumption(name, share, old.avg_deal_size if deal is None else deal,
                                     old.close_rate if rate is None else rate, old.value_per_lead))
    return tuple(result)
