"""Scenarios of a saved workspace: named what-if settings, of which every revision is kept.

A share link pins one revision, so what was shared never changes when the scenario is
revised; saving the same scenario from two sessions at once keeps the first and asks the
other to reload.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import duckdb

from sla_core import queries
from sla_core.store.file import StoreError, _write, now


@dataclass(frozen=True)
class Scenario:
    scenario_id: str
    revision: int
    name: str
    saved_at: datetime
    settings_json: str


def add_revision(cur: duckdb.DuckDBPyConnection, workspace_id: str, scenario_id: str, name: str,
                 settings_json: str) -> int:
    """Insert the next revision of a scenario (1 when new) inside the caller's write; returns its number."""
    return queries.row(cur, "store/scenarios:insert", scenario_id=scenario_id, workspace_id=workspace_id,
                       scenario_name=name, saved_at=now(), settings_json=settings_json)["revision"]


def save_scenario(cur: duckdb.DuckDBPyConnection, workspace_id: str, name: str, settings_json: str,
                  scenario_id: str | None = None) -> tuple[str, int]:
    """A new scenario, or (with ``scenario_id``) a new revision of one; every revision is kept."""
    name = " ".join(str(name).split())
    if not name:
        raise StoreError("give the scenario a name")
    if not queries.row(cur, "store/workspaces:get", workspace_id=workspace_id):
        raise StoreError("that workspace no longer exists")
    if scenario_id is not None and not any(s.scenario_id == scenario_id for s in scenarios(cur, workspace_id)):
        raise StoreError("that scenario does not belong to this workspace")
    scenario_id = scenario_id or uuid.uuid4().hex
    with _write(cur, "the scenario could not be saved", "reload and try again",
                reason="someone may have saved it at the same moment"):
        revision = add_revision(cur, workspace_id, scenario_id, name, settings_json)
    return scenario_id, revision


def _scenario(row: dict) -> Scenario:
    return Scenario(row["scenario_id"], int(row["revision"]), row["name"], row["saved_at"], row["settings_json"])


def scenarios(cur: duckdb.DuckDBPyConnection, workspace_id: str) -> list[Scenario]:
    """The latest revision of each scenario of a workspace, oldest first."""
    found = queries.frame(cur, "store/scenarios:latest", workspace_id=workspace_id)
    return [_scenario(r) for r in found.to_dict("records")]


def revisions(cur: duckdb.DuckDBPyConnection, workspace_id: str, scenario_id: str) -> list[Scenario]:
    found = queries.frame(cur, "store/scenarios:revisions", workspace_id=workspace_id, scenario_id=scenario_id)
    return [_scenario(r) for r in found.to_dict("records")]


def get_scenario(cur: duckdb.DuckDBPyConnection, workspace_id: str, scenario_id: str, revision: int) -> Scenario | None:
    found = queries.row(cur, "store/scenarios:get", workspace_id=workspace_id, scenario_id=scenario_id,
                        revision=revision)
    return _scenario(found) if found else None
