"""Saved workspaces: a session's leads, mapping and dataset facts kept under a name, with a "Baseline" scenario.

The leads of every workspace live in one wide table keyed by workspace id (its columns are
the contract's lead fields); a save streams Arrow record batches from the session
connection, never rows through pandas, and a shared view reads them in place.

``pages/``, ``bench/run.py`` and ``sla_core/marketing/scenarios.py`` reach the whole store through
this module's name: the names it re-exports from ``file``, ``scenarios`` and ``settings`` (listed
last in ``__all__``) keep them working until they import those modules themselves.
"""
from __future__ import annotations

import contextlib
import dataclasses
import json
import typing
import uuid
from dataclasses import dataclass
from datetime import datetime

import duckdb

from sla_core import queries
from sla_core.ingest.dataset import Dataset, Issue, Quality
from sla_core.store.file import StoreError, _write, now, open_store, set_aside_logs, store_path
from sla_core.store.scenarios import Scenario, add_revision, get_scenario, revisions, save_scenario, scenarios
from sla_core.store.settings import settings_from_json, settings_to_json

if typing.TYPE_CHECKING:
    import pandas as pd

ARROW_BATCH_ROWS = 122_880  # DuckDB's row-group size: batches map onto storage without re-chunking
DELETE_ORDER = ("share_links", "scenarios", "workspace_leads", "workspaces")

__all__ = [
    "ARROW_BATCH_ROWS", "SavedWorkspace", "StoreError", "dataset_from_json", "dataset_to_json", "delete_workspace",
    "get_workspace", "list_workspaces", "restore_leads", "save_workspace", "show_workspace",
    # the rest of the store under this module's name (module docstring)
    "Scenario", "get_scenario", "open_store", "revisions", "save_scenario", "scenarios", "set_aside_logs",
    "settings_from_json", "settings_to_json", "store_path",
]


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
    reader = session_con.sql(queries.sql("store/leads:session_rows")).to_arrow_reader(ARROW_BATCH_ROWS)
    with _write(cur, "the workspace could not be saved", "nothing was stored"):
        cur.register("incoming", reader)
        try:
            cur.execute(queries.sql("store/workspace_leads:insert"), {"workspace_id": workspace_id})
        finally:
            with contextlib.suppress(duckdb.TransactionException):  # a failed insert has aborted the transaction
                cur.unregister("incoming")
        rows = queries.row(cur, "store/workspace_leads:count", workspace_id=workspace_id)["n"]
        cur.execute(queries.sql("store/workspaces:insert"), {
            "workspace_id": workspace_id, "name": name, "saved_at": now(), "rows_saved": rows,
            "dataset_json": dataset_to_json(dataset), "mapping_json": mapping_json})
        add_revision(cur, workspace_id, scenario_id, "Baseline", settings_json)
    return workspace_id, scenario_id


def list_workspaces(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return queries.frame(cur, "store/workspaces:list")


def get_workspace(cur: duckdb.DuckDBPyConnection, workspace_id: str) -> SavedWorkspace | None:
    found = queries.row(cur, "store/workspaces:get", workspace_id=workspace_id)
    if not found:
        return None
    return SavedWorkspace(found["workspace_id"], found["name"], found["saved_at"], found["rows_saved"],
                          dataset_from_json(found["dataset_json"]), found["mapping_json"])


def delete_workspace(cur: duckdb.DuckDBPyConnection, workspace_id: str) -> None:
    """Remove a workspace with its rows, scenarios and share links (which stop working), all at once."""
    with _write(cur, "the workspace could not be deleted", "nothing was changed"):
        for table in DELETE_ORDER:
            cur.execute(queries.sql(f"store/{table}:delete"), {"workspace_id": workspace_id})


def show_workspace(cur: duckdb.DuckDBPyConnection, workspace_id: str) -> None:
    """Make ``leads`` on this (per-session) cursor read the stored rows of one workspace in place."""
    cur.execute(queries.sql("store/leads:bind"), {"workspace_id": workspace_id})
    cur.execute(queries.sql("store/leads:view"))


def restore_leads(cur: duckdb.DuckDBPyConnection, session_con: duckdb.DuckDBPyConnection, workspace_id: str) -> None:
    """Copy a saved workspace's rows into an editing session's own connection (Arrow batches)."""
    reader = cur.sql(queries.sql("store/workspace_leads:rows"),
                     params={"workspace_id": workspace_id}).to_arrow_reader(ARROW_BATCH_ROWS)
    session_con.register("incoming", reader)
    try:
        session_con.execute(queries.sql("store/leads:restore"))
    finally:
        session_con.unregister("incoming")
