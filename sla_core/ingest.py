"""Load CRM exports into the canonical ``leads`` table, reporting every row it could not use.

Design (docs/architecture.md, reliability plan section 2): DuckDB scans the CSV with
every column as text and ``store_rejects`` (so a ragged row costs one reject, not the
file), then typed values are derived in SQL with explicit, reported rules: date order,
decimal separator, booleans, null tokens. A bad optional cell becomes NULL and is
listed with file, line and column; a row without an id or creation date is rejected.
"""
from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb

from sla_core import decode, queries
from sla_core.decode import InputError
from sla_core.mapping import (
    ACTIVITY_ALIASES,
    DEAL_ALIASES,
    FIELD_LABELS,
    LEAD_ALIASES,
    REQUIRED_LEAD_FIELDS,
    Mapping,
    auto_map,
)

DELIMITERS = (",", ";", "\t", "|")
MAX_COLUMNS = 2000
MAX_LINE_BYTES = 2 * 1024 * 1024
RAGGED_TOLERANCE = 0.01  # up to 1 % short/long rows load partially; more means a broken file
ISSUE_DETAIL_LIMIT = 1000
SAMPLE_ROWS = 200_000
NULL_TOKENS = ["", "N/A", "n/a", "NA", "#N/A", "None", "none", "NULL", "null", "-", "--"]
BOOL_TRUE = ("true", "t", "yes", "y", "1", "x")
BOOL_FALSE = ("false", "f", "no", "n", "0")
OFFSET_RE = r"(Z|z|[+-]\d\d(:?\d\d)?)$"
SLASHED_RE = r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})"
DATE_ORDERS = ("auto", "mdy", "dmy")

FieldType = str  # 'id' | 'timestamp' | 'number' | 'integer' | 'boolean' | 'text'
LEAD_TYPES: dict[str, FieldType] = {
    "lead_id": "id", "created_at": "timestamp", "mql_at": "timestamp", "source": "text",
    "handed_at": "timestamp", "first_touch_at": "timestamp", "attempts": "integer",
    "connected": "boolean", "customer_at": "timestamp", "deal_amount": "number",
    "owner": "text", "tier": "text", "job_title": "text",
}
DEAL_TYPES: dict[str, FieldType] = {"lead_id": "id", "customer_at": "timestamp", "deal_amount": "number", "owner": "text"}
ACTIVITY_TYPES: dict[str, FieldType] = {"lead_id": "id", "activity_at": "timestamp", "type": "text", "outcome": "text"}


def _naive_formats(order: str) -> list[str]:
    """strptime formats for non-ISO dates, month-first or day-first as chosen."""
    md = ("%m", "%d") if order == "mdy" else ("%d", "%m")
    formats = []
    for sep in ("/", "-", "."):
        date = f"{md[0]}{sep}{md[1]}{sep}%Y"
        for time in (" %I:%M %p", " %I:%M:%S %p", " %H:%M", " %H:%M:%S", ""):
            formats.append(date + time)
    formats += ["%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y-%m-%d %I:%M %p", "%Y-%m-%dT%H:%M:%S.%f"]
    return formats


@dataclass(frozen=True)
class ReadOptions:
    """How to read ambiguous values; validated once here."""

    tz: str = "UTC"
    date_order: str = "auto"  # 'auto' | 'mdy' | 'dmy'
    decimal: str = "auto"  # 'auto' | '.' | ','
    as_of: datetime | None = None

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.tz!r}") from exc
        if self.date_order not in DATE_ORDERS:
            raise ValueError(f"date_order must be one of {', '.join(DATE_ORDERS)}")
        if self.decimal not in ("auto", ".", ","):
            raise ValueError("decimal must be 'auto', '.' or ','")
        if self.as_of is not None and self.as_of.tzinfo is None:
            raise ValueError("as_of needs a time zone")


@dataclass(frozen=True)
class Upload:
    name: str  # what the user called the file (shown in messages)
    path: Path  # where it lies in the session folder


@dataclass(frozen=True)
class UploadSet:
    leads: Upload
    activities: Upload | None = None
    deals: Upload | None = None


@dataclass
class Issue:
    """One row-level data-quality finding, downloadable from the Data page."""

    file: str
    line: int | None
    column: str | None
    reason: str
    value: str | None = None
    action: str = "value ignored"

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "column": self.column, "reason": self.reason,
                "value": self.value, "action": self.action}


