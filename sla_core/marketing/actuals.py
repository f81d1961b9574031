"""Monthly actuals (SPEC section 3) and the pooled rates behind "use my actuals".

The SQL returns the month's ratios and the sums they come from, so pooling the last k
complete months is a ratio of sums (never a mean of monthly ratios) without another query.
The pages take every month as a DataFrame; the report command and share links read one
month's figures straight into Python (``month_figures``, ``month_daily_leads``) from the
same statements, so they never load pandas, which costs more to import than the queries.
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
    import pandas as pd

RATE_COLUMNS = ("close_rate", "avg_deal_size", "marketing_revenue_share", "avg_cycle_days")
TABLE_COLUMNS = ("month", "marketing_leads", "customers", *RATE_COLUMNS, "complete", "maturing")


def monthly_actuals(con: duckdb.DuckDBPyConnection, tz: str, as_of: datetime | None) -> pd.DataFrame:
    """One row per local calendar month up to the as-of month; NaN where a rate is n/a.

    ``month`` is a ``datetime.date`` (the 1st). ``complete``: the month ended by the as-of
    time. ``maturing``: less than the average sales cycle has passed since the month ended,
    so its cohort close rate may still rise.
    """
    import pandas as pd

    if as_of is None:
        return pd.DataFrame(columns=[*TABLE_COLUMNS, "customer_revenue", "marketing_closed_revenue",
                                     "closed_revenue", "cycle_days_sum", "cycle_customers"])
    df = queries.frame(con, "marketing/monthly_actuals", tz=tz, as_of=as_of, month_from=None, month_to=None)
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


def month_figures(con: duckdb.DuckDBPyConnection, tz: str, as_of: datetime | None, month: date) -> dict:
    """``month_row`` of one month, reading only the rows near that month and no DataFrame."""
    if as_of is None:
        return _figures(None)
    first, end = month_span((month,))
    found = queries.records(con, "marketing/monthly_actuals", tz=tz, as_of=as_of, month_from=first, month_to=end)
    return _figures(found[0] if found else None)


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
    """Rates of the months used, each a ratio of the months' sums; None when n/a."""

    months: tuple[date, ...]
    maturing_months: tuple[date, ...]
    marketing_leads: int
    customers: int
    close_rate: float | None
    avg_deal_size: float | None
    marketing_revenue_share: float | None
    avg_cycle_days: float | None


def pooled_actuals(monthly: pd.DataFrame, k: int = 3, skip_maturing: bool = False) -> PooledActuals:
    """Pool the last ``k`` complete months (optionally only those no longer maturing)."""
    if k < 1:
        raise ValueError("pool at least one month")
    eligible = monthly[monthly["complete"].astype(bool)]
    if skip_maturing:
        eligible = eligible[~eligible["maturing"].astype(bool)]
    used = eligible.sort_values("month").tail(k)
    leads = int(used["marketing_leads"].sum())
    customers = int(used["customers"].sum())
    revenue = float(used["customer_revenue"].fillna(0).sum())
    has_revenue = used["customer_revenue"].notna().any()
    closed = float(used["closed_revenue"].fillna(0).sum())
    return PooledActuals(
        months=tuple(used["month"]),
        maturing_months=tuple(used.loc[used["maturing"].astype(bool), "month"]),
        marketing_leads=leads,
        customers=customers,
        close_rate=_ratio(customers, leads),
        avg_deal_size=_ratio(revenue, customers) if has_revenue else None,
        marketing_revenue_share=_ratio(float(used["marketing_closed_revenue"].fillna(0).sum()), closed),
        avg_cycle_days=_ratio(float(used["cycle_days_sum"].fillna(0).sum()), int(used["cycle_customers"].sum())),
    )


def month_span(months: tuple[date, ...]) -> tuple[date, date]:
    """[first month, the month after the last): the bounds of a query over a run of months."""
    last = months[-1]
    return months[0], date(last.year + last.month // 12, last.month % 12 + 1, 1)
