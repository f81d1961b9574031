"""The workspace store: saves are whole, reopen in place, keep settings as JSON and every scenario revision."""
from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from datetime import date, datetime, time, timezone
from pathlib import Path

import duckdb
import pytest

from sla_core import contract, queries

from sla_core.store import file as store_file, scenarios, share, versions, workspaces
from sla_core.store.settings import settings_from_json, settings_to_json
from sla_core.assumptions import Assumptions
from sla_core.sales.clock import BusinessHours
from sla_core.ingest.mapping import Mapping
from sla_core.marketing.targets import TierAssumption
from sla_core.marketing.tiers import TierRule
from tests.store_support import session_with_leads


@pytest.fixture
def db(tmp_path):
    connection = store_file.open_store(tmp_path / "store.duckdb")
    yield connection
    connection.close()


def _save(db, tmp_path, n=1000, name="Q1 plan", settings=None):
    con, dataset = session_with_leads(tmp_path / f"s{n}{name}", n)
    ids = workspaces.save_workspace(db.cursor(), con, name, dataset, Mapping().to_json(),
                                    settings_to_json(settings or {"assumptions": Assumptions()}))
    return con, dataset, ids


def test_saved_rows_read_back_in_place_with_same_metrics(db, tmp_path):
    con, dataset, (wid, _) = _save(db, tmp_path, n=5000)
    cur = db.cursor()
    workspaces.show_workspace(cur, wid)
    question = "SELECT count(*), sum(attempts), count(*) FILTER (connected), min(created_at) FROM leads"
    assert cur.execute(question).fetchall() == con.execute(question).fetchall()
    saved = workspaces.get_workspace(cur, wid)
    assert (saved.name, saved.rows_saved, saved.dataset) == ("Q1 plan", 5000, dataset)


def test_store_columns_mirror_the_canonical_leads_table(db, con):
    con.execute(contract.session_table_ddl())
    canonical = [(r[0], r[1]) for r in con.execute("DESCRIBE leads").fetchall()]
    stored = [(r[0], r[1]) for r in db.execute("DESCRIBE workspace_leads").fetchall()]
    assert stored[0][0] == "workspace_id" and stored[1:-3] == canonical
    assert stored[-3:] == [("valid_from", "INTEGER"), ("valid_to", "INTEGER"), ("row_hash", "UBIGINT")]


LACKED = ("job_title", "touched_before_handoff")  # fields an older app's store did not have
VERSION_COLUMNS = ["valid_from", "valid_to", "row_hash"]


def _older_store(path: Path, tmp_path: Path) -> str:
    """A store as an app from before data versions left it, its lead table also without LACKED: one saved
    workspace with a share link. Returns the link's token."""
    db = store_file.open_store(path)
    _, _, (wid, sid) = _save(db, tmp_path, n=500, name="old")
    token = share.create_link(db.cursor(), wid, sid, 1, "board")
    db.execute("ALTER TABLE workspace_leads RENAME TO saved")
    older = {name: sql_type for name, sql_type in contract.store_columns().items() if name not in LACKED}
    db.execute("CREATE TABLE workspace_leads (workspace_id VARCHAR NOT NULL, "
               + ", ".join(f"{name} {sql_type}" for name, sql_type in older.items()) + ")")
    db.execute(f"INSERT INTO workspace_leads SELECT * EXCLUDE ({', '.join(LACKED + tuple(VERSION_COLUMNS))}) "
               "FROM saved")
    for statement in ("DROP TABLE saved", "DROP TABLE data_versions", "DROP MACRO row_valid_at",
                      "ALTER TABLE workspaces DROP COLUMN keep_versions", "ALTER TABLE share_links DROP COLUMN month",
                      "ALTER TABLE share_links DROP COLUMN data_version", "CHECKPOINT"):
        db.execute(statement)
    db.close()
    return token


