"""One read-only view per stored data version, shared by every viewer of its share links.

A shared view is the same for every viewer, so its figures are computed once per stored data version and served
to all: each viewer's session keeps a Workspace of its own (its widgets and settings), but queries through the
view's one store cursor, whose ``leads`` shows that version, and keeps results in the view's one ResultCache.
The cache's turn serialises every call on the cursor (a DuckDB cursor runs one call at a time), and a viewer
arriving while a figure is being computed waits for it and is served it, instead of computing it again.
A warehouse workspace's version has no stored rows: its view reads the source again (one Spark engine for all
its viewers) and computes there.

The views live in ``st.cache_resource``, keyed by the store connection, the workspace and the data version, and
bounded in number and age. A viewer's session ending leaves the view to the others (a read-only Workspace's
finaliser never closes its connection); an evicted view's cursor goes when its last viewer lets go of it.
A sub-folder module of pages/ (see state.py).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import duckdb
import streamlit as st

from sla_core.cache import ResultCache
from sla_core.engine import Engine
from sla_core.health.months import month_shown_first
from sla_core.ingest import load as ingest
from sla_core.ingest.mapping import Mapping
from sla_core.store import versions
from sla_core.store import workspaces as store

MAX_VIEWS = 8  # data versions shown at once across all links: each holds its figures (a few MB at 1M leads)
VIEW_TTL = "1h"  # a view no viewer asked for in this long is dropped (a new viewer computes its figures again)


class SourceUnavailable(Exception):
    """A warehouse workspace's source cannot be read now (gone, unreachable, refused): one line naming it."""


@dataclass(frozen=True, eq=False)
class SharedView:
    """A store cursor showing one workspace's data version as ``leads``, and the cache of what was computed on it."""

    store: duckdb.DuckDBPyConnection  # the connection the cursor belongs to: held, so its id in the key stays its own
    con: duckdb.DuckDBPyConnection
    cache: ResultCache
    engine: Engine | None = None  # a warehouse workspace: its source read again, the figures computed there
    dataset: ingest.Dataset | None = None  # … and what that reading found (None: the stored version's dataset)

    def first_month(self, dataset: ingest.Dataset) -> date | None:
        """The month shown first (SPEC 8) of the data shown, computed once for all viewers."""
        db = self.engine if self.engine is not None else self.con
        return self.cache.get(dataset.version, month_shown_first, db, dataset.tz, dataset.as_of)


def _let_go(view: SharedView) -> None:
    """An evicted view's warehouse engine drops its cached rows (a viewer still on it reads them from the source)."""
    if view.engine is not None:
        view.engine.release_rows()


@st.cache_resource(show_spinner=False, max_entries=MAX_VIEWS, ttl=VIEW_TTL,
                   hash_funcs={duckdb.DuckDBPyConnection: id}, on_release=_let_go)
def shared_view(store_con: duckdb.DuckDBPyConnection, workspace_id: str, version: int) -> SharedView:
    """The one view of ``version`` of ``workspace_id`` in the store ``store_con`` (made on its first viewer)."""
    cur = store_con.cursor()
    shown = versions.get_version(cur, workspace_id, version)
    if shown is not None and shown.dataset.warehouse:  # no stored rows: the viewers' figures come from the source
        from sla_core.engine import spark_source

        mapping = Mapping.from_dict(json.loads(shown.mapping_json))
        try:
            engine, dataset = spark_source.reconnect(shown.dataset, mapping)
        except ValueError as exc:  # InputError, EngineUnavailable, EngineError: not cached, the next viewer retries
            raise SourceUnavailable(str(exc)) from exc
        return SharedView(store_con, cur, ResultCache(), engine, dataset)
    store.show_workspace(cur, workspace_id, version)
    return SharedView(store_con, cur, ResultCache())
