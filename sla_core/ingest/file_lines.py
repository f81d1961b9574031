"""Where in the file a record is: physical line numbers for byte offsets and typed rows, and the
footer lines a report export ends with. Runs only when something is reported, so a clean
file pays nothing; every reader streams the file in chunks."""
from __future__ import annotations

import csv
from pathlib import Path

from sla_core.ingest import decode
from sla_core.ingest.staging import MAX_LINE_BYTES, Staged

TAIL_BYTES = 1 << 16


def lines_at_offsets(path: Path, offsets: list[int]) -> dict[int, int]:
    """Physical line (1-based) of each byte offset, counting newlines in one streaming pass."""
    targets = sorted(set(offsets))
    result: dict[int, int] = {}
    line, pos, i = 1, 0, 0
    with open(path, "rb") as fh:
        while i < len(targets):
            chunk = fh.read(decode.CHUNK)
            if not chunk:
                break
            while i < len(targets) and targets[i] < pos + len(chunk):
                result[targets[i]] = line + chunk.count(b"\n", 0, targets[i] - pos)
                i += 1
            line += chunk.count(b"\n")
            pos += len(chunk)
    for t in targets[i:]:
        result[t] = line
    return result


def count_lines(path: Path) -> int:
    lines, last = 0, b""
    with open(path, "rb") as fh:
        while chunk := fh.read(decode.CHUNK):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (1 if last not in (b"", b"\n") else 0)


def footer_lines(f: Staged) -> set[int]:
    """Lines at the very end holding at most one value each: a report's footer, not data."""
    total = count_lines(f.prepared.path)
    with open(f.prepared.path, "rb") as fh:
        size = fh.seek(0, 2)
        fh.seek(max(0, size - TAIL_BYTES))
        lines = fh.read().decode("utf-8", errors="ignore").split("\n")
    if size > TAIL_BYTES:
        lines = lines[1:]  # the first piece may be part of a line
    if lines and lines[-1] == "":
        lines.pop()
    footer, number = set(), total
    for text in reversed(lines):
        try:
            cells = next(csv.reader([text], delimiter=f.layout.delimiter, quotechar='"'), [])
        except csv.Error:  # a stray CR: not a footer's single value
            break
        if sum(1 for c in cells if c.strip()) > 1:
            break
        footer.add(number)
        number -= 1
    return footer


def _lines_by_arithmetic(f: Staged, wanted: list[int], reject_lines: list[int]) -> dict[int, int]:
    """Lines of typed rows when every record is one line: the data line plus the rejects before it."""
    result: dict[int, int] = {}
    skipped = k = 0
    for row in wanted:
        while k < len(reject_lines) and reject_lines[k] <= f.layout.data_line + row + skipped:
            k += 1
            skipped += 1
        result[row] = f.layout.data_line + row + skipped
    return result


def _lines_by_reading(f: Staged, wanted: list[int], reject_lines: list[int]) -> dict[int, int]:
    """Lines of typed rows found by reading the file as CSV (quoted newlines, blank rows)."""
    csv.field_size_limit(max(csv.field_size_limit(), 2 * MAX_LINE_BYTES))
    result: dict[int, int] = {}
    rejected, want, last = set(reject_lines), set(wanted), wanted[-1]
    with open(f.prepared.path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter=f.layout.delimiter, quotechar='"', doublequote=True)
        start, row = 1, 0
        for index, rec in enumerate(reader):
            if index >= f.layout.skip and rec and start not in rejected:
                if row in want:
                    result[row] = start
                row += 1
                if row > last:
                    break
            start = reader.line_num + 1
    return result


def lines_for_rows(f: Staged, rows: list[int]) -> dict[int, int]:
    """File line where each typed row (its rowid) starts, exact with quoted newlines and skipped rows.

    When every record is one line (the file's line count says so) the answer is arithmetic;
    otherwise the file is re-read as CSV.
    """
    if not rows:
        return {}
    wanted = sorted(set(rows))
    reject_lines = [r.line for r in f.rejects]
    if count_lines(f.prepared.path) == f.layout.data_line - 1 + f.rows + len(reject_lines):
        return _lines_by_arithmetic(f, wanted, reject_lines)
    return _lines_by_reading(f, wanted, reject_lines)