@dataclass
class Quality:
    """What the upload held and what was done about its problems."""

    rows_read: int = 0
    rows_rejected: int = 0
    issues: list[Issue] = field(default_factory=list)
    issue_counts: dict[str, int] = field(default_factory=dict)  # reason → rows (exact, beyond the listed detail)
    notices: list[str] = field(default_factory=list)
    missing: dict[str, int] = field(default_factory=dict)  # canonical field → empty cells
    suspicious: list[dict] = field(default_factory=list)  # {check, rows, rule}

    def as_dict(self) -> dict:
        return {
            "rows_read": self.rows_read,
            "rows_rejected": self.rows_rejected,
            "issues": [i.as_dict() for i in self.issues],
            "issue_counts": self.issue_counts,
            "notices": self.notices,
            "missing": self.missing,
            "suspicious": self.suspicious,
        }


@dataclass
class Dataset:
    """A loaded workspace: the ``leads`` table in the connection plus how it was read."""

    version: str
    tz: str
    as_of: datetime | None
    rows_loaded: int
    quality: Quality
    files: dict[str, str]  # kind → file name
    headers: list[str]
    columns: dict[str, str]  # canonical field → header used
    date_order: str
    date_order_ambiguous: bool
    decimal: str
    has_activities: bool = False
    has_deals: bool = False


@dataclass
class _Layout:
    delimiter: str
    header_line: int  # 1-based line of the header row
    headers: list[str]
    notices: list[str]


@dataclass
class _Staged:
    name: str
    table: str
    path: Path
    layout: _Layout
    fields: dict[str, str]  # canonical field → staged column (c0, c1 …)
    headers_by_field: dict[str, str]
    rows: int
    rejects: list[tuple[int, str, str, str]]  # line, error type, message, raw line


def _read_head_text(path: Path, limit: int = 1 << 16) -> str:
    with open(path, "rb") as fh:
        data = fh.read(limit)
    text = data.decode("utf-8", errors="ignore")
    return text.lstrip("\ufeff")


def sniff_layout(name: str, path: Path) -> _Layout:
    """Delimiter and header row, skipping report title lines above the header."""
    text = _read_head_text(path)
    lines_seen = text.count("\n")
    best: tuple[float, int, str, list[list[str]], list[int]] | None = None
    for delim in DELIMITERS:
        reader = csv.reader(io.StringIO(text), delimiter=delim, quotechar='"', doublequote=True)
        records, ends = [], []
        try:
            for rec in reader:
                records.append(rec)
                ends.append(reader.line_num)
                if len(records) >= 60:
                    break
        except csv.Error:
            continue
        if lines_seen and ends and ends[-1] > lines_seen:  # last record may be cut by the sample
            records, ends = records[:-1], ends[:-1]
        records_nonblank = [(r, e) for r, e in zip(records, ends) if any(c.strip() for c in r)]
        if not records_nonblank:
            continue
        counts = [len(r) for r, _ in records_nonblank]
        widest = max(counts)
        modal = max(set(counts), key=lambda c: (counts.count(c), c))
        width = modal if modal > 1 else widest
        consistency = counts.count(width) / len(counts)
        score = (consistency if width > 1 else 0.0, width, delim, [r for r, _ in records_nonblank],
                 [e for _, e in records_nonblank])
        if best is None or score[:2] > best[:2]:
            best = score
    if best is None or best[1] < 2:
        raise InputError(name, "could not find columns: the file needs a header row and at least two "
                               "columns separated by , ; tab or |", line=1)
    _, width, delim, records, ends = best
    header_index = next(i for i, r in enumerate(records) if len(r) == width)
    header_line = (ends[header_index - 1] + 1) if header_index else _first_content_line(text)
    raw_headers = records[header_index]
    if len(raw_headers) > MAX_COLUMNS:
        raise InputError(name, f"{len(raw_headers)} columns is more than the {MAX_COLUMNS} a lead export "
                               "can have; export only the lead columns", line=header_line)
    headers, notices = unique_headers(raw_headers)
    if header_index:
        notices.append(f"Skipped {header_line - 1} title line(s) above the header on line {header_line}.")
    if delim != ",":
        notices.append(f"Columns are separated by {'tab' if delim == chr(9) else repr(delim)}.")
    return _Layout(delim, header_line, headers, notices)


