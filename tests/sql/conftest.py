"""The SQL tests' shared fixture: a session connection with the ingest cell rules defined."""
from __future__ import annotations

import pytest

from sla_core.ingest import sql_text


@pytest.fixture
def rules(con):
    sql_text.define_cell_rules(con)
    return con
