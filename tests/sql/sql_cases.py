"""Table-driven tests of SQL statements: given rows in named tables, run one statement, compare
the rows it returns (or leaves in a table) with rows written by hand, like a dbt model unit test.

    given(con, leads_next=table("lead_id VARCHAR, attempts INTEGER", ("A", None), ("B", 2)))
    assert rows(con, "SELECT lead_id, attempts FROM leads_next ORDER BY 1") == [("A", 0), ("B", 2)]

Timestamps are written as text (``ts`` makes the expected UTC datetimes); DuckDB casts on insert.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sla_core import queries


@dataclass(frozen=True)
class Table:
    columns: str  # column definitions, e.g. "lead_id VARCHAR, created_at TIMESTAMPTZ"
    rows: tuple[tuple, ...]


def table(columns: str, *rows: tuple) -> Table:
    return Table(columns, rows)


def given(con, **tables: Table) -> None:
    """Create each table (replacing any) and insert its rows."""
    for name, t in tables.items():
        con.execute(f"CREATE OR REPLACE TABLE {name} ({t.columns})")
        if t.rows:
            con.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' for _ in t.rows[0])})", list(t.rows))


def rows(con, sql: str, params: dict | list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def tables(con) -> set[str]:
    """Names of the tables (and temp tables) in the connection."""
    return {name for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}


def ts(text: str) -> datetime:
    """An expected TIMESTAMPTZ value: ISO text, UTC unless it has an offset."""
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def statement_rows(make_leads, name: str, leads: list[dict], columns: tuple[str, ...], **params) -> list[tuple]:
    """The ``columns`` of statement ``name`` (``sla_core/sql/<name>.sql``) run on a ``leads`` table of the given rows.

    ``make_leads`` is the conftest fixture (lead dicts, timestamps as ISO text); floats are rounded to
    6 places, as hand-computed values are written (1/3 as 0.333333).
    """
    found = queries.records(make_leads(leads), name, **params)
    return [tuple(round(r[c], 6) if isinstance(r[c], float) else r[c] for c in columns) for r in found]
