"""Load CRM exports into the canonical ``leads`` table, reporting every row it could not use.

Design (docs/architecture.md, reliability plan section 2): a sample from the top of
each file settles the ambiguous conventions (date order, decimal separator, what a
"connected" column holds); then one DuckDB scan per file reads the mapped columns as
text with ``store_rejects`` (a ragged row costs one reject, not the file) and derives
the typed values in the same statement, with explicit rules. A cell that does not fit
its type is kept beside its (NULL) typed value, so it is reported with file, line and
column without reading the file twice. Only identifiers we generate (c0, r_created_at,
_bad_deal_amount …) and our own constant patterns enter SQL text; header text never
does, and values are bound parameters.
"""
from __future__ import annotations

import csv
import io
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb

from sla_core import contract, queries

from sla_core.ingest import activities

from sla_core.ingest import decode
from sla_core.ingest.dataset import Dataset, Issue, Quality  # defined apart so readers of a saved Dataset skip ingest
from sla_core.ingest.decode import InputError
from sla_core.ingest.mapping import (
    ACTIVITY_ALIASES,
    DEAL_ALIASES,
    FIELD_LABELS,
    REQUIRED_LEAD_FIELDS,
    Mapping,
    auto_map,
)

DELIMITERS = (",", ";", "\t", "|")
MAX_COLUMNS = 2000
MAX_LINE_BYTES = 2 * 1024 * 1024
HEAD_BYTES = 1 << 16
WIDE_HEAD_BYTES = 8 << 20  # enough for a header of thousands of columns (refused, but named)
RAGGED_TOLERANCE = 0.01  # up to 1 % short/long rows load partially; more means a broken file
ISSUE_DETAIL_LIMIT = 1000
LINES_LISTED = 10  # offending lines named in a refusal
SAMPLE_ROWS = 50_000
NUMPY_SORT_ROWS = 2_000_000  # duplicate-id check: numpy's sort beats DuckDB's count(DISTINCT) from here on
NULL_TOKENS = ["", "N/A", "n/a", "NA", "#N/A", "None", "none", "NULL", "null", "-", "--"]
BOOL_TRUE = ("true", "t", "yes", "y", "1", "x")
BOOL_FALSE = ("false", "f", "no", "n", "0")
# A UTC offset after a clock time ("…T14:22:00Z", "…14:22-05:00"); a dashed date ("20-10-2017") is not one.
OFFSET_RE = r"\d:\d\d(:\d\d(\.\d+)?)?\s*(Z|z|UTC|[+-]\d\d(:?\d\d)?)$"
SLASHED_RE = r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})"
CURRENCY_RE = (r"R\$|US\$|[$€£¥₹]|\b(USD|EUR|GBP|BRL|JPY|CNY|INR|CAD|AUD|NZD|CHF|SEK|NOK|DKK|PLN|MXN|ZAR|"
               r"SGD|HKD)\b")
SAME_CURRENCY = {"US$": "$", "USD": "$", "EUR": "€", "GBP": "£", "BRL": "R$", "INR": "₹", "JPY": "¥"}
# Digits-and-separators shapes: what each decimal convention accepts, and what betrays the other one.
NUMBER_SHAPES = {
    ".": r"^\d{1,3}(,\d{3})+(\.\d+)?$|^\d+(\.\d+)?$|^\.\d+$",
    ",": r"^\d{1,3}(\.\d{3})+(,\d+)?$|^\d+(,\d+)?$|^,\d+$",
}
OTHER_CONVENTION = {
    ".": r"^\d{1,3}(\.\d{3}){2,}(,\d+)?$|^\d{1,3}(\.\d{3})+,\d+$|^\d+,\d{1,2}$",
    ",": r"^\d{1,3}(,\d{3}){2,}(\.\d+)?$|^\d{1,3}(,\d{3})+\.\d+$|^\d+\.\d{1,2}$",
}
DATE_ORDERS = ("auto", "mdy", "dmy")
DECIMAL_LABELS = {".": "1,234.56", ",": "1.234,56"}

FieldType = str  # 'id' | 'timestamp' | 'number' | 'integer' | 'boolean' | 'text'
LEAD_TYPES: dict[str, FieldType] = contract.MAPPED_TYPES
DEAL_TYPES: dict[str, FieldType] = {"lead_id": "id", "customer_at": "timestamp", "deal_amount": "number", "owner": "text"}
ACTIVITY_TYPES: dict[str, FieldType] = {"lead_id": "id", "activity_at": "timestamp", "type": "text", "outcome": "text"}
CHECKED_TYPES = ("timestamp", "number", "integer", "boolean")


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


def _has_dst(tz: str) -> bool:
    """Whether the zone's clocks ever jump (then local times can fall in a gap)."""
    zone = ZoneInfo(tz)
    return any(datetime(y, 1, 1, tzinfo=zone).utcoffset() != datetime(y, 7, 1, tzinfo=zone).utcoffset()
               for y in range(2000, 2041))


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
class _Layout:
    delimiter: str
    skip: int  # CSV records up to and including the header (DuckDB's ``skip`` counts records)
    header_line: int  # physical line where the header starts
    data_line: int  # physical line after the header
    headers: list[str]
    notices: list[str]


@dataclass(frozen=True)
class _Reject:
    line: int  # physical line where the record starts
    kind: str  # DuckDB's error type
    message: str
    raw: str
    byte: int  # byte offset of the error in the scanned file


@dataclass
class _File:
    """One upload on its way to a typed temp table ``typed_<kind>``."""

    kind: str
    name: str
    prepared: decode.Prepared
    layout: _Layout
    types: dict[str, FieldType]
    fields: dict[str, str]  # canonical field → scanned column (c0, c1 …)
    headers_by_field: dict[str, str]
    rows: int = 0
    rejects: list[_Reject] = field(default_factory=list)  # every record DuckDB could not use
    footer: int = 0  # of those, a report's footer lines (title, copyright) after the last row

    @property
    def table(self) -> str:
        return f"typed_{self.kind}"

    def checked(self, kind: str | None = None) -> list[str]:
        return [f for f in self.fields if self.types[f] in CHECKED_TYPES and (kind is None or self.types[f] == kind)]


