"""Refreshing a saved workspace each month: new data versions keep everything else, links follow or stay pinned,
a changed header waits for the editor's mapping, an earlier version comes back, the store grows by the change."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest

from sla_core import report
from sla_core.assumptions import Assumptions
from sla_core.db import open_session_db
from sla_core.ingest import load as ingest
from sla_core.ingest.mapping import Mapping
from sla_core.store import file as store_file
from sla_core.store import refresh, scenarios, share, versions, workspaces
from sla_core.store.settings import settings_to_json
from tests.refresh_support import monthly_exports

ROOT = Path(__file__).resolve().parent.parent
LEADS = 3000  # a year of leads; the exports of May, June and July 2024 hold about 1,100, 1,300 and 1,600


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> dict[int, Path]:
    """The CRM's export at the end of each month of 2024, by month."""
    return dict(enumerate(monthly_exports(LEADS, tmp_path_factory.mktemp("exports")), start=1))


@pytest.fixture
def db(tmp_path):
    connection = store_file.open_store(tmp_path / "store.duckdb")
    yield connection
    connection.close()


def _load(path: Path, folder: Path):
    con = open_session_db(folder, readable=(path.parent,))
    dataset = ingest.load(con, ingest.UploadSet(ingest.Upload(path.name, path)), Mapping(), ingest.ReadOptions(),
                          folder / "work")
    return con, dataset


def _files(path: Path) -> ingest.UploadSet:
    return ingest.UploadSet(ingest.Upload(path.name, path))


def _rows(path: Path) -> int:
    return duckdb.connect().execute("SELECT count(*) FROM read_csv(?)", [str(path)]).fetchone()[0]


@pytest.fixture
def saved(db, tmp_path, exports):
    """May's export saved as a workspace with a quota of 120,000 in its Baseline scenario."""
    con, dataset = _load(exports[5], tmp_path / "may")
    wid, baseline = workspaces.save_workspace(db.cursor(), con, "Monthly SLA", dataset, Mapping().to_json(),
                                              settings_to_json({"assumptions": Assumptions(quota=120_000)}))
    con.close()
    return wid, baseline


def _count(cur, wid, version=None) -> int:
    workspaces.show_workspace(cur, wid, version)
    return cur.execute("SELECT count(*) FROM leads").fetchone()[0]


def test_a_refresh_with_the_grown_export_keeps_scenarios_links_and_settings(db, tmp_path, exports, saved):
    wid, baseline = saved
    cur = db.cursor()
    stretch, _ = scenarios.save_scenario(cur, wid, "Stretch", settings_to_json({"assumptions": Assumptions(quota=1)}))
    scenarios.save_scenario(cur, wid, "Stretch", settings_to_json({"assumptions": Assumptions(quota=2)}), stretch)
    latest_link = share.create_link(cur, wid, baseline, 1, "board")
    pinned_link = share.create_link(cur, wid, stretch, 2, "cfo", data_version=1)
    before = {s.name: (s.revision, s.settings_json) for s in scenarios.scenarios(cur, wid)}
    may = workspaces.get_workspace(cur, wid)

    done = refresh.refresh(cur, wid, _files(exports[6]), tmp_path / "june", loaded_by="ana@example.com")

    v = done.version
    assert done.changed and (v.version, v.how, v.loaded_by, v.files) == (
        2, "refreshed", "ana@example.com", {"leads": "leads_2024_06.csv"})
    assert v.rows_read == v.rows_loaded == _rows(exports[6]) and v.rows_rejected == 0
    assert 0 < v.rows_replaced < v.rows_stored < v.rows_loaded  # June adds leads and moves some of May's on
    assert _count(cur, wid) == v.rows_loaded and _count(cur, wid, 1) == may.rows_saved == _rows(exports[5])
    kept_rows = cur.execute("SELECT count(*) FROM workspace_leads WHERE valid_from = 1 AND valid_to IS NULL").fetchone()
    assert kept_rows[0] == v.rows_loaded - v.rows_stored == may.rows_saved - v.rows_replaced  # stored once, shared
    june = workspaces.get_workspace(cur, wid)
    assert (june.name, june.saved_at, june.rows_saved) == ("Monthly SLA", may.saved_at, v.rows_loaded)
    assert june.dataset.as_of > may.dataset.as_of and june.dataset == v.dataset
    assert {s.name: (s.revision, s.settings_json) for s in scenarios.scenarios(cur, wid)} == before
    assert share.open_link(cur, latest_link) == share.ShareTarget(wid, baseline, 1, None, None)
    assert share.open_link(cur, pinned_link) == share.ShareTarget(wid, stretch, 2, 1, None)


