"""Tables of the Marketing SLA page as a user reads and edits them: units shown, n/a spelled out.

The editors work in shown units (shares and rates in percent); these converters turn an
edited table back into typed tier assumptions and rules, with a clear error for a bad cell.
"""
from __future__ import annotations

import pandas as pd

from sla_core.export import csv_bytes
from sla_core.formatting import NA, count, days, is_missing, money, percent
from sla_core.health.verdicts import IN_PROGRESS, MET, MISSED, NOT_MEASURED, Verdict
from sla_core.marketing.actuals import PooledActuals
from sla_core.marketing.goal_line import GoalLine
from sla_core.marketing.maturity import MATURE, NO_LEADS, Cohort, Maturity
from sla_core.marketing.targets import TierAssumption, TierTarget, value_goal
from sla_core.marketing.tiers import TierRule

MONTHLY_COLUMNS = ["Month", "Marketing leads", "Customers from them", "Close rate", "Projected close rate",
                   "Avg deal size", "Marketing share of revenue", "Avg sales cycle", "Status"]
MONTHLY_HELP = {
    "Close rate": "Customers from the month's leads ÷ its leads; \"so far\" while the month is not mature: "
                  "its leads are still becoming customers.",
    "Projected close rate": "Where a month that is not mature yet is heading: its customers so far ÷ (its leads × "
                            "the share of their customers mature months had won at the same age), read off the "
                            "curve below. No model is fitted. Too early to tell while that share is under 20 %.",
    "Status": "mature: long enough since the month ended for its close rate to be final; maturing: ended, "
              "still gaining customers; in progress: not over yet.",
    "Avg sales cycle": "Mean days from MQL to customer of the marketing customers who closed in the month.",
    "Marketing share of revenue": "Marketing-origin revenue closed in the month ÷ all revenue closed in it.",
}


def _close_rate(c: Cohort) -> str:
    if c.stage == MATURE or c.close_rate is None:
        return percent(c.close_rate, 2)
    return f"{percent(c.close_rate, 2)} so far"


def _projected(c: Cohort) -> str:
    """The projected close rate, or why there is none ("n/a: mature", "too early to tell" …)."""
    if c.projected_close_rate is not None:
        return percent(c.projected_close_rate, 2)
    return {MATURE: f"{NA}: mature", NO_LEADS: NA}.get(c.no_projection, c.no_projection)


def monthly_display(monthly: pd.DataFrame, maturity: Maturity) -> pd.DataFrame:
    """The recalculation table with units, "so far", the projection and "n/a", newest month first."""
    cohorts = {c.month: c for c in maturity.cohorts}
    rows = [{
        "Month": f"{r.month:%Y-%m}", "Marketing leads": count(r.marketing_leads),
        "Customers from them": count(r.customers), "Close rate": _close_rate(cohorts[r.month]),
        "Projected close rate": _projected(cohorts[r.month]), "Avg deal size": money(r.avg_deal_size),
        "Marketing share of revenue": percent(r.marketing_revenue_share), "Avg sales cycle": days(r.avg_cycle_days),
        "Status": cohorts[r.month].stage,
    } for r in monthly.sort_values("month", ascending=False).itertuples()]
    return pd.DataFrame(rows, columns=MONTHLY_COLUMNS)


def monthly_csv(monthly: pd.DataFrame, maturity: Maturity) -> bytes:
    """The table as numbers for a spreadsheet (rates as fractions, n/a as an empty cell)."""
    out = monthly[["month", "marketing_leads", "customers", "close_rate", "avg_deal_size", "marketing_revenue_share",
                   "avg_cycle_days"]].copy()
    cohorts = {c.month: c for c in maturity.cohorts}
    out["projected_close_rate"] = [cohorts[m].projected_close_rate for m in monthly["month"]]
    out["status"] = [cohorts[m].stage for m in monthly["month"]]
    out["month"] = [f"{m:%Y-%m}" for m in out["month"]]
    return csv_bytes(out)


def _months(months) -> str:
    return ", ".join(f"{m:%b %Y}" for m in months)


def pool_note(pooled: PooledActuals, asked: int) -> str:
    """What "use my actuals" pools: the months used, those passed over and why, and the pooled rates."""
    skipped = "; ".join(f"{reason}: {_months(months)}" for reason, months in pooled.skipped_by_reason().items())
    skipped = f" Skipped ({skipped})." if skipped else ""
    if not pooled.months:
        return f"No complete month is mature and has marketing leads yet: nothing to pool.{skipped}"
    short = f" (only {len(pooled.months)} of the {asked} asked for qualify)" if len(pooled.months) < asked else ""
    return (f"Months used: {_months(pooled.months)}{short}.{skipped} Close rate {percent(pooled.close_rate, 2)}, "
            f"deal size {money(pooled.avg_deal_size)}, marketing share {percent(pooled.marketing_revenue_share)}.")