def _first_content_line(text: str) -> int:
    for i, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            return i
    return 1


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


def _stage(con: duckdb.DuckDBPyConnection, kind: str, upload: Upload, prepared: decode.Prepared,
           layout: _Layout, field_headers: dict[str, str]) -> _Staged:
    """Scan the CSV as text into a temp table of the mapped columns, rejects recorded per line."""
    position = {h: i for i, h in enumerate(layout.headers)}
    missing = [h for h in field_headers.values() if h not in position]
    if missing:
        raise InputError(upload.name, f"the mapping names column {missing[0]!r}, which is not in the file")
    column_types = {f"c{i}": "VARCHAR" for i in range(len(layout.headers))}
    fields = {fld: f"c{position[h]}" for fld, h in field_headers.items()}
    table = f"stage_{kind}"
    select = ", ".join(f"nullif(trim({c}), '') AS {c}" for c in sorted(set(fields.values()), key=lambda c: int(c[1:])))
    con.execute(f"DROP TABLE IF EXISTS rejects_{kind}; DROP TABLE IF EXISTS rejscan_{kind}")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {select} FROM read_csv($path, delim=$delim, quote='\"', "
        "escape='\"', header=false, skip=$skip, columns=$columns, auto_detect=false, nullstr=$nulls, "
        f"store_rejects=true, rejects_table='rejects_{kind}', rejects_scan='rejscan_{kind}', "
        "max_line_size=$max_line, null_padding=false)",
        {"path": str(prepared.path), "delim": layout.delimiter, "skip": layout.header_line,
         "columns": column_types, "nulls": NULL_TOKENS, "max_line": MAX_LINE_BYTES},
    )
    rows = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    rejects = con.execute(
        f"SELECT line, error_type, error_message, csv_line FROM rejects_{kind} ORDER BY line"
    ).fetchall()
    return _Staged(upload.name, table, prepared.path, layout, fields, dict(field_headers), rows, rejects)


def _check_rejects(staged: _Staged, quality: Quality) -> None:
    """Fail closed on broken files; load around a few ragged rows (reported)."""
    fatal_types = {"UNQUOTED VALUE": "a quote opened here is never closed",
                   "LINE SIZE OVER MAXIMUM": "the line is longer than 2 MB",
                   "INVALID UNICODE": "bytes that are not valid UTF-8; export as CSV UTF-8",
                   "INVALID ENCODING": "bytes that are not valid UTF-8; export as CSV UTF-8"}
    for line, etype, message, raw in staged.rejects:
        if etype in fatal_types:
            raise InputError(staged.name, fatal_types[etype], line=line)
    ragged = [(line, message, raw) for line, etype, message, raw in staged.rejects]
    if not ragged:
        return
    total = staged.rows + len(ragged)
    if len(ragged) > RAGGED_TOLERANCE * total:
        line, message, _ = ragged[0]
        found = message.rsplit(":", 1)[-1].strip()
        raise InputError(staged.name, f"{found} fields, expected {len(staged.layout.headers)} "
                                      f"({len(ragged)} of {total} rows have the wrong number of fields)", line=line)
    for line, message, raw in ragged[:ISSUE_DETAIL_LIMIT]:
        found = message.rsplit(":", 1)[-1].strip()
        quality.issues.append(Issue(staged.name, line, None, f"{found} fields, expected {len(staged.layout.headers)}",
                                    (raw or "")[:300], "row skipped"))
    quality.issue_counts["wrong number of fields"] = len(ragged)


@dataclass
class _Decisions:
    date_order: str
    ambiguous: bool
    decimal: str
    notices: list[str]


def _sample_counts(con, staged: _Staged, column: str, expressions: dict[str, str]) -> dict[str, int]:
    parts = ", ".join(f"count(*) FILTER (WHERE {expr}) AS {key}" for key, expr in expressions.items())
    sql = (f"SELECT {parts} FROM (SELECT {column} AS v FROM {staged.table} WHERE {column} IS NOT NULL "
           f"LIMIT {SAMPLE_ROWS})")
    values = con.execute(sql).fetchall()[0]
    return dict(zip(expressions, values))


