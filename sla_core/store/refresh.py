"""Refreshing a saved workspace from this month's export: its mapping applied, the headers checked first.

The source article recalculates the SLA every month; a refresh makes the new export the workspace's
next data version and keeps everything else (assumptions, tiers, clock, agreement text, scenarios,
share links). The leads file is read the way the workspace's latest version was: the same column for
each field, the same time zone, date order and decimal mark. When its headers changed, the
difference is shown (``HeaderCheck``) and nothing is stored until the mapping fits. The Save & share
page and ``python -m sla_core refresh`` (a nightly job, ``command``) both come here.
"""
from __future__ import annotations

import argparse
import getpass
import json
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from sla_core import contract, queries
from sla_core.db import open_session_db
from sla_core.ingest import decode
from sla_core.ingest import load as ingest
from sla_core.ingest.dataset import Dataset
from sla_core.ingest.mapping import FIELD_LABELS, LEAD_ALIASES, Mapping, auto_map
from sla_core.ingest.sniff import sniff_layout
from sla_core.store import versions
from sla_core.store.file import StoreError, open_store, store_path

EXIT_OK, EXIT_INPUT, EXIT_TRY_AGAIN = 0, 2, 75  # 75: EX_TEMPFAIL, a scheduler may run the job again later
LOCKED = "Could not set lock"


class MappingMismatch(ValueError):
    """The workspace's mapping does not fit the new export's headers; nothing was stored."""


@dataclass(frozen=True)
class HeaderCheck:
    """The new leads export's headers against those the workspace's latest version was read from."""

    file: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    columns: dict[str, str]  # lead field → the header it is read from ("": not in the export)

    @property
    def added(self) -> tuple[str, ...]:
        return tuple(h for h in self.after if h not in self.before)

    @property
    def removed(self) -> tuple[str, ...]:
        return tuple(h for h in self.before if h not in self.after)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)

    @property
    def broken(self) -> dict[str, str]:
        """Fields read from a header the new export no longer has."""
        return {f: h for f, h in self.columns.items() if h and h not in self.after}

    @property
    def unmapped_required(self) -> tuple[str, ...]:
        return tuple(f for f in contract.REQUIRED if not self.columns.get(f) or f in self.broken)

    @property
    def fits(self) -> bool:
        return not self.broken and not self.unmapped_required

    def with_columns(self, columns: dict[str, str]) -> HeaderCheck:
        return replace(self, columns={f: columns.get(f, "") or "" for f in LEAD_ALIASES})

    def proposal(self) -> dict[str, str]:
        """The mapping to offer: a lost column's field and a field the workspace lacked take the header the
        usual names suggest among the new export's columns (one a field already uses is never taken twice)."""
        suggested = auto_map(list(self.after), LEAD_ALIASES)
        columns = {f: ("" if f in self.broken else h) for f, h in self.columns.items()}
        used = set(columns.values())
        for field, header in columns.items():
            candidate = suggested.get(field)
            reads_new = field in self.broken or (not header and candidate in self.added)
            if not header and reads_new and candidate and candidate not in used:
                columns[field] = candidate
                used.add(candidate)
        return columns

    def reason(self) -> str:
        """Why the mapping does not fit, in one line (the command's refusal)."""
        lost = [f"{FIELD_LABELS[f]} (column {h!r})" for f, h in self.broken.items()]
        missing = [FIELD_LABELS[f] for f in self.unmapped_required if f not in self.broken]
        parts = [f"the workspace reads {', '.join(lost)}, no longer in the file"] if lost else []
        parts += [f"no column for {', '.join(missing)}"] if missing else []
        diff = ", ".join([f"+{h!r}" for h in self.added] + [f"-{h!r}" for h in self.removed])
        return (f"{self.file}: the workspace's mapping no longer fits: {'; '.join(parts)}"
                + (f" (headers changed: {diff})" if diff else "")
                + "; map the new columns on the Save & share page (Refresh data); the workspace is unchanged")


