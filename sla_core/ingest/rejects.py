"""Records DuckDB could not use in the typed scan: captured with their file lines, and judged.

A broken file (an unclosed quote, a line over 2 MB, bytes that are not UTF-8) is refused
with the line where it breaks; a few ragged rows (at most RAGGED_TOLERANCE of them) load
around and are reported; single-value lines after the last row are a report's footer.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from sla_core.ingest import sql_text
from sla_core.ingest.dataset import Issue, Quality
from sla_core.ingest.decode import InputError
from sla_core.ingest.file_lines import footer_lines, lines_at_offsets
from sla_core.ingest.sniff import refuse_mixed_endings
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


@contextmanager
def refusing_unreadable(f: Staged) -> Iterator[None]:
    """Turn a scan DuckDB gives up on into the reason: the line endings changing (its CSV reader fails on
    that before any row is rejected), or DuckDB's own first line."""
    try:
        yield
    except duckdb.Error as exc:
        refuse_mixed_endings(f.name, f.prepared.path, f.layout.delimiter)
        reason = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
        raise InputError(f.name, f"the file could not be read as CSV ({reason})") from exc


def _refuse_broken(f: Staged) -> None:
    for r in f.rejects:
        if r.kind == "UNQUOTED VALUE":  # also what a change of line endings looks like in quoted files
            refuse_mixed_endings(f.name, f.prepared.path, f.layout.delimiter, stop=r.line)
        if r.kind in FATAL_REJECTS:
            where = f" (byte offset {r.byte})" if "UTF-8" in FATAL_REJECTS[r.kind] else ""
            raise InputError(f.name, FATAL_REJECTS[r.kind] + where, line=r.line)


def _fields_found(r: Reject, expected: int, delimiter: str) -> str:
    """The row's own field count, read from its text: DuckDB names the column where it stopped instead
    (a 5-field row in a 15-column file is reported once per missing column, up to "Found: 14")."""
    try:
        cells = next(csv.reader(io.StringIO(r.raw, newline=""), delimiter=delimiter, quotechar='"'), None)
    except csv.Error:
        cells = None
    match = re.search(r"Found:\s*(\d+)", r.message)
    found = len(cells) if cells else match.group(1) if match else "a different number of"
    return f"{found} fields, expected {expected}"


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
        raise InputError(f.name, f"{_fields_found(first, expected, f.layout.delimiter)} ({len(ragged)} of {total} "
                                 f"rows have the wrong number of fields; up to {RAGGED_TOLERANCE:.0%} are skipped "
                                 "and reported)",
                         line=first.line)
    for r in ragged[:ISSUE_DETAIL_LIMIT]:
        quality.issues.append(Issue(f.name, r.line, None, _fields_found(r, expected, f.layout.delimiter), r.raw[:300],
                                    "row skipped"))
    quality.issue_counts[f"{f.name}: wrong number of fields"] = len(ragged)