def _read_head_text(path: Path, limit: int) -> tuple[str, bool]:
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
            if nonblank >= 60:
                break
    except csv.Error:
        return None
    if records and not complete and nonblank < 60:
        records.pop()  # the sample may cut the last record short
    return records


def sniff_layout(name: str, path: Path) -> _Layout:
    """Delimiter and header row, skipping report title lines above the header."""
    text, complete = _read_head_text(path, HEAD_BYTES)
    if not complete and text.count("\n") < 3:
        text, complete = _read_head_text(path, WIDE_HEAD_BYTES)
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
    return _Layout(delim, index + 1, header_line, header_end + 1, headers, notices)


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


def _scan(f: _File, rejects: bool) -> str:
    """The read_csv call: every column as text, options bound as parameters (see _scan_params)."""
    errors = (f"store_rejects=true, rejects_table='rejects_{f.kind}', rejects_scan='rejscan_{f.kind}'"
              if rejects else "ignore_errors=true")
    return ("read_csv($path, delim=$delim, quote='\"', escape='\"', header=false, skip=$skip, columns=$columns, "
            f"auto_detect=false, nullstr=$nulls, max_line_size=$max_line, null_padding=false, {errors})")


def _scan_params(f: _File) -> dict:
    return {"path": str(f.prepared.path), "delim": f.layout.delimiter, "skip": f.layout.skip,
            "columns": {f"c{i}": "VARCHAR" for i in range(len(f.layout.headers))},
            "nulls": NULL_TOKENS, "max_line": MAX_LINE_BYTES}


def _trimmed(cell: str) -> str:
    """The cell without surrounding spaces, '' as NULL; trim() runs only on the cells that need it
    (copying every cell through trim costs about a tenth of the scan at 5M rows)."""
    return f"CASE WHEN {cell} LIKE ' %' OR {cell} LIKE '% ' THEN nullif(trim({cell}), '') ELSE nullif({cell}, '') END"


def _sample_select(f: _File) -> str:
    """The fields whose conventions the sample settles (dates, numbers, yes/no), as trimmed text."""
    return ", ".join(f"{_trimmed(f.fields[fld])} AS r_{fld}" for fld in f.checked())


def _open(con, kind: str, upload: Upload, types: dict[str, FieldType],
          resolve: Callable[[list[str]], dict[str, str]], required: tuple[str, ...], work_dir: Path,
          quality: Quality) -> _File:
    """Check the bytes, find the header, map the columns and take the sample that decides conventions."""
    prepared = decode.prepare(upload.name, upload.path, work_dir)
    layout = sniff_layout(upload.name, prepared.path)
    quality.notices += [f"{upload.name}: {n}" for n in prepared.notices + layout.notices]
    field_headers = resolve(layout.headers)
    unknown = sorted(set(field_headers) - set(types))
    if unknown:
        raise InputError(upload.name, f"the mapping names unknown field(s) {', '.join(unknown)} for the {kind} file")
    position = {h: i for i, h in enumerate(layout.headers)}
    for fld, header in field_headers.items():
        if header not in position:
            raise InputError(upload.name, f"the mapping reads {FIELD_LABELS[fld]} from column {header!r}, "
                                          "which is not in the file", line=layout.header_line)
    absent = [f for f in required if f not in field_headers]
    if absent:
        labels = ", ".join(FIELD_LABELS[f] for f in absent)
        raise InputError(upload.name, f"no column found for {labels}; map it on the Data page or with --mapping "
                                      f"(headers seen: {', '.join(layout.headers[:12])})", line=layout.header_line)
    f = _File(kind, upload.name, prepared, layout, types, {fld: f"c{position[h]}" for fld, h in field_headers.items()},
              dict(field_headers))
    con.execute(f"CREATE OR REPLACE TEMP TABLE sample_{kind} AS SELECT {_sample_select(f)} FROM {_scan(f, False)} "
                f"LIMIT {SAMPLE_ROWS}", _scan_params(f))
    return f


@dataclass
class _Decisions:
    date_order: str
    ambiguous: bool
    decimal: str
    notices: list[str]
    bool_modes: dict[tuple[str, str], str]  # (kind, field) → 'boolean' | 'date' | 'status'


def _evidence(con, f: _File) -> dict[str, int]:
    """Counts over the sample that betray date order, decimal separator and boolean style."""
    exprs: dict[str, str] = {}
    orders: dict[str, dict[str, str]] = {}
    for fld in f.checked():
        v, kind = f"r_{fld}", f.types[fld]
        first = f"TRY_CAST(regexp_extract({v}, '{SLASHED_RE}', 1) AS INTEGER)"
        second = f"TRY_CAST(regexp_extract({v}, '{SLASHED_RE}', 2) AS INTEGER)"
        digits = f"regexp_replace({v}, '[^0-9.,]', '', 'g')"
        if kind == "timestamp":
            exprs[f"slashed:{fld}"] = f"regexp_matches({v}, '{SLASHED_RE}')"
            orders[fld] = {f"day_first:{fld}": f"{first} > 12 AND {second} <= 12",
                           f"month_first:{fld}": f"{second} > 12 AND {first} <= 12"}
        elif kind == "number":
            exprs[f"comma:{fld}"] = (f"regexp_matches({digits}, "
                                     r"'^\d{1,3}(\.\d{3})*,\d+$|^\d+,(\d{1,2}|\d{4,})$|^\d{1,3}(\.\d{3}){2,}$')")
            exprs[f"dot:{fld}"] = (f"regexp_matches({digits}, "
                                   r"'^\d{1,3}(,\d{3})*\.\d+$|^\d+\.(\d{1,2}|\d{4,})$|^\d{1,3}(,\d{3}){2,}$')")
        elif kind == "boolean":
            vocab = ", ".join(f"'{v}'" for v in BOOL_TRUE + BOOL_FALSE)
            exprs[f"total:{fld}"] = f"{v} IS NOT NULL"
            exprs[f"vocab:{fld}"] = f"list_contains([{vocab}], lower({v}))"
            exprs[f"dates:{fld}"] = f"TRY_CAST({v} AS TIMESTAMP) IS NOT NULL OR regexp_matches({v}, '{SLASHED_RE}')"
    found = _count_where(con, f"sample_{f.kind}", exprs)
    # Day or month first only matters for fields written with slashes: ISO dates skip the costlier extracts.
    slashed = {k: e for fld, pair in orders.items() if found[f"slashed:{fld}"] for k, e in pair.items()}
    return found | _count_where(con, f"sample_{f.kind}", slashed)


