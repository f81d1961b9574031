"""The layout of an export: its delimiter, its header row (below any report title lines) and
header names DuckDB can tell apart. Read from the head of the file, before any scan."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sla_core.ingest.decode import InputError

DELIMITERS = (",", ";", "\t", "|")
MAX_COLUMNS = 2000
HEAD_BYTES = 1 << 16
WIDE_HEAD_BYTES = 8 << 20  # enough for a header of thousands of columns (refused, but named)
HEAD_RECORDS = 60  # non-blank records the delimiter vote looks at
LINE_ENDINGS = {"\r\n": "CR LF (Windows)", "\n": "LF (Unix)", "\r": "CR (old Mac)"}


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
    csv.field_size_limit(max(csv.field_size_limit(), WIDE_HEAD_BYTES))  # a long field is named by the scan
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, quotechar='"', doublequote=True)
    records, start, nonblank = [], 1, 0
    try:
        for rec in reader:
            records.append((rec, start, reader.line_num))
            start = reader.line_num + 1
            nonblank += any(c.strip() for c in rec)
            if nonblank >= HEAD_RECORDS:
                break
    except csv.Error:
        if not records:
            return None
        complete = False  # the records before the error vote; the scan names what is wrong
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


def _first_endings(lines: Iterable[str], delim: str, stop: int | None = None) -> dict[str, int]:
    """How records end (CR LF, LF or CR; line breaks inside quotes are values), each with the physical
    line where one first does; reading stops once two kinds are seen (or past line ``stop``)."""
    ends: list[str] = []

    def tracked():
        for line in lines:
            ends.append(line[len(line.rstrip("\r\n")):])
            yield line

    found: dict[str, int] = {}
    reader = csv.reader(tracked(), delimiter=delim, quotechar='"', doublequote=True)
    try:
        for _ in reader:
            if ends[-1]:
                found.setdefault(ends[-1], reader.line_num)
            if len(found) > 1 or (stop is not None and reader.line_num > stop):
                break
    except csv.Error:
        pass  # the scan names what is wrong, with its line
    return found


def _refuse_mixed(name: str, found: dict[str, int]) -> None:
    if list(found) == ["\r"]:  # DuckDB reads it, but lines are counted by their LF everywhere a line is named
        raise InputError(name, "every line ends with a lone CR (old Mac line endings); save the file again "
                               "with Windows (CR LF) or Unix (LF) line endings", line=1)
    if len(found) < 2:
        return
    (first, _), (other, line) = sorted(found.items(), key=lambda kv: kv[1])[:2]
    raise InputError(name, f"the line endings change here: lines before end with {LINE_ENDINGS[first]}, this one "
                           f"with {LINE_ENDINGS[other]}. Save the file again (e.g. from a text editor or "
                           "Excel) so every line ends the same way", line=line)


def refuse_mixed_endings(name: str, path: Path, delim: str, stop: int | None = None) -> None:
    """DuckDB reads one kind of line ending per file and fails on a change: say where the file's changes
    (read from the start, up to line ``stop``). Called when a scan failed, so a clean file pays nothing."""
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        _refuse_mixed(name, _first_endings(fh, delim, stop))


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
    # The head is checked up front: a change there would fail the scan, or make every row a reject.
    _refuse_mixed(name, _first_endings(io.StringIO(text if complete else text.removesuffix("\r"), newline=""), delim))
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