def _rounded(value):
    """A report with its floats to 9 significant digits: rows stored across versions are summed in another order."""
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return float(f"{value:.9g}") if isinstance(value, float) else value


def test_the_report_and_the_health_read_the_latest_version(db, tmp_path, exports, saved):
    """What a reopened workspace reports (bench/run.py's reopen, a share link's pages) moves with each refresh."""
    wid, _ = saved
    cur = db.cursor()

    def reported() -> dict:
        workspaces.show_workspace(cur, wid)
        built = report.build(cur, workspaces.get_workspace(cur, wid).dataset, report.ReportRequest(None, Assumptions()))
        return _rounded(json.loads(report.to_json(built)))

    may = reported()
    refresh.refresh(cur, wid, _files(exports[6]), tmp_path / "june")
    june = reported()
    assert (may["month"], june["month"]) == ("2024-05", "2024-06")
    con, dataset = _load(exports[6], tmp_path / "upload")  # the same figures as the June export uploaded
    uploaded = report.build(con, dataset, report.ReportRequest(None, Assumptions()))
    assert june == _rounded(json.loads(report.to_json(uploaded)))


def test_an_identical_export_adds_no_version(db, tmp_path, exports, saved):
    wid, _ = saved
    done = refresh.refresh(db.cursor(), wid, _files(exports[5]), tmp_path / "again")
    assert (done.changed, done.version.version) == (False, 1)
    assert [v.version for v in versions.versions(db.cursor(), wid)] == [1]


