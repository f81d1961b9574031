"""Seeded synthetic CRM lead exports: the bundled sample, test fixtures and benchmark files.

usage: python -m sla_core.generator N OUT.csv [--seed 42] [--style snake|hubspot|salesforce]

The funnel follows the research notes (about 44 % of leads become MQLs, 79 % of MQLs
are handed to sales, 12 % of handed leads are never touched, 55 % of touched leads
connect, about 2 % become customers), with per-rep speed, weekday and business-hour
skew. The export is a snapshot: anything that would happen after the export time is
blank, so the latest month is still in progress, as in a real export.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

START = np.datetime64("2024-01-01T00:00:00", "s").astype(np.int64)
DAYS = 380  # 2024-01-01 … 2025-01-15: twelve complete months plus half of the next
EXPORT_AT = START + DAYS * 86400
HOUR, DAY = 3600, 86400

SOURCES = ["Organic Search", "Paid Search", "Paid Social", "Email Marketing",
           "Webinar", "Events", "Referrals", "Outbound"]
SOURCE_WEIGHT = [0.22, 0.18, 0.14, 0.10, 0.08, 0.06, 0.07, 0.15]
SOURCE_MQL_RATE = [0.55, 0.50, 0.35, 0.45, 0.70, 0.60, 0.65, 0.0]  # Outbound skips MQL
SOURCE_WIN_RATE = [0.10, 0.09, 0.06, 0.08, 0.12, 0.11, 0.18, 0.09]  # given connected
SOURCE_DEAL_FACTOR = [1.0, 0.9, 0.7, 0.8, 1.2, 1.4, 1.5, 1.3]
FIRST = ["Alex", "Maria", "James", "Priya", "Chen", "Sofia", "Liam", "Fatima",
         "Noah", "Elena", "Omar", "Hannah", "Lucas", "Aiko", "Mateo", "Grace"]
LAST = ["Smith", "Garcia", "Müller", "Patel", "Wang", "Rossi", "O'Brien", "Nakamura",
        "Silva", "Kowalski", "Haddad", "Johnson", "Dubois", "Andersen", "Lopez", "Kim"]
FUNCTIONS = ["Marketing", "Sales", "Engineering", "Operations", "Finance", "IT"]
COUNTRIES = ["United States", "United Kingdom", "Germany", "France", "Canada",
             "Australia", "Netherlands", "Spain", "Brazil", "India"]
COUNTRY_WEIGHT = [0.40, 0.12, 0.10, 0.07, 0.07, 0.05, 0.05, 0.04, 0.05, 0.05]
REPS = 24

# Header spelling per CRM style: canonical name → export header.
STYLES: dict[str, dict[str, str]] = {
    "snake": {
        "lead_id": "lead_id", "created_at": "created_at", "mql_at": "mql_at",
        "handed_at": "handed_to_sales_at", "first_touch_at": "first_follow_up_at",
        "attempts": "follow_up_attempts", "connected": "connected",
        "customer_at": "became_customer_at", "deal_amount": "deal_amount", "source": "source",
        "owner": "owner", "job_title": "job_title", "country": "country",
    },
    "hubspot": {
        "lead_id": "Record ID", "first_name": "First Name", "last_name": "Last Name",
        "created_at": "Create Date", "mql_at": "Became a Marketing Qualified Lead Date",
        "handed_at": "Owner Assigned Date", "first_touch_at": "Date of first engagement",
        "attempts": "Number of Sales Activities", "connected": "Lead Status",
        "customer_at": "Became a Customer Date", "deal_amount": "Recent Deal Amount",
        "source": "Original Source", "owner": "Contact owner", "job_title": "Job Title",
        "country": "Country/Region",
    },
    "salesforce": {
        "lead_id": "Lead ID", "first_name": "First Name", "last_name": "Last Name",
        "created_at": "Created Date", "mql_at": "MQL Date", "handed_at": "Assigned Date",
        "first_touch_at": "First Response Date", "attempts": "Activity Count",
        "connected": "Lead Status", "customer_at": "Converted Date", "deal_amount": "Amount",
        "source": "Lead Source", "owner": "Lead Owner", "job_title": "Title", "country": "Country",
    },
}
TIMESTAMP_FORMAT = {"snake": "%Y-%m-%dT%H:%M:%S", "hubspot": "%Y-%m-%d %H:%M", "salesforce": "%m/%d/%Y %I:%M %p"}


def job_titles() -> tuple[list[str], np.ndarray]:
    titles, weights = [], []
    for f in FUNCTIONS:
        role = "Engineer" if f == "Engineering" else "Specialist"
        titles += [f"Junior {f} {role}", f"{f} {role}", f"Senior {f} {role}", f"{f} Manager",
                   f"Head of {f}", f"Director of {f}", f"VP of {f}", f"VP, {f}"]
        weights += [0.6, 1.5, 1.0, 1.0, 0.3, 0.5, 0.25, 0.05]
    titles += ["CEO", "CTO", "CFO", "CMO", "Founder", "Owner", "Intern", ""]
    weights += [0.3, 0.2, 0.1, 0.25, 0.2, 0.15, 0.3, 1.5]
    w = np.array(weights)
    return titles, w / w.sum()


def generate(n: int, seed: int = 42) -> dict[str, np.ndarray]:
    """Canonical columns as numpy arrays (epoch seconds, -1 where a timestamp is blank)."""
    rng = np.random.default_rng(seed)
    day = np.arange(DAYS)
    day_weight = np.where(day % 7 >= 5, 0.35, 1.0) * (1 + 0.4 * day / DAYS)  # 2024-01-01 is a Monday
    d = rng.choice(DAYS, n, p=day_weight / day_weight.sum())
    sec = np.where(rng.random(n) < 0.75, rng.normal(13.5 * HOUR, 3 * HOUR, n), rng.uniform(0, DAY, n))
    created = np.sort(START + d * DAY + np.clip(sec, 0, DAY - 1).astype(np.int64))

    src = rng.choice(len(SOURCES), n, p=SOURCE_WEIGHT)
    owner = rng.integers(0, REPS, n)
    rep_speed = np.exp(rng.normal(0, 0.6, REPS))[owner]

    def lag(median_s: float, sigma: float) -> np.ndarray:
        return (median_s * np.exp(rng.normal(0, sigma, n))).astype(np.int64)

    is_mql = rng.random(n) < np.take(SOURCE_MQL_RATE, src)
    mql = created + lag(6 * HOUR, 1.5)
    outbound = src == SOURCES.index("Outbound")
    handed_flag = (is_mql & (rng.random(n) < 0.79)) | (outbound & (rng.random(n) < 0.9))
    handed = np.where(is_mql, mql, created) + lag(2 * HOUR, 1.2)
    touched = handed_flag & (rng.random(n) < 0.88)
    first_touch = handed + np.maximum(60, lag(3 * HOUR, 1.8) * rep_speed).astype(np.int64)
    connected = touched & (rng.random(n) < 0.55)
    attempts = np.where(connected, np.minimum(10, rng.geometric(0.5, n)),
                        np.minimum(10, 1 + rng.binomial(9, 0.35, n)))
    won = connected & (rng.random(n) < np.take(SOURCE_WIN_RATE, src))
    customer = first_touch + lag(45 * DAY, 0.6)
    deal = np.round(12000 * np.take(SOURCE_DEAL_FACTOR, src) * np.exp(rng.normal(0, 0.8, n)), 2)

    # Snapshot at export time: what has not happened yet is blank.
    mql_ok = is_mql & (mql <= EXPORT_AT)
    handed_ok = handed_flag & (handed <= EXPORT_AT)
    touch_ok = touched & handed_ok & (first_touch <= EXPORT_AT)
    won_ok = won & touch_ok & (customer <= EXPORT_AT)
    connected_ok = connected & touch_ok
    titles, title_weight = job_titles()
    return {
        "lead_id": np.arange(1, n + 1),
        "first_name": rng.integers(0, len(FIRST), n),
        "last_name": rng.integers(0, len(LAST), n),
        "created_at": created,
        "mql_at": np.where(mql_ok, mql, -1),
        "handed_at": np.where(handed_ok, handed, -1),
        "first_touch_at": np.where(touch_ok, first_touch, -1),
        "attempts": np.where(touch_ok, attempts, 0),
        "connected": connected_ok,
        "customer_at": np.where(won_ok, customer, -1),
        "deal_amount": np.where(won_ok, deal, np.nan),
        "source": src,
        "owner": owner,
        "job_title": rng.choice(len(titles), n, p=title_weight),
        "country": rng.choice(len(COUNTRIES), n, p=np.array(COUNTRY_WEIGHT) / sum(COUNTRY_WEIGHT)),
    }


def _timestamps(seconds: np.ndarray, fmt: str) -> pa.Array:
    ts = pa.array(seconds, type=pa.int64(), mask=seconds < 0).cast(pa.timestamp("s"))
    return pc.strftime(ts, format=fmt)


def to_table(cols: dict[str, np.ndarray], style: str = "snake") -> pa.Table:
    """Render canonical arrays with one CRM's headers and value conventions."""
    names = STYLES[style]
    fmt = TIMESTAMP_FORMAT[style]
    rep_names = np.array([f"{FIRST[i % 16]} {LAST[(i * 7 + 3) % 16]}" for i in range(REPS)], dtype=object)
    titles, _ = job_titles()
    n = len(cols["lead_id"])
    ids = cols["lead_id"]
    if style == "snake":
        lead_id = pc.binary_join_element_wise("LD-", pc.utf8_lpad(pa.array(ids.astype(str)), 8, "0"), "")
    elif style == "hubspot":
        lead_id = pa.array((ids + 5_000_000_000).astype(str))
    else:
        lead_id = pc.binary_join_element_wise("00Q5g0000", pc.utf8_lpad(pa.array(ids.astype(str)), 9, "0"), "")
    touched = cols["first_touch_at"] >= 0
    if style == "snake":
        connected = pa.array(cols["connected"])
    else:
        status = np.where(cols["connected"], "Connected", np.where(touched, "Attempted to Contact", "New"))
        connected = pa.array(status)
    amounts = cols["deal_amount"]
    if style == "salesforce":
        amount = pa.array([None if np.isnan(a) else f"${a:,.2f}" for a in amounts]) if n <= 200_000 else \
            pa.array(amounts, mask=np.isnan(amounts))
    else:
        amount = pa.array(amounts, mask=np.isnan(amounts))
    data = {
        "lead_id": lead_id,
        "first_name": pa.array(np.array(FIRST, dtype=object)[cols["first_name"]]),
        "last_name": pa.array(np.array(LAST, dtype=object)[cols["last_name"]]),
        "created_at": _timestamps(cols["created_at"], fmt),
        "mql_at": _timestamps(cols["mql_at"], fmt),
        "handed_at": _timestamps(cols["handed_at"], fmt),
        "first_touch_at": _timestamps(cols["first_touch_at"], fmt),
        "attempts": pa.array(cols["attempts"].astype(np.int16)),
        "connected": connected,
        "customer_at": _timestamps(cols["customer_at"], fmt),
        "deal_amount": amount,
        "source": pa.array(np.array(SOURCES, dtype=object)[cols["source"]]),
        "owner": pa.array(rep_names[cols["owner"]]),
        "job_title": pa.array(np.array(titles, dtype=object)[cols["job_title"]]),
        "country": pa.array(np.array(COUNTRIES, dtype=object)[cols["country"]]),
    }
    return pa.table({names[k]: data[k] for k in names})


def write_export(n: int, out: Path, seed: int = 42, style: str = "snake") -> Path:
    """Write an export of ``n`` leads to ``out`` (CSV, UTF-8, blank = missing)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    table = to_table(generate(n, seed), style)
    pacsv.write_csv(table, out, pacsv.WriteOptions(quoting_style="needed"))
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, help="number of leads")
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--style", choices=sorted(STYLES), default="snake")
    args = ap.parse_args(argv)
    write_export(args.n, args.out, args.seed, args.style)


if __name__ == "__main__":
    main()
