"""Saved workspaces: a session's leads, mapping and dataset facts kept under a name, with a "Baseline" scenario.

The leads of every workspace live in one wide table keyed by workspace id (its columns are
the contract's lead fields); a save streams Arrow record batches from the session
connection, never rows through pandas, and a shared view reads them in place. A save is the
workspace's data version 1; refreshing its data adds versions (``versions``), and what reads
a workspace reads its latest version unless told which.

``pages/``, ``bench/run.py`` and ``sla_core/marketing/scenarios.py`` reach the whole store through
this module's name: the names it re-exports from ``file``, ``scenarios`` and ``settings`` (listed
last in ``__all__``) keep them working until they import those modules themselves.
"""
from __future__ import annotations

import dataclasses
import typing
import uuid
from dataclasses import dataclass
from datetime import datetime

import duckdb

from sla_core import queries
from sla_core.ingest.dataset import Dataset
from sla_core.store import versions
from sla_core.store.file import StoreError, _write, open_store, set_aside_logs, store_path
from sla_core.store.scenarios import Scenario, add_revision, get_scenario, revisions, save_scenario, scenarios
from sla_core.store.settings import settings_from_json, settings_to_json
from sla_core.store.versions import ARROW_BATCH_ROWS, SAVED, dataset_from_json, dataset_to_json

if typing.TYPE_CHECKING:
    import pandas as pd

DELETE_ORDER = ("share_links", "scenarios", "workspace_leads", "data_versions", "workspaces")

__all__ = [
    "ARROW_BATCH_ROWS", "SavedWorkspace", "StoreError", "dataset_from_json", "dataset_to_json", "delete_workspace",
    "get_workspace", "list_workspaces", "restore_leads", "save_workspace", "show_workspace",
    # the rest of the store under this module's name (module docstring)
    "Scenario", "get_scenario", "open_store", "revisions", "save_scenario", "scenarios", "set_aside_logs",
    "settings_from_json", "settings_to_json", "store_path",
]


@dataclass(frozen=True)
class SavedWorkspace:
    """A workspace with its latest data version's facts (rows, dataset, mapping) and its retention setting."""

    workspace_id: str
    name: str
    saved_at: datetime
    rows_saved: int
    dataset: Dataset
    mapping_json: str
    keep_versions: int = versions.DEFAULT_KEEP


def save_workspace(cur: duckdb.DuckDBPyConnection, session_con: duckdb.DuckDBPyConnection, name: str,
                   dataset: Dataset, mapping_json: str, settings_json: str,
                   loaded_by: str | None = None) -> tuple[str, str]:
    """Save the session's leads, mapping and settings as a new workspace (data version 1) with a "Baseline" scenario.

    One transaction: a crash or an error at any point leaves no trace of this save and
    every earlier one intact. Returns (workspace_id, scenario_id).
    """
    name = " ".join(str(name).split())
    if not name:
        raise StoreError("give the workspace a name")
    workspace_id, scenario_id = uuid.uuid4().hex, uuid.uuid4().hex
    with _write(cur, "the workspace could not be saved", "nothing was stored"):
        if dataset.warehouse:  # its rows stay in the warehouse: the workspace keeps the source and the mapping
            stored, leads = (0, 0), dataset.rows_loaded
        else:
            stored = versions.store_rows(cur, session_con, workspace_id, 1, 0)
            leads = stored[0]
        record = versions.loaded(workspace_id, 1, dataset, mapping_json, loaded_by, SAVED, stored)
        cur.execute(queries.sql("store/workspaces:insert"), {
            "workspace_id": workspace_id, "name": name, "saved_at": record.loaded_at, "rows_saved": leads,
            "dataset_json": dataset_to_json(dataset), "mapping_json": mapping_json})
        versions.record_version(cur, dataclasses.replace(record, rows_loaded=leads))
        add_revision(cur, workspace_id, scenario_id, "Baseline", settings_json)
    return workspace_id, scenario_id


def list_workspaces(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return queries.frame(cur, "store/workspaces:list")


def get_workspace(cur: duckdb.DuckDBPyConnection, workspace_id: str) -> SavedWorkspace | None:
    found = queries.row(cur, "store/workspaces:get", workspace_id=workspace_id)
    if not found:
        return None
    return SavedWorkspace(found["workspace_id"], found["name"], found["saved_at"], found["rows_saved"],
                          dataset_from_json(found["dataset_json"]), found["mapping_json"],
                          found["keep_versions"] or versions.DEFAULT_KEEP)


def delete_workspace(cur: duckdb.DuckDBPyConnection, workspace_id: str) -> None:
    """Remove a workspace with its rows, data versions, scenarios and share links (which stop working), all at once."""
    with _write(cur, "the workspace could not be deleted", "nothing was changed"):
        for table in DELETE_ORDER:
            cur.execute(queries.sql(f"store/{table}:delete"), {"workspace_id": workspace_id})


def show_workspace(cur: duckdb.DuckDBPyConnection, workspace_id: str, version: int | None = None) -> int:
    """Make ``leads`` on this (per-session) cursor read the stored rows of one workspace in place: its latest
    data version unless ``version`` is given. Returns the version shown."""
    return versions.show(cur, workspace_id, version)


def restore_leads(cur: duckdb.DuckDBPyConnection, session_con: duckdb.DuckDBPyConnection, workspace_id: str,
                  version: int | None = None) -> None:
    """Copy a saved workspace's rows (its latest data version unless ``version``) into an editing session's own
    connection (Arrow batches)."""
    if version is None:
        version = versions.latest(cur, workspace_id).version
    reader = cur.sql(queries.sql("store/workspace_leads:rows"),
                     params={"workspace_id": workspace_id, "version": version}).to_arrow_reader(ARROW_BATCH_ROWS)
    session_con.register("incoming", reader)
    try:
        session_con.execute(queries.sql("store/leads:restore"))
    finally:
        session_con.unregister("incoming")
