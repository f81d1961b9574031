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
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb

from sla_core import contract, queries
from sla_core.ingest import canonical, cell_report, sql_text, typed_scan
from sla_core.ingest.conventions import DATE_ORDERS, DECIMALS, decide
from sla_core.ingest.dataset import (  # defined apart so readers of a saved Dataset skip ingest
    Dataset,
    Issue,
    Quality,
)
from sla_core.ingest.decode import InputError
from sla_core.ingest.mapping import ACTIVITY_ALIASES, DEAL_ALIASES, Mapping, auto_map
from sla_core.ingest.staging import Staged, stage

__all__ = ["ACTIVITY_TYPES", "DATE_ORDERS", "DEAL_TYPES", "Dataset", "InputError", "Issue", "Quality",
           "ReadOptions", "Upload", "UploadSet", "ZoneInfo", "load"]

# A deals file feeds lead fields (read as the contract says); an activity log has its own.
DEAL_TYPES = {fld: contract.MAPPED_TYPES[fld] for fld in DEAL_ALIASES}
ACTIVITY_TYPES = {"lead_id": "id", "activity_at": "timestamp", "type": "text", "outcome": "text"}


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
        if self.decimal not in DECIMALS:
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
    sql_text.define_cell_rules(con)
    canonical.clear_staged(con)
    staged: list[Staged] = []
    for kind, upload, types, resolve, required in _plan(files, mapping):
        step(0.05 + 0.05 * len(staged), f"Reading {upload.name}")
        staged.append(stage(kind, upload.name, upload.path, types, resolve, required, work_dir, quality.notices))
    step(0.2, "Checking date and number formats")
    decisions = decide(con, staged, options.date_order, options.decimal)
    quality.notices += decisions.notices
    invalid = 0
    for i, f in enumerate(staged):
        step(0.25 + 0.15 * i, f"Converting {f.name}")
        typed_scan.convert(con, f, decisions, options.tz, mapping, work_dir, quality)
        found = cell_report.report_cells(con, f, typed_scan.reasons(f, decisions), decisions, options.tz, quality)
        if f.kind == "leads":
            invalid = found
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
