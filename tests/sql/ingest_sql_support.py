"""What both ingest SQL test files share: the statement files their tests cover, and running one statement file."""
from __future__ import annotations

from sla_core.ingest import sql_text

COVERED: set[str] = set()


def covers(*names: str):
    """Mark a test as the cases of these statement files (checked by test_every_statement_has_cases)."""
    COVERED.update(names)
    return lambda test: test


def run(con, name: str, params: dict | None = None, **names) -> list[tuple]:
    """Run the statement file ``name`` with identifiers ``names``; the last statement's rows."""
    cur = sql_text.script(con, sql_text.fill(name, **names), params)
    return cur.fetchall() if cur.description else []
