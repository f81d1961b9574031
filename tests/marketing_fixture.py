"""A ten-lead export whose marketing figures are computed by hand (UTC, as of 2024-03-10 12:00).

Jan: marketing leads 1, 2, 3 → customers 1 and 3 (close 2/3, deal (1000 + 3000) / 2 = 2000);
     closed in Jan: lead 1 (marketing, 1000) and lead 4 (Outbound = sales, 2000) → share 1/3; cycle 17 days.
Feb: marketing leads 5, 6, no customers (close 0, deal n/a); closed in Feb: lead 3 (3000) → share 1; cycle 26 days.
Mar: marketing leads 7, 8, 9, 10 by day 10 (1 on the 2nd, 1 on the 4th, 1 on the 5th, 1 on the 10th); nothing
     closed (share and cycle n/a); month in progress.
Pooled Jan + Feb: close 2/5 = 40 %, deal 4000 / 2 = 2000, share 4000 / 6000 = 66.7 %.
Two marketing customers (fewer than 20): a month is mature 90 days after it ends, so on 10 Mar January and
February are still maturing and use my actuals has nothing to pool yet.
"""
from __future__ import annotations

HEADER = ["lead_id", "created_at", "source", "job_title", "customer_at", "deal_amount"]
ROWS = [
    ["1", "2024-01-03 10:00", "Web", "CEO", "2024-01-20 10:00", "1000"],
    ["2", "2024-01-10 10:00", "Web", "Sales Manager", "", ""],
    ["3", "2024-01-15 10:00", "Web", "Director of IT", "2024-02-10 10:00", "3000"],
    ["4", "2024-01-20 10:00", "Outbound", "CFO", "2024-01-25 10:00", "2000"],
    ["5", "2024-02-05 10:00", "Web", "Engineer", "", ""],
    ["6", "2024-02-06 10:00", "Web", "VP Sales", "", ""],
    ["7", "2024-03-02 10:00", "Web", "Engineer", "", ""],
    ["8", "2024-03-04 10:00", "Web", "IT Manager", "", ""],
    ["9", "2024-03-05 10:00", "Paid Search", "", "", ""],
    ["10", "2024-03-10 12:00", "Web", "CTO", "", ""],
]
WORKED_EXAMPLE = {"quota": 5000, "marketing_share": 1.0, "avg_deal_size": 100, "close_rate": 0.5}


def small_export() -> str:
    return "\n".join(",".join(row) for row in [HEADER, *ROWS]) + "\n"