def _count_where(con, table: str, exprs: dict[str, str]) -> dict[str, int]:
    """How many rows of ``table`` each condition holds for, in one scan."""
    if not exprs:
        return {}
    parts = ", ".join(f"count(*) FILTER (WHERE {e}) AS e{i}" for i, e in enumerate(exprs.values()))
    return dict(zip(exprs, con.execute(f"SELECT {parts} FROM {table}").fetchall()[0]))


def _decide(con, files: list[_File], options: ReadOptions) -> _Decisions:
    """Choose date order and decimal separator from evidence across the files, never silently."""
    notices: list[str] = []
    totals: dict[str, int] = {}
    bool_modes: dict[tuple[str, str], str] = {}
    for f in files:
        found = _evidence(con, f)
        for key, n in found.items():
            what, _, fld = key.partition(":")
            totals[what] = totals.get(what, 0) + n
        for fld in f.checked("boolean"):
            total, vocab, dates = (found[f"{k}:{fld}"] for k in ("total", "vocab", "dates"))
            bool_modes[(f.kind, fld)] = ("boolean" if not total or vocab >= 0.9 * total
                                         else "date" if dates >= 0.9 * total else "status")
        con.execute(f"DROP TABLE IF EXISTS sample_{f.kind}")
    day_first, month_first = totals.get("day_first", 0), totals.get("month_first", 0)
    ambiguous = False
    if options.date_order != "auto":
        order = options.date_order
    elif day_first and month_first:
        raise InputError(files[0].name, "dates mix day-first (e.g. 13/05) and month-first (e.g. 05/13) "
                                        "values; export them in one format")
    elif day_first:
        order = "dmy"
        notices.append("Dates like 13/05/2024 show the file is day-first (DD/MM/YYYY).")
    elif month_first:
        order = "mdy"
        notices.append("Dates like 05/13/2024 show the file is month-first (MM/DD/YYYY).")
    else:
        order = "mdy"
        ambiguous = totals.get("slashed", 0) > 0
        if ambiguous:
            notices.append("Every date could be read either way (all days ≤ 12): read as month-first "
                           "(MM/DD/YYYY). Choose day-first on the Data page if that is wrong.")
    comma, dot = totals.get("comma", 0), totals.get("dot", 0)
    if options.decimal != "auto":
        decimal = options.decimal
    elif comma and not dot:
        decimal = ","
        notices.append("Amounts use a decimal comma (1.234,56).")
    elif dot or files[0].layout.delimiter != ";":
        decimal = "."
    else:
        decimal = ","
        notices.append("Semicolon-separated file: amounts read with a decimal comma (1.234,56).")
    return _Decisions(order, ambiguous, decimal, notices, bool_modes)


def _number_expr(v: str, decimal: str, plain_cast: str | None = None) -> str:
    """Text → DOUBLE: currency marks, thousands separators, (86) and trailing minus; else NULL.

    ``plain_cast``: the cell's TRY_CAST to DOUBLE when already computed (see _typed_sql).
    """
    digits = f"regexp_replace({v}, '[^0-9.,]', '', 'g')"
    plain = f"replace({digits}, ',', '')" if decimal == "." else f"replace(replace({digits}, '.', ''), ',', '.')"
    negative = f"(regexp_matches({v}, '^\\s*\\(.*\\)\\s*$') OR regexp_matches({v}, '^[^0-9]*-|-[^0-9]*$'))"
    only_currency_letters = f"NOT regexp_matches(regexp_replace({v}, '{CURRENCY_RE}', '', 'g'), '[A-Za-z]')"
    parsed = (f"WHEN regexp_matches({digits}, '{NUMBER_SHAPES[decimal]}') AND {only_currency_letters} "
              f"THEN CASE WHEN {negative} THEN -1 ELSE 1 END * CAST({plain} AS DOUBLE)")
    if decimal == ".":  # plain numbers, the usual case, skip the regular expressions
        cast = plain_cast or f"TRY_CAST({v} AS DOUBLE)"
        return f"CASE WHEN isfinite({cast}) THEN {cast} {parsed} END"
    return f"CASE {parsed} END"