def test_a_store_from_an_older_app_gains_the_columns_it_lacks_and_keeps_every_row(tmp_path, caplog):
    path = tmp_path / "store.duckdb"
    _older_store(path, tmp_path)
    older = duckdb.connect(str(path))
    kept = older.execute("SELECT * FROM workspace_leads ORDER BY lead_id").fetchall()
    before = {t: older.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in ("workspaces", "scenarios")}
    assert not {r[0] for r in older.execute("DESCRIBE workspace_leads").fetchall()} & {*LACKED, *VERSION_COLUMNS}
    older.close()

    caplog.set_level(logging.INFO, logger=store_file.__name__)
    db = store_file.open_store(path)
    assert "adding the lead columns job_title, touched_before_handoff" in caplog.text
    columns = [r[0] for r in db.execute("DESCRIBE workspace_leads").fetchall()]
    assert set(columns) == {"workspace_id", *contract.COLUMNS, *VERSION_COLUMNS}
    assert columns[-5:] == [*LACKED, *VERSION_COLUMNS]  # added after the columns the store had
    old_columns = ", ".join(c for c in columns if c not in LACKED and c not in VERSION_COLUMNS)
    assert db.execute(f"SELECT {old_columns} FROM workspace_leads ORDER BY lead_id").fetchall() == kept
    assert db.execute("SELECT count(*) FROM workspace_leads WHERE job_title IS NULL AND touched_before_handoff IS NULL"
                      ).fetchone()[0] == len(kept) == 500
    assert {t: db.execute(f"SELECT * EXCLUDE (keep_versions) FROM {t} ORDER BY ALL" if t == "workspaces" else
                          f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in ("workspaces", "scenarios")} == before
    assert not path.with_name("store.duckdb.wal").exists() or path.with_name("store.duckdb.wal").stat().st_size == 0

    # the migrated store works as any other: the old workspace opens, a new one saves every field
    (old,) = workspaces.list_workspaces(db.cursor())["workspace_id"]
    cur = db.cursor()
    workspaces.show_workspace(cur, old)
    question = "SELECT count(*), count(job_title), sum(attempts) FROM leads"
    assert cur.execute(question).fetchone() == (500, 0, 1494)  # attempts are (row number % 7)
    con, _, (new, _) = _save(db, tmp_path, n=300, name="new")
    workspaces.show_workspace(cur, new)
    question = "SELECT count(*), count(touched_before_handoff), sum(attempts) FROM leads"
    assert cur.execute(question).fetchall() == con.execute(question).fetchall() == [(300, 300, 897)]
    db.close()
    caplog.clear()
    again = store_file.open_store(path)
    assert [r[0] for r in again.execute("DESCRIBE workspace_leads").fetchall()] == columns and not caplog.text
    again.close()


def test_a_store_from_before_data_versions_opens_as_version_1_and_refreshes(tmp_path):
    path = tmp_path / "store.duckdb"
    token = _older_store(path, tmp_path)
    db = store_file.open_store(path)
    cur = db.cursor()
    (wid,) = workspaces.list_workspaces(cur)["workspace_id"]
    (first,) = versions.versions(cur, wid)
    assert (first.version, first.how, first.rows_loaded, first.rows_stored, first.files) == (
        1, "saved", 500, 500, {"leads": "synthetic.csv"})
    assert first.loaded_at == workspaces.get_workspace(cur, wid).saved_at
    assert cur.execute("SELECT count(*) FROM workspace_leads WHERE valid_from = 1 AND valid_to IS NULL "
                       "AND row_hash IS NOT NULL").fetchone()[0] == 500
    target = share.open_link(cur, token)  # the link made before versions follows the latest data
    assert (target.workspace_id, target.data_version, target.month) == (wid, None, None)

    # the migrated rows carry the hash a refresh computes: the same leads, with the two new fields filled as the
    # old app could not, store only those 500 changed rows; the same leads again store nothing
    con, dataset = session_with_leads(tmp_path / "again", 500)
    done = versions.refresh(cur, con, wid, dataset, Mapping().to_json())
    assert (done.changed, done.version.version, done.version.rows_stored, done.version.rows_replaced) == (
        True, 2, 500, 500)
    assert versions.refresh(cur, con, wid, dataset, Mapping().to_json()).changed is False
    workspaces.show_workspace(cur, wid)
    assert cur.execute("SELECT count(*), count(touched_before_handoff) FROM leads").fetchone() == (500, 500)
    workspaces.show_workspace(cur, wid, 1)
    assert cur.execute("SELECT count(*), count(touched_before_handoff) FROM leads").fetchone() == (500, 0)
    db.close()


def test_migrated_rows_hash_as_a_refresh_does(tmp_path):
    """A store from before versions, with every lead field: its rows become version 1 and the same export
    refreshed on top finds every row unchanged."""
    path = tmp_path / "store.duckdb"
    db = store_file.open_store(path)
    con, dataset, (wid, _) = _save(db, tmp_path, n=800, name="full")
    db.execute("UPDATE workspace_leads SET valid_from = NULL, valid_to = NULL, row_hash = NULL")
    db.execute("DELETE FROM data_versions")
    db.close()
    db = store_file.open_store(path)
    cur = db.cursor()
    assert [v.version for v in versions.versions(cur, wid)] == [1]
    done = versions.refresh(cur, con, wid, dataset, Mapping().to_json())
    assert (done.changed, done.version.version) == (False, 1)
    db.close()


def test_two_workspaces_see_only_their_own_rows(db, tmp_path):
    _, _, (first, _) = _save(db, tmp_path, n=300, name="A")
    _, _, (second, _) = _save(db, tmp_path, n=700, name="B")
    a, b = db.cursor(), db.cursor()
    workspaces.show_workspace(a, first)
    workspaces.show_workspace(b, second)
    assert a.execute("SELECT count(*) FROM leads").fetchone()[0] == 300
    assert b.execute("SELECT count(*) FROM leads").fetchone()[0] == 700
    assert list(workspaces.list_workspaces(db.cursor())["name"]) == ["B", "A"]


def test_restore_copies_rows_into_an_editing_session(db, tmp_path):
    con, _, (wid, _) = _save(db, tmp_path, n=2000)
    fresh, _ = session_with_leads(tmp_path / "fresh", 10)
    workspaces.restore_leads(db.cursor(), fresh, wid)
    question = "SELECT count(*), sum(attempts), max(lead_id) FROM leads"
    assert fresh.execute(question).fetchall() == con.execute(question).fetchall()


def test_failed_save_leaves_nothing_behind(db, tmp_path):
    con, dataset = session_with_leads(tmp_path / "s", 100)
    con.execute("ALTER TABLE leads ADD COLUMN surprise INTEGER")  # not in the store's schema → the insert fails
    with pytest.raises(store_file.StoreError, match="nothing was stored"):
        workspaces.save_workspace(db.cursor(), con, "broken", dataset, "{}", "{}")
    assert db.execute("SELECT count(*) FROM workspace_leads").fetchone()[0] == 0
    assert workspaces.list_workspaces(db.cursor()).empty


def test_blank_name_is_refused(db, tmp_path):
    con, dataset = session_with_leads(tmp_path / "s", 10)
    with pytest.raises(store_file.StoreError, match="name"):
        workspaces.save_workspace(db.cursor(), con, "   ", dataset, "{}", "{}")


def test_delete_removes_rows_scenarios_and_links(db, tmp_path):
    _, _, (keep, _) = _save(db, tmp_path, n=50, name="keep")
    _, _, (gone, _) = _save(db, tmp_path, n=80, name="gone")
    workspaces.delete_workspace(db.cursor(), gone)
    assert workspaces.get_workspace(db.cursor(), gone) is None
    assert db.execute("SELECT count(*) FROM workspace_leads").fetchone()[0] == 50
    assert scenarios.scenarios(db.cursor(), gone) == [] and len(scenarios.scenarios(db.cursor(), keep)) == 1


def test_scenario_revisions_are_all_kept_with_their_time(db, tmp_path):
    _, _, (wid, baseline) = _save(db, tmp_path)
    cur = db.cursor()
    sid, rev = scenarios.save_scenario(cur, wid, "Stretch", settings_to_json({"assumptions": Assumptions(quota=1)}))
    assert rev == 1
    _, rev2 = scenarios.save_scenario(cur, wid, "Stretch", settings_to_json({"assumptions": Assumptions(quota=2)}), sid)
    assert rev2 == 2
    history = scenarios.revisions(cur, wid, sid)
    assert [json.loads(h.settings_json)["assumptions"]["quota"] for h in history] == [1, 2]
    assert history[0].saved_at <= history[1].saved_at
    latest = {s.name: s.revision for s in scenarios.scenarios(cur, wid)}
    assert latest == {"Baseline": 1, "Stretch": 2}
    with pytest.raises(store_file.StoreError, match="does not belong"):
        scenarios.save_scenario(cur, wid, "x", "{}", scenario_id="0" * 32)


def test_settings_round_trip_as_json_and_tolerate_unknown_or_missing_fields():
    hints = {"assumptions": Assumptions, "business_hours": BusinessHours | None, "sales_clock": str,
             "tier_rules": tuple[TierRule, ...], "tiers": tuple[TierAssumption, ...] | None}
    settings = {
        "assumptions": Assumptions(quota=5000, close_rate=0.5),
        "business_hours": BusinessHours(tz="Europe/Berlin", open=time(8), holidays=(date(2024, 12, 25),)),
        "sales_clock": "business",
        "tier_rules": (TierRule("executive", ("CEO", "VP")),),
        "tiers": None,
        "connection": object(),  # not a setting: left out
    }
    text = settings_to_json(settings)
    assert "connection" not in json.loads(text)
    back = settings_from_json(text, hints)
    assert back == {k: v for k, v in settings.items() if k != "connection"}
    # a field saved by another version, or one not known yet, is skipped
    assert settings_from_json(json.dumps({"future": {"x": 1}, "assumptions": {"quota": "bad"}}), hints) == {}
    assert settings_from_json(text, {"assumptions": Assumptions}) == {"assumptions": settings["assumptions"]}


def test_dataset_round_trip_keeps_as_of_and_issues(tmp_path):
    _, dataset = session_with_leads(tmp_path / "s", 1)
    from sla_core.ingest.load import Issue
    dataset.as_of = datetime(2025, 1, 14, 23, 38, tzinfo=timezone.utc)
    dataset.quality.issues.append(Issue("f.csv", 3, "Amount", "not a number", "=1+1"))
    assert workspaces.dataset_from_json(workspaces.dataset_to_json(dataset)) == dataset


def test_store_file_reopens_with_everything(tmp_path):
    path = tmp_path / "store.duckdb"
    db = store_file.open_store(path)
    _, _, (wid, _) = _save(db, tmp_path, n=123)
    db.close()
    again = store_file.open_store(path)
    assert workspaces.get_workspace(again.cursor(), wid).rows_saved == 123
    again.close()


def test_a_reopened_workspace_reports_like_the_upload_without_loading_pandas(tmp_path):
    # what a share link does (bench/run.py's reopen step, in a fresh process): pandas costs more
    # to import than the whole report takes, so that path must never load it
    from sla_core import report
    from sla_core.ingest import load as ingest
    from sla_core.db import open_session_db

    sample = Path(__file__).resolve().parent.parent / "data" / "sample_leads.csv"
    con = open_session_db(tmp_path / "session", readable=(sample.parent,))
    dataset = ingest.load(con, ingest.UploadSet(ingest.Upload(sample.name, sample)), Mapping(), ingest.ReadOptions(),
                          tmp_path / "work")
    request = report.ReportRequest(report.parse_month("2024-06"), Assumptions())
    uploaded = json.loads(report.to_json(report.build(con, dataset, request)))
    db = store_file.open_store(tmp_path / "store.duckdb")
    wid, _ = workspaces.save_workspace(db.cursor(), con, "sample", dataset, Mapping().to_json(), "{}")
    db.close()
    code = ("import json, sys; from pathlib import Path; from bench.run import step_reopen; "
            "print(json.dumps({'report': step_reopen(Path(sys.argv[1]), sys.argv[2], '2024-06'), "
            "'pandas': 'pandas' in sys.modules}, default=str))")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "store.duckdb"), wid], capture_output=True,
                          text=True, cwd=Path(__file__).resolve().parent.parent, check=True)
    reopened = json.loads(done.stdout)
    assert reopened["pandas"] is False
    assert reopened["report"] == uploaded


