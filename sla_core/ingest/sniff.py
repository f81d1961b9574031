"""The layout of an export: its delimiter, its header row (below any report title lines) and
header names DuckDB can tell apart. Read from the head of the file, before any scan."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from sla_core.ingest.decode import InputError

DELIMITERS = (",", ";", "\t", "|")
MAX_COLUMNS = 2000
HEAD_BYTES = 1 << 16
WIDE_HEAD_BYTES = 8 << 20  # enough for a header of thousands of columns (refused, but named)
HEAD_RECORDS = 60  # non-blank records the delimiter vote looks at


@dataclass
class Layout:
    delimiter: str
    skip: int  # CSV records up to and including the header (DuckDB's ``skip`` counts records)
    header_line: int  # physical line where the header starts
    data_line: int  # physical line after the header
    headers: list[str]
    notices: list[str]


def read_head_text(path: Path, limit: int) -> tuple[str, bool]:
    """The first ``limit`` bytes as text, and whether that is the whole file."""
    with open(path, "rb") as fh:
        data = fh.read(limit)
    return data.decode("utf-8", errors="ignore").lstrip("\ufeff"), len(data) < limit


def _records(text: str, delim: str, complete: bool) -> list[tuple[list[str], int, int]] | None:
    """CSV records of the head with their first and last physical line; blank lines included."""
    reader = csv.reader(io.StringIO(text), delimiter=delim, quotechar='"', doublequote=True)
    records, start, nonblank = [], 1, 0
    try:
        for rec in reader:
            records.append((rec, start, reader.line_num))
            start = reader.line_num + 1
            nonblank += any(c.strip() for c in rec)
            if nonblank >= HEAD_RECORDS:
                break
    except csv.Error:
        return None
    if records and not complete and nonblank < HEAD_RECORDS:
        records.pop()  # the sample may cut the last record short
    return records


def _best_delimiter(text: str, complete: bool):
    """The delimiter whose records agree most on one width (ties: the wider), with that width and the records."""
    best = None
    for delim in DELIMITERS:
        records = _records(text, delim, complete)
        counts = [len(r) for r, _, _ in records or [] if any(c.strip() for c in r)]
        if not counts:
            continue
        modal = max(set(counts), key=lambda c: (counts.count(c), c))
        width = modal if modal > 1 else max(counts)
        score = (counts.count(width) / len(counts) if width > 1 else 0.0, width)
        if best is None or score > best[0]:
            best = (score, delim, records)
    return best


def sniff_layout(name: str, path: Path) -> Layout:
    """Delimiter and header row, skipping report title lines above the header."""
    text, complete = read_head_text(path, HEAD_BYTES)
    if not complete and text.count("\n") < 3:
        text, complete = read_head_text(path, WIDE_HEAD_BYTES)
    best = _best_delimiter(text, complete)
    if best is None or best[0][1] < 2:
        raise InputError(name, "could not find columns: the file needs a header row and at least two "
                               "columns separated by , ; tab or |", line=1)
    (_, width), delim, records = best
    candidates = [i for i, (r, _, _) in enumerate(records) if len(r) == width]
    index = next((i for i in candidates if sum(1 for c in records[i][0] if c.strip()) * 2 > width), candidates[0])
    raw_headers, header_line, header_end = records[index]
    if len(raw_headers) > MAX_COLUMNS:
        raise InputError(name, f"{len(raw_headers)} columns is more than the {MAX_COLUMNS} a lead export "
                               "can have; export only the lead columns", line=header_line)
    headers, notices = unique_headers(raw_headers)
    if header_line > 1:
        notices.append(f"Skipped {header_line - 1} title line(s) above the header on line {header_line}.")
    if delim != ",":
        notices.append(f"Columns are separated by {'tab' if delim == chr(9) else repr(delim)}.")
    return Layout(delim, index + 1, header_line, header_end + 1, headers, notices)


def unique_headers(raw: list[str]) -> tuple[list[str], list[str]]:
    """Name empty headers ``column_N`` and rename case-insensitive duplicates ``name_1``.

    DuckDB resolves identifiers case-insensitively, so "Amount" and "amount" would
    collide; renaming (with a notice) beats silently keeping the last one.
    """
    seen: set[str] = set()
    result, notices = [], []
    for i, h in enumerate(raw, start=1):
        name = h.strip()
        if not name:
            name = f"column_{i}"
            notices.append(f"Column {i} has no header; called it {name!r}.")
        base, n = name, 0
        while name.lower() in seen:
            n += 1
            name = f"{base}_{n}"
        if n:
            notices.append(f"Header {base!r} appears more than once; the repeat is called {name!r}.")
        seen.add(name.lower())
        result.append(name)
    return result, notices