def _decide(con, staged_list: list[_Staged], types_by_kind: list[dict[str, FieldType]], options: ReadOptions) -> _Decisions:
    """Choose date order and decimal separator from evidence across the files, never silently."""
    notices: list[str] = []
    day_first = month_first = slashed = 0
    comma_dec = dot_dec = 0
    for staged, types in zip(staged_list, types_by_kind):
        for fld, col in staged.fields.items():
            if types.get(fld) == "timestamp":
                c = _sample_counts(con, staged, col, {
                    "slashed": f"regexp_matches(v, '{SLASHED_RE}')",
                    "first_big": f"TRY_CAST(regexp_extract(v, '{SLASHED_RE}', 1) AS INTEGER) > 12",
                    "second_big": f"TRY_CAST(regexp_extract(v, '{SLASHED_RE}', 2) AS INTEGER) > 12",
                })
                slashed += c["slashed"]
                day_first += c["first_big"]
                month_first += c["second_big"]
            elif types.get(fld) == "number":
                c = _sample_counts(con, staged, col, {
                    "comma": r"regexp_matches(regexp_replace(v, '[^0-9.,]', '', 'g'), '^\d{1,3}(\.\d{3})*,\d+$|^\d+,(\d{1,2}|\d{4,})$')",
                    "dot": r"regexp_matches(regexp_replace(v, '[^0-9.,]', '', 'g'), '^\d{1,3}(,\d{3})*\.\d+$|^\d+\.(\d{1,2}|\d{4,})$')",
                })
                comma_dec += c["comma"]
                dot_dec += c["dot"]
    ambiguous = False
    if options.date_order != "auto":
        order = options.date_order
    elif day_first and month_first:
        raise InputError(staged_list[0].name, "dates mix day-first (e.g. 13/05) and month-first (e.g. 05/13) "
                                              "values; export them in one format")
    elif day_first:
        order = "dmy"
        notices.append("Dates like 13/05/2024 show the file is day-first (DD/MM/YYYY).")
    elif month_first:
        order = "mdy"
        notices.append("Dates like 05/13/2024 show the file is month-first (MM/DD/YYYY).")
    else:
        order = "mdy"
        ambiguous = slashed > 0
        if ambiguous:
            notices.append("Every date could be read either way (all days ≤ 12): read as month-first "
                           "(MM/DD/YYYY). Choose day-first on the Data page if that is wrong.")
    if options.decimal != "auto":
        decimal = options.decimal
    elif comma_dec and not dot_dec:
        decimal = ","
        notices.append("Amounts use a decimal comma (1.234,56).")
    elif dot_dec or staged_list[0].layout.delimiter != ";":
        decimal = "."
    else:
        decimal = ","
        notices.append("Semicolon-separated file: amounts read with a decimal comma (1.234,56).")
    return _Decisions(order, ambiguous, decimal, notices)


def _ts_expr(col: str, tz: str, has_offsets: bool, formats_param: str) -> str:
    naive = f"coalesce(TRY_CAST({col} AS TIMESTAMP), try_strptime({col}, {formats_param}))"
    local = f"CAST({naive} AS TIMESTAMPTZ)" if tz == "UTC" else f"timezone($tz, {naive})"
    if not has_offsets:
        return local
    return f"CASE WHEN regexp_matches({col}, '{OFFSET_RE}') THEN TRY_CAST({col} AS TIMESTAMPTZ) ELSE {local} END"


def _number_expr(col: str, decimal: str) -> str:
    digits = f"regexp_replace({col}, '[^0-9.,]', '', 'g')"
    if decimal == ".":
        pattern = r"^\d{1,3}(,\d{3})+(\.\d+)?$|^\d+(\.\d+)?$|^\.\d+$"
        plain = f"replace({digits}, ',', '')"
    else:
        pattern = r"^\d{1,3}(\.\d{3})+(,\d+)?$|^\d+(,\d+)?$|^,\d+$"
        plain = f"replace(replace({digits}, '.', ''), ',', '.')"
    negative = f"(regexp_matches({col}, '^\\s*\\(.*\\)\\s*$') OR regexp_matches({col}, '^[^0-9]*-|-\\s*[^0-9]*$'))"
    letters_ok = f"NOT regexp_matches(regexp_replace({col}, '(R\\$|[A-Z]{{3}})', '', 'g'), '[A-Za-z]')"
    value = f"TRY_CAST({plain} AS DOUBLE)"
    return (f"CASE WHEN regexp_matches({digits}, '{pattern}') AND {letters_ok} "
            f"THEN CASE WHEN {negative} THEN -{value} ELSE {value} END END")