def test_store_cursors_read_instants_in_utc_whatever_the_hosts_zone(tmp_path):
    # like every session connection, so the same SQL gives the same result on a shared workspace
    code = ("import sys; from sla_core.store.file import open_store; cur = open_store(sys.argv[1]).cursor(); "
            "print(cur.execute(\"SELECT current_setting('TimeZone'), "
            "CAST(TIMESTAMPTZ '2024-03-01 02:00+00' AS DATE)\").fetchone())")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "store.duckdb")], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent.parent, env={**os.environ, "TZ": "America/New_York"},
                          check=True)
    assert done.stdout.strip() == "('UTC', datetime.date(2024, 3, 1))"


def test_no_sql_text_is_built_in_the_store_modules():
    source = "".join(path.read_text(encoding="utf-8") for path in sorted(Path("sla_core/store").glob("*.py")))
    # queries.sql(f"store/{table}:delete") names a statement, it builds none
    assert not re.search(r'execute\(f"|(?<!queries)\.sql\(f"', source)
    # the one statement composed in Python: a lead column the contract states, its name quoted
    composed = re.findall(r'f"(?:SELECT|INSERT|UPDATE|DELETE|ALTER|CREATE|DROP|SET|COPY|ATTACH)\b[^"]*"', source)
    assert composed == ['f"ALTER TABLE workspace_leads ADD COLUMN IF NOT EXISTS {quote_ident(name)} {sql_type}"']


