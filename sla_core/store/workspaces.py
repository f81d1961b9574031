"""The embedded store of saved workspaces and their scenarios: one DuckDB file, safe to kill mid-save.

Durability rules (reliability plan section 5): the schema is created once at start-up in
one transaction followed by a CHECKPOINT, saves only insert rows inside one transaction
(all or nothing), and each save ends with a CHECKPOINT so the WAL stays small. The leads
of every workspace live in one wide table keyed by workspace id; a save streams Arrow
record batches from the session connection, never rows through pandas.
"""
from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import types
import typing
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from sla_core import queries
from sla_core.ingest.dataset import Dataset, Issue, Quality
from sla_core.db import DEFAULT_MEMORY_LIMIT, create_macros

if typing.TYPE_CHECKING:
    import pandas as pd

STORE_ENV = "SLA_STORE_PATH"
DEFAULT_STORE = Path("data") / "store.duckdb"
ARROW_BATCH_ROWS = 122_880  # DuckDB's row-group size: batches map onto storage without re-chunking
DELETE_ORDER = ("share_links", "scenarios", "workspace_leads", "workspaces")
FULL_DISK = ("No space left", "File too large", "Disk quota exceeded")

log = logging.getLogger(__name__)


class StoreError(RuntimeError):
    """A save or load the user asked for could not be done; the message says why."""


def store_path() -> Path:
    return Path(os.environ.get(STORE_ENV) or DEFAULT_STORE)


def open_store(path: Path) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the store file; the only place DDL ever runs.

    A second process on the same file fails here with DuckDB's lock error, which is
    the intended "one replica only" behaviour. A write-ahead log that cannot be replayed
    is set aside (``set_aside_logs``) and the file opens as of its last checkpoint;
    a damaged store file is refused and left as it is, to be restored from a backup.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        store = duckdb.connect(str(path))
    except duckdb.Error as exc:
        wal = path.with_name(path.name + ".wal")
        if not (wal.exists() and "WAL" in str(exc)):
            raise _damaged(path, exc) from exc
        aside = wal.with_name(f"{wal.name}.damaged-{_now():%Y%m%dT%H%M%S%fZ}")
        wal.rename(aside)  # kept for forensics, never deleted: it may hold the last saves
        log.error("store %s: its write-ahead log could not be replayed (%s); set aside as %s, and the store "
                  "opened as of its last checkpoint", path, exc, aside.name)
        try:
            store = duckdb.connect(str(path))
        except duckdb.Error as again:
            raise _damaged(path, again) from again
    store.execute("SET memory_limit = ?", [DEFAULT_MEMORY_LIMIT])  # shared by every session's cursor
    store.execute("SET GLOBAL TimeZone = 'UTC'")  # every cursor: as in a session connection, whatever the host's zone
    for setting in ("SET enable_external_access = false", "SET autoload_known_extensions = false",
                    "SET autoinstall_known_extensions = false"):
        store.execute(setting)
    store.execute("BEGIN TRANSACTION")
    store.execute(queries.sql("store/schema"))
    create_macros(store)  # the metric SQL's macros, for the cursors that serve shared workspaces
    store.execute("COMMIT")
    store.execute(queries.sql("store/checkpoint"))
    return store


def _damaged(path: Path, exc: duckdb.Error) -> StoreError | duckdb.Error:
    """The refusal for a store file DuckDB cannot read; other errors (the lock held by another process) pass as they are."""
    if "Corrupt" not in str(exc) and "not a valid DuckDB database" not in str(exc):
        return exc
    return StoreError(f"the store file {path} is damaged and was left as it is ({exc}); stop the app and restore "
                      "the file from a backup (README: Backing up and restoring the store)")


def set_aside_logs(path: Path) -> list[Path]:
    """Write-ahead logs that could not be replayed at start-up, set aside beside the store file (oldest first)."""
    path = Path(path)
    return sorted(path.parent.glob(f"{path.name}.wal.damaged-*"))


def _now() -> datetime:
    return datetime.now(timezone.utc)


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
    try:
        cur.execute("ROLLBACK")
    except duckdb.TransactionException:
        pass


