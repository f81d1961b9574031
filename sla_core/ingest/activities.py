"""Follow-up facts from an activity log (calls, emails, meetings), per SPEC section 1.

Exports rarely carry a first-touch time, but a CRM's activity export always has one
row per call or email; deriving first touch, attempts and connected from it gives
speed and depth figures the lead file alone cannot.
"""
from __future__ import annotations

import duckdb

from sla_core import queries
def apply_activities(con: duckdb.DuckDBPyConnection, connected_values: tuple[str, ...]) -> None:
    """Replace first_touch_at, attempts and connected in ``leads_next`` from ``activities_next``."""
    connected = [v.strip().lower() for v in connected_values]
    con.execute(queries.sql("ingest/apply_activities"), {"connected_values": connected})
