"""The conventions an export is written in, decided from evidence and never silently.

A sample from the top of each file (``sample.sql``) is counted for what betrays each
convention (``evidence.sql``, ``date_order.sql``): day- or month-first dates, a decimal comma
or point, and whether a "connected" column holds yes/no, dates or a lead status. The user's
explicit choices (ReadOptions) win over the evidence; what was decided is said in a notice.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from functools import cache
from zoneinfo import ZoneInfo

import duckdb

from sla_core.ingest import sql_text
from sla_core.ingest.decode import InputError
from sla_core.ingest.file_lines import lines_for_rows
from sla_core.ingest.rejects import refusing_unreadable
from sla_core.ingest.staging import Staged

DATE_ORDERS = ("auto", "mdy", "dmy")
ORDER_NAMES = {"dmy": "day-first (DD/MM/YYYY)", "mdy": "month-first (MM/DD/YYYY)"}
AMBIGUOUS_NOTICE = ("Every date could be read either way (all days ≤ 12): read as month-first "
                    "(MM/DD/YYYY). Choose day-first on the Data page if that is wrong.")
DECIMALS = ("auto", ".", ",")
DECIMAL_LABELS = {".": "1,234.56", ",": "1.234,56"}
SAMPLE_ROWS = 50_000
BOOLEAN_SHARE = 0.9  # of a column's values that must be yes/no (or dates) to read it so


EARLIEST_DATE = date(1970, 1, 1)
LATEST_AFTER_LOAD = timedelta(days=366)


@dataclass(frozen=True)
class DateRange:
    """The dates a CRM export can plausibly hold; any other reads as a reported cell, never a date."""

    earliest: datetime
    latest: datetime

    @classmethod
    def around(cls, loaded_at: datetime, earliest: date = EARLIEST_DATE,
               after_load: timedelta = LATEST_AFTER_LOAD) -> DateRange:
        return cls(datetime(earliest.year, earliest.month, earliest.day, tzinfo=timezone.utc), loaded_at + after_load)

    @property
    def reason(self) -> str:
        return (f"a date outside the plausible range {self.earliest:%Y-%m-%d} to {self.latest:%Y-%m-%d} "
                "(a typo or a placeholder date, like 1970-01-01 00:00?)")


@dataclass
class Decisions:
    date_order: str  # 'mdy' | 'dmy'
    ambiguous: bool  # every slashed date could be read either way
    decimal: str  # '.' | ','
    notices: list[str]
    bool_modes: dict[tuple[str, str], str]  # (file kind, field) → 'boolean' | 'date' | 'status'
    dates: DateRange = field(default_factory=lambda: DateRange.around(datetime.now(timezone.utc)))
    from_evidence: bool = False  # the date order was read from the sample (not chosen, not a guess)


def naive_formats(order: str) -> list[str]:
    """strptime formats for non-ISO dates, month-first or day-first as chosen."""
    md = ("%m", "%d") if order == "mdy" else ("%d", "%m")
    formats = []
    for sep in ("/", "-", "."):
        date = f"{md[0]}{sep}{md[1]}{sep}%Y"
        for time in (" %I:%M %p", " %I:%M:%S %p", " %H:%M", " %H:%M:%S", ""):
            formats.append(date + time)
    formats += ["%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y-%m-%d %I:%M %p", "%Y-%m-%dT%H:%M:%S.%f"]
    return formats


@cache
def has_dst(tz: str) -> bool:
    """Whether the zone's clocks ever jump (then local times can fall in a gap)."""
    if tz == "UTC":
        return False
    zone = ZoneInfo(tz)
    return any(datetime(y, 1, 1, tzinfo=zone).utcoffset() != datetime(y, 7, 1, tzinfo=zone).utcoffset()
               for y in range(2000, 2041))


def _sample_table(f: Staged) -> str:
    return f"sample_{f.kind}"


def _take_sample(con: duckdb.DuckDBPyConnection, f: Staged) -> None:
    """The checked fields of the first SAMPLE_ROWS rows, as trimmed text named like the typed scan's (r_x)."""
    columns = sql_text.joined(sql_text.fill("sample", "column", cell=f.fields[fld], text=f"r_{fld}")
                              for fld in f.checked())
    with refusing_unreadable(f):
        sql_text.run(con, sql_text.fill("sample", sample=_sample_table(f), columns=columns),
                     {**f.scan_params(), "rows": SAMPLE_ROWS})


def _counts(con: duckdb.DuckDBPyConnection, statement: str, f: Staged, fields: list[str],
            names: dict[str, list[str]]) -> dict[str, int]:
    """Run ``statement`` with the part of each field's kind (fields of other kinds add none);
    results keyed ``what:field``."""
    fields = [fld for fld in fields if f.types[fld] in names]
    if not fields:
        return {}
    parts = [sql_text.fill(statement, f.types[fld], text=f"r_{fld}",
                           **{what: f"{what}:{fld}" for what in names[f.types[fld]]}) for fld in fields]
    return sql_text.rows(con, sql_text.fill(statement, sample=_sample_table(f), counts=sql_text.joined(parts)))[0]


EVIDENCE = {"timestamp": ["slashed"], "number": ["comma", "dot"], "boolean": ["total", "vocab", "dates"]}
DATE_ORDER_EVIDENCE = {"timestamp": ["day_first", "month_first"]}