def _typed_sql(f: _File, decisions: _Decisions, tz: str) -> tuple[str, dict[str, str]]:
    """CREATE statement for ``typed_<kind>``, and the reason a failed cell is reported with.

    Generated levels: the cells as read (u_x) and their first cast (f_x), for the fields whose
    plain cast ignores surrounding spaces by itself (UTC dates, numbers with a decimal point);
    the trimmed text (r_x: every cell of the other fields, only the cells that cast failed on
    for these, as trimming every cell costs a fifth of the scan); typed candidates (t_x, and
    for zones with daylight saving the naive clock time n_x and offset flag z_x); then the
    canonical columns with ``_bad_x`` (the text of a cell that did not parse), ``_gap_x`` (a
    clock time skipped by daylight saving) and ``_cur_x`` (the currency mark of an amount).
    Each level names the trimmed text of a cell once, so the optimiser does not hoist the
    trim onto every row.
    """
    dst = tz != "UTC" and _has_dst(tz)
    local = "CAST({} AS TIMESTAMPTZ)" if tz == "UTC" else "timezone($tz, {})"
    order_label = "MM/DD/YYYY" if decisions.date_order == "mdy" else "DD/MM/YYYY"
    fast_casts = {"timestamp": "TIMESTAMPTZ" if tz == "UTC" else None,
                  "number": "DOUBLE" if decisions.decimal == "." else None}
    fast_casts["integer"] = fast_casts["number"]
    fast = {fld: fast_casts[f.types[fld]] for fld in f.fields if fast_casts.get(f.types[fld])}
    scanned, first, trimmed, middle, final, reasons = [], [], [], [], [], {}
    for fld, col in f.fields.items():
        kind, r, t, u, fc = f.types[fld], f"r_{fld}", f"t_{fld}", f"u_{fld}", f"f_{fld}"
        if fld in fast:
            scanned.append(f"{col} AS {u}")
            first += [u, f"TRY_CAST({u} AS {fast[fld]}) AS {fc}"]
            failed = f"{fc} IS NULL" if kind == "timestamp" else f"NOT coalesce(isfinite({fc}), false)"
            trimmed += [u, fc, f"CASE WHEN {failed} THEN {_trimmed(u)} END AS {r}"]
            middle += [u, fc, r]
        else:
            scanned.append(f"{_trimmed(col)} AS {r}")
            first.append(r)
            trimmed.append(r)
            middle.append(r)
        if kind == "timestamp":
            reasons[fld] = f"not a date/time (read as {order_label} or ISO 8601)"
            naive = f"coalesce(TRY_CAST({r} AS TIMESTAMP), try_strptime({r}, $formats))"
            if tz == "UTC":
                middle.append(f"coalesce({fc}, TRY_CAST({r} AS TIMESTAMPTZ), "
                              f"CAST(try_strptime({r}, $formats) AS TIMESTAMPTZ)) AS {t}")
                final += [f"{t} AS {fld}", f"CASE WHEN {t} IS NULL THEN {r} END AS _bad_{fld}"]
                continue
            # An offset decides the instant; a bare clock time is read in the workspace zone.
            middle += [f"regexp_matches({r}, '{OFFSET_RE}') AS z_{fld}", f"{naive} AS n_{fld}"]
            value = f"CASE WHEN z_{fld} THEN TRY_CAST({r} AS TIMESTAMPTZ) ELSE {local.format(f'n_{fld}')} END"
            final += [f"{value} AS {fld}", f"CASE WHEN {value} IS NULL THEN {r} END AS _bad_{fld}"]
            if dst:
                final.append(f"CASE WHEN NOT z_{fld} AND timezone($tz, timezone($tz, n_{fld})) <> n_{fld} "
                             f"THEN {r} END AS _gap_{fld}")
        elif kind == "number":
            reasons[fld] = f"not a number written {DECIMAL_LABELS[decisions.decimal]}"
            cast = fc if fld in fast else f"TRY_CAST({r} AS DOUBLE)"
            middle.append(f"{_number_expr(r, decisions.decimal, cast)} AS {t}")
            final += [f"{t} AS {fld}", f"CASE WHEN {t} IS NULL THEN {r} END AS _bad_{fld}",
                      f"CASE WHEN {t} IS NOT NULL AND {cast} IS NULL "
                      f"THEN nullif(regexp_extract({r}, '{CURRENCY_RE}'), '') END AS _cur_{fld}"]
        elif kind == "integer":
            reasons[fld] = "not a whole number ≥ 0"
            middle.append(f"{_number_expr(r, decisions.decimal, fc if fld in fast else None)} AS {t}")
            whole = f"{t} >= 0 AND {t} = floor({t}) AND {t} <= 2147483647"
            text = f"coalesce({r}, {_trimmed(u)})" if fld in fast else r  # -1 or 2.5 cast fine
            final += [f"CASE WHEN {whole} THEN CAST({t} AS INTEGER) END AS {fld}",
                      f"CASE WHEN NOT coalesce({whole}, false) THEN {text} END AS _bad_{fld}"]
        elif kind == "boolean":
            mode = decisions.bool_modes[(f.kind, fld)]
            if mode == "boolean":
                reasons[fld] = "not yes/no (true/false, yes/no, y/n, 1/0)"
                middle.append(f"CASE WHEN list_contains($bool_true, lower({r})) THEN true "
                              f"WHEN list_contains($bool_false, lower({r})) THEN false END AS {t}")
                final += [f"{t} AS {fld}", f"CASE WHEN {t} IS NULL THEN {r} END AS _bad_{fld}"]
            else:  # a connected-at date, or a status whose listed values mean "connected"
                test = "true" if mode == "date" else f"list_contains($connected_values, lower({r}))"
                final.append(f"CASE WHEN {r} IS NOT NULL THEN {test} END AS {fld}")
        else:
            final.append(f"{r} AS {fld}")
    if f.kind == "leads":  # SPEC 1: a lead is sales-sourced when its source is one of the mapping's sales sources
        final.append("CASE WHEN list_contains($sales_sources, lower(r_source)) THEN 'sales' ELSE 'marketing' END AS origin"
                     if "source" in f.fields else "'marketing' AS origin")
    sql = (f"CREATE OR REPLACE TABLE {f.table} AS SELECT {', '.join(final)} FROM (SELECT {', '.join(middle)} "
           f"FROM (SELECT {', '.join(trimmed)} FROM (SELECT {', '.join(first)} "
           f"FROM (SELECT {', '.join(scanned)} FROM {_scan(f, True)}))))")
    return sql, reasons


def _params(sql: str, decisions: _Decisions, tz: str, mapping: Mapping) -> dict:
    candidates = {
        "formats": _naive_formats(decisions.date_order),
        "tz": tz,
        "bool_true": list(BOOL_TRUE),
        "bool_false": list(BOOL_FALSE),
        "connected_values": [v.lower() for v in mapping.connected_values],
        "sales_sources": [v.lower() for v in mapping.sales_sources],
    }
    return {k: v for k, v in candidates.items() if f"${k}" in sql}