def difference_rows(check: HeaderCheck) -> list[dict]:
    """The header difference as the page shows it: each removed or added column, and the field read from it."""
    reads = {h: FIELD_LABELS[f] for f, h in check.columns.items() if h}
    return ([{"column": h, "change": "removed", "the workspace read": reads.get(h, "")} for h in check.removed]
            + [{"column": h, "change": "added", "the workspace read": ""} for h in check.added])


def mapping_rows(columns: dict[str, str]) -> list[dict]:
    """One editable row per lead field with the column it is read from (the Data page's mapping table's shape)."""
    return [{"field": f, "meaning": FIELD_LABELS[f], "column": columns.get(f, "")} for f in LEAD_ALIASES]


def workspace_columns(dataset: Dataset) -> dict[str, str]:
    """The column each lead field was read from in a version, every field named ("": not in that export), so
    the next export is read the same way rather than guessed afresh."""
    return {f: dataset.columns.get(f, "") for f in LEAD_ALIASES}


@dataclass(frozen=True)
class Probe:
    """A refresh's files, its leads file already readable as UTF-8, with the header check against the workspace."""

    files: ingest.UploadSet
    check: HeaderCheck
    latest: versions.DataVersion
    notices: tuple[str, ...]


def probe(cur: duckdb.DuckDBPyConnection, workspace_id: str, files: ingest.UploadSet, work_dir: Path) -> Probe:
    """Read the new leads file's header and compare it with the workspace's latest version (nothing is stored)."""
    latest = versions.latest(cur, workspace_id)
    if latest is None:
        raise StoreError("that workspace no longer exists")
    leads = files.leads
    prepared = decode.prepare(leads.name, leads.path, Path(work_dir))
    layout = sniff_layout(leads.name, prepared.path)
    check = HeaderCheck(leads.name, tuple(latest.dataset.headers), tuple(layout.headers),
                        workspace_columns(latest.dataset))
    readable = replace(files, leads=ingest.Upload(leads.name, prepared.path))  # converted once, not again by load
    return Probe(readable, check, latest, tuple(f"{leads.name}: {n}" for n in prepared.notices))


def refresh(cur: duckdb.DuckDBPyConnection, workspace_id: str, files: ingest.UploadSet, work_dir: Path,
            columns: dict[str, str] | None = None, loaded_by: str | None = None,
            expected: int | None = None) -> versions.Refreshed:
    """Load ``files`` with the workspace's mapping (or ``columns``, the editor's fix of it) and store them as
    the next data version. Raises MappingMismatch when the mapping does not fit the headers, InputError on bad
    input (both before anything is stored), StoreError when the store refuses (someone refreshed at once)."""
    work_dir = Path(work_dir)
    found = probe(cur, workspace_id, files, work_dir)
    check = found.check if columns is None else found.check.with_columns(columns)
    if not check.fits:
        raise MappingMismatch(check.reason())
    mapping = _mapping(found.latest.mapping_json).with_columns(check.columns)
    dataset = found.latest.dataset
    options = ingest.ReadOptions(tz=dataset.tz, date_order=dataset.date_order, decimal=dataset.decimal)
    folders = tuple({u.path.resolve().parent for u in (found.files.leads, found.files.deals, found.files.activities)
                     if u is not None})
    con = open_session_db(work_dir / "session", readable=folders)
    try:
        loaded = ingest.load(con, found.files, mapping, options, work_dir / "work")
        loaded.quality.notices[:0] = found.notices
        if loaded.rows_loaded == 0:
            raise decode.InputError(files.leads.name, "no lead could be read from it; the workspace keeps its data")
        return versions.refresh(cur, con, workspace_id, loaded, mapping.to_json(), loaded_by, expected)
    finally:
        con.close()


def _mapping(mapping_json: str | None) -> Mapping:
    try:
        return Mapping.from_dict(json.loads(mapping_json or "{}"))
    except (ValueError, TypeError):
        return Mapping()


