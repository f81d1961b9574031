"""Data versions of a saved workspace: every save, refresh and restore of its leads is a numbered version.

A month's export repeats most of the month before, so a lead row is stored once with the range of
versions it is valid in (``valid_from`` up to ``valid_to``, exclusive) and the hash of its lead
columns: a refresh stores only the rows that are new or changed and ends the ones it replaced or
dropped, so the store grows by the change, not by a full copy. The rows of version v are those
valid at v. Retention keeps the last N versions (a workspace setting, default 12) and any version an
active share link is pinned to. Each action is one ``_write``: a refresh killed at any point leaves
the workspace on its previous version, and of two refreshes at once one commits, the other is told
to try again.
"""
from __future__ import annotations

import contextlib
import dataclasses
import json
from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from sla_core import queries
from sla_core.ingest.dataset import Dataset, Issue, Quality
from sla_core.store.file import StoreError, _write, now

ARROW_BATCH_ROWS = 122_880  # DuckDB's row-group size: batches map onto storage without re-chunking
DEFAULT_KEEP = 12
MAX_KEEP = 240
SAVED, REFRESHED, RESTORED = "saved", "refreshed", "restored"
AT_ONCE = "someone else may have changed this workspace's data at the same moment"


def dataset_to_json(dataset: Dataset) -> str:
    raw = dataclasses.asdict(dataset)
    raw["as_of"] = dataset.as_of.isoformat() if dataset.as_of else None
    return json.dumps(raw, ensure_ascii=False, default=str)


def dataset_from_json(text: str) -> Dataset:
    raw = json.loads(text)
    quality = raw.pop("quality")
    quality["issues"] = [Issue(**i) for i in quality.get("issues", [])]
    raw["as_of"] = datetime.fromisoformat(raw["as_of"]) if raw.get("as_of") else None
    known = {f.name for f in dataclasses.fields(Dataset)}
    return Dataset(quality=Quality(**quality), **{k: v for k, v in raw.items() if k in known})


@dataclass(frozen=True)
class DataVersion:
    """One load of a workspace's data: when, by whom, from which files, what it read and what it stored."""

    workspace_id: str
    version: int
    loaded_at: datetime
    loaded_by: str | None
    how: str  # saved | refreshed | restored
    restored_from: int | None
    files: dict[str, str]  # kind → file name
    rows_read: int
    rows_rejected: int
    rows_loaded: int
    rows_stored: int  # rows this version stored (new or changed leads)
    rows_replaced: int  # rows of the version before that it replaced or dropped
    dataset: Dataset | None = None  # None in a listing
    mapping_json: str | None = None


@dataclass(frozen=True)
class Refreshed:
    """What a refresh left: the latest version, and whether it is a new one (an identical export adds none)."""

    version: DataVersion
    changed: bool


class _Unchanged(Exception):
    """Raised inside a refresh's write to roll it back when the new data is the latest version's."""

    def __init__(self, latest: DataVersion) -> None:
        super().__init__("unchanged")
        self.latest = latest


def _version(row: dict) -> DataVersion:
    return DataVersion(
        row["workspace_id"], int(row["version"]), row["loaded_at"], row["loaded_by"], row["how"], row["restored_from"],
        json.loads(row["files_json"]), int(row["rows_read"]), int(row["rows_rejected"]), int(row["rows_loaded"]),
        int(row["rows_stored"]), int(row["rows_replaced"]),
        dataset_from_json(row["dataset_json"]) if "dataset_json" in row else None, row.get("mapping_json"))


def latest(cur: duckdb.DuckDBPyConnection, workspace_id: str) -> DataVersion | None:
    found = queries.row(cur, "store/data_versions:latest", workspace_id=workspace_id)
    return _version(found) if found else None


def latest_number(cur: duckdb.DuckDBPyConnection, workspace_id: str) -> int | None:
    """The latest version's number (None: no such workspace), read without its dataset."""
    return queries.row(cur, "store/data_versions:latest_number", workspace_id=workspace_id).get("version")


def get_version(cur: duckdb.DuckDBPyConnection, workspace_id: str, version: int) -> DataVersion | None:
    found = queries.row(cur, "store/data_versions:get", workspace_id=workspace_id, version=version)
    return _version(found) if found else None


def versions(cur: duckdb.DuckDBPyConnection, workspace_id: str) -> list[DataVersion]:
    """A workspace's kept versions, newest first (without each one's dataset and mapping)."""
    return [_version(r) for r in queries.records(cur, "store/data_versions:list", workspace_id=workspace_id)]


def show(cur: duckdb.DuckDBPyConnection, workspace_id: str, version: int | None = None) -> int:
    """Make ``leads`` on this (per-session) cursor read one data version of a workspace in place (the latest
    when ``version`` is None) and return its number: every query until the next ``show`` reads that version,
    whatever a refresh commits meanwhile."""
    if version is None:
        found = latest(cur, workspace_id)
        version = found.version if found else 0
    cur.execute(queries.sql("store/leads:bind"), {"workspace_id": workspace_id, "version": version})
    cur.execute(queries.sql("store/leads:view"))
    return version