def _bool_mode(con, staged: _Staged, col: str) -> str:
    """'boolean' for yes/no-like columns, 'date' for connected-at dates, else 'status' values."""
    vocab = list(BOOL_TRUE + BOOL_FALSE)
    c = _sample_counts(con, staged, col, {
        "total": "true",
        "vocab": "list_contains($vocab, lower(v))".replace("$vocab", "[" + ", ".join(f"'{v}'" for v in vocab) + "]"),
        "dates": "TRY_CAST(v AS TIMESTAMP) IS NOT NULL OR regexp_matches(v, '" + SLASHED_RE + "')",
    })
    if not c["total"] or c["vocab"] >= 0.9 * c["total"]:
        return "boolean"
    if c["dates"] >= 0.9 * c["total"]:
        return "date"
    return "status"


def _typed_select(con, staged: _Staged, types: dict[str, FieldType], decisions: _Decisions,
                  tz: str, connected_values: tuple[str, ...]) -> tuple[str, dict[str, str]]:
    """SELECT list turning staged text into typed canonical columns, and a reason per field."""
    parts = ["rowid AS _row"]
    reasons: dict[str, str] = {}
    order_label = "MM/DD/YYYY" if decisions.date_order == "mdy" else "DD/MM/YYYY"
    for fld, col in staged.fields.items():
        kind = types[fld]
        if kind == "timestamp":
            has_offsets = _sample_counts(con, staged, col, {"n": f"regexp_matches(v, '{OFFSET_RE}')"})["n"] > 0
            expr = _ts_expr(col, tz, has_offsets, "$formats")
            reasons[fld] = f"not a date/time (read as {order_label} or ISO 8601)"
        elif kind == "number":
            expr = _number_expr(col, decisions.decimal)
            reasons[fld] = f"not a number with {'decimal point' if decisions.decimal == '.' else 'decimal comma'}"
        elif kind == "integer":
            expr = (f"CASE WHEN TRY_CAST({col} AS INTEGER) >= 0 THEN TRY_CAST({col} AS INTEGER) "
                    f"WHEN ({_number_expr(col, decisions.decimal)}) >= 0 AND ({_number_expr(col, decisions.decimal)}) "
                    f"= floor({_number_expr(col, decisions.decimal)}) THEN CAST({_number_expr(col, decisions.decimal)} AS INTEGER) END")
            reasons[fld] = "not a whole number ≥ 0"
        elif kind == "boolean":
            mode = _bool_mode(con, staged, col)
            if mode == "boolean":
                expr = (f"CASE WHEN list_contains($bool_true, lower({col})) THEN true "
                        f"WHEN list_contains($bool_false, lower({col})) THEN false END")
                reasons[fld] = "not yes/no (true/false, yes/no, y/n, 1/0)"
            elif mode == "date":
                expr = f"{col} IS NOT NULL"
                reasons[fld] = "connected date"
            else:
                expr = f"list_contains($connected_values, lower({col}))"
                reasons[fld] = "status value"
        else:
            expr = col
        parts.append(f"{expr} AS {fld}")
    return ", ".join(parts), reasons


def _params(decisions: _Decisions, tz: str, connected_values: tuple[str, ...], sql: str) -> dict:
    candidates = {
        "formats": _naive_formats(decisions.date_order),
        "tz": tz,
        "bool_true": list(BOOL_TRUE),
        "bool_false": list(BOOL_FALSE),
        "connected_values": [v.lower() for v in connected_values],
    }
    return {k: v for k, v in candidates.items() if f"${k}" in sql}


