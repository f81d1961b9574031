"""An export whose maturity, conversion curve and projections are computed by hand (UTC, as of 2024-06-20 00:00).

Marketing customers, all 21: cycles (MQL → customer) of 10 days × 11, 30 days × 8 and 60 days × 2. Their 90th
percentile (linear, position 0.9 × 20 = 18 of 0 … 20) is the 19th shortest, 30 days: a month is mature once
30 days have passed since it ended.

- Jan: 20 leads (MQL 10 Jan 12:00); 10 customers, 5 after 10 days, 4 after 30, 1 after 60. Mature.
- Feb: no leads.
- Mar: 20 leads (10 Mar 12:00); 10 customers with January's cycles. Mature.
- Apr: 10 leads (10 Apr 12:00), no customer. Mature: it ended 1 May, 50 days before the as-of time.
- May: 10 leads (15 May 12:00); 1 customer after 10 days. Maturing: it ended 19 days before the as-of time.
- Jun: 10 leads (9 on 5 Jun 12:00, the last at the as-of time), no customer; in progress.

F(t) of the mature months (Jan, Mar, Apr: 20 customers): 0 before 10 days, 0.5 from 10, 0.9 from 30, 1 from 60.
May's age is 20 Jun 00:00 − 16 May 12:00 (its midpoint) = 34.5 days, F = 0.9: projected 1 ÷ (10 × 0.9) = 11.11 %.
June's age is 20 Jun 00:00 − 16 Jun 00:00 = 4 days, F = 0: too early to tell.
Use my actuals (3 months) walks back from May: May still maturing, April, March, February no leads, January.
Pooled Jan + Mar + Apr: 20 customers of 50 leads = 40 %, deal size 1,000; every deal is marketing's (share 100 %).
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

AS_OF = datetime(2024, 6, 20, tzinfo=UTC)
CYCLES = [10] * 5 + [30] * 4 + [60]  # the customers of January and of March, in days


def _cohort(prefix: str, mql: datetime, leads: int, cycles: list[int]) -> list[dict]:
    rows = []
    for i in range(leads):
        won = mql + timedelta(days=cycles[i]) if i < len(cycles) else None
        rows.append({"lead_id": f"{prefix}{i + 1}", "created_at": mql.isoformat(),
                     "customer_at": won and won.isoformat(), "deal_amount": 1000 if won else None})
    return rows


ROWS = [
    *_cohort("JAN", datetime(2024, 1, 10, 12, tzinfo=UTC), 20, CYCLES),
    *_cohort("MAR", datetime(2024, 3, 10, 12, tzinfo=UTC), 20, CYCLES),
    *_cohort("APR", datetime(2024, 4, 10, 12, tzinfo=UTC), 10, []),
    *_cohort("MAY", datetime(2024, 5, 15, 12, tzinfo=UTC), 10, [10]),
    *_cohort("JUN", datetime(2024, 6, 5, 12, tzinfo=UTC), 9, []),
    *_cohort("LAST", AS_OF, 1, []),
]


def maturity_export() -> str:
    """The rows as a CSV lead export (the as-of time is its latest timestamp)."""
    lines = ["lead_id,created_at,source,customer_at,deal_amount"]
    for r in ROWS:
        lines.append(",".join([r["lead_id"], r["created_at"], "Web", r["customer_at"] or "",
                               str(r["deal_amount"] or "")]))
    return "\n".join(lines) + "\n"
