"""Ingest's statements from ``sla_core/sql/ingest``, with the tables and columns chosen at run time.

Ingest's SQL must name columns that depend on the export (which canonical fields it has, how
each is read), so a statement file may hold ``{{name}}`` placeholders. ``fill`` replaces them
with one of three things and nothing else:

- a ``str``: an identifier (a table we name, a generated column such as ``c3`` or ``_bad_deal_amount``,
  a contract type name), always passed through ``db.quote_ident``;
- a list of such strings: identifiers quoted one by one and separated by commas;
- an ``Sql``: text that itself came from a statement file and was filled the same way.

Header text from a user's file never becomes an identifier here, and values are always bound
``$parameters``. A file may also carry named parts after ``-- @part NAME`` lines: the select-list
items one statement repeats per field (``typed_scan.sql`` and ``readings/*.sql``). Scripts are split
with the connection's ``extract_statements`` (DuckDB's own parser, which knows about quotes and
comments; the module-level ``duckdb.extract_statements`` would use the process-global connection).
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import duckdb

from sla_core import db, queries

PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
PART = re.compile(r"^-- @part (\w+)$", re.MULTILINE)
# A quoted string or identifier, a comment, or a $parameter (the only group).
PARAMETER = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|\$([A-Za-z_]\w*)")


@dataclass(frozen=True)
class Sql:
    """SQL text taken from a statement file, with its placeholders filled by ``fill`` only."""

    text: str


Name = str | list[str] | tuple[str, ...] | Sql


@cache
def _parts(name: str) -> dict[str, str]:
    """The statement of ``sql/ingest/<name>.sql`` (key ``""``) and its named parts; comment lines
    are kept in the statement and dropped from parts, which are joined into one line's list."""
    pieces = PART.split(queries.sql(f"ingest/{name}"))
    found = {"": pieces[0]}
    for part, text in zip(pieces[1::2], pieces[2::2], strict=True):
        found[part] = "\n".join(line for line in text.strip().splitlines() if not line.lstrip().startswith("--"))
    return found


def _rendered(value: Name) -> str:
    if isinstance(value, Sql):
        return value.text
    if isinstance(value, str):
        return db.quote_ident(value)
    if not value:
        raise ValueError("an identifier list must not be empty")
    return ", ".join(db.quote_ident(v) for v in value)


def fill(name: str, part: str = "", **names: Name) -> Sql:
    """The statement (or part) of ``sql/ingest/<name>.sql`` with every ``{{placeholder}}`` filled."""
    text = _parts(name)[part]
    missing = {m for m in PLACEHOLDER.findall(text) if m not in names}
    if missing:
        raise KeyError(f"ingest/{name} {part}: no value for {', '.join(sorted(missing))}")
    return Sql(PLACEHOLDER.sub(lambda m: _rendered(names[m.group(1)]), text))


def joined(items: Iterable[Sql]) -> Sql:
    """Select-list items (filled parts) as one list."""
    return Sql(",\n".join(item.text for item in items))


def _named_parameters(text: str) -> set[str]:
    """The ``$name`` parameters of our own statement text (not those inside quotes or comments)."""
    return {m.group(1) for m in PARAMETER.finditer(text) if m.group(1)}


def run(con: duckdb.DuckDBPyConnection, sql: Sql | str, params: dict | None = None) -> duckdb.DuckDBPyConnection:
    """Run one statement (a filled ``Sql`` or a file name under ``sql/ingest``) with the parameters
    it names; returns the connection, positioned on its result."""
    text = sql.text if isinstance(sql, Sql) else fill(sql).text
    params = params or {}
    return con.execute(text, {k: params[k] for k in _named_parameters(text)})


def script(con: duckdb.DuckDBPyConnection, sql: Sql | str, params: dict | None = None) -> duckdb.DuckDBPyConnection:
    """Run each statement of a script, split by DuckDB's parser, with the parameters it names."""
    text = sql.text if isinstance(sql, Sql) else fill(sql).text
    params = params or {}
    for statement in con.extract_statements(text):
        con.execute(statement, {k: params[k] for k in statement.named_parameters})
    return con


def rows(con: duckdb.DuckDBPyConnection, sql: Sql | str, params: dict | None = None) -> list[dict]:
    """The rows of the last statement of ``sql`` as dicts (column → value)."""
    cur = run(con, sql, params)
    columns = [d[0] for d in cur.description]
    return [dict(zip(columns, values, strict=True)) for values in cur.fetchall()]


def define_cell_rules(con: duckdb.DuckDBPyConnection) -> None:
    """Create the cell-rule macros (``cell_rules.sql``) that ingest's statements call, unless this
    connection already holds this version of them: redefining costs more than a small file's scan."""
    version = hashlib.sha256(queries.sql("ingest/cell_rules").encode()).hexdigest()
    if rows(con, "cell_rules_version")[0]["version"] != version:
        script(con, "cell_rules", {"version": version})
