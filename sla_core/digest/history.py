"""What each digest sent, in a JSON file beside the store, keyed by workspace name and scenario name.

A JSON file rather than a store table: the running app holds the store's only write lock, and a
scheduled digest reads a snapshot of the store (``source``) but must still remember what it sent.
Keyed by names, not ids, because a workspace re-saved under the same name (each week's export) is
the same workspace to its readers. The last ``KEEP`` digests of each are kept; a write replaces the
file in one step, so a crash leaves the old file or the new one, never half of either.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

KEEP = 26  # half a year of weekly digests
VERSION = 1


def history_path(store_file: Path) -> Path:
    """``store.duckdb`` → ``store.duckdb.digests.json`` in the same folder (back it up with the store)."""
    store_file = Path(store_file)
    return store_file.with_name(store_file.name + ".digests.json")


def _read(path: Path) -> dict:
    if not path.exists():
        return {"version": VERSION, "workspaces": {}}
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"the digest history {path} cannot be read ({exc}); move it aside to start afresh") from exc
    if not isinstance(found, dict) or not isinstance(found.get("workspaces"), dict):
        raise ValueError(f"the digest history {path} is not a digest history; move it aside to start afresh")
    return found


def last_sent(path: Path, workspace: str, scenario: str) -> dict | None:
    """The record of the last digest sent for this workspace and scenario, or None."""
    sent = _read(Path(path))["workspaces"].get(workspace, {}).get(scenario) or []
    return sent[-1] if sent else None


def remember(path: Path, workspace: str, scenario: str, entry: dict) -> None:
    """Append a sent digest's record (keeping the last KEEP) and replace the file atomically."""
    path = Path(path)
    history = _read(path)
    sent = history["workspaces"].setdefault(workspace, {}).setdefault(scenario, [])
    sent.append(entry)
    del sent[:-KEEP]
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(history, out, ensure_ascii=False, indent=1)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
