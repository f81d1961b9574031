"""Lead-quality tiers: the given tier column, else a tier derived from the job title.

Rules are ordered keyword lists the user edits (first match wins, no match → "other").
Keywords become case-insensitive whole-word patterns bound as SQL parameters, so a
user's text is never part of a statement; the match runs once per distinct title.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from typing import TYPE_CHECKING

import duckdb

from sla_core import queries
if TYPE_CHECKING:
    import pandas as pd

FALLBACK_TIER = "other"


@dataclass(frozen=True)
class TierRule:
    """Leads whose job title contains any of ``keywords`` (whole words, any case) are ``tier``."""

    tier: str
    keywords: tuple[str, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "tier", str(self.tier).strip().lower())
        cleaned = tuple(k for k in (" ".join(str(k).split()) for k in self.keywords) if k)
        object.__setattr__(self, "keywords", cleaned)

    @property
    def pattern(self) -> str:
        """An RE2 pattern: any keyword between non-word characters or the ends of the title."""
        words = "|".join(re.escape(k).replace(r"\ ", " ").replace(" ", r"\s+") for k in self.keywords)
        return rf"(?i)(^|\W)(?:{words})($|\W)"

    @classmethod
    def from_text(cls, tier: str, keywords: str) -> "TierRule":
        """From the editor's comma-separated keyword cell."""
        return cls(tier, tuple(keywords.split(",")))


DEFAULT_RULES: tuple[TierRule, ...] = (
    TierRule("executive", ("CEO", "CFO", "CTO", "CMO", "COO", "Chief", "Founder", "Co-Founder", "Owner",
                           "President", "VP", "Vice President")),
    TierRule("director", ("Director", "Head of")),
    TierRule("manager", ("Manager", "Lead")),
)


def rule_params(rules: tuple[TierRule, ...]) -> dict:
    """The named parameters every tier-aware query takes ($rule_tiers, $rule_patterns, $fallback_tier)."""
    usable = [r for r in rules if r.tier and r.keywords]
    return {"rule_tiers": [r.tier for r in usable], "rule_patterns": [r.pattern for r in usable],
            "fallback_tier": FALLBACK_TIER}


def title_tiers(con: duckdb.DuckDBPyConnection, rules: tuple[TierRule, ...], limit: int = 50) -> pd.DataFrame:
    """The most common job titles with the tier each lead gets and where it came from, to check the rules."""
    return queries.frame(con, "marketing/title_tiers", limit=limit, **rule_params(rules))


def tier_actuals(con: duckdb.DuckDBPyConnection, tz: str, as_of, rules: tuple[TierRule, ...],
                 from_month, to_month) -> pd.DataFrame:
    """Per tier over local months [from_month, to_month): leads, customers, close rate, deal size, revenue share."""
    return queries.frame(con, "marketing/tier_actuals", tz=tz, as_of=as_of, from_month=from_month, to_month=to_month,
                         **rule_params(rules))
