"""Monthly actuals (SPEC section 3) and the pooled rates behind "use my actuals".

The SQL returns the month's ratios and the sums they come from, so pooling the last k
complete, mature months is a ratio of sums (never a mean of monthly ratios) without another
query; which months are mature is ``maturity``'s.
The pages take every month as a DataFrame; the report command reads every month's rows straight into
Python once (``figures_of`` picks its month) and one month's days (``month_daily_leads``) from the same
statements, so it never loads pandas, which costs more to import than the queries.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

import duckdb

from sla_core import queries
from sla_core.marketing import tiers

if TYPE_CHECKING:
    from collections.abc import Collection

    import pandas as pd

RATE_COLUMNS = ("close_rate", "avg_deal_size", "marketing_revenue_share", "avg_cycle_days")
TABLE_COLUMNS = ("month", "marketing_leads", "customers", *RATE_COLUMNS, "complete")
DEFAULT_POOL = 3  # SPEC 3: the last 3 complete, mature months with leads
NO_LEADS, STILL_MATURING = "no leads", "still maturing"


def monthly_actuals(con: duckdb.DuckDBPyConnection, tz: str, as_of: datetime | None) -> pd.DataFrame:
    """One row per local calendar month up to the as-of month; NaN where a rate is n/a.

    ``month`` is a ``datetime.date`` (the 1st). ``complete``: the month ended by the as-of
    time (whether it is also mature is ``maturity.assess``'s).
    """
    import pandas as pd

    if as_of is None:
        return pd.DataFrame(columns=[*TABLE_COLUMNS, "customer_revenue", "marketing_closed_revenue",
                                     "closed_revenue", "cycle_days_sum", "cycle_customers"])
    df = queries.frame(con, "marketing/monthly_actuals", tz=tz, as_of=as_of)
    df["month"] = pd.to_datetime(df["month"]).dt.date
    return df


def daily_marketing_leads(con: duckdb.DuckDBPyConnection, tz: str, as_of: datetime | None,
                          rules: tuple[tiers.TierRule, ...] = tiers.DEFAULT_RULES) -> pd.DataFrame:
    """Marketing leads per local day (a ``datetime.date``) and tier: the input of every goal line."""
    import pandas as pd

    if as_of is None:
        return pd.DataFrame({"day": [], "tier": [], "leads": []})
    df = queries.frame(con, "marketing/daily_marketing_leads", tz=tz, as_of=as_of, by_tier=True, month_from=None,
                       month_to=None, **tiers.rule_params(rules))
    df["day"] = pd.to_datetime(df["day"]).dt.date
    return df


def month_row(monthly: pd.DataFrame, month: date) -> dict:
    """The SPEC 9 "actuals" of one month, n/a as None (a month outside the data has no leads)."""
    match = monthly[monthly["month"] == month]
    return _figures(None if match.empty else match.iloc[0])


def figures_of(rows: list[dict], month: date) -> dict:
    """The SPEC 9 actuals of ``month`` (``month_row``'s figures) from every month's rows as records, already read."""
    return _figures(next((r for r in rows if r["month"] == month), None))


def month_daily_leads(con: duckdb.DuckDBPyConnection, tz: str, as_of: datetime | None, month: date) -> dict[date, int]:
    """Marketing leads per local day of one month, all tiers together: a goal line's input without a DataFrame."""
    if as_of is None:
        return {}
    first, end = month_span((month,))
    found = queries.records(con, "marketing/daily_marketing_leads", tz=tz, as_of=as_of, by_tier=False, month_from=first,
                            month_to=end, **tiers.rule_params(()))
    return {r["day"]: r["leads"] for r in found}


def _figures(row) -> dict:
    """One month's SPEC 9 actuals from its row (a Series or a dict); no row: the month had no leads."""
    if row is None:
        return {"marketing_leads": 0, "customers": 0, **{c: None for c in RATE_COLUMNS}}
    return {"marketing_leads": int(row["marketing_leads"]), "customers": int(row["customers"]),
            **{c: _number(row[c]) for c in RATE_COLUMNS}}


def _number(value) -> float | None:
    """A plain float, or None for n/a (NULL, NaN or infinite)."""
    return None if value is None or not math.isfinite(float(value)) else float(value)


def _ratio(numerator: float, denominator: float) -> float | None:
    return None if not denominator else numerator / denominator


@dataclass(frozen=True)
class PooledActuals:
    """Rates of the months used, each a ratio of the months' sums (None when n/a), and the months passed over."""

    months: tuple[date, ...]
    skipped: tuple[tuple[date, str], ...]  # newer complete months left out, newest first, and why
    marketing_leads: int
    customers: int
    close_rate: float | None
    avg_deal_size: float | None
    marketing_revenue_share: float | None
    avg_cycle_days: float | None

    def skipped_by_reason(self) -> dict[str, tuple[date, ...]]:
        """The months left out per reason (NO_LEADS, STILL_MATURING), oldest first."""
        reasons: dict[str, tuple[date, ...]] = {}
        for month, reason in reversed(self.skipped):
            reasons[reason] = (*reasons.get(reason, ()), month)
        return reasons


def pooled_actuals(monthly: pd.DataFrame, mature: Collection[date], k: int = DEFAULT_POOL) -> PooledActuals:
    """Pool the last ``k`` complete months that are ``mature`` and have at least one marketing lead.

    Walking back from the latest complete month, a month without leads or still maturing is
    passed over (and listed with why) until ``k`` months are found or none is left.
    """
    if k < 1:
        raise ValueError("pool at least one month")
    used, skipped = [], []
    for row in monthly[monthly["complete"].astype(bool)].sort_values("month", ascending=False).itertuples():
        if len(used) == k:
            break
        if not row.marketing_leads:
            skipped.append((row.month, NO_LEADS))
        elif row.month not in mature:
            skipped.append((row.month, STILL_MATURING))
        else:
            used.append(row.month)
    rows = monthly[monthly["month"].isin(used)]
    leads, customers = int(rows["marketing_leads"].sum()), int(rows["customers"].sum())
    has_revenue = rows["customer_revenue"].notna().any()
    return PooledActuals(
        months=tuple(sorted(used)),
        skipped=tuple(skipped),
        marketing_leads=leads,
        customers=customers,
        close_rate=_ratio(customers, leads),
        avg_deal_size=_ratio(float(rows["customer_revenue"].fillna(0).sum()), customers) if has_revenue else None,
        marketing_revenue_share=_ratio(float(rows["marketing_closed_revenue"].fillna(0).sum()),
                                       float(rows["closed_revenue"].fillna(0).sum())),
        avg_cycle_days=_ratio(float(rows["cycle_days_sum"].fillna(0).sum()), int(rows["cycle_customers"].sum())),
    )


def month_span(months: tuple[date, ...]) -> tuple[date, date]:
    """[first month, the month after the last): the bounds of a query over a run of months."""
    last = months[-1]
    return months[0], date(last.year + last.month // 12, last.month % 12 + 1, 1)