def _convert(con, f: _File, decisions: _Decisions, tz: str, mapping: Mapping, work_dir: Path,
             quality: Quality) -> dict[str, str]:
    """Scan ``f`` into ``typed_<kind>``; fail closed on a broken file; return the per-field reasons."""
    sql, reasons = _typed_sql(f, decisions, tz)
    while True:
        con.execute(f"DROP TABLE IF EXISTS rejects_{f.kind}; DROP TABLE IF EXISTS rejscan_{f.kind}")
        con.execute(sql, {**_scan_params(f), **_params(sql, decisions, tz, mapping)})
        f.rows = con.execute(f"SELECT count(*) FROM {f.table}").fetchall()[0][0]
        found = con.execute(f"SELECT line_byte_position, byte_position, error_type, error_message, csv_line "
                            f"FROM rejects_{f.kind} ORDER BY byte_position").fetchall()
        con.execute(f"DROP TABLE IF EXISTS rejects_{f.kind}; DROP TABLE IF EXISTS rejscan_{f.kind}")
        bad_bytes = [pos for _, pos, etype, _, _ in found if etype in ("INVALID ENCODING", "INVALID UNICODE")]
        if bad_bytes and f.prepared.encoding == "utf-8":
            # Clean UTF-8 at the top, then a legacy byte: either a Windows-1252 file whose first
            # accent comes late (read it again as such) or a damaged file (refused by decode).
            f.prepared = decode.reread_as_cp1252(f.name, f.prepared, bad_bytes[0], work_dir)
            quality.notices += [f"{f.name}: {n}" for n in f.prepared.notices[-1:]]
            continue
        break
    starts = [lbp + len(raw or "") - len((raw or "").lstrip("\r\n")) for lbp, _, _, _, raw in found]
    lines = _lines_at_offsets(f.prepared.path, starts + [pos for _, pos, _, _, _ in found])
    # DuckDB reports a long row once per extra field; keep one reject per line (the last, with the full count).
    by_line = {lines[start]: _Reject(lines[start], etype, message, raw or "", pos)
               for start, (_, pos, etype, message, raw) in zip(starts, found)}
    f.rejects = sorted(by_line.values(), key=lambda r: r.line)
    _check_rejects(f, quality)
    if f.rows == 0:
        raise InputError(f.name, "no data rows below the header", line=f.layout.header_line)
    return reasons


FATAL_REJECTS = {
    "UNQUOTED VALUE": "a quoted value is never closed properly (unterminated quote, or text after the closing quote)",
    "LINE SIZE OVER MAXIMUM": "the line exceeds 2 MB (a field this long is not a CRM value)",
    "INVALID UNICODE": "bytes that are not valid UTF-8; export as CSV UTF-8",
    "INVALID ENCODING": "bytes that are not valid UTF-8; export as CSV UTF-8",
}


def _check_rejects(f: _File, quality: Quality) -> None:
    """Fail closed on broken files; load around a few ragged rows (reported) and a report footer."""
    for r in f.rejects:
        if r.kind in FATAL_REJECTS:
            where = f" (byte offset {r.byte})" if "UTF-8" in FATAL_REJECTS[r.kind] else ""
            raise InputError(f.name, FATAL_REJECTS[r.kind] + where, line=r.line)
    if not f.rejects:
        return
    footer = _footer_lines(f)
    ragged = [r for r in f.rejects if r.line not in footer]
    f.footer = len(f.rejects) - len(ragged)
    if f.footer:
        quality.notices.append(f"{f.name}: skipped {f.footer} line(s) after the last row that hold a single value "
                               "(a report footer such as the title or copyright).")
    if not ragged:
        return
    expected = len(f.layout.headers)
    total = f.rows + len(ragged)

    def fields_found(r: _Reject) -> str:
        match = re.search(r"Found:\s*(\d+)", r.message)
        return f"{match.group(1) if match else 'a different number of'} fields, expected {expected}"

    if len(ragged) > RAGGED_TOLERANCE * total:
        first = ragged[0]
        raise InputError(f.name, f"{fields_found(first)} ({len(ragged)} of {total} rows have the wrong "
                                 f"number of fields; up to {RAGGED_TOLERANCE:.0%} are skipped and reported)",
                         line=first.line)
    for r in ragged[:ISSUE_DETAIL_LIMIT]:
        quality.issues.append(Issue(f.name, r.line, None, fields_found(r), r.raw[:300], "row skipped"))
    quality.issue_counts[f"{f.name}: wrong number of fields"] = len(ragged)


def _footer_lines(f: _File) -> set[int]:
    """Lines at the very end holding at most one value each: a report's footer, not data."""
    total = _count_lines(f.prepared.path)
    with open(f.prepared.path, "rb") as fh:
        size = fh.seek(0, 2)
        fh.seek(max(0, size - HEAD_BYTES))
        lines = fh.read().decode("utf-8", errors="ignore").split("\n")
    if size > HEAD_BYTES:
        lines = lines[1:]  # the first piece may be part of a line
    if lines and lines[-1] == "":
        lines.pop()
    footer, number = set(), total
    for text in reversed(lines):
        cells = next(csv.reader([text], delimiter=f.layout.delimiter, quotechar='"'), [])
        if sum(1 for c in cells if c.strip()) > 1:
            break
        footer.add(number)
        number -= 1
    return footer


def _lines_at_offsets(path: Path, offsets: list[int]) -> dict[int, int]:
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


def _count_lines(path: Path) -> int:
    lines, last = 0, b""
    with open(path, "rb") as fh:
        while chunk := fh.read(decode.CHUNK):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (1 if last not in (b"", b"\n") else 0)


def _lines_for_rows(f: _File, rows: list[int]) -> dict[int, int]:
    """File line where each typed row (its rowid) starts, exact with quoted newlines and skipped rows.

    Runs only when something is reported. When every record is one line (the file's line
    count says so) the answer is arithmetic; otherwise the file is re-read as CSV.
    """
    if not rows:
        return {}
    wanted = sorted(set(rows))
    reject_lines = [r.line for r in f.rejects]
    result: dict[int, int] = {}
    if _count_lines(f.prepared.path) == f.layout.data_line - 1 + f.rows + len(reject_lines):
        skipped = k = 0
        for row in wanted:
            while k < len(reject_lines) and reject_lines[k] <= f.layout.data_line + row + skipped:
                k += 1
                skipped += 1
            result[row] = f.layout.data_line + row + skipped
        return result
    csv.field_size_limit(max(csv.field_size_limit(), 2 * MAX_LINE_BYTES))
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


