"""Start-up: the data-version columns of ``workspace_leads`` and a store from before versions brought to them.

Run by ``file.open_store`` inside its one schema transaction, after the lead columns: a store written by an
older app keeps every saved workspace, whose rows become its data version 1 (each row hashed as a refresh
hashes the rows it stores). Kept apart from ``versions`` so the store file can call it without importing
the store actions, which import the file.
"""
from __future__ import annotations

import json

import duckdb

from sla_core import queries

VERSION_COLUMNS = ("add_valid_from", "add_valid_to", "add_row_hash")


def migrate(store: duckdb.DuckDBPyConnection) -> None:
    """Add the version columns, define ``row_valid_at``, and make version 1 of every unversioned workspace."""
    for statement in VERSION_COLUMNS:
        store.execute(queries.sql(f"store/workspace_leads:{statement}"))
    store.execute(queries.sql("store/workspace_leads:valid_at"))
    store.execute(queries.sql("store/workspace_leads:migrate"))
    for saved in queries.records(store, "store/data_versions:unversioned"):
        dataset = json.loads(saved["dataset_json"])
        quality, files = dataset.get("quality", {}), dataset.get("files", {})
        store.execute(queries.sql("store/data_versions:insert"), {
            "workspace_id": saved["workspace_id"], "version": 1, "loaded_at": saved["saved_at"], "loaded_by": None,
            "how": "saved", "restored_from": None, "files_json": json.dumps(files, ensure_ascii=False),
            "rows_read": int(quality.get("rows_read", saved["rows_saved"])),
            "rows_rejected": int(quality.get("rows_rejected", 0)), "rows_loaded": saved["rows_saved"],
            "rows_stored": saved["rows_saved"], "rows_replaced": 0, "dataset_json": saved["dataset_json"],
            "mapping_json": saved["mapping_json"]})
