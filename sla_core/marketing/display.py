"""Tables of the Marketing SLA page as a user reads and edits them: units shown, n/a spelled out.

The editors work in shown units (shares and rates in percent); these converters turn an
edited table back into typed tier assumptions and rules, with a clear error for a bad cell.
"""
from __future__ import annotations

import pandas as pd

from sla_core.export import csv_bytes
from sla_core.formatting import count, days, is_missing, money, percent
from sla_core.marketing.goal_line import GoalLine
from sla_core.marketing.targets import TierAssumption, TierTarget
from sla_core.marketing.tiers import TierRule


def _status(complete: bool, maturing: bool) -> str:
    if not complete:
        return "in progress"
    return "maturing" if maturing else "complete"


def monthly_display(monthly: pd.DataFrame) -> pd.DataFrame:
    """The recalculation table with units and "n/a", newest month first."""
    rows = [{
        "Month": f"{r.month:%Y-%m}", "Marketing leads": count(r.marketing_leads), "Customers from them": count(r.customers),
        "Close rate": percent(r.close_rate, 2), "Avg deal size": money(r.avg_deal_size),
        "Marketing share of revenue": percent(r.marketing_revenue_share), "Avg sales cycle": days(r.avg_cycle_days),
        "Status": _status(bool(r.complete), bool(r.maturing)),
    } for r in monthly.sort_values("month", ascending=False).itertuples()]
    return pd.DataFrame(rows, columns=["Month", "Marketing leads", "Customers from them", "Close rate", "Avg deal size",
                                       "Marketing share of revenue", "Avg sales cycle", "Status"])


def monthly_csv(monthly: pd.DataFrame) -> bytes:
    """The table as numbers for a spreadsheet (rates as fractions, n/a spelled out)."""
    out = monthly[["month", "marketing_leads", "customers", "close_rate", "avg_deal_size", "marketing_revenue_share",
                   "avg_cycle_days"]].copy()
    out["month"] = [f"{m:%Y-%m}" for m in out["month"]]
    out["status"] = [_status(bool(c), bool(m)) for c, m in zip(monthly["complete"], monthly["maturing"], strict=True)]
    return csv_bytes(out)


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
    return pd.DataFrame([{"Tier": r.tier, "Job title keywords (comma-separated)": ", ".join(r.keywords)} for r in rules],
                        columns=["Tier", "Job title keywords (comma-separated)"])


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


def track_badge(line: GoalLine) -> tuple[str, str, str]:
    """(text, colour, arrow) of the badge saying whether the month is on the goal line."""
    if line.on_track is True:
        return "On track", "green", "up"
    if line.on_track is False:
        return "Behind the goal line", "red", "down"
    return "n/a: " + ("month not started" if line.as_of_day is None else "no goal"), "gray", "off"


TIER_GOAL_COLUMNS = ["Tier", "Revenue goal", "Customers needed", "Leads needed", "Value per lead", "Value goal",
                     "Leads to date", "Attainment", "Projection"]


def tier_goal_rows(targets: list[TierTarget], lines: dict[str, GoalLine]) -> list[tuple[str, ...]]:
    """Per tier (columns TIER_GOAL_COLUMNS): its goals and where the chosen month stands against them,
    every cell as shown. Plain text: the page draws these few rows as a static table."""
    rows = []
    for t in targets:
        line = lines.get(t.name)
        rows.append((t.name, money(t.revenue_goal), count(t.customers_needed), count(t.leads_needed),
                     money(t.value_per_lead), money(t.value_goal), count(line.actual if line else None),
                     percent(line.attainment if line else None, 0), count(line.projection if line else None)))
    return rows
