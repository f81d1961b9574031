"""A save killed at a random moment (SIGKILL) never damages the store or any earlier workspace.

Each kill is checked to land inside a save (the saver says when one begins and ends), and the
store must reopen without setting a write-ahead log aside: a log it cannot replay would mean
saves acknowledged before the kill could be lost.
"""
from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from sla_core.store import file as store_file, scenarios, workspaces
ROOT = Path(__file__).resolve().parent.parent
KILLS = 20

SAVER = """
import sys
sys.path.insert(0, {root!r})
from pathlib import Path
from sla_core.store import file as store_file, workspaces
from sla_core.ingest.mapping import Mapping
from tests.store_support import session_with_leads
db = store_file.open_store(Path({path!r}))
con, dataset = session_with_leads(Path({folder!r}), 400_000)
print("ready", flush=True)
for i in range(1000):
    print("saving", i, flush=True)
    wid, _ = workspaces.save_workspace(db.cursor(), con, f"save {{i}}", dataset, Mapping().to_json(), "{{}}")
    print("saved", wid, flush=True)
"""


def _check(path: Path, acknowledged: list[str]) -> int:
    """Reopen the store: nothing set aside, every acknowledged save is whole, and no save is partial."""
    db = store_file.open_store(path)
    assert store_file.set_aside_logs(path) == [], "a write-ahead log could not be replayed and was set aside"
    try:
        cur = db.cursor()
        saved = workspaces.list_workspaces(cur)
        counts = dict(cur.execute("SELECT workspace_id, count(*) FROM workspace_leads GROUP BY ALL").fetchall())
        assert set(acknowledged) <= set(saved["workspace_id"])
        assert set(counts) == set(saved["workspace_id"]), "rows without a workspace row (or the reverse)"
        for wid, rows in zip(saved["workspace_id"], saved["rows_saved"], strict=True):
            assert counts[wid] == rows == 400_000
            assert len(scenarios.scenarios(cur, wid)) == 1
        return len(saved)
    finally:
        db.close()


def test_kill_during_save_keeps_every_earlier_workspace(tmp_path):
    path = tmp_path / "store.duckdb"
    rng = random.Random(20261123)
    acknowledged: list[str] = []
    inside = 0
    for attempt in range(KILLS):
        script = SAVER.format(root=str(ROOT), path=str(path), folder=str(tmp_path / f"session{attempt}"))
        proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        early = ""
        if attempt % 2:  # every other run: let one save finish first, so earlier workspaces exist in this file
            early = proc.stdout.readline() + proc.stdout.readline()
            assert early.splitlines()[-1].startswith("saved ")
        began = proc.stdout.readline()
        assert began.startswith("saving ")
        time.sleep(rng.uniform(0.0, 0.6))  # a random moment of the save that just began
        proc.send_signal(signal.SIGKILL)
        output, _ = proc.communicate(timeout=30)
        lines = (early + began + output).splitlines()
        acknowledged += [line.split()[1] for line in lines if line.startswith("saved ")]
        inside += lines[-1].startswith("saving ")  # killed before that save said it was done
        assert _check(path, acknowledged) >= len(acknowledged)
    assert inside >= KILLS - 2, f"only {inside} of {KILLS} kills landed inside a save"
    assert len(acknowledged) >= KILLS // 2