def months(cur: duckdb.DuckDBPyConnection, workspace_id: str, version: int, tz: str,
           as_of: datetime | None) -> list[date]:
    """The local months with a marketing lead in a version, newest first (what a share link may open on)."""
    if as_of is None:
        return []
    found = queries.records(cur, "store/workspace_leads:months", workspace_id=workspace_id, version=version, tz=tz,
                            as_of=as_of)
    return [r["month"] for r in found]


def describe(v: DataVersion) -> str:
    """One line naming a version: its number, how and when it was loaded, its leads."""
    how = f"restored from version {v.restored_from}" if v.how == RESTORED else v.how
    return f"version {v.version} · {how} {v.loaded_at:%Y-%m-%d %H:%M} UTC · {v.rows_loaded:,} leads"


def table(kept: list[DataVersion]) -> list[dict]:
    """The versions list as the Save & share page shows it, newest first."""
    return [{"version": v.version, "loaded (UTC)": f"{v.loaded_at:%Y-%m-%d %H:%M}", "by": v.loaded_by or "—",
             "how": f"restored from {v.restored_from}" if v.how == RESTORED else v.how,
             "files": ", ".join(f"{kind}: {name}" for kind, name in v.files.items()), "rows read": v.rows_read,
             "rows rejected": v.rows_rejected, "leads": v.rows_loaded, "rows stored": v.rows_stored}
            for v in kept]


# --- writing a version (inside the caller's write) -------------------------------------------------------

def _changed(result: duckdb.DuckDBPyConnection) -> int:
    """The row count an INSERT, UPDATE or DELETE returns, fetched to the end (DuckDB 2 refuses new work on a
    connection with an unfinished result)."""
    return int(result.fetchall()[0][0])


def _run_with(cur: duckdb.DuckDBPyConnection, name: str, reader, statement: str, **params) -> int:
    """Run a statement that reads the Arrow reader registered as ``name``; returns the rows it changed."""
    cur.register(name, reader)
    try:
        return _changed(cur.execute(queries.sql(statement), params))
    finally:
        with contextlib.suppress(duckdb.TransactionException):  # a failed statement has aborted the transaction
            cur.unregister(name)


def store_rows(cur: duckdb.DuckDBPyConnection, session_con: duckdb.DuckDBPyConnection, workspace_id: str,
               version: int, previous: int) -> tuple[int, int]:
    """Store the session's leads as ``version`` on top of ``previous`` (0 for a new workspace), inside the
    caller's write: returns (rows stored, rows of ``previous`` replaced or dropped)."""
    params = {"workspace_id": workspace_id, "version": version, "previous": previous}
    rows = session_con.sql(queries.sql("store/leads:session_rows")).to_arrow_reader(ARROW_BATCH_ROWS)
    stored = _run_with(cur, "incoming", rows, "store/workspace_leads:insert", **params)
    if previous == 0:
        return stored, 0
    ids = session_con.sql(queries.sql("store/leads:session_ids")).to_arrow_reader(ARROW_BATCH_ROWS)
    return stored, _run_with(cur, "incoming_ids", ids, "store/workspace_leads:close", **params)


def record_version(cur: duckdb.DuckDBPyConnection, record: DataVersion) -> None:
    """Insert a version's row and make it the workspace's latest (inside the caller's write)."""
    dataset_json = dataset_to_json(record.dataset)
    cur.execute(queries.sql("store/data_versions:insert"), {
        "workspace_id": record.workspace_id, "version": record.version, "loaded_at": record.loaded_at,
        "loaded_by": record.loaded_by, "how": record.how, "restored_from": record.restored_from,
        "files_json": json.dumps(record.files, ensure_ascii=False), "rows_read": record.rows_read,
        "rows_rejected": record.rows_rejected, "rows_loaded": record.rows_loaded, "rows_stored": record.rows_stored,
        "rows_replaced": record.rows_replaced, "dataset_json": dataset_json, "mapping_json": record.mapping_json})
    cur.execute(queries.sql("store/workspaces:show_data"), {
        "workspace_id": record.workspace_id, "rows_saved": record.rows_loaded, "dataset_json": dataset_json,
        "mapping_json": record.mapping_json})


def loaded(workspace_id: str, version: int, dataset: Dataset, mapping_json: str, loaded_by: str | None, how: str,
           stored: tuple[int, int]) -> DataVersion:
    """The record of a version loaded from files now (a save or a refresh)."""
    q = dataset.quality
    return DataVersion(workspace_id, version, now(), loaded_by, how, None, dict(dataset.files), q.rows_read,
                       q.rows_rejected, dataset.rows_loaded, stored[0], stored[1], dataset, mapping_json)