def _report_cells(con, f: _File, reasons: dict[str, str], decisions: _Decisions, tz: str,
                  quality: Quality) -> tuple[int, int]:
    """Report cells that did not parse (refusing misread amounts), daylight-saving gaps and
    missing values; return (rows without an id or creation date, duplicate ids)."""
    bad = [fld for fld in f.checked() if f.types[fld] != "boolean" or decisions.bool_modes[(f.kind, fld)] == "boolean"]
    gaps = [fld for fld in f.checked("timestamp") if tz != "UTC" and _has_dst(tz)]
    amounts = f.checked("number")
    stats = {f"n_{fld}": f"count({fld})" for fld in f.fields}
    stats |= {f"bad_{fld}": f"count(_bad_{fld})" for fld in bad}
    stats |= {f"gap_{fld}": f"count(_gap_{fld})" for fld in gaps}
    # More than one currency mark iff the smallest and largest differ (a parallel min/max, not a one-thread DISTINCT).
    stats |= {f"mixed_{fld}": f"coalesce(min(_cur_{fld}) <> max(_cur_{fld}), false)" for fld in amounts}
    if f.kind == "leads":
        stats["invalid"] = "count(*) FILTER (WHERE lead_id IS NULL OR created_at IS NULL)"
    values = con.execute(f"SELECT {', '.join(f'{e} AS {k}' for k, e in stats.items())} FROM {f.table}").fetchall()[0]
    s = dict(zip(stats, values))
    for fld in amounts:
        if s[f"mixed_{fld}"]:
            _refuse_mixed_currencies(con, f, fld)
        if s[f"bad_{fld}"]:
            _refuse_other_convention(con, f, fld, decisions.decimal)
    if f.kind == "leads":
        quality.missing = {fld: f.rows - s[f"n_{fld}"] - s.get(f"bad_{fld}", 0) for fld in f.fields}
    failing = [fld for fld in bad if s[f"bad_{fld}"]]
    if failing:
        union = " UNION ALL ".join(f"SELECT rowid AS r, '{fld}' AS fld, _bad_{fld} AS raw FROM {f.table} "
                                   f"WHERE _bad_{fld} IS NOT NULL" for fld in failing)
        detail = con.execute(f"SELECT r, fld, raw FROM ({union}) ORDER BY r LIMIT {ISSUE_DETAIL_LIMIT}").fetchall()
        lines = _lines_for_rows(f, [r for r, _, _ in detail])
        required = set(REQUIRED_LEAD_FIELDS) if f.kind == "leads" else set()
        for row, fld, raw in detail:
            action = "row rejected" if fld in required else "value ignored"
            quality.issues.append(Issue(f.name, lines.get(row), f.headers_by_field[fld], reasons[fld], raw, action))
        for fld in failing:
            quality.issue_counts[f"{f.name}: {f.headers_by_field[fld]}: {reasons[fld]}"] = s[f"bad_{fld}"]
    gapped = [fld for fld in gaps if s[f"gap_{fld}"]]
    if gapped:
        _report_gaps(con, f, gapped, tz, quality, sum(s[f"gap_{fld}"] for fld in gapped))
    if f.kind != "leads":
        return 0, 0
    return s["invalid"], _duplicate_ids(con, f.table, f.rows - s["invalid"])


def _duplicate_ids(con, table: str, valid: int) -> int:
    """Kept rows whose Lead ID repeats an earlier row's.

    Equal ids share a 64-bit hash, so as many distinct hashes as rows proves there is no
    duplicate; only otherwise are the ids counted exactly. DuckDB's count(DISTINCT) runs on
    one thread: from NUMPY_SORT_ROWS rows on, sorting the hashes in numpy is cheaper even
    with numpy's import (5M: 0.12 s + 0.06 s import against 0.29 s; 1M: 0.03 + 0.06 against 0.04).
    """
    where = "lead_id IS NOT NULL AND created_at IS NOT NULL"
    if valid >= NUMPY_SORT_ROWS:
        hashes = con.execute(f"SELECT hash(lead_id) AS h FROM {table} WHERE {where}").fetchnumpy()["h"]
        hashes.sort()
        unique = not (hashes[1:] == hashes[:-1]).any()
    else:
        unique = con.execute(f"SELECT count(DISTINCT hash(lead_id)) FROM {table} WHERE {where}").fetchall()[0][0] == valid
    if unique:
        return 0
    return valid - con.execute(f"SELECT count(DISTINCT lead_id) FROM {table} WHERE {where}").fetchall()[0][0]


def _report_gaps(con, f: _File, gapped: list[str], tz: str, quality: Quality, total: int) -> None:
    """Clock times that never happened in ``tz`` (the spring-forward hour): kept, and flagged."""
    union = " UNION ALL ".join(f"SELECT rowid AS r, '{fld}' AS fld, _gap_{fld} AS raw FROM {f.table} "
                               f"WHERE _gap_{fld} IS NOT NULL" for fld in gapped)
    detail = con.execute(f"SELECT r, fld, raw FROM ({union}) ORDER BY r LIMIT {ISSUE_DETAIL_LIMIT}").fetchall()
    lines = _lines_for_rows(f, [r for r, _, _ in detail])
    reason = f"this clock time does not exist in {tz} (the hour skipped when daylight saving time starts)"
    for row, fld, raw in detail:
        quality.issues.append(Issue(f.name, lines.get(row), f.headers_by_field[fld], reason, raw,
                                    "kept, read one hour later"))
    row, fld, raw = detail[0]
    quality.issue_counts[f"{f.name}: times in the daylight-saving gap"] = total
    quality.notices.append(f"{f.name}: {total} time(s) fall in the hour skipped when daylight saving time starts in "
                           f"{tz} (first: line {lines.get(row)}, {f.headers_by_field[fld]!r} = {raw!r}); they are "
                           "read one hour later, as a clock that had already moved on.")


def _first_lines(con, f: _File, where: str, params: dict | None = None) -> list[int]:
    rows = [r for (r,) in con.execute(f"SELECT rowid FROM {f.table} WHERE {where} ORDER BY rowid "
                                      f"LIMIT {LINES_LISTED}", params or {}).fetchall()]
    lines = _lines_for_rows(f, rows)
    return [lines[r] for r in rows]


def _refuse_mixed_currencies(con, f: _File, fld: str) -> None:
    """Amounts in two currencies cannot be added up: refuse, naming where the minority is."""
    found = con.execute(f"SELECT _cur_{fld}, count(*) FROM {f.table} WHERE _cur_{fld} IS NOT NULL "
                        "GROUP BY 1 ORDER BY 2 DESC, 1").fetchall()
    by_currency: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    for mark, n in found:
        key = SAME_CURRENCY.get(mark, mark)
        by_currency.setdefault(key, []).append(mark)
        counts[key] = counts.get(key, 0) + n
    if len(by_currency) < 2:
        return
    main, *others = sorted(counts, key=lambda k: -counts[k])
    marks = [m for k in others for m in by_currency[k]]
    lines = _first_lines(con, f, f"list_contains($marks, _cur_{fld})", {"marks": marks})
    summary = ", ".join(f"{k} on {counts[k]:,} row(s)" for k in [main, *others])
    raise InputError(f.name, f"amounts mix currencies ({summary}); amounts in different currencies cannot be "
                             f"added up. Export one currency (or convert first). Other-currency lines: "
                             f"{', '.join(map(str, lines))}", line=lines[0], column=f.headers_by_field[fld])


