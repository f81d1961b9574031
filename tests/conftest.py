"""Shared fixtures: a locked-down session connection and a canonical-table factory."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sla_core import queries  # noqa: E402
from sla_core.db import open_session_db  # noqa: E402

LEAD_DEFAULTS = {
    "mql_at": None, "source": None, "origin": "marketing", "handed_at": None,
    "first_touch_at": None, "attempts": 0, "connected": False, "customer_at": None,
    "deal_amount": None, "owner": None, "tier": None, "job_title": None,
}


@pytest.fixture
def con(tmp_path):
    """A fresh per-session connection, as the app and the report command open one."""
    connection = open_session_db(tmp_path / "session")
    yield connection
    connection.close()


@pytest.fixture
def make_leads(con):
    """Create the canonical ``leads`` table from dicts (timestamps as ISO strings with offsets).

    Unspecified columns take LEAD_DEFAULTS; ``mql_at`` defaults to ``created_at`` and
    ``touched_before_handoff`` is derived, as ingest does.
    """

    def _make(rows: list[dict]):
        con.execute(queries.sql("ingest/create_leads"))
        for r in rows:
            full = {**LEAD_DEFAULTS, **r}
            if "mql_at" not in r:
                full["mql_at"] = full["created_at"]
            con.execute(
                "INSERT INTO leads VALUES ($lead_id, $created_at::TIMESTAMPTZ, $mql_at::TIMESTAMPTZ, $source, "
                "$origin, $handed_at::TIMESTAMPTZ, $first_touch_at::TIMESTAMPTZ, $attempts, $connected, "
                "$customer_at::TIMESTAMPTZ, $deal_amount, $owner, $tier, $job_title, "
                "coalesce($first_touch_at::TIMESTAMPTZ < $handed_at::TIMESTAMPTZ, false))",
                {k: full[k] for k in ("lead_id", "created_at", "mql_at", "source", "origin", "handed_at",
                                      "first_touch_at", "attempts", "connected", "customer_at",
                                      "deal_amount", "owner", "tier", "job_title")},
            )
        return con

    return _make
