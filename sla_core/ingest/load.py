"""Load CRM exports into the canonical ``leads`` table, reporting every row it could not use.

Design (docs/architecture.md, reliability plan section 2), one module per step: each upload is
staged (``staging``: bytes to UTF-8, ``sniff``: layout, mapping checked); a sample from the top
of each file settles the ambiguous conventions (``conventions``); one DuckDB scan per file reads
the mapped columns as text and types them in the same statement (``typed_scan``; ``rejects``
judges the rows DuckDB could not split); every unusable cell is reported with file, line and
column (``cell_report``); then ``canonical`` builds the tables and swaps them in. All SQL is in
``sla_core/sql/ingest`` (``sql_text`` fills in the generated identifiers); values are bound.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb

from sla_core import contract, queries
from sla_core.ingest import canonical, cell_report, sql_text, typed_scan
from sla_core.ingest.conventions import (
    DATE_ORDERS,
    DECIMALS,
    EARLIEST_DATE,
    LATEST_AFTER_LOAD,
    ORDER_NAMES,
    DateRange,
    Decisions,
    decide,
    recheck_date_order,
)
from sla_core.ingest.dataset import (  # defined apart so readers of a saved Dataset skip ingest
    Dataset,
    Issue,
    Quality,
)
from sla_core.ingest.decode import InputError, Limits, Scratch
from sla_core.ingest.mapping import ACTIVITY_ALIASES, DEAL_ALIASES, Mapping, auto_map
from sla_core.ingest.staging import Staged, stage

__all__ = ["ACTIVITY_TYPES", "DATE_ORDERS", "DEAL_TYPES", "Dataset", "InputError", "Issue", "Limits", "Quality",
           "ReadOptions", "Upload", "UploadSet", "ZoneInfo", "load"]

# A deals file feeds lead fields (read as the contract says); an activity log has its own.
DEAL_TYPES = {fld: contract.MAPPED_TYPES[fld] for fld in DEAL_ALIASES}
ACTIVITY_TYPES = {"lead_id": "id", "activity_at": "timestamp", "type": "text", "outcome": "text"}
MOST_AFTER_LOAD = timedelta(days=100 * 366)


@dataclass(frozen=True)
class ReadOptions:
    """How to read ambiguous values, which dates are plausible and how much disk a load may use;
    validated once here."""

    tz: str = "UTC"
    date_order: str = "auto"  # 'auto' | 'mdy' | 'dmy'
    decimal: str = "auto"  # 'auto' | '.' | ','
    as_of: datetime | None = None
    earliest_date: date = EARLIEST_DATE  # dates before it are reported, not loaded
    latest_after_load: timedelta = LATEST_AFTER_LOAD  # so are dates this long after the moment of loading
    limits: Limits = Limits()  # decompressed and converted copies (see ingest/scratch.py)

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.tz!r}") from exc
        if self.date_order not in DATE_ORDERS:
            raise ValueError(f"date_order must be one of {', '.join(DATE_ORDERS)}")
        if self.decimal not in DECIMALS:
            raise ValueError("decimal must be 'auto', '.' or ','")
        if self.as_of is not None and self.as_of.tzinfo is None:
            raise ValueError("as_of needs a time zone")
        if not date(1000, 1, 1) <= self.earliest_date < date.today():
            raise ValueError("earliest_date must be a past date after the year 1000")
        if not timedelta(0) <= self.latest_after_load <= MOST_AFTER_LOAD:
            raise ValueError("latest_after_load must be between 0 and 100 years")


@dataclass(frozen=True)
class Upload:
    name: str  # what the user called the file (shown in messages)
    path: Path  # where it lies in the session folder


@dataclass(frozen=True)
class UploadSet:
    leads: Upload
    activities: Upload | None = None
    deals: Upload | None = None


def _plan(files: UploadSet, mapping: Mapping) -> list[tuple]:
    """Per upload: its kind, the upload, its field types, how its headers map and its required fields."""
    plan = [("leads", files.leads, contract.MAPPED_TYPES, mapping.resolved, contract.REQUIRED)]
    if files.deals:
        plan.append(("deals", files.deals, DEAL_TYPES,
                     lambda h: {**auto_map(h, DEAL_ALIASES), **mapping.deals_columns}, ("lead_id", "customer_at")))
    if files.activities:
        plan.append(("activities", files.activities, ACTIVITY_TYPES,
                     lambda h: {**auto_map(h, ACTIVITY_ALIASES), **mapping.activities_columns},
                     ("lead_id", "activity_at")))
    return plan


def _build(con: duckdb.DuckDBPyConnection, staged: list[Staged], mapping: Mapping, quality: Quality,
           invalid: int, loaded_at: datetime) -> None:
    """The canonical tables from the typed stages, swapped in for the loaded ones."""
    by_kind = {f.kind: f for f in staged}
    canonical.build_leads(con, by_kind["leads"], quality, invalid)
    if "deals" in by_kind:
        canonical.merge_deals(con, by_kind["deals"], quality)
    if "activities" in by_kind:
        canonical.build_activities(con, by_kind["activities"], mapping.connected_values, quality)
    canonical.flag_suspicious(con, quality, loaded_at)
    order = {f.name: i for i, f in enumerate(staged)}
    quality.issues.sort(key=lambda i: (order.get(i.file, len(order)), i.line or 0))
    canonical.finish(con, staged)


def _stats(con: duckdb.DuckDBPyConnection, staged: list[Staged], decisions: Decisions, options: ReadOptions) -> dict:
    return {f.kind: cell_report.stats(con, f, decisions, options.tz, options.date_order == "auto") for f in staged}


def _order_counts(found: dict) -> dict[str, int]:
    """Unread date cells that read only day-first or only month-first, over every file."""
    counts = {"day_first": 0, "month_first": 0}
    for stats in found.values():
        for key, n in stats.items():
            what = key.partition(":")[0]
            if what in counts:
                counts[what] += n
    return counts


def _convert(con: duckdb.DuckDBPyConnection, staged: list[Staged], decisions: Decisions, options: ReadOptions,
             mapping: Mapping, scratch: Scratch, quality: Quality, step) -> tuple[Decisions, dict]:
    """Scan every file into its typed stage; the cell statistics of each.

    The sample decides the date order, but the full scan has the last word: when dates it could not
    read show the other order and the sample only guessed, every file is read again that way (a
    second scan, only then); when the sample had shown its order, the file mixes both and is refused.
    """
    for i, f in enumerate(staged):
        step(0.25 + 0.15 * i, f"Converting {f.name}")
        typed_scan.convert(con, f, decisions, options.tz, mapping, scratch.folder, quality, scratch)
    found = _stats(con, staged, decisions, options)
    better = recheck_date_order(con, staged, decisions, options.date_order, _order_counts(found))
    if better is None:
        return decisions, found
    for f in staged:
        step(0.6, f"Reading {f.name} again, {ORDER_NAMES[better.date_order]}")
        typed_scan.rescan(con, f, better, options.tz, mapping)
    found = _stats(con, staged, better, options)
    recheck_date_order(con, staged, better, options.date_order, _order_counts(found))  # refuses both orders
    return better, found


def load(con: duckdb.DuckDBPyConnection, files: UploadSet, mapping: Mapping, options: ReadOptions,
         work_dir: Path, progress: Callable[[float, str], None] | None = None) -> Dataset:
    """Build ``leads`` (and ``activities``) in ``con`` from the uploads; raise InputError on bad input.

    Everything is built under temporary names and swapped in at the end, so a failed
    upload leaves the previously loaded tables untouched. The copies ingest writes to
    ``work_dir`` (decompressed, converted) are removed when the load ends, either way.
    """
    scratch = Scratch(Path(work_dir), options.limits)
    try:
        return _load(con, files, mapping, options, scratch, progress or (lambda fraction, text: None))
    except duckdb.Error as exc:  # every scan of a user's file names its own failure; this is the last net
        names = ", ".join(u.name for u in (files.leads, files.deals, files.activities) if u)
        reason = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
        raise InputError(names, f"could not be loaded ({reason})") from exc
    finally:
        scratch.remove()


def _load(con: duckdb.DuckDBPyConnection, files: UploadSet, mapping: Mapping, options: ReadOptions,
          scratch: Scratch, step: Callable[[float, str], None]) -> Dataset:
    loaded_at = datetime.now(timezone.utc)  # later timestamps are suspicious and do not move as_of (SPEC 8)
    quality = Quality()
    sql_text.define_cell_rules(con)
    canonical.clear_staged(con)
    staged: list[Staged] = []
    required: dict[str, tuple[str, ...]] = {}
    for kind, upload, types, resolve, needed in _plan(files, mapping):
        step(0.05 + 0.05 * len(staged), f"Reading {upload.name}")
        staged.append(stage(kind, upload.name, upload.path, types, resolve, needed, scratch.folder, quality.notices,
                            scratch))
        required[kind] = needed
    step(0.2, "Checking date and number formats")
    dates = DateRange.around(loaded_at, options.earliest_date, options.latest_after_load)
    decisions = decide(con, staged, options.date_order, options.decimal, dates)
    decisions, found = _convert(con, staged, decisions, options, mapping, scratch, quality, step)
    quality.notices += decisions.notices
    invalid = 0
    for f in staged:
        reasons = typed_scan.reasons(f, decisions)
        counted = cell_report.report_cells(con, f, found[f.kind], reasons, decisions, options.tz, quality,
                                           required[f.kind])
        invalid = counted if f.kind == "leads" else invalid
    for f in staged:
        canonical.drop_diagnostics(con, f)
    leads = staged[0]
    quality.rows_read = leads.rows + len(leads.rejects) - leads.footer
    step(0.75, "Building the lead table")
    _build(con, staged, mapping, quality, invalid, loaded_at)
    rows_loaded = sql_text.rows(con, sql_text.fill("count_rows", table="leads"))[0]["n"]
    as_of = options.as_of or queries.row(con, "ingest/latest_timestamp", loaded_at=loaded_at)["as_of"]
    step(1.0, "Done")
    return Dataset(
        version=uuid.uuid4().hex, tz=options.tz, as_of=as_of, rows_loaded=rows_loaded, quality=quality,
        files={k: u.name for k, u in (("leads", files.leads), ("activities", files.activities),
                                      ("deals", files.deals)) if u},
        headers=leads.layout.headers, columns=dict(leads.headers_by_field), date_order=decisions.date_order,
        date_order_ambiguous=decisions.ambiguous, decimal=decisions.decimal,
        has_activities=any(f.kind == "activities" for f in staged), has_deals=any(f.kind == "deals" for f in staged),
    )