def _parse(con, staged: _Staged, types: dict[str, FieldType], decisions: _Decisions, tz: str,
           connected_values: tuple[str, ...], quality: Quality) -> str:
    """Typed table ``typed_<kind>`` (same row order as the stage) with failed cells reported."""
    select, reasons = _typed_select(con, staged, types, decisions, tz, connected_values)
    typed = staged.table.replace("stage_", "typed_")
    sql = f"CREATE OR REPLACE TEMP TABLE {typed} AS SELECT {select} FROM {staged.table}"
    con.execute(sql, _params(decisions, tz, connected_values, sql))
    checked = [f for f, t in types.items() if f in staged.fields and t in ("timestamp", "number", "integer")
               or (t == "boolean" and f in staged.fields and reasons.get(f, "").startswith("not yes"))]
    if not checked:
        return typed
    failures = " UNION ALL ".join(
        f"SELECT t._row, '{f}' AS fld, s.{staged.fields[f]} AS raw FROM {staged.table} s POSITIONAL JOIN {typed} t "
        f"WHERE s.{staged.fields[f]} IS NOT NULL AND t.{f} IS NULL" for f in checked)
    counts = dict(con.execute(f"SELECT fld, count(*) FROM ({failures}) GROUP BY fld").fetchall())
    if not counts:
        return typed
    detail = con.execute(f"SELECT _row, fld, raw FROM ({failures}) ORDER BY _row LIMIT {ISSUE_DETAIL_LIMIT}").fetchall()
    lines = _lines_for_rows(staged, [r for r, _, _ in detail])
    required = set(REQUIRED_LEAD_FIELDS) if staged.table == "stage_leads" else {"lead_id"}
    for row, fld, raw in detail:
        action = "row rejected" if fld in required else "value ignored"
        quality.issues.append(Issue(staged.name, lines.get(row), staged.headers_by_field[fld], reasons[fld], raw, action))
    for fld, n in counts.items():
        quality.issue_counts[f"{staged.headers_by_field[fld]}: {reasons[fld]}"] = n
    return typed


def _lines_for_rows(staged: _Staged, rows: list[int]) -> dict[int, int]:
    """File line where each staged row starts, counting quoted newlines and skipped rows exactly."""
    if not rows:
        return {}
    wanted = set(rows)
    rejected_lines = {line for line, *_ in staged.rejects}
    result: dict[int, int] = {}
    with open(staged.path, encoding="utf-8-sig", newline="") as fh:
        for _ in range(staged.layout.header_line):
            fh.readline()
        reader = csv.reader(fh, delimiter=staged.layout.delimiter, quotechar='"', doublequote=True)
        row, start = 0, staged.layout.header_line + 1
        last = max(wanted)
        for _ in reader:
            end = staged.layout.header_line + reader.line_num
            if start not in rejected_lines:
                if row in wanted:
                    result[row] = start
                row += 1
                if row > last:
                    break
            start = end + 1
    return result


def _missing_counts(con, staged: _Staged) -> dict[str, int]:
    if not staged.fields:
        return {}
    parts = ", ".join(f"count(*) - count({c}) AS {f}" for f, c in staged.fields.items())
    values = con.execute(f"SELECT {parts} FROM {staged.table}").fetchall()[0]
    return dict(zip(staged.fields, values))


def _load_file(con, kind: str, upload: Upload, field_headers_for: Callable[[list[str]], dict[str, str]],
               required: tuple[str, ...], work_dir: Path, quality: Quality) -> tuple[_Staged, list[str]]:
    prepared = decode.prepare(upload.name, upload.path, work_dir)
    quality.notices += [f"{upload.name}: {n}" for n in prepared.notices]
    layout = sniff_layout(upload.name, prepared.path)
    quality.notices += [f"{upload.name}: {n}" for n in layout.notices]
    field_headers = field_headers_for(layout.headers)
    absent = [f for f in required if f not in field_headers]
    if absent:
        labels = ", ".join(FIELD_LABELS[f] for f in absent)
        raise InputError(upload.name, f"no column found for {labels}; map it on the Data page or with --mapping "
                                      f"(headers seen: {', '.join(layout.headers[:12])})", line=layout.header_line)
    staged = _stage(con, kind, upload, prepared, layout, field_headers)
    _check_rejects(staged, quality)
    if staged.rows == 0:
        raise InputError(upload.name, "no data rows below the header", line=layout.header_line)
    return staged, layout.headers