def _refuse_other_convention(con, f: _File, fld: str, decimal: str) -> None:
    """Refuse amounts written in the other decimal convention rather than drop or misread them."""
    where = (f"_bad_{fld} IS NOT NULL AND regexp_matches(regexp_replace(_bad_{fld}, '[^0-9.,]', '', 'g'), "
             f"'{OTHER_CONVENTION[decimal]}')")
    lines = _first_lines(con, f, where)
    if not lines:
        return
    other = "," if decimal == "." else "."
    raise InputError(f.name, f"amounts are read as {DECIMAL_LABELS[decimal]}, but some are written "
                             f"{DECIMAL_LABELS[other]} (e.g. 9.986.000 or 1.234,56 against 9,986,000 or "
                             f"1,234.56); lines {', '.join(map(str, lines))}. Choose the other Amounts format "
                             "on the Data page or fix those cells",
                     line=lines[0], column=f.headers_by_field[fld])


def load(con: duckdb.DuckDBPyConnection, files: UploadSet, mapping: Mapping, options: ReadOptions,
         work_dir: Path, progress: Callable[[float, str], None] | None = None) -> Dataset:
    """Build ``leads`` (and ``activities``) in ``con`` from the uploads; raise InputError on bad input.

    Everything is built under temporary names and swapped in at the end, so a failed
    upload leaves the previously loaded tables untouched.
    """
    step = progress or (lambda fraction, text: None)
    loaded_at = datetime.now(timezone.utc)  # later timestamps are suspicious and do not move as_of (SPEC 8)
    quality = Quality()
    work_dir = Path(work_dir)
    plan = [("leads", files.leads, LEAD_TYPES, mapping.resolved, REQUIRED_LEAD_FIELDS)]
    if files.deals:
        plan.append(("deals", files.deals, DEAL_TYPES, lambda h: {**auto_map(h, DEAL_ALIASES), **mapping.deals_columns},
                     ("lead_id", "customer_at")))
    if files.activities:
        plan.append(("activities", files.activities, ACTIVITY_TYPES,
                     lambda h: {**auto_map(h, ACTIVITY_ALIASES), **mapping.activities_columns},
                     ("lead_id", "activity_at")))
    opened = []
    for kind, upload, types, resolve, required in plan:
        step(0.05 + 0.05 * len(opened), f"Reading {upload.name}")
        opened.append(_open(con, kind, upload, types, resolve, required, work_dir, quality))
    step(0.2, "Checking date and number formats")
    decisions = _decide(con, opened, options)
    quality.notices += decisions.notices
    invalid = dupes = 0
    for i, f in enumerate(opened):
        step(0.25 + 0.15 * i, f"Converting {f.name}")
        reasons = _convert(con, f, decisions, options.tz, mapping, work_dir, quality)
        found = _report_cells(con, f, reasons, decisions, options.tz, quality)
        if f.kind == "leads":
            invalid, dupes = found
    for f in opened:
        _drop_diagnostics(con, f)
    leads = opened[0]
    quality.rows_read = leads.rows + len(leads.rejects) - leads.footer
    step(0.75, "Building the lead table")
    _build_leads(con, leads, quality, invalid, dupes)
    by_kind = {f.kind: f for f in opened}
    if "deals" in by_kind:
        _merge_deals(con, by_kind["deals"], quality)
    if "activities" in by_kind:
        _build_activities(con, by_kind["activities"], mapping, quality)
    _flag_suspicious(con, quality, loaded_at)
    order = {f.name: i for i, f in enumerate(opened)}
    quality.issues.sort(key=lambda i: (order.get(i.file, len(order)), i.line or 0))
    for f in opened:
        con.execute(f"DROP TABLE IF EXISTS {f.table}")
    _script(con, "ingest/finalize_leads", {})
    _swap_in(con, with_activities="activities" in by_kind)
    rows_loaded = con.execute("SELECT count(*) FROM leads").fetchall()[0][0]
    as_of = options.as_of or queries.row(con, "ingest/latest_timestamp", loaded_at=loaded_at)["as_of"]
    step(1.0, "Done")
    return Dataset(
        version=uuid.uuid4().hex, tz=options.tz, as_of=as_of, rows_loaded=rows_loaded, quality=quality,
        files={k: u.name for k, u in (("leads", files.leads), ("activities", files.activities),
                                      ("deals", files.deals)) if u},
        headers=leads.layout.headers, columns=dict(leads.headers_by_field), date_order=decisions.date_order,
        date_order_ambiguous=decisions.ambiguous, decimal=decisions.decimal,
        has_activities="activities" in by_kind, has_deals="deals" in by_kind,
    )


def _drop_diagnostics(con, f: _File) -> None:
    """Free the reporting columns (_bad_x, _gap_x, _cur_x) once reported: at 5M rows they hold
    hundreds of MB even when empty, and the lead table is built next to them."""
    columns = [d[0] for d in con.execute(f"SELECT * FROM {f.table} LIMIT 0").description]
    for name in (c for c in columns if re.match(r"_(bad|gap|cur)_", c)):
        con.execute(f"ALTER TABLE {f.table} DROP COLUMN {name}")


def _swap_in(con, with_activities: bool) -> None:
    """Replace the previous dataset only now that every step succeeded (one transaction)."""
    con.execute("BEGIN TRANSACTION")
    con.execute("DROP TABLE IF EXISTS leads; ALTER TABLE leads_next RENAME TO leads")
    con.execute("DROP TABLE IF EXISTS activities")
    if with_activities:
        con.execute("ALTER TABLE activities_next RENAME TO activities")
    con.execute("COMMIT")