def checkpoint(cur: duckdb.DuckDBPyConnection) -> None:
    """Fold the WAL into the file; skipped while another session is mid-transaction, or when the disk is
    full (logged): the change is already committed to the WAL, which stays durable until the next checkpoint."""
    try:
        cur.execute(queries.sql("store/checkpoint"))
    except duckdb.TransactionException:
        pass
    except duckdb.IOException as exc:
        log.warning("store checkpoint postponed: %s", exc)


# --- what a workspace holds besides its rows -------------------------------------------------

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


def _plain(value):
    """JSON form of one setting: to_dict() when the class has one, else its dataclass fields."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"not a JSON setting: {type(value).__name__}")


def settings_to_json(settings: dict[str, object]) -> str:
    """The what-if settings of a workspace as JSON (never pickle); values that are not settings are left out."""
    out = {}
    for name, value in settings.items():
        try:
            out[name] = _plain(value)
        except TypeError:
            continue
    return json.dumps(out, ensure_ascii=False, sort_keys=True)


def _target_class(hint) -> tuple[type | None, bool]:
    """(class to rebuild, is a tuple of them) from a field's type hint such as ``X | None`` or ``tuple[X, ...]``."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return _target_class(args[0]) if len(args) == 1 else (None, False)
    if origin is tuple:
        inner, _ = _target_class(typing.get_args(hint)[0])
        return inner, True
    return (hint, False) if isinstance(hint, type) else (None, False)


def _rebuild(cls: type, raw):
    if hasattr(cls, "from_dict"):
        return cls.from_dict(raw)
    if dataclasses.is_dataclass(cls):
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()})
    if cls in (str, int, float, bool) and isinstance(raw, cls):
        return raw
    raise TypeError(f"cannot rebuild {cls.__name__}")


def settings_from_json(text: str, hints: dict[str, object]) -> dict[str, object]:
    """Settings saved by ``settings_to_json``, rebuilt by the type hints of the fields that exist now.

    A setting saved by an older or newer version (unknown field, or one that no longer
    validates) is skipped, so the field keeps its default instead of breaking the view.
    """
    out = {}
    for name, raw in json.loads(text).items():
        if name not in hints:
            continue
        if raw is None:
            out[name] = None
            continue
        cls, many = _target_class(hints[name])
        if cls is None:
            continue
        try:
            out[name] = tuple(_rebuild(cls, r) for r in raw) if many else _rebuild(cls, raw)
        except (TypeError, ValueError, KeyError):
            continue
    return out


# --- workspaces -------------------------------------------------------------------------------

@dataclass(frozen=True)
class SavedWorkspace:
    workspace_id: str
    name: str
    saved_at: datetime
    rows_saved: int
    dataset: Dataset
    mapping_json: str


def save_workspace(cur: duckdb.DuckDBPyConnection, session_con: duckdb.DuckDBPyConnection, name: str,
                   dataset: Dataset, mapping_json: str, settings_json: str) -> tuple[str, str]:
    """Save the session's leads, mapping and settings as a new workspace with a "Baseline" scenario.

    One transaction: a crash or an error at any point leaves no trace of this save and
    every earlier one intact. Returns (workspace_id, scenario_id).
    """
    name = " ".join(str(name).split())
    if not name:
        raise StoreError("give the workspace a name")
    workspace_id, scenario_id = uuid.uuid4().hex, uuid.uuid4().hex
    reader = session_con.sql(queries.sql("store/session_leads")).to_arrow_reader(ARROW_BATCH_ROWS)
    with _write(cur, "the workspace could not be saved", "nothing was stored"):
        cur.register("incoming", reader)
        try:
            cur.execute(queries.sql("store/insert_leads"), {"workspace_id": workspace_id})
        finally:
            with contextlib.suppress(duckdb.TransactionException):  # a failed insert has aborted the transaction
                cur.unregister("incoming")
        rows = queries.row(cur, "store/count_leads", workspace_id=workspace_id)["n"]
        cur.execute(queries.sql("store/insert_workspace"), {
            "workspace_id": workspace_id, "name": name, "saved_at": _now(), "rows_saved": rows,
            "dataset_json": dataset_to_json(dataset), "mapping_json": mapping_json})
        _insert_scenario(cur, workspace_id, scenario_id, "Baseline", settings_json)
    return workspace_id, scenario_id


