"""Every named statement of ``sla_core/sql/store/``, run on a real store: given rows → the rows it returns or leaves.

Each case states only the columns that matter; the rest of a row is filled with a valid
default (NULL where the column allows it). A statement added to a store file without a
case here fails ``test_every_store_statement_has_a_case``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from sla_core import contract, queries
from sla_core.db import quote_ident
from sla_core.store import file as store_file

STORE_SQL = Path(__file__).resolve().parents[2] / "sla_core" / "sql" / "store"
T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
T1, T2 = T0 + timedelta(days=1), T0 + timedelta(days=2)
# What a row holds when a case does not say: the NOT NULL columns need a value.
FILLED = {
    "workspaces": {"name": "w", "saved_at": T0, "rows_saved": 0, "dataset_json": "{}", "mapping_json": "{}"},
    "scenarios": {"revision": 1, "name": "Baseline", "saved_at": T0, "settings_json": "{}"},
    "share_links": {"revision": 1, "label": "", "created_at": T0},
    "workspace_leads": {},
}
LINK_COLUMNS = ("token_sha256", "workspace_id", "scenario_id", "revision", "label", "created_at", "expires_at",
                "revoked_at")


@dataclass(frozen=True)
class Case:
    statement: str  # <file>:<name> under sql/store/
    expected: list[dict]  # rows in order, compared on the keys each gives
    given: dict[str, list[dict]] = field(default_factory=dict)  # table → rows there before
    params: dict = field(default_factory=dict)
    incoming: list[dict] | None = None  # rows of the Arrow reader `incoming` the statement reads
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


CASES = [
    # --- the store file -------------------------------------------------------------------------
    Case("file:checkpoint", given={"workspaces": [{"workspace_id": "w1"}]},
         then="SELECT workspace_id FROM workspaces", expected=[{"workspace_id": "w1"}]),
    # --- workspaces -----------------------------------------------------------------------------
    Case("workspaces:insert",
         params={"workspace_id": "w1", "name": "Q1 plan", "saved_at": T1, "rows_saved": 3,
                 "dataset_json": '{"v": 1}', "mapping_json": '{"m": 2}'},
         then="SELECT * FROM workspaces",
         expected=[{"workspace_id": "w1", "name": "Q1 plan", "saved_at": T1, "rows_saved": 3,
                    "dataset_json": '{"v": 1}', "mapping_json": '{"m": 2}'}]),
    Case("workspaces:get", given={"workspaces": [{"workspace_id": "w1", "name": "A", "dataset_json": '{"a": 1}'},
                                                 {"workspace_id": "w2", "name": "B"}]},
         params={"workspace_id": "w1"},
         columns=("workspace_id", "name", "saved_at", "rows_saved", "dataset_json", "mapping_json"),
         expected=[{"workspace_id": "w1", "name": "A", "dataset_json": '{"a": 1}'}]),
    Case("workspaces:get", given={"workspaces": [{"workspace_id": "w1"}]}, params={"workspace_id": "gone"},
         expected=[]),
    Case("workspaces:list",  # newest first, then by name; never the JSON columns
         given={"workspaces": [{"workspace_id": "w1", "name": "A", "saved_at": T0},
                               {"workspace_id": "w2", "name": "C", "saved_at": T1, "rows_saved": 7},
                               {"workspace_id": "w3", "name": "B", "saved_at": T1}]},
         columns=("workspace_id", "name", "saved_at", "rows_saved"),
         expected=[{"workspace_id": "w3", "name": "B"}, {"workspace_id": "w2", "name": "C", "rows_saved": 7},
                   {"workspace_id": "w1", "name": "A", "saved_at": T0}]),
    Case("workspaces:delete", given={"workspaces": [{"workspace_id": "w1"}, {"workspace_id": "w2"}]},
         params={"workspace_id": "w1"}, then="SELECT workspace_id FROM workspaces", expected=[{"workspace_id": "w2"}]),
    # --- workspace_leads ------------------------------------------------------------------------
    Case("workspace_leads:create",  # at every start-up: an existing table and its rows stay
         given={"workspace_leads": [lead("w1", lead_id="L1")]},
         then="SELECT workspace_id, lead_id FROM workspace_leads", expected=[{"workspace_id": "w1", "lead_id": "L1"}]),
    Case("workspace_leads:columns",  # only this table's
         columns=("column_name",),
         expected=[{"column_name": name} for name in ("workspace_id", *contract.COLUMNS)]),
    Case("workspace_leads:insert",  # by name: the reader's column order and missing columns do not matter
         given={"workspace_leads": [lead("w0", lead_id="L0", attempts=5)]},
         incoming=[{"attempts": 2, "lead_id": "L2"}, {"attempts": 0, "lead_id": "L1"}], params={"workspace_id": "w1"},
         then="SELECT workspace_id, lead_id, attempts, owner FROM workspace_leads ORDER BY lead_id",
         expected=[{"workspace_id": "w0", "lead_id": "L0", "attempts": 5, "owner": None},
                   {"workspace_id": "w1", "lead_id": "L1", "attempts": 0, "owner": None},
                   {"workspace_id": "w1", "lead_id": "L2", "attempts": 2, "owner": None}]),
    Case("workspace_leads:count",
         given={"workspace_leads": [lead("w1", lead_id="L1"), lead("w1", lead_id="L2"), lead("w2", lead_id="L3")]},
         params={"workspace_id": "w1"}, expected=[{"n": 2}]),
    Case("workspace_leads:count", params={"workspace_id": "w1"}, expected=[{"n": 0}]),
    Case("workspace_leads:rows",  # one workspace's rows, as the canonical table's columns
         given={"workspace_leads": [lead("w1", lead_id="L1", attempts=3, owner="ana"), lead("w2", lead_id="L2")]},
         params={"workspace_id": "w1"}, columns=contract.COLUMNS,
         expected=[{"lead_id": "L1", "attempts": 3, "owner": "ana", "connected": None}]),
    Case("workspace_leads:delete",
         given={"workspace_leads": [lead("w1", lead_id="L1"), lead("w2", lead_id="L2"), lead("w1", lead_id="L3")]},
         params={"workspace_id": "w1"}, then="SELECT workspace_id, lead_id FROM workspace_leads",
         expected=[{"workspace_id": "w2", "lead_id": "L2"}]),
    # --- the `leads` a session or a shared cursor sees ------------------------------------------
    Case("leads:session_rows", given={"leads": [lead(lead_id="L1", attempts=1), lead(lead_id="L2", connected=True)]},
         columns=contract.COLUMNS,
         expected=[{"lead_id": "L1", "attempts": 1, "connected": False}, {"lead_id": "L2", "connected": True}]),
    Case("leads:restore", given={"leads": [lead(lead_id="L9")]},
         incoming=[{"lead_id": "L1", "attempts": 4}, {"lead_id": "L2", "attempts": 0}],
         then="SELECT lead_id, attempts FROM leads ORDER BY lead_id",
         expected=[{"lead_id": "L1", "attempts": 4}, {"lead_id": "L2", "attempts": 0}]),
    Case("leads:bind", params={"workspace_id": "w7"}, then="SELECT getvariable('shown_workspace') AS shown",
         expected=[{"shown": "w7"}]),
    Case("leads:view",
         given={"workspace_leads": [lead("w1", lead_id="L1"), lead("w2", lead_id="L3", attempts=1),
                                    lead("w2", lead_id="L2", attempts=2)]},
         before=(("leads:bind", {"workspace_id": "w2"}),), then="SELECT * FROM leads ORDER BY lead_id",
         columns=contract.COLUMNS, expected=[{"lead_id": "L2", "attempts": 2}, {"lead_id": "L3", "attempts": 1}]),
    Case("leads:view", given={"workspace_leads": [lead("w1", lead_id="L1")]},
         before=(("leads:bind", {"workspace_id": "gone"}),), then="SELECT * FROM leads", expected=[]),
    # --- scenarios ------------------------------------------------------------------------------
    Case("scenarios:insert",  # the next revision of an existing scenario
         given={"scenarios": [scenario("s1", "w1", revision=1), scenario("s1", "w1", revision=2),
                              scenario("s2", "w1", revision=5)]},
         params={"scenario_id": "s1", "workspace_id": "w1", "scenario_name": "Stretch", "saved_at": T2,
                 "settings_json": '{"q": 1}'},
         expected=[{"revision": 3}]),
    Case("scenarios:insert",  # a new scenario starts at revision 1, next to the others
         given={"scenarios": [scenario("s1", "w1", revision=4)]},
         params={"scenario_id": "s9", "workspace_id": "w1", "scenario_name": "New", "saved_at": T1,
                 "settings_json": "{}"},
         then="SELECT scenario_id, revision, workspace_id, name, saved_at FROM scenarios ORDER BY scenario_id",
         expected=[{"scenario_id": "s1", "revision": 4},
                   {"scenario_id": "s9", "revision": 1, "workspace_id": "w1", "name": "New", "saved_at": T1}]),
    Case("scenarios:get",
         given={"scenarios": [scenario("s1", "w1", revision=1, settings_json="{1}"),
                              scenario("s1", "w1", revision=2, settings_json="{2}")]},
         params=scenario("s1", "w1", revision=2),
         columns=("scenario_id", "revision", "workspace_id", "name", "saved_at", "settings_json"),
         expected=[{"revision": 2, "settings_json": "{2}"}]),
    Case("scenarios:get",  # never another workspace's scenario
         given={"scenarios": [scenario("s1", "w1", revision=1)]},
         params=scenario("s1", "w2", revision=1), expected=[]),
    Case("scenarios:latest",  # the latest revision of each, ordered by when that revision was saved
         given={"scenarios": [scenario("s1", "w1", revision=1, name="Stretch", saved_at=T0),
                              scenario("s1", "w1", revision=2, name="Stretch", saved_at=T2),
                              scenario("s2", "w1", revision=1, name="Baseline", saved_at=T1),
                              scenario("s3", "w2", revision=1)]},
         params={"workspace_id": "w1"}, columns=("scenario_id", "revision", "name", "saved_at", "settings_json"),
         expected=[{"scenario_id": "s2", "revision": 1, "name": "Baseline"},
                   {"scenario_id": "s1", "revision": 2, "name": "Stretch", "saved_at": T2}]),
    Case("scenarios:revisions",
         given={"scenarios": [scenario("s1", "w1", revision=2, saved_at=T1),
                              scenario("s1", "w1", revision=1, saved_at=T0),
                              scenario("s2", "w1", revision=1)]},
         params=scenario("s1", "w1"),
         columns=("scenario_id", "revision", "name", "saved_at", "settings_json"),
         expected=[{"revision": 1, "saved_at": T0}, {"revision": 2, "saved_at": T1}]),
    Case("scenarios:revisions", given={"scenarios": [scenario("s1", "w1")]},
         params=scenario("s1", "w2"), expected=[]),
    Case("scenarios:claim",  # the revision is there: returned, and left as it was
         given={"scenarios": [scenario("s1", "w1", revision=1, name="Baseline", settings_json="{1}"),
                              scenario("s1", "w1", revision=2, name="Baseline", settings_json="{2}")]},
         params=scenario("s1", "w1", revision=2), expected=[{"revision": 2}]),
    Case("scenarios:claim",
         given={"scenarios": [scenario("s1", "w1", revision=2, name="Baseline", settings_json="{2}")]},
         params=scenario("s1", "w1", revision=2),
         then="SELECT scenario_id, revision, workspace_id, name, settings_json FROM scenarios",
         expected=[scenario("s1", "w1", revision=2, name="Baseline", settings_json="{2}")]),
    Case("scenarios:claim",  # another workspace's scenario, or a revision not saved: nothing
         given={"scenarios": [scenario("s1", "w1", revision=1)]},
         params=scenario("s1", "w2", revision=1), expected=[]),
    Case("scenarios:delete",
         given={"scenarios": [scenario("s1", "w1"), scenario("s1", "w1", revision=2), scenario("s2", "w2")]},
         params={"workspace_id": "w1"}, then="SELECT scenario_id FROM scenarios", expected=[{"scenario_id": "s2"}]),
    # --- share_links ----------------------------------------------------------------------------
    Case("share_links:insert",  # never revoked when created
         params=link("h1", "w1", revision=2, label="board", created_at=T0, expires_at=T2),
         then="SELECT * FROM share_links", columns=LINK_COLUMNS,
         expected=[link("h1", "w1", revision=2, label="board", created_at=T0, expires_at=T2, revoked_at=None)]),
    Case("share_links:get",
         given={"share_links": [link("h1", "w1", revoked_at=T1), link("h2", "w1")]},
         params={"token_sha256": "h1"}, columns=LINK_COLUMNS,
         expected=[link("h1", "w1", revision=1, revoked_at=T1)]),
    Case("share_links:get", params={"token_sha256": "unknown"}, expected=[]),
    Case("share_links:list",  # newest first, named by the scenario revision they pin (none if it is gone)
         given={"scenarios": [scenario("s1", "w1", revision=1, name="Stretch")],
                "share_links": [link("h1", "w1", label="a", created_at=T0),
                                link("h2", "w1", revision=2, label="b", created_at=T1),
                                link("h3", "w2", created_at=T2)]},
         params={"workspace_id": "w1"},
         columns=("token_sha256", "label", "scenario", "revision", "created_at", "expires_at", "revoked_at"),
         expected=[{"token_sha256": "h2", "label": "b", "scenario": None, "revision": 2},
                   {"token_sha256": "h1", "label": "a", "scenario": "Stretch", "revision": 1}]),
    Case("share_links:revoke",
         given={"share_links": [link("h1", "w1"), link("h2", "w1")]},
         params={"token_sha256": "h1", "workspace_id": "w1", "revoked_at": T2},
         then="SELECT token_sha256, revoked_at FROM share_links ORDER BY token_sha256",
         expected=[{"token_sha256": "h1", "revoked_at": T2}, {"token_sha256": "h2", "revoked_at": None}]),
    Case("share_links:revoke",  # revoked once: the first time stays
         given={"share_links": [link("h1", "w1", revoked_at=T0)]},
         params={"token_sha256": "h1", "workspace_id": "w1", "revoked_at": T2},
         then="SELECT revoked_at FROM share_links", expected=[{"revoked_at": T0}]),
    Case("share_links:revoke",  # only from the workspace the link belongs to
         given={"share_links": [link("h1", "w2")]},
         params={"token_sha256": "h1", "workspace_id": "w1", "revoked_at": T2},
         then="SELECT revoked_at FROM share_links", expected=[{"revoked_at": None}]),
    Case("share_links:delete",
         given={"share_links": [link("h1", "w1"), link("h2", "w2")]},
         params={"workspace_id": "w1"}, then="SELECT token_sha256 FROM share_links", expected=[{"token_sha256": "h2"}]),
]


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


@pytest.fixture
def store(tmp_path):
    db = store_file.open_store(tmp_path / "store.duckdb")
    yield db.cursor()
    db.close()


@pytest.mark.parametrize("case", CASES, ids=str)
def test_store_statement(store, case: Case):
    _given(store, case.given)
    if case.incoming is not None:
        store.register("incoming", pa.Table.from_pylist(case.incoming))
    for name, params in case.before:
        store.execute(queries.sql(f"store/{name}"), params)
    store.execute(queries.sql(f"store/{case.statement}"), case.params)
    columns, rows = _rows(store.execute(case.then) if case.then else store)
    assert [{k: row[k] for k in want} for row, want in zip(rows, case.expected, strict=False)] == case.expected
    assert len(rows) == len(case.expected)
    if case.columns is not None:
        assert columns == list(case.columns)


def _store_files() -> list[str]:
    return sorted(p.stem for p in STORE_SQL.glob("*.sql") if p.stem != "schema")


def test_every_store_statement_has_a_case():
    named = {f"{file}:{name}" for file in _store_files() for name in queries._named_statements(f"store/{file}")}
    assert named == {case.statement for case in CASES}


@pytest.mark.parametrize("file", _store_files())
def test_a_store_file_reads_as_plain_sql_one_statement_a_name(file):
    whole = queries.sql(f"store/{file}")
    assert whole == (STORE_SQL / f"{file}.sql").read_text(encoding="utf-8")
    assert len(duckdb.extract_statements(whole)) == len(queries._named_statements(f"store/{file}"))


def test_the_checkpoint_folds_the_log_into_the_file(tmp_path):
    db = store_file.open_store(tmp_path / "store.duckdb")
    wal = tmp_path / "store.duckdb.wal"
    _insert(db, "workspaces", FILLED["workspaces"] | {"workspace_id": "w1"})
    assert wal.stat().st_size > 0
    db.execute(queries.sql("store/file:checkpoint"))
    assert not wal.exists() or wal.stat().st_size == 0
    db.close()


def test_named_statements_their_includes_and_one_read_per_file(monkeypatch):
    files = {"fake/grouped": "-- preamble\n\n-- name: first\n-- why\nSELECT 1;\n\n"
                             "-- name: second\n-- @include fake/part:cte\nSELECT * FROM cte;\n",
             "fake/part": "-- name: cte\nWITH cte AS (SELECT 2 AS x)\n"}
    reads = []
    monkeypatch.setattr(queries, "_file_text", lambda name: reads.append(name) or files[name])
    queries.sql.cache_clear()  # a file is read once per process: count from a fresh one
    queries._named_statements.cache_clear()
    assert queries.sql("fake/grouped:first") == "-- why\nSELECT 1;\n"
    assert queries.sql("fake/grouped:second") == "WITH cte AS (SELECT 2 AS x)\nSELECT * FROM cte;\n"
    assert duckdb.connect().execute(queries.sql("fake/grouped:second")).fetchall() == [(2,)]
    assert queries.sql("fake/grouped") == files["fake/grouped"].replace("-- @include fake/part:cte",
                                                                        "WITH cte AS (SELECT 2 AS x)")
    assert reads.count("fake/grouped") == 2 and reads.count("fake/part") == 1  # sections once, the plain text once
    with pytest.raises(KeyError, match="no '-- name: third'.*first, second"):
        queries.sql("fake/grouped:third")
