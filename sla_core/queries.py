"""The one door to SQL: named statements from ``sla_core/sql/*.sql``, values bound as parameters.

Keeping every statement in a .sql file means no query is ever assembled from user
text; the only dynamic parts (column headers) go through ``db.quote_ident`` in ingest.
"""
from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import duckdb

from sla_core.engine import Engine

if TYPE_CHECKING:  # DuckDB loads pandas itself when a frame is asked for: the report path never needs it
    import pandas as pd

INCLUDE = re.compile(r"^-- @include ([\w/:]+)$", re.MULTILINE)
SECTION = re.compile(r"^-- name: (\w+)[ \t]*$", re.MULTILINE)


@cache
def sql(name: str) -> str:
    """Text of ``sla_core/sql/<name>.sql``, or of one named statement ``<file>:<statement>`` of it
    (read once per process; the files never change).

    A file may group small statements on one table under ``-- name: <statement>`` lines; being
    comments, they leave the whole file plain SQL. A line ``-- @include other`` (or
    ``other:statement``) is replaced by that text: CTEs several statements share (the
    business-hours clock, the job-title tier rules) are written once.
    """
    file, _, statement = name.partition(":")
    text = _statement(file, statement) if statement else _file_text(file)
    return INCLUDE.sub(lambda m: sql(m.group(1)).rstrip(), text)


def _file_text(file: str) -> str:
    return resources.files("sla_core").joinpath("sql", *f"{file}.sql".split("/")).read_text(encoding="utf-8")


def _statement(file: str, statement: str) -> str:
    found = _named_statements(file)
    if statement not in found:
        raise KeyError(f"sql/{file}.sql has no '-- name: {statement}' (it has {', '.join(found)})")
    return found[statement]


@cache
def _named_statements(file: str) -> dict[str, str]:
    """The ``-- name:`` sections of a file, each running to the next; text before the first is the preamble."""
    parts = SECTION.split(_file_text(file))
    names, bodies = parts[1::2], [body.strip() + "\n" for body in parts[2::2]]
    if not names or len(set(names)) != len(names):
        raise ValueError(f"sql/{file}.sql: expected distinct '-- name:' sections, found {names}")
    return dict(zip(names, bodies, strict=True))


def frame(con: duckdb.DuckDBPyConnection, name: str, **params) -> pd.DataFrame:
    """Run a named query with named parameters (``$tz``, ``$as_of`` …) into a DataFrame."""
    if isinstance(con, Engine):  # a warehouse engine runs its own translation of the same statement
        return con.frame(name, params)
    return con.execute(sql(name), params).df()


def records(con: duckdb.DuckDBPyConnection, name: str, **params) -> list[dict]:
    """Run a named query into a list of dicts (NULL as None): for small results read without pandas."""
    if isinstance(con, Engine):
        return con.records(name, params)
    cur = con.execute(sql(name), params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, values, strict=True)) for values in cur.fetchall()]


def row(con: duckdb.DuckDBPyConnection, name: str, **params) -> dict:
    """Run a named query that returns one row, as a dict of column → value."""
    found = records(con, name, **params)  # fetched to the end: DuckDB 2 refuses new work on an unfinished result
    return found[0] if found else {}
