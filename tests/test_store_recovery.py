"""Store recovery drills: a damaged write-ahead log, a damaged store file and a full disk.

Nothing the store holds is ever deleted or replaced by an empty store: a log that cannot be
replayed is set aside (and the store opens as of its last checkpoint), a damaged file is
refused untouched until it is restored from a backup, and a save that runs out of disk
fails with a clear message, leaving every earlier workspace readable.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sla_core.store import file as store_file, workspaces
from sla_core.ingest.mapping import Mapping
from tests.store_support import session_with_leads

ROOT = Path(__file__).resolve().parent.parent


def _save(db, folder: Path, name: str, n: int) -> str:
    con, dataset = session_with_leads(folder, n)
    workspace_id, _ = workspaces.save_workspace(db.cursor(), con, name, dataset, Mapping().to_json(), "{}")
    con.close()
    return workspace_id


def _names(path: Path) -> list[str]:
    db = store_file.open_store(path)
    try:
        return sorted(workspaces.list_workspaces(db.cursor())["name"])
    finally:
        db.close()


def _crash_copy(tmp_path: Path, monkeypatch) -> Path:
    """A store whose file holds "kept" (checkpointed) and whose WAL alone holds "in the log": the
    files as a crash right after the second save would leave them."""
    live = tmp_path / "live" / "store.duckdb"
    db = store_file.open_store(live)
    _save(db, tmp_path / "s1", "kept", 1_000)
    monkeypatch.setattr(store_file, "checkpoint", lambda cur: None)
    _save(db, tmp_path / "s2", "in the log", 1_000)
    crashed = tmp_path / "crashed" / "store.duckdb"
    crashed.parent.mkdir()
    shutil.copyfile(live, crashed)
    shutil.copyfile(live.with_name("store.duckdb.wal"), crashed.with_name("store.duckdb.wal"))
    monkeypatch.undo()
    db.close()
    return crashed


def test_an_intact_log_is_replayed(tmp_path, monkeypatch):
    crashed = _crash_copy(tmp_path, monkeypatch)
    assert _names(crashed) == ["in the log", "kept"]
    assert store_file.set_aside_logs(crashed) == []


def test_a_log_that_cannot_be_replayed_is_set_aside_and_the_store_opens_at_its_last_checkpoint(tmp_path, monkeypatch):
    crashed = _crash_copy(tmp_path, monkeypatch)
    wal = crashed.with_name("store.duckdb.wal")
    damaged = bytearray(wal.read_bytes())
    damaged[len(damaged) // 2:len(damaged) // 2 + 64] = b"\xff" * 64
    wal.write_bytes(bytes(damaged))

    assert _names(crashed) == ["kept"]
    aside = store_file.set_aside_logs(crashed)
    assert len(aside) == 1 and aside[0].read_bytes() == bytes(damaged)  # kept for forensics, never deleted
    assert _names(crashed) == ["kept"]  # and the next start-up opens normally


def test_a_damaged_store_file_is_refused_untouched_and_a_backup_restores_it(tmp_path):
    path = tmp_path / "store.duckdb"
    db = store_file.open_store(path)
    _save(db, tmp_path / "s1", "backed up", 2_000)
    db.close()
    backup = tmp_path / "backup" / "store.duckdb"
    backup.parent.mkdir()
    shutil.copyfile(path, backup)  # the drill: a cold copy, taken while the app is stopped
    damaged = bytearray(path.read_bytes())
    damaged[4096:4296] = b"\x00" * 200
    path.write_bytes(bytes(damaged))

    with pytest.raises(store_file.StoreError, match="damaged.*restore"):
        store_file.open_store(path)
    assert path.read_bytes() == bytes(damaged)

    shutil.copyfile(backup, path)
    db = store_file.open_store(path)
    cur = db.cursor()
    saved = workspaces.list_workspaces(cur)
    assert list(saved["name"]) == ["backed up"] and list(saved["rows_saved"]) == [2_000]
    assert cur.execute("SELECT count(*) FROM workspace_leads").fetchone()[0] == 2_000


FULL_DISK_SAVER = """
import os, resource, signal, sys
sys.path.insert(0, {root!r})
from pathlib import Path
from sla_core.store import file as store_file, workspaces
from sla_core.ingest.mapping import Mapping
from tests.store_support import session_with_leads
path, folder = Path({path!r}), Path({folder!r})
db = store_file.open_store(path)
con, dataset = session_with_leads(folder / "a", 2_000)
workspaces.save_workspace(db.cursor(), con, "before", dataset, Mapping().to_json(), "{{}}")
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG, as on a full disk
limit = os.path.getsize(path) + 20_000
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
big, big_dataset = session_with_leads(folder / "b", 400_000)
try:
    workspaces.save_workspace(db.cursor(), big, "too big", big_dataset, Mapping().to_json(), "{{}}")
    print("saved")
except store_file.StoreError as exc:
    print("refused:", exc)
resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
workspaces.save_workspace(db.cursor(), con, "after", dataset, Mapping().to_json(), "{{}}")
print("names:", sorted(workspaces.list_workspaces(db.cursor())["name"]))
"""


def test_a_full_disk_fails_the_save_clearly_and_the_store_still_opens(tmp_path):
    path = tmp_path / "store.duckdb"
    script = FULL_DISK_SAVER.format(root=str(ROOT), path=str(path), folder=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == ("refused: the workspace could not be saved (the disk that holds the store is full); "
                        "nothing was stored")
    assert lines[1] == "names: ['after', 'before']"  # the same process saves again once there is room
    db = store_file.open_store(path)
    cur = db.cursor()
    assert sorted(workspaces.list_workspaces(cur)["name"]) == ["after", "before"]
    assert cur.execute("SELECT count(*) FROM workspace_leads").fetchone()[0] == 4_000
