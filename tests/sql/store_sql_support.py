"""The vocabulary of the store statement cases: a case, row builders, defaults for NOT NULL columns, a store's files."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb

from sla_core import contract
from sla_core.db import quote_ident

STORE_SQL = Path(__file__).resolve().parents[2] / "sla_core" / "sql" / "store"
T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
T1, T2 = T0 + timedelta(days=1), T0 + timedelta(days=2)
STORED = ("workspace_id", *contract.COLUMNS, "valid_from", "valid_to", "row_hash")
# What a row holds when a case does not say: the NOT NULL columns need a value.
FILLED = {
    "workspaces": {"name": "w", "saved_at": T0, "rows_saved": 0, "dataset_json": "{}", "mapping_json": "{}"},
    "scenarios": {"revision": 1, "name": "Baseline", "saved_at": T0, "settings_json": "{}"},
    "share_links": {"revision": 1, "label": "", "created_at": T0},
    "workspace_leads": {"valid_from": 1},
    "data_versions": {"version": 1, "loaded_at": T0, "how": "saved", "files_json": "{}", "rows_read": 0,
                      "rows_rejected": 0, "rows_loaded": 0, "rows_stored": 0, "rows_replaced": 0, "dataset_json": "{}",
                      "mapping_json": "{}"},
}
LINK_COLUMNS = ("token_sha256", "workspace_id", "scenario_id", "revision", "label", "created_at", "expires_at",
                "revoked_at", "data_version", "month")
VERSION_COLUMNS = ("workspace_id", "version", "loaded_at", "loaded_by", "how", "restored_from", "files_json",
                   "rows_read", "rows_rejected", "rows_loaded", "rows_stored", "rows_replaced", "dataset_json",
                   "mapping_json")
ROWS_BY_VERSION = "SELECT workspace_id, lead_id, attempts, valid_from, valid_to FROM workspace_leads ORDER BY ALL"
MIGRATE = (("workspace_leads:migrate", {}),)  # given rows without a version become version 1, hashed
# Restoring version 1 of w1 as version 4: A is in 1–3; B (L2) in 1–2, replaced by C in 3; D (L3) in 1 only; E in 2–3.
RESTORING = {"workspace_id": "w1", "version": 4, "previous": 3, "restored": 1}
HISTORY = [{"workspace_id": "w1", "lead_id": "L1", "row_hash": 11, "valid_from": 1},
           {"workspace_id": "w1", "lead_id": "L2", "row_hash": 21, "valid_from": 1, "valid_to": 3},
           {"workspace_id": "w1", "lead_id": "L2", "row_hash": 22, "valid_from": 3},
           {"workspace_id": "w1", "lead_id": "L3", "row_hash": 31, "valid_from": 1, "valid_to": 2},
           {"workspace_id": "w1", "lead_id": "L4", "row_hash": 41, "valid_from": 2}]
HISTORY_ROWS = "SELECT lead_id, row_hash, valid_from, valid_to FROM workspace_leads ORDER BY ALL"


@dataclass(frozen=True)
class Case:
    statement: str  # <file>:<name> under sql/store/
    expected: list[dict]  # rows in order, compared on the keys each gives
    given: dict[str, list[dict]] = field(default_factory=dict)  # table → rows there before
    params: dict = field(default_factory=dict)
    incoming: list[dict] | None = None  # rows of the Arrow reader `incoming` the statement reads
    incoming_ids: list[dict] | None = None  # rows of the Arrow reader `incoming_ids`
    before: tuple[tuple[str, dict], ...] = ()  # statements run first (the view reads what bind set)
    then: str | None = None  # a query reading what the statement changed; else the statement's own rows
    columns: tuple[str, ...] | None = None  # when set, exactly the columns of the rows read

    def __str__(self) -> str:
        return self.statement


def lead(workspace_id: str | None = None, **fields) -> dict:
    return ({"workspace_id": workspace_id} if workspace_id else {}) | fields


def scenario(scenario_id: str, workspace_id: str, **fields) -> dict:
    return {"scenario_id": scenario_id, "workspace_id": workspace_id} | fields


def link(token_sha256: str, workspace_id: str, **fields) -> dict:
    return {"token_sha256": token_sha256, "workspace_id": workspace_id, "scenario_id": "s1"} | fields


def data_version(workspace_id: str, version: int, **fields) -> dict:
    return {"workspace_id": workspace_id, "version": version} | fields


def stored(workspace_id: str, lead_id: str, valid_from: int | None = 1, valid_to: int | None = None, **fields) -> dict:
    return {"workspace_id": workspace_id, "lead_id": lead_id, "valid_from": valid_from, "valid_to": valid_to} | fields


def _insert(cur: duckdb.DuckDBPyConnection, table: str, row: dict) -> None:
    names = ", ".join(f"${name} AS {quote_ident(name)}" for name in row)
    cur.execute(f"INSERT INTO {quote_ident(table)} BY NAME SELECT {names}", row)


def _given(cur: duckdb.DuckDBPyConnection, tables: dict[str, list[dict]]) -> None:
    for table, rows in tables.items():
        if table == "leads":
            cur.execute(contract.session_table_ddl())
            rows = [contract.test_row(**{"created_at": T0, **r}) | {"touched_before_handoff": False} for r in rows]
        for row in rows:
            _insert(cur, table, FILLED.get(table, {}) | row)


def _rows(cur: duckdb.DuckDBPyConnection) -> tuple[list[str], list[dict]]:
    columns = [d[0] for d in cur.description]
    return columns, [dict(zip(columns, values, strict=True)) for values in cur.fetchall()]


def _store_files() -> list[str]:
    return sorted(p.stem for p in STORE_SQL.glob("*.sql") if p.stem != "schema")
