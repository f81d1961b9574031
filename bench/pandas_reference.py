"""The SLA metrics in plain pandas: what a user would write instead of the product.

usage: python bench/pandas_reference.py LEADS.csv --month 2024-06 [--month …] [--speed-goal 1] [--depth-goal 6]

Reads a HubSpot-style export (the headers of ``sla_core/generator.py --style hubspot``),
computes every month's monthly actuals (SPEC 3), daily marketing leads for the goal
line (SPEC 4), speed of follow-up per month on the calendar clock (SPEC 5) and depth
(SPEC 6), all in UTC with the default source and status rules, and prints the asked
months as JSON. It is the benchmark's reference twice over: the timing to beat, and an
independent implementation the product's report must agree with.
"""
from __future__ import annotations

import argparse
import json
import math
import sys

import numpy as np
import pandas as pd

COLUMNS = {
    "Record ID": "lead_id", "Create Date": "created_at", "Became a Marketing Qualified Lead Date": "mql_at",
    "Owner Assigned Date": "handed_at", "Date of first engagement": "first_touch_at",
    "Number of Sales Activities": "attempts", "Lead Status": "status", "Became a Customer Date": "customer_at",
    "Recent Deal Amount": "deal_amount", "Original Source": "source",
}
TIMESTAMPS = ["created_at", "mql_at", "handed_at", "first_touch_at", "customer_at"]
SALES_SOURCES = {"outbound", "offline sources", "sales", "sales generated", "cold call", "prospecting"}
CONNECTED = {"connected", "open deal", "in progress", "meeting booked", "qualified"}


def load(path: str) -> pd.DataFrame:
    df = pd.read_csv(path, engine="pyarrow", usecols=list(COLUMNS), dtype={"Record ID": str})
    df = df.rename(columns=COLUMNS)
    for col in TIMESTAMPS:
        df[col] = pd.to_datetime(df[col], format="%Y-%m-%d %H:%M")
    df["marketing"] = ~df["source"].str.lower().isin(SALES_SOURCES)
    df["attempts"] = df["attempts"].fillna(0)
    df["connected"] = df["status"].str.lower().isin(CONNECTED)
    won_before_created = df["customer_at"] < df["created_at"]
    df.loc[won_before_created, "customer_at"] = pd.NaT
    df.loc[won_before_created | (df["deal_amount"] < 0), "deal_amount"] = np.nan
    return df


def _div(a: float, b: float) -> float | None:
    return None if not b else float(a) / float(b)