def load(con: duckdb.DuckDBPyConnection, files: UploadSet, mapping: Mapping, options: ReadOptions,
         work_dir: Path, progress: Callable[[float, str], None] | None = None) -> Dataset:
    """Build ``leads`` (and ``activities``) in ``con`` from the uploads; raise InputError on bad input.

    Everything is built under temporary names and swapped in at the end, so a failed
    upload leaves the previously loaded tables untouched.
    """
    step = progress or (lambda fraction, text: None)
    quality = Quality()
    work_dir = Path(work_dir)
    step(0.05, f"Reading {files.leads.name}")
    leads_staged, headers = _load_file(con, "leads", files.leads, mapping.resolved, REQUIRED_LEAD_FIELDS, work_dir, quality)
    staged_list, types_list = [leads_staged], [LEAD_TYPES]
    deals_staged = activities_staged = None
    if files.deals:
        step(0.25, f"Reading {files.deals.name}")
        deals_staged, _ = _load_file(con, "deals", files.deals,
                                     lambda h: {**auto_map(h, DEAL_ALIASES), **mapping.deals_columns},
                                     ("lead_id", "customer_at"), work_dir, quality)
        staged_list.append(deals_staged)
        types_list.append(DEAL_TYPES)
    if files.activities:
        step(0.35, f"Reading {files.activities.name}")
        activities_staged, _ = _load_file(con, "activities", files.activities,
                                          lambda h: {**auto_map(h, ACTIVITY_ALIASES), **mapping.activities_columns},
                                          ("lead_id", "activity_at"), work_dir, quality)
        staged_list.append(activities_staged)
        types_list.append(ACTIVITY_TYPES)

    step(0.45, "Checking date and number formats")
    decisions = _decide(con, staged_list, types_list, options)
    quality.notices += decisions.notices
    quality.rows_read = leads_staged.rows + sum(1 for r in leads_staged.rejects)
    quality.missing = _missing_counts(con, leads_staged)

    step(0.55, "Converting values")
    typed = {s.table: _parse(con, s, t, decisions, options.tz, mapping.connected_values, quality)
             for s, t in zip(staged_list, types_list)}
    step(0.75, "Building the lead table")
    _build_leads(con, leads_staged, typed["stage_leads"], mapping, quality)
    if deals_staged:
        _merge_deals(con, deals_staged, typed["stage_deals"], quality)
    if activities_staged:
        _build_activities(con, typed["stage_activities"], mapping, quality)
    _flag_suspicious(con, quality)
    for s in staged_list:
        con.execute(f"DROP TABLE IF EXISTS {s.table}; DROP TABLE IF EXISTS {typed[s.table]}")
    con.execute(queries.sql("finalize_leads"))
    _swap_in(con, with_activities=activities_staged is not None)
    rows_loaded = con.execute("SELECT count(*) FROM leads").fetchall()[0][0]
    as_of = options.as_of or queries.row(con, "latest_timestamp")["as_of"]
    step(1.0, "Done")
    return Dataset(
        version=uuid.uuid4().hex, tz=options.tz, as_of=as_of, rows_loaded=rows_loaded, quality=quality,
        files={k: u.name for k, u in (("leads", files.leads), ("activities", files.activities),
                                      ("deals", files.deals)) if u},
        headers=headers, columns=dict(leads_staged.headers_by_field), date_order=decisions.date_order,
        date_order_ambiguous=decisions.ambiguous, decimal=decisions.decimal,
        has_activities=activities_staged is not None, has_deals=deals_staged is not None,
    )


def _swap_in(con, with_activities: bool) -> None:
    """Replace the previous dataset only now that every step succeeded (one transaction)."""
    con.execute("BEGIN TRANSACTION")
    con.execute("DROP TABLE IF EXISTS leads; ALTER TABLE leads_final RENAME TO leads; DROP TABLE leads_next")
    con.execute("DROP TABLE IF EXISTS activities")
    if with_activities:
        con.execute("ALTER TABLE activities_next RENAME TO activities")
    con.execute("COMMIT")


def _col(fields: dict[str, str], name: str, fallback: str) -> str:
    return name if name in fields else fallback