def test_twenty_sessions_saving_at_once_each_get_their_workspace(db, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    sessions = [session_with_leads(tmp_path / f"c{i}", 1000 + i) for i in range(20)]

    def save(i):
        con, dataset = sessions[i]
        return workspaces.save_workspace(db.cursor(), con, f"w{i}", dataset, "{}", "{}")[0]

    with ThreadPoolExecutor(max_workers=20) as pool:
        ids = list(pool.map(save, range(20)))
    saved = workspaces.list_workspaces(db.cursor()).set_index("workspace_id")
    assert len(saved) == 20
    assert [saved.loc[wid, "rows_saved"] for wid in ids] == [1000 + i for i in range(20)]


def test_same_scenario_revised_at_once_keeps_one_and_asks_the_other_to_reload(db, tmp_path):
    _, _, (wid, sid) = _save(db, tmp_path)
    first, second = db.cursor(), db.cursor()
    first.execute("BEGIN TRANSACTION")
    first.execute(queries.sql("store/scenarios:insert"), {
        "scenario_id": sid, "workspace_id": wid, "scenario_name": "Baseline", "saved_at": datetime.now(timezone.utc),
        "settings_json": "{}"})
    assert scenarios.save_scenario(second, wid, "Baseline", "{}", sid) == (sid, 2)  # the first to commit wins
    with pytest.raises(duckdb.Error):  # the other one's revision 2 conflicts; save_scenario turns this into "reload"
        first.execute("COMMIT")
    store_file._rollback(first)
    assert [r.revision for r in scenarios.revisions(db.cursor(), wid, sid)] == [1, 2]
    assert scenarios.save_scenario(first, wid, "Baseline", "{}", sid) == (sid, 3)  # after reloading, it saves


@pytest.mark.parametrize("where", ["below a file", "under /proc"])
def test_a_store_path_whose_folder_cannot_be_made_is_refused_in_words(tmp_path, where):
    if where == "below a file":
        (tmp_path / "plain").write_text("not a folder")
        path = tmp_path / "plain" / "sla" / "store.duckdb"
    else:
        path = Path("/proc/sla-dashboard-test/store.duckdb")
    with pytest.raises(store_file.StoreError, match=r"^the folder of the store file .+ cannot be created \(.+\); "
                                                    r"set SLA_STORE_PATH to a path on a writable disk$"):
        store_file.open_store(path)
    assert not path.parent.exists()
