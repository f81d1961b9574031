"""The store file itself: where it lives, opening (and recovering) it, and the one way to write to it.

Durability rules: the schema is created or brought up to date
once at start-up in one transaction followed by a CHECKPOINT; after that every write is rows
only, inside ``_write`` (all or nothing), and ends with a CHECKPOINT so the WAL stays small.
"""
from __future__ import annotations

import contextlib
import logging
import os
import typing
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from sla_core import contract, queries
from sla_core.db import DEFAULT_MEMORY_LIMIT, create_macros, quote_ident
from sla_core.store import version_schema

STORE_ENV = "SLA_STORE_PATH"
DEFAULT_STORE = Path("data") / "store.duckdb"
FULL_DISK = ("No space left", "File too large", "Disk quota exceeded")
LOCKED_DOWN = ("SET enable_external_access = false", "SET autoload_known_extensions = false",
               "SET autoinstall_known_extensions = false")

log = logging.getLogger(__name__)


class StoreError(RuntimeError):
    """A save or load the user asked for could not be done; the message says why."""


def store_path() -> Path:
    return Path(os.environ.get(STORE_ENV) or DEFAULT_STORE)


def now() -> datetime:
    """The time a row is written, in UTC as every store timestamp is."""
    return datetime.now(timezone.utc)


def open_store(path: Path) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the store file; the only place DDL ever runs.

    A second process on the same file fails here with DuckDB's lock error, which is
    the intended "one replica only" behaviour. A write-ahead log that cannot be replayed
    is set aside (``set_aside_logs``) and the file opens as of its last checkpoint;
    a damaged store file is refused and left as it is, to be restored from a backup, and so is a
    path whose folder cannot be made. Once set up, the configuration is locked for every cursor:
    share viewers query through their own cursors on this connection.
    """
    path = Path(path)
    _make_folder(path)
    store = _connect(path)
    store.execute("SET memory_limit = ?", [DEFAULT_MEMORY_LIMIT])  # shared by every session's cursor
    store.execute("SET GLOBAL TimeZone = 'UTC'")  # every cursor: as in a session connection, whatever the host's zone
    for setting in LOCKED_DOWN:
        store.execute(setting)
    store.execute("BEGIN TRANSACTION")
    store.execute(queries.sql("store/schema"))
    store.execute(queries.sql("store/workspace_leads:create"))
    for statement in _lead_columns(store):
        store.execute(statement)
    version_schema.migrate(store)  # after the lead columns: the data-version columns, and version 1 of older saves
    create_macros(store)  # the metric SQL a share link runs on this store's cursors uses them
    store.execute("COMMIT")
    store.execute(queries.sql("store/file:checkpoint"))
    store.execute("SET lock_configuration = true")  # after this, no cursor changes a setting (limits, extensions)
    return store


def _make_folder(path: Path) -> None:
    """The store's folder, created if needed; a path that cannot have one (under /proc, below a file) is refused."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"the folder of the store file {path} cannot be created ({exc.strerror or exc}); "
                         f"set {STORE_ENV} to a path on a writable disk") from exc


def _lead_columns(store: duckdb.DuckDBPyConnection) -> list[str]:
    """An ``ADD COLUMN`` for each lead field of the contract the table lacks, in the contract's order: a new
    store gets them all, one written by an older app the fields added since (their old rows read NULL).
    The text comes from the contract's own names and types, never from a user."""
    present = {r["column_name"] for r in queries.records(store, "store/workspace_leads:columns")}
    missing = {name: sql_type for name, sql_type in contract.store_columns().items() if name not in present}
    if present != {"workspace_id"} and missing:
        log.info("store: adding the lead columns %s, which this store predates", ", ".join(missing))
    return [f"ALTER TABLE workspace_leads ADD COLUMN IF NOT EXISTS {quote_ident(name)} {sql_type}"
            for name, sql_type in missing.items()]


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    """Connect, setting aside a write-ahead log DuckDB cannot replay (then the file opens as of its last checkpoint)."""
    try:
        return duckdb.connect(str(path))
    except duckdb.Error as exc:
        wal = path.with_name(path.name + ".wal")
        if not (wal.exists() and "WAL" in str(exc)):
            raise _damaged(path, exc) from exc
        aside = wal.with_name(f"{wal.name}.damaged-{now():%Y%m%dT%H%M%S%fZ}")
        wal.rename(aside)  # kept for forensics, never deleted: it may hold the last saves
        log.error("store %s: its write-ahead log could not be replayed (%s); set aside as %s, and the store "
                  "opened as of its last checkpoint", path, exc, aside.name)
    try:
        return duckdb.connect(str(path))
    except duckdb.Error as again:
        raise _damaged(path, again) from again


def _damaged(path: Path, exc: duckdb.Error) -> StoreError | duckdb.Error:
    """The refusal for a store file DuckDB cannot read; other errors (the lock held by another process) pass as is."""
    if "Corrupt" not in str(exc) and "not a valid DuckDB database" not in str(exc):
        return exc
    return StoreError(f"the store file {path} is damaged and was left as it is ({exc}); stop the app and restore "
                      "the file from a backup (README: Backing up and restoring the store)")


def set_aside_logs(path: Path) -> list[Path]:
    """Write-ahead logs that could not be replayed at start-up, set aside beside the store file (oldest first)."""
    path = Path(path)
    return sorted(path.parent.glob(f"{path.name}.wal.damaged-*"))


def _why(exc: duckdb.Error, otherwise: str) -> str:
    """The reason a store write failed, as the user is told it."""
    return "the disk that holds the store is full" if any(m in str(exc) for m in FULL_DISK) else otherwise


@contextlib.contextmanager
def _write(cur: duckdb.DuckDBPyConnection, failed: str, then: str, reason: str | None = None) -> typing.Iterator[None]:
    """One all-or-nothing write, then a CHECKPOINT. On an error: roll back and raise StoreError
    "<failed> (<why>); <then>", why being a full disk, else ``reason`` or the error's kind."""
    cur.execute("BEGIN TRANSACTION")
    try:
        yield
        cur.execute("COMMIT")
    except duckdb.Error as exc:
        _rollback(cur)
        raise StoreError(f"{failed} ({_why(exc, reason or exc.__class__.__name__)}); {then}") from exc
    except BaseException:
        _rollback(cur)  # never leave the session's cursor inside a half-done transaction
        raise
    checkpoint(cur)


def _rollback(cur: duckdb.DuckDBPyConnection) -> None:
    """Undo the open transaction; a failed COMMIT has already ended it."""
    with contextlib.suppress(duckdb.TransactionException):
        cur.execute("ROLLBACK")


def checkpoint(cur: duckdb.DuckDBPyConnection) -> None:
    """Fold the WAL into the file; skipped while another session is mid-transaction, or when the disk is
    full (logged): the change is already committed to the WAL, which stays durable until the next checkpoint."""
    try:
        cur.execute(queries.sql("store/file:checkpoint"))
    except duckdb.TransactionException:
        pass
    except duckdb.IOException as exc:
        log.warning("store checkpoint postponed: %s", exc)