def list_workspaces(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return queries.frame(cur, "store/workspaces")


def get_workspace(cur: duckdb.DuckDBPyConnection, workspace_id: str) -> SavedWorkspace | None:
    found = queries.row(cur, "store/workspace", workspace_id=workspace_id)
    if not found:
        return None
    return SavedWorkspace(found["workspace_id"], found["name"], found["saved_at"], found["rows_saved"],
                          dataset_from_json(found["dataset_json"]), found["mapping_json"])


def delete_workspace(cur: duckdb.DuckDBPyConnection, workspace_id: str) -> None:
    """Remove a workspace with its rows, scenarios and share links (which stop working), all at once."""
    with _write(cur, "the workspace could not be deleted", "nothing was changed"):
        for table in DELETE_ORDER:
            cur.execute(queries.sql(f"store/delete_{table}"), {"workspace_id": workspace_id})


def show_workspace(cur: duckdb.DuckDBPyConnection, workspace_id: str) -> None:
    """Make ``leads`` on this (per-session) cursor read the stored rows of one workspace in place."""
    cur.execute(queries.sql("store/bind_workspace"), {"workspace_id": workspace_id})
    cur.execute(queries.sql("store/leads_view"))


def restore_leads(cur: duckdb.DuckDBPyConnection, session_con: duckdb.DuckDBPyConnection, workspace_id: str) -> None:
    """Copy a saved workspace's rows into an editing session's own connection (Arrow batches)."""
    reader = cur.sql(queries.sql("store/workspace_leads"),
                     params={"workspace_id": workspace_id}).to_arrow_reader(ARROW_BATCH_ROWS)
    session_con.register("incoming", reader)
    try:
        session_con.execute(queries.sql("store/restore_leads"))
    finally:
        session_con.unregister("incoming")


# --- scenarios --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scenario:
    scenario_id: str
    revision: int
    name: str
    saved_at: datetime
    settings_json: str


def _insert_scenario(cur, workspace_id: str, scenario_id: str, name: str, settings_json: str) -> int:
    return queries.row(cur, "store/insert_scenario", scenario_id=scenario_id, workspace_id=workspace_id,
                       scenario_name=name, saved_at=_now(), settings_json=settings_json)["revision"]


def save_scenario(cur: duckdb.DuckDBPyConnection, workspace_id: str, name: str, settings_json: str,
                  scenario_id: str | None = None) -> tuple[str, int]:
    """A new scenario, or (with ``scenario_id``) a new revision of one; every revision is kept."""
    name = " ".join(str(name).split())
    if not name:
        raise StoreError("give the scenario a name")
    if get_workspace(cur, workspace_id) is None:
        raise StoreError("that workspace no longer exists")
    if scenario_id is not None and not any(s.scenario_id == scenario_id for s in scenarios(cur, workspace_id)):
        raise StoreError("that scenario does not belong to this workspace")
    scenario_id = scenario_id or uuid.uuid4().hex
    with _write(cur, "the scenario could not be saved", "reload and try again",
                reason="someone may have saved it at the same moment"):
        revision = _insert_scenario(cur, workspace_id, scenario_id, name, settings_json)
    return scenario_id, revision


def _scenario(row: dict) -> Scenario:
    return Scenario(row["scenario_id"], int(row["revision"]), row["name"], row["saved_at"], row["settings_json"])


def scenarios(cur: duckdb.DuckDBPyConnection, workspace_id: str) -> list[Scenario]:
    """The latest revision of each scenario of a workspace, oldest first."""
    return [_scenario(r) for r in queries.frame(cur, "store/scenarios", workspace_id=workspace_id).to_dict("records")]


def revisions(cur: duckdb.DuckDBPyConnection, workspace_id: str, scenario_id: str) -> list[Scenario]:
    return [_scenario(r) for r in queries.frame(cur, "store/scenario_revisions", workspace_id=workspace_id,
                                               scenario_id=scenario_id).to_dict("records")]


def get_scenario(cur: duckdb.DuckDBPyConnection, workspace_id: str, scenario_id: str, revision: int) -> Scenario | None:
    found = queries.row(cur, "store/scenario", workspace_id=workspace_id, scenario_id=scenario_id, revision=revision)
    return _scenario(found) if found else None