def monthly_actuals(df: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """SPEC 3 for every month: the MQL cohort's customers, and the revenue closed in the month."""
    mql = df["mql_at"].where(df["mql_at"] <= as_of)
    won = df["customer_at"].where(df["customer_at"] <= as_of)
    cohort = df[df["marketing"] & mql.notna()].assign(month=mql.dt.to_period("M"), won=won.notna())
    cohort = cohort.groupby("month").agg(
        marketing_leads=("lead_id", "size"), customers=("won", "sum"),
        revenue=("deal_amount", lambda s: s[cohort.loc[s.index, "won"]].sum()))
    closed = df[won.notna()].assign(month=won.dt.to_period("M"),
                                    cycle_days=(df["customer_at"] - df["mql_at"]).dt.total_seconds() / 86400)
    closed_m = closed[closed["marketing"]]
    by_close = pd.DataFrame({
        "closed_revenue": closed.groupby("month")["deal_amount"].sum(min_count=1),
        "marketing_closed_revenue": closed_m.groupby("month")["deal_amount"].sum(),
        "avg_cycle_days": closed_m.groupby("month")["cycle_days"].mean(),
    })
    return cohort.join(by_close, how="outer")


def speed_by_month(df: pd.DataFrame, as_of: pd.Timestamp, goal_hours: float) -> pd.DataFrame:
    """SPEC 5 per month of hand-off, calendar hours; touched-before-hand-off leads excluded."""
    h = df[(df["handed_at"] <= as_of) & ~(df["first_touch_at"] < df["handed_at"])].copy()
    touch = h["first_touch_at"].where(h["first_touch_at"] <= as_of)
    h["hours"] = (touch - h["handed_at"]).dt.total_seconds() / 3600
    h["within"] = h["hours"] <= goal_hours
    h["missed"] = ~h["within"] & ((as_of - h["handed_at"]).dt.total_seconds() / 3600 >= goal_hours)
    h["month"] = h["handed_at"].dt.to_period("M")
    g = h.groupby("month")
    out = pd.DataFrame({
        "handed": g.size(), "touched": g["hours"].count(), "mean_hours": g["hours"].mean(),
        "median_hours": g["hours"].quantile(0.5), "p90_hours": g["hours"].quantile(0.9),
        "within": g["within"].sum(), "missed": g["missed"].sum(),
    })
    out["pct_within_goal"] = out["within"] / (out["within"] + out["missed"]).replace(0, np.nan)
    return out


def depth_by_month(df: pd.DataFrame, as_of: pd.Timestamp, depth_goal: int) -> pd.DataFrame:
    """SPEC 6 per month of hand-off."""
    h = df[df["handed_at"] <= as_of]
    month = h["handed_at"].dt.to_period("M")
    open_ = h[~h["connected"]]
    out = pd.DataFrame({
        "handed": h.groupby(month).size(),
        "worked": (h["attempts"] >= 1).groupby(month).sum(),
        "not_connected": open_.groupby(month[open_.index]).size(),
        "avg_attempts": open_.groupby(month[open_.index])["attempts"].mean(),
        "at_goal": (open_["attempts"] >= depth_goal).groupby(month[open_.index]).sum(),
    })
    out["pct_at_goal"] = out["at_goal"] / out["not_connected"].replace(0, np.nan)
    out["leads_worked_pct"] = out["worked"] / out["handed"]
    return out


def _plain(value):
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return value.item() if hasattr(value, "item") else value


def _pick(frame: pd.DataFrame, month: pd.Period, keys: tuple[str, ...], counts: tuple[str, ...]) -> dict:
    row = frame.loc[month] if month in frame.index else pd.Series(dtype=float)
    return {k: (int(_plain(row.get(k)) or 0) if k in counts else _plain(row.get(k))) for k in keys}


def report(df: pd.DataFrame, months: list[str], speed_goal: float = 1.0, depth_goal: int = 6) -> dict:
    as_of = df[TIMESTAMPS].max().max()
    actuals = monthly_actuals(df, as_of)
    speed = speed_by_month(df, as_of, speed_goal)
    depth = depth_by_month(df, as_of, depth_goal)
    mql = df["mql_at"].where(df["marketing"] & (df["mql_at"] <= as_of))
    daily = mql.dt.floor("D").value_counts()
    result = {"as_of": as_of.isoformat()}
    for text in months:
        month = pd.Period(text, "M")
        a = actuals.loc[month] if month in actuals.index else pd.Series(dtype=float)
        leads, customers = int(_plain(a.get("marketing_leads")) or 0), int(_plain(a.get("customers")) or 0)
        days = pd.date_range(month.start_time, month.end_time.normalize(), freq="D")
        last_day = days[-1] if as_of >= month.end_time else as_of.normalize()
        cum = daily.reindex(days, fill_value=0).cumsum()
        result[text] = {
            "actuals": {
                "marketing_leads": leads, "customers": customers,
                "close_rate": _div(customers, leads),
                "avg_deal_size": _div(_plain(a.get("revenue")) or 0, customers),
                "marketing_revenue_share": _div(_plain(a.get("marketing_closed_revenue")) or 0,
                                                _plain(a.get("closed_revenue")) or 0),
                "avg_cycle_days": _plain(a.get("avg_cycle_days")),
            },
            "goal_line_actual_cum": [int(v) for d, v in cum.items() if d <= last_day],
            "speed": _pick(speed, month, ("handed", "touched", "mean_hours", "median_hours", "p90_hours",
                                          "pct_within_goal", "within", "missed"),
                           ("handed", "touched", "within", "missed")),
            "depth": _pick(depth, month, ("not_connected", "avg_attempts", "pct_at_goal", "leads_worked_pct"),
                           ("not_connected",)),
        }
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("leads")
    ap.add_argument("--month", action="append", required=True)
    ap.add_argument("--speed-goal", type=float, default=1.0)
    ap.add_argument("--depth-goal", type=int, default=6)
    args = ap.parse_args(argv)
    json.dump(report(load(args.leads), args.month, args.speed_goal, args.depth_goal), sys.stdout, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
