"""The canonical tables from the typed stages: ``leads_next`` (required fields, first row per
Lead ID, absent-field fallbacks), the first won deal merged in, the activity log applied, the
suspicious rows counted and the stated rules applied; then swapped in for the loaded tables.

Everything is built under temporary names, so a failed upload leaves the loaded tables untouched.
"""
from __future__ import annotations

import re
from datetime import datetime

import duckdb

from sla_core import contract, queries
from sla_core.ingest import activities, sql_text
from sla_core.ingest.cell_report import duplicate_ids, top_reasons
from sla_core.ingest.dataset import Issue, Quality
from sla_core.ingest.decode import InputError
from sla_core.ingest.file_lines import lines_for_rows
from sla_core.ingest.rejects import ISSUE_DETAIL_LIMIT
from sla_core.ingest.staging import Staged
from sla_core.marketing.tiers import FALLBACK_TIER

MAX_TIERS = 12  # given tiers kept by name; the rest are grouped as FALLBACK_TIER
DIAGNOSTIC = re.compile(r"_(bad|gap|cur)_")
SUSPICIOUS_RULES = {
    "touched_before_handoff": ("first sales touch before hand-off",
                               "excluded from follow-up speed (counted as a data-quality exclusion)"),
    "customer_before_created": ("became customer before the lead was created", "not counted as a customer"),
    "negative_amount": ("negative deal amount", "amount ignored in revenue"),
    "after_loading": ("date later than the moment of loading", "kept, but does not move the as-of time"),
}

ACTIVITY_NOTICE = "First touch, attempts and connected were derived from the activity log."


def clear_staged(con: duckdb.DuckDBPyConnection) -> None:
    """Drop what a load that failed half-way left behind."""
    sql_text.script(con, "drop_staged")


def drop_diagnostics(con: duckdb.DuckDBPyConnection, f: Staged) -> None:
    """Free the reporting columns (_bad_x, _gap_x, _cur_x) once reported: at 5M rows they hold
    hundreds of MB even when empty, and the lead table is built next to them."""
    for column in con.table(f.table).columns:
        if DIAGNOSTIC.match(column):
            sql_text.run(con, sql_text.fill("drop_column", table=f.table, column=column))


def _add_absent(con: duckdb.DuckDBPyConnection, f: Staged, fallbacks: dict[str, str]) -> None:
    """Add each field the export lacks as an empty column of its contract type, or a copy of its fallback."""
    for fld, kind in f.types.items():
        if fld in f.fields:
            continue
        sql_text.run(con, sql_text.fill("add_column", table=f.table, column=fld, type=contract.SQL_TYPES[kind]))
        if fld in fallbacks:
            sql_text.run(con, sql_text.fill("copy_column", table=f.table, column=fld, source=fallbacks[fld]))


def _report_invalid(con: duckdb.DuckDBPyConnection, f: Staged, invalid: int, quality: Quality) -> None:
    """Rows without a Lead ID or a valid creation date, listed unless their bad cell already is."""
    quality.issue_counts[f"{f.name}: rows without a Lead ID or a valid creation date"] = invalid
    already_listed = {i.line for i in quality.issues if i.action == "row rejected" and i.file == f.name}
    found = sql_text.rows(con, sql_text.fill("invalid_lead_rows", typed=f.table), {"limit": ISSUE_DETAIL_LIMIT})
    rows = [r["r"] for r in found]
    lines = lines_for_rows(f, rows)
    for row in rows:
        if lines.get(row) not in already_listed:
            quality.issues.append(Issue(f.name, lines.get(row), None, "missing Lead ID or creation date",
                                        None, "row rejected"))


def _report_duplicates(con: duckdb.DuckDBPyConnection, f: Staged, dupes: int, quality: Quality) -> None:
    quality.issue_counts[f"{f.name}: duplicate Lead ID (first row kept)"] = dupes
    found = sql_text.rows(con, sql_text.fill("duplicate_lead_rows", typed=f.table), {"limit": ISSUE_DETAIL_LIMIT})
    lines = lines_for_rows(f, [r["r"] for r in found])
    for r in found:
        quality.issues.append(Issue(f.name, lines.get(r["r"]), f.headers_by_field["lead_id"],
                                    "duplicate Lead ID; the first row with this id is kept", r["lead_id"],
                                    "row rejected"))


