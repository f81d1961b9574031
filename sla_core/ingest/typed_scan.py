"""The VARCHAR-first scan: one read of an export into ``typed_<kind>``, cast in the same statement.

Every mapped column is read as text (a ragged row costs one reject, not the file) and typed
with explicit rules by its reading (``sql/ingest/readings/*.sql``), chosen here from the field's
kind and the decided conventions. A cell that does not fit its type is kept beside its (NULL)
typed value, so it is reported with file, line and column without reading the file twice.
"""
from __future__ import annotations

from pathlib import Path

import duckdb

from sla_core.ingest import decode, rejects, sql_text
from sla_core.ingest.conventions import (
    DECIMAL_LABELS,
    Decisions,
    has_dst,
    naive_formats,
)
from sla_core.ingest.dataset import Quality
from sla_core.ingest.decode import InputError
from sla_core.ingest.mapping import Mapping
from sla_core.ingest.staging import Staged

LEVELS = ("scan", "cast", "trim", "parse", "final")
BOOLEAN_READINGS = {"boolean": "yes_no", "date": "connected_date", "status": "connected_status"}


def _reading(f: Staged, fld: str, decisions: Decisions, tz: str) -> str:
    """Which ``readings/*.sql`` types the field: its kind, the zone and the decided conventions."""
    kind = f.types[fld]
    point = decisions.decimal == "."
    readings = {
        "timestamp": "timestamp_utc" if tz == "UTC" else "timestamp_local",
        "number": "number_point" if point else "number_comma",
        "integer": "count_point" if point else "count_comma",
    }
    if kind == "boolean":
        return BOOLEAN_READINGS[decisions.bool_modes[(f.kind, fld)]]
    return readings.get(kind, "text")


def reasons(f: Staged, decisions: Decisions) -> dict[str, str]:
    """Why a cell of each checked field is reported when it does not parse."""
    order = "MM/DD/YYYY" if decisions.date_order == "mdy" else "DD/MM/YYYY"
    by_kind = {"timestamp": f"not a date/time (read as {order} or ISO 8601)",
               "number": f"not a number written {DECIMAL_LABELS[decisions.decimal]}",
               "integer": "not a whole number ≥ 0",
               "boolean": "not yes/no (true/false, yes/no, y/n, 1/0)"}
    return {fld: by_kind[f.types[fld]] for fld in f.checked()}


def _names(fld: str, column: str) -> dict[str, str]:
    """The generated column names of one field at every level (never header text)."""
    return {"cell": column, "raw": f"u_{fld}", "cast": f"f_{fld}", "text": f"r_{fld}", "typed": f"t_{fld}",
            "zoned": f"z_{fld}", "naive": f"n_{fld}", "field": fld,
            "bad": f"_bad_{fld}", "gap": f"_gap_{fld}", "currency": f"_cur_{fld}"}


def typed_sql(f: Staged, decisions: Decisions, tz: str) -> sql_text.Sql:
    """The CREATE statement of ``typed_<kind>``: each field's reading filled into every level."""
    levels: dict[str, list[sql_text.Sql]] = {level: [] for level in LEVELS}
    for fld, column in f.fields.items():
        reading, names = f"readings/{_reading(f, fld, decisions, tz)}", _names(fld, column)
        for level in LEVELS:
            levels[level].append(sql_text.fill(reading, level, **names))
        if reading == "readings/timestamp_local" and has_dst(tz):
            levels["final"].append(sql_text.fill(reading, "gap", **names))
    if f.kind == "leads":
        origin = "origin_from_source" if "source" in f.fields else "origin_without_source"
        levels["final"].append(sql_text.fill("typed_scan", origin, source="r_source"))
    return sql_text.fill("typed_scan", typed=f.table, **{k: sql_text.joined(v) for k, v in levels.items()})


def _params(decisions: Decisions, tz: str, mapping: Mapping) -> dict:
    """Values the readings may name, all bound."""
    return {"formats": naive_formats(decisions.date_order), "tz": tz,
            "earliest": decisions.dates.earliest, "latest": decisions.dates.latest,
            "connected_values": [v.lower() for v in mapping.connected_values],
            "sales_sources": [v.lower() for v in mapping.sales_sources]}


def _scan(con: duckdb.DuckDBPyConnection, f: Staged, statement: sql_text.Sql, params: dict) -> list[dict]:
    """Run the typed scan; return DuckDB's rejects."""
    rejects.clear(con)
    with rejects.refusing_unreadable(f):
        sql_text.run(con, statement, {**f.scan_params(), **params})
    f.rows = sql_text.rows(con, sql_text.fill("count_rows", table=f.table))[0]["n"]
    return rejects.fetch(con)


def convert(con: duckdb.DuckDBPyConnection, f: Staged, decisions: Decisions, tz: str, mapping: Mapping,
            work_dir: Path, quality: Quality, scratch: decode.Scratch | None = None) -> None:
    """Scan ``f`` into ``typed_<kind>``; fail closed on a broken file."""
    statement, params = typed_sql(f, decisions, tz), _params(decisions, tz, mapping)
    found = _scan(con, f, statement, params)
    bad_byte = rejects.first_bad_byte(found)
    while bad_byte is not None and f.prepared.encoding == "utf-8":
        # Clean UTF-8 at the top, then a legacy byte: either a Windows-1252 file whose first
        # accent comes late (read it again as such) or a damaged file (refused by decode).
        f.prepared = decode.reread_as_cp1252(f.name, f.prepared, bad_byte, work_dir, scratch)
        quality.notices += [f"{f.name}: {n}" for n in f.prepared.notices[-1:]]
        found = _scan(con, f, statement, params)
        bad_byte = rejects.first_bad_byte(found)
    f.rejects = rejects.with_lines(f, found)
    rejects.judge(f, quality)
    if f.rows == 0:
        raise InputError(f.name, "no data rows below the header", line=f.layout.header_line)


def rescan(con: duckdb.DuckDBPyConnection, f: Staged, decisions: Decisions, tz: str, mapping: Mapping) -> None:
    """Scan ``f`` again with other decisions: its records split as before, so its rejects are already judged."""
    _scan(con, f, typed_sql(f, decisions, tz), _params(decisions, tz, mapping))
