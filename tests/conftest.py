"""Shared fixtures: a locked-down session connection and a canonical-table factory."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sla_core import contract  # noqa: E402
from sla_core.db import open_session_db  # noqa: E402
from ingest_support import Loader  # noqa: E402

# Timestamps arrive as ISO strings; touched_before_handoff is derived as ingest derives it.
INSERT_LEAD = "INSERT INTO leads VALUES (" + ", ".join(
    f"${name}::{contract.BY_NAME[name].sql_type}" for name in contract.COLUMNS if name != "touched_before_handoff"
) + ", coalesce($first_touch_at::TIMESTAMPTZ < $handed_at::TIMESTAMPTZ, false))"


@pytest.fixture
def con(tmp_path):
    """A fresh per-session connection, as the app and the report command open one."""
    connection = open_session_db(tmp_path / "session")
    yield connection
    connection.close()


@pytest.fixture
def make_leads(con):
    """Create the canonical ``leads`` table from dicts (timestamps as ISO strings with offsets).

    Unspecified columns are empty (``contract.test_row``); ``mql_at`` defaults to ``created_at`` and
    ``touched_before_handoff`` is derived, as ingest does.
    """

    def _make(rows: list[dict]):
        con.execute(contract.session_table_ddl())
        for r in rows:
            con.execute(INSERT_LEAD, contract.test_row(**r))
        return con

    return _make


@pytest.fixture
def loader(con, tmp_path):
    """Loads uploads into ``con`` the way the app does (files written into its session folder)."""
    return Loader(con, tmp_path / "session")


# Hypothesis profiles, chosen with --hypothesis-profile (none is loaded by default; tests keep their own
# settings). "fuzz-long": tests/test_fuzz_ingest.py runs far past its bounded example count.
settings.register_profile("fuzz-long", max_examples=20_000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                 HealthCheck.large_base_example])