def build_leads(con: duckdb.DuckDBPyConnection, f: Staged, quality: Quality, invalid: int) -> None:
    """Turn ``typed_leads`` into ``leads_next`` in place with the stated rules: required fields,
    duplicates (first row kept), absent-column fallbacks; reports the rejected rows."""
    dupes = duplicate_ids(con, f, f.rows - invalid)
    if invalid:
        _report_invalid(con, f, invalid, quality)
    if invalid == f.rows:
        summary, first = top_reasons(f, quality)
        raise InputError(f.name, f"none of its {f.rows:,} rows can be used, so nothing was loaded and the previous "
                                 f"data stays: {summary}", line=first.line if first else None,
                         column=first.column if first else None)
    if dupes:
        _report_duplicates(con, f, dupes, quality)
    quality.rows_rejected = len(f.rejects) - f.footer + invalid + dupes
    if "mql_at" not in f.fields:
        quality.notices.append("No MQL date column: a lead counts as an MQL when it was created (SPEC).")
    if "handed_at" not in f.fields:
        quality.notices.append("No hand-off date column: a lead counts as handed to sales when it became an MQL.")
    if invalid:
        sql_text.run(con, sql_text.fill("delete_invalid_leads", typed=f.table))
    if dupes:
        sql_text.run(con, sql_text.fill("delete_duplicate_leads", typed=f.table))
    _add_absent(con, f, contract.FALLBACKS)
    sql_text.script(con, sql_text.fill("build_leads", typed=f.table))
    if "tier" in f.fields:
        _group_rare_tiers(con, f, quality)


def _group_rare_tiers(con: duckdb.DuckDBPyConnection, f: Staged, quality: Quality) -> None:
    """Keep the MAX_TIERS commonest given tiers and group the rest as FALLBACK_TIER, with a notice.

    Done once here rather than in the tier SQL: the tier column is the one unbounded source of tiers
    (job-title rules give one tier per rule the user wrote), and every page, chart, control and saved
    workspace then sees at most MAX_TIERS + 1 of them, without each query paying for a cap. A
    "Rating" column of 20,000 scores, say, would otherwise offer a radio button per score.
    """
    found = sql_text.rows(con, "tier_counts", {"kept": MAX_TIERS})[0]
    if found["tiers"] <= MAX_TIERS:
        return
    sql_text.run(con, "group_tiers", {"kept": found["kept"], "other": FALLBACK_TIER})
    header = f.headers_by_field["tier"]
    grouped = found["tiers"] - MAX_TIERS
    quality.issue_counts[f"{f.name}: {header}: tiers grouped as {FALLBACK_TIER!r}"] = found["grouped_leads"]
    quality.notices.append(f"{f.name}: column {header!r} holds {found['tiers']:,} different tiers; the {MAX_TIERS} "
                           f"most common are kept and the other {grouped:,} ({found['grouped_leads']:,} leads) are "
                           f"grouped as {FALLBACK_TIER!r}.")


def merge_deals(con: duckdb.DuckDBPyConnection, f: Staged, quality: Quality) -> None:
    """customer_at and deal_amount from each lead's first won deal (SPEC section 1), with the rule reported."""
    quality.notices += deal_notices(f.name, sql_text.rows(con, sql_text.fill("deal_counts", typed=f.table))[0])
    _add_absent(con, f, {})
    sql_text.run(con, sql_text.fill("merge_deals", typed=f.table))


def deal_notices(name: str, counts: dict[str, int]) -> list[str]:
    """The notices of a deals merge from its counts (``unknown``, ``no_id``, ``several``), a warehouse's too."""
    notices = []
    if counts["unknown"]:
        notices.append(f"{name}: {counts['unknown']:,} deal(s) name a Lead ID that is not in the leads file; ignored.")
    if counts["no_id"]:
        notices.append(f"{name}: {counts['no_id']:,} deal(s) have no Lead ID; ignored.")
    if counts["several"]:
        notices.append(f"{name}: {counts['several']:,} lead(s) have more than one won deal; the first won deal "
                       "(earliest won date) gives the customer date and amount.")
    return notices


def build_activities(con: duckdb.DuckDBPyConnection, f: Staged, connected_values: tuple[str, ...],
                     quality: Quality) -> None:
    """First touch, attempts and connected from the activity log, replacing the lead file's."""
    _add_absent(con, f, {})
    sql_text.run(con, sql_text.fill("build_activities", typed=f.table))
    activities.apply_activities(con, connected_values)
    quality.notices.append(ACTIVITY_NOTICE)


def flag_suspicious(con: duckdb.DuckDBPyConnection, quality: Quality, loaded_at: datetime) -> None:
    """Count the rows the stated rules will change, before finalize_leads.sql changes them, and the rows
    dated after the moment of loading (SPEC 8: kept, but they do not move as_of)."""
    found = queries.row(con, "ingest/suspicious_counts", loaded_at=loaded_at)
    for key, (check, rule) in SUSPICIOUS_RULES.items():
        quality.suspicious.append({"check": check, "rows": int(found.get(key) or 0), "rule": rule})


def finish(con: duckdb.DuckDBPyConnection, staged: list[Staged]) -> None:
    """Apply the stated rules and swap the new tables in for the loaded ones."""
    for f in staged:
        sql_text.run(con, sql_text.fill("drop_table", table=f.table))
    sql_text.script(con, "finalize_leads")
    sql_text.script(con, "swap_in")
