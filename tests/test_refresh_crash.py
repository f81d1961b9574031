"""A refresh killed at a random moment inside its write (SIGKILL) leaves the workspace on its previous version.

The child marks the moment its write began (after BEGIN), the moment before its COMMIT and the moment
its COMMIT returned. A kill before the COMMIT must leave the store exactly at the previous version: its
rows, its version row, and no row stored or ended by the killed refresh. A kill during the COMMIT leaves
one version or the other, whole; after it, the new version.
"""
from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from sla_core import contract
from sla_core.ingest.mapping import Mapping
from sla_core.store import file as store_file
from sla_core.store import versions, workspaces
from tests.store_support import session_with_leads

ROOT = Path(__file__).resolve().parent.parent
KILLS = 10
BASE = 200_000  # leads in version 1; each version adds NEW of them and changes a tenth of the rest
NEW = 5_000
# The leads of data version $k: a tenth of them (by id) get other attempts than in every other version.
VERSION_LEADS = """
INSERT INTO leads
SELECT 'L' || i, TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_minutes(i), NULL, 'Web', 'marketing', NULL, NULL,
       ((i + CASE WHEN i % 10 = $k % 10 THEN $k ELSE 0 END) % 7)::INTEGER, i % 5 = 0, NULL, NULL, 'rep' || (i % 4),
       NULL, NULL, NULL, false
FROM range($base + $new * ($k - 1)) AS r(i)
"""
FIGURES = "SELECT count(*), sum(attempts) FROM leads"

REFRESHER = """
import contextlib, sys
sys.path.insert(0, {root!r})
from pathlib import Path
from sla_core.store import file as store_file, versions
from sla_core.ingest.mapping import Mapping
from tests.test_refresh_crash import version_session
db = store_file.open_store(Path({path!r}))
cur = db.cursor()
k = versions.latest_number(cur, {wid!r}) + 1
con, dataset = version_session(Path({folder!r}), k)
write, checkpoint = versions._write, store_file.checkpoint

@contextlib.contextmanager
def marked(*args, **kwargs):
    with write(*args, **kwargs):
        print("began", k, flush=True)  # the refresh's transaction is open
        yield
        print("committing", k, flush=True)  # every row is written; COMMIT comes next

def committed(c):
    print("committed", k, flush=True)  # COMMIT returned: the version is durable
    checkpoint(c)

versions._write, store_file.checkpoint = marked, committed
print("ready", flush=True)
versions.refresh(cur, con, {wid!r}, dataset, Mapping().to_json())
print("refreshed", k, flush=True)
"""


def version_session(folder: Path, k: int):
    """A session connection whose ``leads`` are data version ``k``'s, with a matching Dataset."""
    con, dataset = session_with_leads(folder, 0)
    con.execute("DELETE FROM leads")
    con.execute(VERSION_LEADS, {"k": k, "base": BASE, "new": NEW})
    dataset.rows_loaded = dataset.quality.rows_read = con.execute("SELECT count(*) FROM leads").fetchall()[0][0]
    return con, dataset


def expected(k: int) -> tuple[int, int]:
    """Version ``k``'s figures, computed apart from the store."""
    con = duckdb.connect()
    try:
        con.execute(contract.session_table_ddl())
        con.execute(VERSION_LEADS, {"k": k, "base": BASE, "new": NEW})
        return con.execute(FIGURES).fetchone()
    finally:
        con.close()


def _state(path: Path, wid: str) -> tuple[int, tuple[int, int], int, int]:
    """(latest version, its rows' figures, rows stored or ended after it, the workspace row's rows_saved)."""
    db = store_file.open_store(path)
    try:
        cur = db.cursor()
        latest = versions.latest_number(cur, wid)
        workspaces.show_workspace(cur, wid)
        figures = cur.execute(FIGURES).fetchone()
        beyond = cur.execute("SELECT count(*) FROM workspace_leads WHERE valid_from > ? OR valid_to > ?",
                             [latest, latest]).fetchone()[0]
        return latest, figures, beyond, workspaces.get_workspace(cur, wid).rows_saved
    finally:
        db.close()


def _run(path: Path, wid: str, folder: Path, wait: float | None) -> tuple[list[str], float]:
    """Run one refresh in a child; kill it ``wait`` seconds after its write began (None: let it finish).
    Returns its output and how long its write took (began to committed; 0 when killed first)."""
    script = REFRESHER.format(root=str(ROOT), path=str(path), wid=wid, folder=str(folder))
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert child.stdout.readline().strip() == "ready"
    began = child.stdout.readline()
    started = time.monotonic()
    assert began.startswith("began"), began
    if wait is not None:
        time.sleep(wait)
        child.send_signal(signal.SIGKILL)
    lines, took = [began.strip()], 0.0
    for line in child.stdout:
        lines.append(line.strip())
        took = took or (time.monotonic() - started if line.startswith("committed") else 0.0)
    assert child.wait(timeout=300) == (0 if wait is None else -signal.SIGKILL) or "refreshed" in lines[-1]
    return lines, took


def test_a_refresh_killed_inside_its_write_leaves_the_previous_version(tmp_path):
    path = tmp_path / "store.duckdb"
    db = store_file.open_store(path)
    con, dataset = version_session(tmp_path / "v1", 1)
    wid, _ = workspaces.save_workspace(db.cursor(), con, "monthly", dataset, Mapping().to_json(), "{}")
    db.close()

    lines, took = _run(path, wid, tmp_path / "calibrate", None)  # one whole refresh: how long its write takes
    assert lines[-2:] == ["committed 2", "refreshed 2"] and _state(path, wid) == (2, expected(2), 0, expected(2)[0])
    assert expected(2) != expected(1)  # the yardstick tells versions apart
    db = store_file.open_store(path)
    second = versions.get_version(db.cursor(), wid, 2)
    db.close()
    # stored: the new leads and the tenths versions 1 and 2 change (by the last digit of the id); the rest is shared
    assert (second.rows_stored, second.rows_replaced) == (NEW + 2 * BASE // 10, 2 * BASE // 10)

    rng = random.Random(20261130)
    inside = 0
    for attempt in range(KILLS):
        before = _state(path, wid)[0]
        lines, _ = _run(path, wid, tmp_path / f"k{attempt}", rng.uniform(0.0, 1.1 * took))  # a few land after it
        committing, committed = (any(line.startswith(mark) for line in lines) for mark in ("committing", "committed"))
        inside += not committing
        latest, figures, beyond, rows_saved = _state(path, wid)
        if committing and not committed:  # killed during COMMIT: either version, as the log was or was not synced
            assert latest in (before, before + 1)
        else:
            assert latest == before + committed  # killed inside the write: still the previous version
        assert figures == expected(latest) and rows_saved == figures[0]  # that version's rows, whole
        assert beyond == 0  # no row stored or ended by the killed refresh
    assert inside >= KILLS * 0.6, f"only {inside} of {KILLS} kills landed inside a refresh's write ({took:.2f} s)"
    print(f"{inside} of {KILLS} kills inside the write, which took {took:.2f} s")
