"""Table-driven tests of SQL statements: given rows in, run one statement, compare its rows with rows
written by hand, like a dbt model unit test."""
from __future__ import annotations

from sla_core import queries


def statement_rows(make_leads, name: str, leads: list[dict], columns: tuple[str, ...], **params) -> list[tuple]:
    """The ``columns`` of statement ``name`` (``sla_core/sql/<name>.sql``) run on a ``leads`` table of the given rows.

    ``make_leads`` is the conftest fixture (lead dicts, timestamps as ISO text); floats are rounded to
    6 places, as hand-computed values are written (1/3 as 0.333333).
    """
    found = queries.records(make_leads(leads), name, **params)
    return [tuple(round(r[c], 6) if isinstance(r[c], float) else r[c] for c in columns) for r in found]