def _prune(cur: duckdb.DuckDBPyConnection, workspace_id: str, latest_version: int) -> None:
    """Retention: drop the versions before the workspace's last N (none an active link is pinned to) and the rows
    no kept version holds."""
    keep = queries.row(cur, "store/workspaces:get", workspace_id=workspace_id).get("keep_versions") or DEFAULT_KEEP
    cur.execute(queries.sql("store/data_versions:prune"), {
        "workspace_id": workspace_id, "oldest_kept": latest_version - keep + 1, "now": now()})
    cur.execute(queries.sql("store/workspace_leads:prune"), {"workspace_id": workspace_id})


def _read_alike(before: DataVersion, dataset: Dataset, mapping_json: str) -> bool:
    """Whether new data was read as the version before was: the same headers, the same column for each field, the
    same rules (sales sources, connected values, deals and activities columns)."""
    rules = [{k: v for k, v in json.loads(m or "{}").items() if k != "columns"} for m in (before.mapping_json,
                                                                                       mapping_json)]
    return (before.dataset.headers, before.dataset.columns, rules[0]) == (dataset.headers, dataset.columns, rules[1])


def _previous(cur: duckdb.DuckDBPyConnection, workspace_id: str, expected: int | None) -> DataVersion:
    """The workspace's latest version, read inside the write; refused when it is gone or not the one expected."""
    found = latest(cur, workspace_id)
    if found is None:
        raise StoreError("that workspace no longer exists")
    if expected is not None and found.version != expected:
        raise StoreError(f"the data was changed meanwhile (it is now version {found.version}); the workspace is "
                         "unchanged: reload and try again")
    return found


# --- the store actions -------------------------------------------------------------------------------------

def refresh(cur: duckdb.DuckDBPyConnection, session_con: duckdb.DuckDBPyConnection, workspace_id: str,
            dataset: Dataset, mapping_json: str, loaded_by: str | None = None,
            expected: int | None = None) -> Refreshed:
    """Make the session's leads the workspace's next data version; everything else about it stays.

    ``expected`` (the version the editor refreshed from) refuses a refresh when someone else's came first.
    Data identical to the latest version (the same rows, headers and mapping) adds no version.
    """
    try:
        with _write(cur, "the data could not be refreshed", "the workspace is unchanged; try again", reason=AT_ONCE):
            before = _previous(cur, workspace_id, expected)
            version = before.version + 1
            stored = store_rows(cur, session_con, workspace_id, version, before.version)
            if stored == (0, 0) and _read_alike(before, dataset, mapping_json):
                raise _Unchanged(before)
            record = loaded(workspace_id, version, dataset, mapping_json, loaded_by, REFRESHED, stored)
            record_version(cur, record)
            _prune(cur, workspace_id, version)
    except _Unchanged as same:
        return Refreshed(same.latest, changed=False)
    return Refreshed(record, changed=True)


def restore(cur: duckdb.DuckDBPyConnection, workspace_id: str, version: int, loaded_by: str | None = None,
            expected: int | None = None) -> DataVersion:
    """Make an earlier version's data the latest again, as a new version (the versions between are kept)."""
    with _write(cur, "the version could not be restored", "the workspace is unchanged; try again", reason=AT_ONCE):
        before = _previous(cur, workspace_id, expected)
        source = get_version(cur, workspace_id, version)
        if source is None:
            raise StoreError(f"version {version} is no longer kept")
        if version == before.version:
            raise StoreError(f"version {version} is already the latest")
        params = {"workspace_id": workspace_id, "version": before.version + 1, "previous": before.version,
                  "restored": version}
        stored = _changed(cur.execute(queries.sql("store/workspace_leads:reinstate"), params))
        replaced = _changed(cur.execute(queries.sql("store/workspace_leads:retire"), params))
        record = dataclasses.replace(source, version=before.version + 1, loaded_at=now(), loaded_by=loaded_by,
                                     how=RESTORED, restored_from=version, rows_stored=stored, rows_replaced=replaced)
        record_version(cur, record)
        _prune(cur, workspace_id, record.version)
    return record


def set_keep(cur: duckdb.DuckDBPyConnection, workspace_id: str, keep: int) -> None:
    """How many versions the workspace keeps (the last ``keep``); lowering it drops the older ones now."""
    if not isinstance(keep, int) or not 1 <= keep <= MAX_KEEP:
        raise StoreError(f"keep between 1 and {MAX_KEEP} versions")
    with _write(cur, "the setting could not be saved", "nothing was changed", reason=AT_ONCE):
        before = _previous(cur, workspace_id, None)
        cur.execute(queries.sql("store/workspaces:keep_versions"), {"workspace_id": workspace_id,
                                                                    "keep_versions": keep})
        _prune(cur, workspace_id, before.version)