TIER_COLUMNS = ["Tier", "Share of goal (%)", "Avg deal size ($)", "Close rate (%)", "Value per lead ($)"]


def tiers_frame(tiers: tuple[TierAssumption, ...]) -> pd.DataFrame:
    """Tier assumptions in the editor's shown units; an empty value per lead means close rate × deal size."""
    return pd.DataFrame([{
        "Tier": t.name, "Share of goal (%)": t.share * 100,
        "Avg deal size ($)": t.avg_deal_size,
        "Close rate (%)": None if t.close_rate is None else t.close_rate * 100,
        "Value per lead ($)": t.value_per_lead,
    } for t in tiers], columns=TIER_COLUMNS).astype({c: "float64" for c in TIER_COLUMNS[1:]})


def _cell(row, column: str, scale: float = 1.0) -> float | None:
    value = row[column]
    if is_missing(value) or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return float(value) / scale
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{column} of tier {row['Tier']!r} must be a number") from exc


def tiers_from_frame(frame: pd.DataFrame) -> tuple[TierAssumption, ...]:
    """Typed tiers from the edited table (rows without a name are dropped); ValueError for a bad cell."""
    tiers = []
    for _, row in frame.iterrows():
        if is_missing(row["Tier"]) or not str(row["Tier"]).strip():
            continue
        share = _cell(row, "Share of goal (%)", 100.0)
        tiers.append(TierAssumption(str(row["Tier"]), 0.0 if share is None else share,
                                    _cell(row, "Avg deal size ($)"), _cell(row, "Close rate (%)", 100.0),
                                    _cell(row, "Value per lead ($)")))
    return tuple(tiers)


def rules_frame(rules: tuple[TierRule, ...]) -> pd.DataFrame:
    return pd.DataFrame([{"Tier": r.tier, "Job title keywords (comma-separated)": ", ".join(r.keywords)}
                         for r in rules], columns=["Tier", "Job title keywords (comma-separated)"])


def rules_from_frame(frame: pd.DataFrame) -> tuple[TierRule, ...]:
    """Rules in table order (first match wins); rows without a tier or keywords are dropped."""
    rules = []
    for _, row in frame.iterrows():
        tier, words = row["Tier"], row["Job title keywords (comma-separated)"]
        if is_missing(tier) or is_missing(words):
            continue
        rule = TierRule.from_text(str(tier), str(words))
        if rule.tier and rule.keywords:
            rules.append(rule)
    return tuple(rules)


def title_check_display(titles: pd.DataFrame) -> pd.DataFrame:
    """The title → tier check with readable headers."""
    return titles.rename(columns={"job_title": "Job title", "tier": "Tier", "tier_from": "Tier from", "leads": "Leads"})


def verdict_badge(verdict: Verdict) -> tuple[str, str, str]:
    """(text, colour, arrow) of the goal line's badge, from the month's marketing verdict (``verdicts.marketing``)."""
    if verdict.verdict == IN_PROGRESS and verdict.pace:
        return ("On track", "green", "up") if verdict.on_track else ("Behind the goal line", "red", "down")
    if verdict.verdict in (MET, MISSED):
        return ("Met", "green", "up") if verdict.on_track else ("Missed", "red", "down")
    if verdict.verdict == NOT_MEASURED:
        return NOT_MEASURED, "gray", "off"
    return f"{NA}: {verdict.detail}", "gray", "off"


TIER_GOAL_COLUMNS = ["Tier", "Attainment", "Projection", "Leads needed", "Leads to date", "Revenue goal",
                     "Customers needed", "Value per lead", "Value goal"]  # where the month stands first: a phone


def tier_goal_rows(targets: list[TierTarget], lines: dict[str, GoalLine]) -> list[tuple[str, ...]]:
    """Per tier (columns TIER_GOAL_COLUMNS): where the chosen month stands, then its goals, every cell as shown.
    Plain text: the page draws these few rows as a static table."""
    rows = []
    for t in targets:
        line = lines.get(t.name)
        rows.append((t.name, percent(line.attainment if line else None, 0), count(line.projection if line else None),
                     count(t.leads_needed), count(line.actual if line else None), money(t.revenue_goal),
                     count(t.customers_needed), money(t.value_per_lead), money(t.value_goal)))
    return rows


def value_goal_note(tiers: list[TierTarget], revenue_goal: float) -> str:
    """The value goal in words, beside the marketing revenue goal it is not: it is what the tiers' leads needed
    are worth, so each tier's rounding up to whole customers (and any value per lead set by hand) moves it."""
    worth = value_goal(tiers)
    customers = [t.customers_needed for t in tiers]
    whole = "" if None in customers else f" ({count(sum(customers))} customers in all)"
    return (f"Value goal for the month: {money(worth)}, what the tiers' leads needed are worth (Σ leads needed × "
            f"value per lead). It is not the marketing revenue goal of {money(revenue_goal)}: each tier rounds up "
            f"to whole customers{whole} and whole leads, and a value per lead set by hand moves it.")
