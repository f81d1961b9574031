"""A save killed at a random moment (SIGKILL) never damages the store or any earlier workspace."""
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
    wid, _ = workspaces.save_workspace(db.cursor(), con, f"save {{i}}", dataset, Mapping().to_json(), "{{}}")
    print("saved", wid, flush=True)
"""


def _check(path: Path, acknowledged: list[str]) -> int:
    """Reopen the store: every acknowledged save is whole, and no save is partial."""
    db = store_file.open_store(path)
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
    for attempt in range(KILLS):
        script = SAVER.format(root=str(ROOT), path=str(path), folder=str(tmp_path / f"session{attempt}"))
        proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        early = ""
        if attempt % 2:  # every other run: let one save finish first, so earlier workspaces exist in this file
            early = proc.stdout.readline()
            assert early.startswith("saved ")
        time.sleep(rng.uniform(0.0, 0.6))  # a random point, usually inside a save (not an assertion)
        proc.send_signal(signal.SIGKILL)
        output, _ = proc.communicate(timeout=30)
        acknowledged += [line.split()[1] for line in (early + output).splitlines() if line.startswith("saved ")]
        before = len(acknowledged)
        assert _check(path, acknowledged) >= before
    assert len(acknowledged) >= KILLS // 2