def _evidence(con: duckdb.DuckDBPyConnection, f: Staged) -> dict[str, int]:
    """Counts over the sample that betray date order, decimal separator and boolean style."""
    _take_sample(con, f)
    found = _counts(con, "evidence", f, f.checked(), EVIDENCE)
    slashed = [fld for fld in f.checked("timestamp") if found[f"slashed:{fld}"]]
    found |= _counts(con, "date_order", f, slashed, DATE_ORDER_EVIDENCE)
    sql_text.run(con, sql_text.fill("drop_table", table=_sample_table(f)))
    return found


def _bool_mode(found: dict[str, int], fld: str) -> str:
    """Yes/no when nearly every value is one; else a connected-at date column, else a status column."""
    total, vocab, dates = (found[f"{k}:{fld}"] for k in ("total", "vocab", "dates"))
    if not total or vocab >= BOOLEAN_SHARE * total:
        return "boolean"
    return "date" if dates >= BOOLEAN_SHARE * total else "status"


def _date_order(totals: dict[str, int], chosen: str, file_name: str, notices: list[str]) -> tuple[str, bool]:
    """Day- or month-first, and whether that was a guess (every date read either way)."""
    day_first, month_first = totals.get("day_first", 0), totals.get("month_first", 0)
    if chosen != "auto":
        return chosen, False
    if day_first and month_first:
        raise InputError(file_name, "dates mix day-first (e.g. 13/05) and month-first (e.g. 05/13) "
                                    "values; export them in one format")
    if day_first:
        notices.append("Dates like 13/05/2024 show the file is day-first (DD/MM/YYYY).")
        return "dmy", False
    if month_first:
        notices.append("Dates like 05/13/2024 show the file is month-first (MM/DD/YYYY).")
        return "mdy", False
    ambiguous = totals.get("slashed", 0) > 0
    if ambiguous:
        notices.append(AMBIGUOUS_NOTICE)
    return "mdy", ambiguous


def _decimal(totals: dict[str, int], chosen: str, delimiter: str, notices: list[str]) -> str:
    """The decimal mark: chosen, or shown by the amounts, or a semicolon file's usual comma."""
    comma, dot = totals.get("comma", 0), totals.get("dot", 0)
    if chosen != "auto":
        return chosen
    if comma and not dot:
        notices.append("Amounts use a decimal comma (1.234,56).")
        return ","
    if dot or delimiter != ";":
        return "."
    notices.append("Semicolon-separated file: amounts read with a decimal comma (1.234,56).")
    return ","


def decide(con: duckdb.DuckDBPyConnection, files: list[Staged], date_order: str, decimal: str,
           dates: DateRange | None = None) -> Decisions:
    """Choose date order and decimal separator from evidence across the files, and each
    "connected" column's style per file."""
    totals: dict[str, int] = {}
    bool_modes: dict[tuple[str, str], str] = {}
    for f in files:
        found = _evidence(con, f)
        for key, n in found.items():
            what = key.partition(":")[0]
            totals[what] = totals.get(what, 0) + n
        for fld in f.checked("boolean"):
            bool_modes[(f.kind, fld)] = _bool_mode(found, fld)
    notices: list[str] = []
    order, ambiguous = _date_order(totals, date_order, files[0].name, notices)
    mark = _decimal(totals, decimal, files[0].layout.delimiter, notices)
    shown = date_order == "auto" and bool(totals.get("day_first") or totals.get("month_first"))
    return Decisions(order, ambiguous, mark, notices, bool_modes, dates or DateRange.around(datetime.now(timezone.utc)),
                     shown)


def _first_shown(con: duckdb.DuckDBPyConnection, files: list[Staged],
                 order: str) -> tuple[Staged, int | None, str, str]:
    """The first unread date cell, in file order, that reads only in ``order``: file, line, column, text."""
    for f in files:
        for fld in f.checked("timestamp"):
            found = sql_text.rows(con, sql_text.fill("order_evidence_rows", typed=f.table, bad=f"_bad_{fld}"),
                                  {"day_first": order == "dmy"})
            if found:
                row = found[0]["r"]
                return f, lines_for_rows(f, [row]).get(row), f.headers_by_field[fld], found[0]["raw"]
    raise LookupError(f"no date reads only {order}")


def recheck_date_order(con: duckdb.DuckDBPyConnection, files: list[Staged], decisions: Decisions, chosen: str,
                       unread: dict[str, int]) -> Decisions | None:
    """The full scan's word on a date order read from the sample: its unread date cells that read only
    the other way (``unread``: day_first / month_first counts over every file).

    None when there are none or the user chose the order. When the sample could not tell (every date
    read either way, or none slashed), the other order: the caller reads the files again with it.
    When the sample showed its order, the file mixes both: refused, naming the first cell.
    """
    other = "dmy" if decisions.date_order == "mdy" else "mdy"
    if chosen != "auto" or not unread.get("day_first" if other == "dmy" else "month_first"):
        return None
    f, line, column, raw = _first_shown(con, files, other)
    if decisions.from_evidence:
        raise InputError(f.name, f"dates mix day-first and month-first values: the file reads "
                                 f"{ORDER_NAMES[decisions.date_order]}, but {raw!r} reads only "
                                 f"{ORDER_NAMES[other]}; export the dates in one format", line=line, column=column)
    notice = (f"{f.name}: {raw!r} on line {line} shows the dates are {ORDER_NAMES[other]}; the first "
              f"{SAMPLE_ROWS:,} rows could be read either way, so every file was read {ORDER_NAMES[other]}.")
    notices = [n for n in decisions.notices if n != AMBIGUOUS_NOTICE] + [notice]
    return replace(decisions, date_order=other, ambiguous=False, notices=notices, from_evidence=True)