def _build_leads(con, staged: _Staged, typed: str, mapping: Mapping, quality: Quality) -> None:
    """Apply the stated rules: required fields, duplicates, origin, absent-column fallbacks."""
    f = staged.fields
    invalid = con.execute(f"SELECT count(*) FROM {typed} WHERE lead_id IS NULL OR created_at IS NULL").fetchall()[0][0]
    dupes = con.execute(
        f"SELECT count(*) - count(DISTINCT lead_id) FROM {typed} WHERE lead_id IS NOT NULL AND created_at IS NOT NULL"
    ).fetchall()[0][0]
    if invalid:
        quality.issue_counts["rows without a Lead ID or a valid creation date"] = invalid
        already_listed = {i.line for i in quality.issues if i.action == "row rejected"}
        rows = [r for (r,) in con.execute(
            f"SELECT _row FROM {typed} WHERE lead_id IS NULL OR created_at IS NULL "
            f"ORDER BY _row LIMIT {ISSUE_DETAIL_LIMIT}").fetchall()]
        lines = _lines_for_rows(staged, rows)
        for row in rows:
            if lines.get(row) not in already_listed:
                quality.issues.append(Issue(staged.name, lines.get(row), None,
                                            "missing Lead ID or creation date", None, "row rejected"))
    keep = "lead_id IS NOT NULL AND created_at IS NOT NULL"
    if dupes:
        quality.issue_counts["duplicate Lead ID (first row kept)"] = dupes
        dup_rows = con.execute(
            f"SELECT _row, lead_id FROM (SELECT _row, lead_id, row_number() OVER (PARTITION BY lead_id ORDER BY _row) AS k "
            f"FROM {typed} WHERE {keep}) WHERE k > 1 ORDER BY _row LIMIT {ISSUE_DETAIL_LIMIT}").fetchall()
        lines = _lines_for_rows(staged, [r for r, _ in dup_rows])
        for row, lead_id in dup_rows:
            quality.issues.append(Issue(staged.name, lines.get(row), staged.headers_by_field["lead_id"],
                                        "duplicate Lead ID; the first row with this id is kept", lead_id, "row rejected"))
        keep += f" AND _row IN (SELECT min(_row) FROM {typed} WHERE {keep} GROUP BY lead_id)"
    quality.rows_rejected = (quality.rows_read - staged.rows) + invalid + dupes
    mql = _col(f, "mql_at", "created_at")
    handed = _col(f, "handed_at", mql)
    if "mql_at" not in f:
        quality.notices.append("No MQL date column: a lead counts as an MQL when it was created (SPEC).")
    if "handed_at" not in f:
        quality.notices.append("No hand-off date column: a lead counts as handed to sales when it became an MQL.")
    text, ts = "NULL::VARCHAR", "NULL::TIMESTAMPTZ"
    sql = queries.sql("build_leads").format(
        typed=typed, keep=keep, mql=mql, handed=handed,
        source=_col(f, "source", text), first_touch=_col(f, "first_touch_at", ts),
        attempts=_col(f, "attempts", "NULL::INTEGER"), connected=_col(f, "connected", "NULL::BOOLEAN"),
        customer=_col(f, "customer_at", ts), amount=_col(f, "deal_amount", "NULL::DOUBLE"),
        owner=_col(f, "owner", text), tier=_col(f, "tier", text), job_title=_col(f, "job_title", text),
    )
    con.execute(sql, {"sales_sources": [s.lower() for s in mapping.sales_sources]})


def _merge_deals(con, staged: _Staged, typed: str, quality: Quality) -> None:
    """customer_at and deal_amount from each lead's first won deal (SPEC section 1)."""
    f = staged.fields
    unknown = con.execute(
        f"SELECT count(*) FROM {typed} d WHERE d.lead_id IS NOT NULL AND d.lead_id NOT IN (SELECT lead_id FROM leads_next)"
    ).fetchall()[0][0]
    if unknown:
        quality.notices.append(f"{staged.name}: {unknown} deal(s) name a Lead ID that is not in the leads file; ignored.")
    con.execute(queries.sql("merge_deals").format(
        typed=typed, amount=_col(f, "deal_amount", "NULL::DOUBLE"), owner=_col(f, "owner", "NULL::VARCHAR")))


def _build_activities(con, typed: str, mapping: Mapping, quality: Quality) -> None:
    from sla_core import activities

    con.execute(f"CREATE OR REPLACE TABLE activities_next AS SELECT lead_id, activity_at, type, outcome FROM {typed} "
                "WHERE lead_id IS NOT NULL AND activity_at IS NOT NULL")
    activities.apply_activities(con, mapping.connected_values, leads_table="leads_next", activities_table="activities_next")
    quality.notices.append("First touch, attempts and connected were derived from the activity log.")


def _flag_suspicious(con, quality: Quality) -> None:
    found = queries.row(con, "suspicious_counts")
    rules = {
        "touched_before_handoff": ("first sales touch before hand-off",
                                   "excluded from follow-up speed (counted as a data-quality exclusion)"),
        "customer_before_created": ("became customer before the lead was created",
                                    "not counted as a customer"),
        "negative_amount": ("negative deal amount", "amount ignored in revenue"),
    }
    for key, (check, rule) in rules.items():
        quality.suspicious.append({"check": check, "rows": int(found.get(key) or 0), "rule": rule})