# --- python -m sla_core refresh ------------------------------------------------------------------------------

def add_command(sub: argparse._SubParsersAction) -> None:
    rp = sub.add_parser("refresh", help="load a new export into a saved workspace as its next data version",
                        description="Refresh a saved workspace (the store at SLA_STORE_PATH) from new exports: "
                                    "exit 0 with a one-line summary; 2 on bad input or a mapping that no longer "
                                    "fits; 75 when the store is busy (try again later). The workspace is "
                                    "unchanged unless it exits 0.")
    rp.add_argument("--workspace", required=True, help="the saved workspace's name (or id)")
    rp.add_argument("--leads", required=True, type=Path)
    rp.add_argument("--deals", type=Path)
    rp.add_argument("--activities", type=Path)


def find_workspace(cur: duckdb.DuckDBPyConnection, wanted: str) -> tuple[str, str]:
    """(id, name) of the one workspace with this id or name (spacing ignored); ValueError otherwise."""
    listed = queries.records(cur, "store/workspaces:list")
    name = " ".join(wanted.split())
    found = [r for r in listed if r["workspace_id"] == wanted] or [r for r in listed if r["name"] == name]
    if not found:
        raise ValueError(f"no saved workspace is called {name!r}")
    if len(found) > 1:
        raise ValueError(f"{len(found)} saved workspaces are called {name!r}; name one by its id "
                         f"({', '.join(r['workspace_id'] for r in found)})")
    return found[0]["workspace_id"], found[0]["name"]


def summary(name: str, done: versions.Refreshed) -> str:
    v = done.version
    read = f"{v.rows_read:,} rows read, {v.rows_rejected:,} rejected"
    if not done.changed:
        return f"{name!r} unchanged: data version {v.version} already holds these {v.rows_loaded:,} leads ({read})"
    return (f"refreshed {name!r} to data version {v.version}: {read}, {v.rows_loaded:,} leads "
            f"({v.rows_stored:,} new or changed, {v.rows_replaced:,} replaced or dropped)")


def _files(args: argparse.Namespace) -> ingest.UploadSet:
    for label, path in (("--leads", args.leads), ("--deals", args.deals), ("--activities", args.activities)):
        if path is not None and not path.is_file():
            raise ValueError(f"{path}: file not found ({label})")
    upload = lambda p: ingest.Upload(p.name, p.resolve()) if p else None  # noqa: E731
    return ingest.UploadSet(leads=upload(args.leads), deals=upload(args.deals), activities=upload(args.activities))


def _refresh_in(store: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> str:
    cur = store.cursor()
    workspace_id, name = find_workspace(cur, args.workspace)
    with tempfile.TemporaryDirectory(prefix="sla-refresh-") as tmp:
        done = refresh(cur, workspace_id, _files(args), Path(tmp), loaded_by=_who())
    return summary(name, done)


def _who() -> str:
    try:
        return f"command line ({getpass.getuser()})"
    except (OSError, KeyError):
        return "command line"


def command(args: argparse.Namespace) -> tuple[int, str]:
    """Run ``refresh``: (exit code, the one line to print: the summary on stdout, else the reason on stderr)."""
    path = store_path()
    if not path.is_file():
        return EXIT_INPUT, f"error: there is no store at {path} (set SLA_STORE_PATH)"
    try:
        store = open_store(path)
    except duckdb.IOException as exc:
        if LOCKED not in str(exc):
            raise
        return EXIT_TRY_AGAIN, (f"error: the store {path} is open in another process (the app, or another "
                                "refresh); DuckDB lets one process use it at a time; the workspace is unchanged")
    try:
        return EXIT_OK, _refresh_in(store, args)
    except StoreError as exc:
        return EXIT_TRY_AGAIN, f"error: {exc}"
    except (ValueError, OSError) as exc:  # InputError and MappingMismatch are ValueErrors
        return EXIT_INPUT, f"error: {exc}"
    finally:
        store.close()