def _renamed(path: Path, folder: Path, old: str, new: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    lines = path.read_text(encoding="utf-8").split("\n", 1)
    target.write_text(lines[0].replace(f'"{old}"', f'"{new}"') + "\n" + lines[1], encoding="utf-8")
    return target


def test_a_changed_header_is_refused_until_mapped(db, tmp_path, exports, saved):
    wid, _ = saved
    cur = db.cursor()
    june = _renamed(exports[6], tmp_path / "renamed", "Create Date", "Created on")
    check = refresh.probe(cur, wid, _files(june), tmp_path / "probe").check
    assert (check.added, check.removed, check.broken) == (("Created on",), ("Create Date",),
                                                          {"created_at": "Create Date"})
    assert check.changed and not check.fits and check.proposal()["created_at"] == ""  # not a name it knows

    lost = "reads Created \\(column 'Create Date'\\), no longer in the file"
    with pytest.raises(refresh.MappingMismatch, match=lost):
        refresh.refresh(cur, wid, _files(june), tmp_path / "r1")
    with pytest.raises(refresh.MappingMismatch, match="no column for Created"):
        refresh.refresh(cur, wid, _files(june), tmp_path / "r2", columns=check.proposal())
    assert [v.version for v in versions.versions(cur, wid)] == [1]  # nothing stored
    assert cur.execute("SELECT count(*) FROM workspace_leads WHERE valid_from > 1 OR valid_to IS NOT NULL"
                       ).fetchone()[0] == 0

    fixed = check.proposal() | {"created_at": "Created on"}
    done = refresh.refresh(cur, wid, _files(june), tmp_path / "r3", columns=fixed)
    assert done.version.version == 2 and json.loads(done.version.mapping_json)["columns"]["created_at"] == "Created on"
    assert _count(cur, wid) == _rows(exports[6])
    july = _renamed(exports[7], tmp_path / "renamed_july", "Create Date", "Created on")
    assert refresh.refresh(cur, wid, _files(july), tmp_path / "r4").version.version == 3  # the mapping was kept


def test_a_header_renamed_to_a_known_name_is_proposed(db, tmp_path, exports, saved):
    wid, _ = saved
    june = _renamed(exports[6], tmp_path / "renamed", "Create Date", "Created Date")  # Salesforce's spelling
    check = refresh.probe(db.cursor(), wid, _files(june), tmp_path / "probe").check
    assert check.changed and not check.fits and check.proposal()["created_at"] == "Created Date"
    assert refresh.refresh(db.cursor(), wid, _files(june), tmp_path / "r", columns=check.proposal()).changed


def _table(cur, wid, version) -> list[tuple]:
    workspaces.show_workspace(cur, wid, version)
    return cur.execute("SELECT * FROM leads ORDER BY lead_id").fetchall()


def test_an_earlier_version_is_restored_as_the_latest(db, tmp_path, exports, saved):
    wid, _ = saved
    cur = db.cursor()
    may = _table(cur, wid, 1)
    for month in (6, 7):
        refresh.refresh(cur, wid, _files(exports[month]), tmp_path / f"m{month}")
    july = _table(cur, wid, 3)
    restored = versions.restore(cur, wid, 1, loaded_by="ana@example.com")
    assert (restored.version, restored.how, restored.restored_from, restored.loaded_by) == (
        4, "restored", 1, "ana@example.com")
    assert _table(cur, wid, None) == _table(cur, wid, 4) == may and _table(cur, wid, 3) == july
    assert workspaces.get_workspace(cur, wid).dataset == versions.get_version(cur, wid, 1).dataset
    assert restored.rows_replaced == len(july) - (len(may) - restored.rows_stored)  # July's rows May lacks end
    assert [v.version for v in versions.versions(cur, wid)] == [4, 3, 2, 1]
    with pytest.raises(store_file.StoreError, match="already the latest"):
        versions.restore(cur, wid, 4)
    with pytest.raises(store_file.StoreError, match="version 9 is no longer kept"):
        versions.restore(cur, wid, 9)


def test_a_view_reads_one_version_while_a_refresh_commits(db, tmp_path, exports, saved):
    wid, _ = saved
    viewer = db.cursor()
    assert workspaces.show_workspace(viewer, wid) == 1
    before = viewer.execute("SELECT count(*), max(created_at) FROM leads").fetchone()
    refresh.refresh(db.cursor(), wid, _files(exports[6]), tmp_path / "june")
    assert viewer.execute("SELECT count(*), max(created_at) FROM leads").fetchone() == before  # pinned to 1
    assert workspaces.show_workspace(viewer, wid) == 2
    assert viewer.execute("SELECT count(*) FROM leads").fetchone()[0] == _rows(exports[6])


def test_two_refreshes_at_once_one_wins_the_other_is_told_to_try_again(db, tmp_path, exports, saved):
    wid, _ = saved
    sessions = [_load(exports[m], tmp_path / f"s{m}") for m in (6, 7)]
    start = threading.Barrier(2)
    outcome: dict[int, object] = {}

    def run(i: int) -> None:
        con, dataset = sessions[i]
        cur = db.cursor()
        start.wait()
        try:
            outcome[i] = versions.refresh(cur, con, wid, dataset, Mapping().to_json(), expected=1)
        except store_file.StoreError as exc:
            outcome[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    won = [o for o in outcome.values() if isinstance(o, versions.Refreshed)]
    refused = [o for o in outcome.values() if isinstance(o, store_file.StoreError)]
    assert len(won) == len(refused) == 1 and "try again" in str(refused[0])
    cur = db.cursor()
    assert [v.version for v in versions.versions(cur, wid)] == [2, 1]
    assert _count(cur, wid) == won[0].version.rows_loaded
    assert cur.execute("SELECT count(*) FROM workspace_leads WHERE valid_from > 2 OR valid_to > 2").fetchone()[0] == 0


def test_retention_keeps_the_last_versions_and_those_a_link_is_pinned_to(db, tmp_path, exports, saved):
    wid, baseline = saved
    cur = db.cursor()
    pinned = share.create_link(cur, wid, baseline, 1, "pinned to May", data_version=1)
    versions.set_keep(cur, wid, 2)
    for month in (6, 7, 8):
        refresh.refresh(cur, wid, _files(exports[month]), tmp_path / f"m{month}")
    assert [v.version for v in versions.versions(cur, wid)] == [4, 3, 1]  # 2 dropped, 1 kept for the link
    assert _table(cur, wid, 1) and _count(cur, wid, 1) == _rows(exports[5])
    orphans = ("SELECT count(*) FROM workspace_leads w WHERE NOT EXISTS (SELECT 1 FROM data_versions v "
               "WHERE v.workspace_id = w.workspace_id AND row_valid_at(w.valid_from, w.valid_to, v.version))")
    assert cur.execute(orphans).fetchone()[0] == 0  # no row is kept that no version holds
    share.revoke_link(cur, wid, share.token_hash(pinned))
    versions.set_keep(cur, wid, 1)
    assert [v.version for v in versions.versions(cur, wid)] == [4]
    assert cur.execute("SELECT count(*) FROM workspace_leads").fetchone()[0] == _rows(exports[8])
    with pytest.raises(store_file.StoreError, match="between 1 and"):
        versions.set_keep(cur, wid, 0)


def test_twelve_monthly_refreshes_store_each_lead_row_once(db, tmp_path, exports):
    """The store grows by what changed: new leads and the leads that moved on, never a copy of the rest."""
    con, dataset = _load(exports[1], tmp_path / "jan")
    wid, _ = workspaces.save_workspace(db.cursor(), con, "year", dataset, Mapping().to_json(), "{}")
    cur = db.cursor()
    stored, loaded = [dataset.rows_loaded], dataset.rows_loaded
    for month in range(2, 13):
        v = refresh.refresh(cur, wid, _files(exports[month]), tmp_path / f"m{month}").version
        assert v.rows_loaded - v.rows_stored == loaded - v.rows_replaced  # the rest is last month's rows, shared
        stored.append(v.rows_stored)
        loaded = v.rows_loaded
    rows = cur.execute("SELECT count(*) FROM workspace_leads").fetchone()[0]
    december = _rows(exports[12])
    full_copies = sum(_rows(exports[m]) for m in range(1, 13))
    assert rows == sum(stored) and december <= rows < 1.1 * december < full_copies / 5
    assert [_count(cur, wid, m) for m in (1, 6, 12)] == [_rows(exports[m]) for m in (1, 6, 12)]


# --- python -m sla_core refresh ------------------------------------------------------------------------------

def _command(store: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"SLA_STORE_PATH": str(store), "PATH": "/usr/bin:/bin", "HOME": str(store.parent)}
    return subprocess.run([sys.executable, "-m", "sla_core", "refresh", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=300)


@pytest.fixture
def store_with_may(tmp_path, exports):
    path = tmp_path / "cli" / "store.duckdb"
    db = store_file.open_store(path)
    con, dataset = _load(exports[5], tmp_path / "may")
    workspaces.save_workspace(db.cursor(), con, "Monthly SLA", dataset, Mapping().to_json(), "{}")
    db.close()
    return path


def _latest(path: Path) -> int:
    db = store_file.open_store(path)
    try:
        (wid,) = workspaces.list_workspaces(db.cursor())["workspace_id"]
        return versions.latest_number(db.cursor(), wid)
    finally:
        db.close()


def test_the_command_refreshes_and_says_so_in_one_line(store_with_may, exports):
    done = _command(store_with_may, "--workspace", "Monthly SLA", "--leads", str(exports[6]))
    assert done.returncode == 0, done.stderr
    june = _rows(exports[6])
    assert done.stdout.startswith(f"refreshed 'Monthly SLA' to data version 2: {june:,} rows read, 0 rejected, "
                                  f"{june:,} leads (") and done.stdout.count("\n") == 1
    again = _command(store_with_may, "--workspace", "Monthly SLA", "--leads", str(exports[6]))
    assert again.returncode == 0 and again.stdout.startswith("'Monthly SLA' unchanged: data version 2 already holds")
    assert _latest(store_with_may) == 2


def test_the_command_refuses_bad_input_with_exit_2_and_leaves_the_workspace(store_with_may, exports, tmp_path):
    renamed = _renamed(exports[6], tmp_path / "renamed", "Create Date", "Created on")
    not_csv = tmp_path / "export.csv"
    not_csv.write_bytes(b"%PDF-1.7 not an export")
    cases = {
        "mapping": (["--workspace", "Monthly SLA", "--leads", str(renamed)], "mapping no longer fits"),
        "pdf": (["--workspace", "Monthly SLA", "--leads", str(not_csv)], "this is a PDF, not a CSV"),
        "missing": (["--workspace", "Monthly SLA", "--leads", str(tmp_path / "nope.csv")], "file not found"),
        "unknown": (["--workspace", "Other", "--leads", str(exports[6])], "no saved workspace is called 'Other'"),
    }
    for what, (args, reason) in cases.items():
        done = _command(store_with_may, *args)
        assert (done.returncode, done.stdout) == (2, ""), what
        assert done.stderr.startswith("error: ") and reason in done.stderr and done.stderr.count("\n") == 1, what
    assert _latest(store_with_may) == 1
    missing_store = _command(tmp_path / "none" / "store.duckdb", "--workspace", "x", "--leads", str(exports[6]))
    assert missing_store.returncode == 2 and "there is no store at" in missing_store.stderr
    assert not (tmp_path / "none" / "store.duckdb").exists()


def test_the_command_exits_75_while_another_process_holds_the_store(store_with_may, exports):
    held = store_file.open_store(store_with_may)  # as the running app does
    try:
        done = _command(store_with_may, "--workspace", "Monthly SLA", "--leads", str(exports[6]))
    finally:
        held.close()
    assert done.returncode == 75 and "is open in another process" in done.stderr and done.stderr.count("\n") == 1
    assert _latest(store_with_may) == 1
