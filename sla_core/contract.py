"""The canonical lead table (SPEC 1), stated once.

Everything that needs the shape of a lead reads it from here: the session table's DDL,
the store's copy of it (and the column a newer app adds to an older store), the type
ingest reads each mapped export column as, the fields an export may lack and what they
fall back to, the labels the Data page shows, and the rows tests build. Adding a field
is one new ``Field`` here plus the code that computes with it (docs/architecture.md).
"""
from __future__ import annotations

from dataclasses import dataclass

# How ingest reads a mapped export column: 'id' and 'text' as text, the rest cast and checked.
READ_KINDS = ("id", "timestamp", "number", "integer", "boolean", "text")
SQL_TYPES = {"id": "VARCHAR", "timestamp": "TIMESTAMPTZ", "number": "DOUBLE", "integer": "INTEGER",
             "boolean": "BOOLEAN", "text": "VARCHAR"}


@dataclass(frozen=True)
class Field:
    """One column of ``leads``.

    ``read_as`` is how an export column mapped to it is read (None: ingest derives it);
    ``fallback`` is the field an absent column copies (SPEC 1); ``empty`` is the value
    ingest writes for a missing cell (NOT NULL columns) and tests use when a row omits it.
    """

    name: str
    label: str
    read_as: str | None
    sql_type: str
    required: bool = False
    not_null: bool = False
    fallback: str | None = None
    empty: object = None


LEAD_FIELDS: tuple[Field, ...] = (
    Field("lead_id", "Lead ID", "id", "VARCHAR", required=True, not_null=True),
    Field("created_at", "Created", "timestamp", "TIMESTAMPTZ", required=True, not_null=True),
    Field("mql_at", "Became MQL", "timestamp", "TIMESTAMPTZ", fallback="created_at"),
    Field("source", "Source", "text", "VARCHAR"),
    Field("origin", "Origin", None, "VARCHAR", not_null=True, empty="marketing"),
    Field("handed_at", "Handed to sales", "timestamp", "TIMESTAMPTZ", fallback="mql_at"),
    Field("first_touch_at", "First sales touch", "timestamp", "TIMESTAMPTZ"),
    Field("attempts", "Follow-up attempts", "integer", "INTEGER", not_null=True, empty=0),
    Field("connected", "Connected", "boolean", "BOOLEAN", not_null=True, empty=False),
    Field("customer_at", "Became customer", "timestamp", "TIMESTAMPTZ"),
    Field("deal_amount", "Deal amount", "number", "DOUBLE"),
    Field("owner", "Sales rep", "text", "VARCHAR"),
    Field("tier", "Lead tier", "text", "VARCHAR"),
    Field("job_title", "Job title", "text", "VARCHAR"),
    Field("region", "Region", "text", "VARCHAR"),  # the lead's market: goals per segment (SPEC 5b)
    Field("touched_before_handoff", "Touched before hand-off", None, "BOOLEAN", not_null=True, empty=False),
)
BY_NAME = {f.name: f for f in LEAD_FIELDS}
COLUMNS = tuple(f.name for f in LEAD_FIELDS)
REQUIRED = tuple(f.name for f in LEAD_FIELDS if f.required)  # an export without them is refused
# The fields an export column can feed, and how it is read (ingest's typed scan).
MAPPED_TYPES = {f.name: f.read_as for f in LEAD_FIELDS if f.read_as is not None}
# Mapped fields an export may lack are added empty with their SQL_TYPES type, or as a copy of their fallback.
FALLBACKS = {f.name: f.fallback for f in LEAD_FIELDS if f.fallback}


def _column(f: Field, nullable: bool) -> str:
    return f"    {f.name} {f.sql_type}{'' if nullable or not f.not_null else ' NOT NULL'}"


def session_table_ddl(table: str = "leads") -> str:
    """CREATE statement of the session's canonical table (``table`` is a constant of the caller, never user text)."""
    columns = ",\n".join(_column(f, nullable=False) for f in LEAD_FIELDS)
    return f"CREATE OR REPLACE TABLE {table} (\n{columns}\n)"


def store_columns() -> dict[str, str]:
    """Column → type of the store's ``workspace_leads`` (besides its key): every lead field, all nullable,
    so a store written by an older app gains a new field's column with NULLs (``store`` adds it at start-up)."""
    return {f.name: f.sql_type for f in LEAD_FIELDS}


def test_row(**given) -> dict:
    """A full lead row from the fields given (tests): the rest empty and mql_at defaulting to created_at,
    as ingest does; touched_before_handoff is left to the insert, which derives it."""
    row = {f.name: f.empty for f in LEAD_FIELDS if f.name != "touched_before_handoff"}
    row.update(given)
    if "mql_at" not in given:
        row["mql_at"] = row["created_at"]
    return row
