"""Helpers for store tests: a session connection with N synthetic canonical leads."""
from __future__ import annotations

from pathlib import Path

from sla_core import contract

from sla_core.ingest import load as ingest
from sla_core.db import open_session_db

FILL_LEADS = """
INSERT INTO leads
SELECT 'L' || range, TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_minutes(range), NULL, 'Web', 'marketing',
       NULL, NULL, (range % 7)::INTEGER, range % 5 = 0, NULL, NULL, 'rep' || (range % 4), NULL, NULL, NULL, false
FROM range($n)
"""


def session_with_leads(folder: Path, n: int):
    """A locked-down session connection whose ``leads`` holds ``n`` rows, plus a matching Dataset."""
    con = open_session_db(folder)
    con.execute(contract.session_table_ddl())
    con.execute(FILL_LEADS, {"n": n})
    dataset = ingest.Dataset(version=f"v{n}", tz="UTC", as_of=None, rows_loaded=n, quality=ingest.Quality(rows_read=n),
                             files={"leads": "synthetic.csv"}, headers=["id"], columns={"lead_id": "id"},
                             date_order="mdy", date_order_ambiguous=False, decimal=".")
    return con, dataset
