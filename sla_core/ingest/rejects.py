"""Records DuckDB could not use in the typed scan: captured with their file lines, and judged.

A broken file (an unclosed quote, a line over 2 MB, bytes that are not UTF-8) is refused
with the line where it breaks; a few ragged rows (at most RAGGED_TOLERANCE of them) load
around and are reported; single-value lines after the last row are a report's footer.
"""
from __future__ import annotations

import re

import duckdb

from sla_core.ingest import sql_text
from sla_core.ingest.dataset import Issue, Quality
from sla_core.ingest.decode import InputError
from sla_core.ingest.file_lines import footer_lines, lines_at_offsets
from sla_core.ingest.staging import Reject, Staged

RAGGED_TOLERANCE = 0.01  # up to 1 % short/long rows load partially; more means a broken file
ISSUE_DETAIL_LIMIT = 1000
ENCODING_ERRORS = ("INVALID ENCODING", "INVALID UNICODE")
FATAL_REJECTS = {
    "UNQUOTED VALUE": "a quoted value is never closed properly (unterminated quote, or text after the closing quote)",
    "LINE SIZE OVER MAXIMUM": "the line exceeds 2 MB (a field this long is not a CRM value)",
    "INVALID UNICODE": "bytes that are not valid UTF-8; export as CSV UTF-8",
    "INVALID ENCODING": "bytes that are not valid UTF-8; export as CSV UTF-8",
}


def clear(con: duckdb.DuckDBPyConnection) -> None:
    """Empty DuckDB's reject tables (it appends to them) around each typed scan."""
    sql_text.script(con, "drop_rejects")


def fetch(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """The last scan's rejects, in file order; the reject tables are cleared."""
    found = sql_text.rows(con, "rejects")
    clear(con)
    return found


def first_bad_byte(found: list[dict]) -> int | None:
    """Offset of the first byte that is not UTF-8, if DuckDB met one."""
    return next((r["byte_position"] for r in found if r["error_type"] in ENCODING_ERRORS), None)


def with_lines(f: Staged, found: list[dict]) -> list[Reject]:
    """One Reject per file line (DuckDB reports a long row once per extra field: the last, with
    the full count, is kept), numbered by where its record starts."""
    raws = [r["csv_line"] or "" for r in found]
    starts = [r["line_byte_position"] + len(raw) - len(raw.lstrip("\r\n")) for r, raw in zip(found, raws, strict=True)]
    lines = lines_at_offsets(f.prepared.path, starts + [r["byte_position"] for r in found])
    by_line = {lines[start]: Reject(lines[start], r["error_type"], r["error_message"], raw, r["byte_position"])
               for start, r, raw in zip(starts, found, raws, strict=True)}
    return sorted(by_line.values(), key=lambda r: r.line)


def _refuse_broken(f: Staged) -> None:
    for r in f.rejects:
        if r.kind in FATAL_REJECTS:
            where = f" (byte offset {r.byte})" if "UTF-8" in FATAL_REJECTS[r.kind] else ""
            raise InputError(f.name, FATAL_REJECTS[r.kind] + where, line=r.line)


def _fields_found(r: Reject, expected: int) -> str:
    match = re.search(r"Found:\s*(\d+)", r.message)
    return f"{match.group(1) if match else 'a different number of'} fields, expected {expected}"


def judge(f: Staged, quality: Quality) -> None:
    """Fail closed on broken files; load around a few ragged rows (reported) and a report footer."""
    _refuse_broken(f)
    if not f.rejects:
        return
    footer = footer_lines(f)
    ragged = [r for r in f.rejects if r.line not in footer]
    f.footer = len(f.rejects) - len(ragged)
    if f.footer:
        quality.notices.append(f"{f.name}: skipped {f.footer} line(s) after the last row that hold a single value "
                               "(a report footer such as the title or copyright).")
    if not ragged:
        return
    expected = len(f.layout.headers)
    total = f.rows + len(ragged)
    if len(ragged) > RAGGED_TOLERANCE * total:
        first = ragged[0]
        raise InputError(f.name, f"{_fields_found(first, expected)} ({len(ragged)} of {total} rows have the wrong "
                                 f"number of fields; up to {RAGGED_TOLERANCE:.0%} are skipped and reported)",
                         line=first.line)
    for r in ragged[:ISSUE_DETAIL_LIMIT]:
        quality.issues.append(Issue(f.name, r.line, None, _fields_found(r, expected), r.raw[:300], "row skipped"))
    quality.issue_counts[f"{f.name}: wrong number of fields"] = len(ragged)
