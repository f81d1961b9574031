"""The store's SQL files as files: plain SQL with one statement a name, includes, read once; the checkpoint."""
from __future__ import annotations

import duckdb
import pytest
from store_sql_support import FILLED, STORE_SQL, _insert, _store_files

from sla_core import queries
from sla_core.store import file as store_file


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