def _col(fields: dict[str, str], name: str, fallback: str) -> str:
    return name if name in fields else fallback


def _script(con, name: str, params: dict, **names: str) -> None:
    """Run the statements of ``sql/<name>.sql`` one by one (comment lines left out), each with the
    parameters it names."""
    code = "\n".join(line for line in queries.sql(name).splitlines() if not line.lstrip().startswith("--"))
    for statement in code.format(**names).split(";"):
        if statement.strip():
            con.execute(statement, {k: v for k, v in params.items() if f"${k}" in statement})


def _build_leads(con, f: _File, quality: Quality, invalid: int, dupes: int) -> None:
    """Turn ``typed_leads`` into ``leads_next`` in place with the stated rules: required fields,
    duplicates (first row kept), absent-column fallbacks; reports the rejected rows."""
    fields = f.fields
    keep = "lead_id IS NOT NULL AND created_at IS NOT NULL"
    if invalid:
        quality.issue_counts[f"{f.name}: rows without a Lead ID or a valid creation date"] = invalid
        already_listed = {i.line for i in quality.issues if i.action == "row rejected" and i.file == f.name}
        rows = [r for (r,) in con.execute(f"SELECT rowid FROM {f.table} WHERE NOT ({keep}) ORDER BY rowid "
                                          f"LIMIT {ISSUE_DETAIL_LIMIT}").fetchall()]
        lines = _lines_for_rows(f, rows)
        for row in rows:
            if lines.get(row) not in already_listed:
                quality.issues.append(Issue(f.name, lines.get(row), None, "missing Lead ID or creation date",
                                            None, "row rejected"))
    if dupes:
        quality.issue_counts[f"{f.name}: duplicate Lead ID (first row kept)"] = dupes
        dup_rows = con.execute(
            f"SELECT r, lead_id FROM (SELECT rowid AS r, lead_id, row_number() OVER (PARTITION BY lead_id ORDER BY rowid) "
            f"AS k FROM {f.table} WHERE {keep}) WHERE k > 1 ORDER BY r LIMIT {ISSUE_DETAIL_LIMIT}").fetchall()
        lines = _lines_for_rows(f, [r for r, _ in dup_rows])
        for row, lead_id in dup_rows:
            quality.issues.append(Issue(f.name, lines.get(row), f.headers_by_field["lead_id"],
                                        "duplicate Lead ID; the first row with this id is kept", lead_id, "row rejected"))
        keep += f" AND rowid IN (SELECT min(rowid) FROM {f.table} WHERE {keep} GROUP BY lead_id)"
    quality.rows_rejected = len(f.rejects) - f.footer + invalid + dupes
    if "mql_at" not in fields:
        quality.notices.append("No MQL date column: a lead counts as an MQL when it was created (SPEC).")
    if "handed_at" not in fields:
        quality.notices.append("No hand-off date column: a lead counts as handed to sales when it became an MQL.")
    if invalid or dupes:
        con.execute(f"DELETE FROM {f.table} WHERE NOT ({keep})")
    for column, kind in contract.OPTIONAL_TYPES.items():  # generated names and types only, never header text
        if column not in fields:
            con.execute(f"ALTER TABLE {f.table} ADD COLUMN {column} {kind}")
            if column in contract.FALLBACKS:
                con.execute(f"UPDATE {f.table} SET {column} = {contract.FALLBACKS[column]}")
    _script(con, "ingest/build_leads", {}, typed=f.table)
    con.execute(f"DROP TABLE IF EXISTS leads_next; ALTER TABLE {f.table} RENAME TO leads_next")


def _merge_deals(con, f: _File, quality: Quality) -> None:
    """customer_at and deal_amount from each lead's first won deal (SPEC section 1), with the rule reported."""
    unknown, no_id, several = con.execute(
        f"SELECT count(*) FILTER (WHERE lead_id IS NOT NULL AND lead_id NOT IN (SELECT lead_id FROM leads_next)), "
        f"count(*) FILTER (WHERE lead_id IS NULL), "
        f"(SELECT count(*) FROM (SELECT lead_id FROM {f.table} WHERE lead_id IS NOT NULL AND customer_at IS NOT NULL "
        f"GROUP BY lead_id HAVING count(*) > 1)) FROM {f.table}").fetchall()[0]
    if unknown:
        quality.notices.append(f"{f.name}: {unknown:,} deal(s) name a Lead ID that is not in the leads file; ignored.")
    if no_id:
        quality.notices.append(f"{f.name}: {no_id:,} deal(s) have no Lead ID; ignored.")
    if several:
        quality.notices.append(f"{f.name}: {several:,} lead(s) have more than one won deal; the first won deal "
                               "(earliest won date) gives the customer date and amount.")
    con.execute(queries.sql("ingest/merge_deals").format(
        typed=f.table, amount=_col(f.fields, "deal_amount", "NULL::DOUBLE"), owner=_col(f.fields, "owner", "NULL::VARCHAR")))


def _build_activities(con, f: _File, mapping: Mapping, quality: Quality) -> None:
    con.execute(f"CREATE OR REPLACE TABLE activities_next AS SELECT lead_id, activity_at, "
                f"{_col(f.fields, 'type', 'NULL::VARCHAR')} AS type, {_col(f.fields, 'outcome', 'NULL::VARCHAR')} AS outcome "
                f"FROM {f.table} WHERE lead_id IS NOT NULL AND activity_at IS NOT NULL")
    activities.apply_activities(con, mapping.connected_values)
    quality.notices.append("First touch, attempts and connected were derived from the activity log.")


def _flag_suspicious(con, quality: Quality, loaded_at: datetime) -> None:
    found = queries.row(con, "ingest/suspicious_counts", loaded_at=loaded_at)
    rules = {
        "touched_before_handoff": ("first sales touch before hand-off",
                                   "excluded from follow-up speed (counted as a data-quality exclusion)"),
        "customer_before_created": ("became customer before the lead was created",
                                    "not counted as a customer"),
        "negative_amount": ("negative deal amount", "amount ignored in revenue"),
        "after_loading": ("date later than the moment of loading", "kept, but does not move the as-of time"),
    }
    for key, (check, rule) in rules.items():
        quality.suspicious.append({"check": check, "rows": int(found.get(key) or 0), "rule": rule})
