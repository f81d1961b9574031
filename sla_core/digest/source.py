"""The saved workspace a digest reports on: found by name in the store, shown as ``leads`` on a cursor.

The running app holds the store's write lock, and DuckDB lets no other process open the file, not even to
read. A scheduled digest then reads a snapshot: the store file and its write-ahead log copied to a
temporary folder (every save ends with a checkpoint, so the copy holds every finished save). A snapshot
cannot take a new share link; ``--share-url`` names one made on Save & share instead.
"""
from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import duckdb

from sla_core.assumptions import Assumptions
from sla_core.sales.clock import BusinessHours
from sla_core.store import share
from sla_core.store import workspaces as store

LOCKED = ("Could not set lock", "Conflicting lock")
SETTINGS_HINTS = {"assumptions": Assumptions, "sales_clock": str,  # the saved settings a digest uses
                  "business_hours": BusinessHours}
DEFAULT_SCENARIO = "Baseline"  # the scenario every saved workspace starts with
NAMES_LISTED = 5
SHARE_PARAM = "share"  # the query parameter of a share link (store.share.share_url)


class DigestError(ValueError):
    """Bad input for a digest (unknown workspace, a link that does not open, …): one line saying why."""


@dataclass(frozen=True)
class Opened:
    """The store as a digest reads it: a cursor, and whether it is the store itself or a snapshot of it."""

    cur: duckdb.DuckDBPyConnection
    snapshot: bool


@contextlib.contextmanager
def opened_store(path: Path) -> Iterator[Opened]:
    """The store at ``path`` (never created here), or a snapshot of it while the app holds its lock."""
    path = Path(path)
    if not path.is_file():
        raise DigestError(f"no saved workspaces: the store {path} does not exist (save a workspace on the "
                          "Save & share page, or set SLA_STORE_PATH)")
    try:
        con = store.open_store(path)
    except duckdb.IOException as exc:
        if not any(sign in str(exc) for sign in LOCKED):
            raise
        with _snapshot(path) as copy:
            yield copy
        return
    try:
        yield Opened(con.cursor(), snapshot=False)
    finally:
        con.close()


@contextlib.contextmanager
def _snapshot(path: Path) -> Iterator[Opened]:
    with tempfile.TemporaryDirectory(prefix="sla-digest-") as folder:
        copy = Path(folder) / path.name
        shutil.copyfile(path, copy)
        wal = path.with_name(path.name + ".wal")
        with contextlib.suppress(FileNotFoundError):
            shutil.copyfile(wal, copy.with_name(copy.name + ".wal"))
        con = store.open_store(copy)
        try:
            yield Opened(con.cursor(), snapshot=True)
        finally:
            con.close()


def _listed(names: list[str]) -> str:
    shown = ", ".join(repr(n) for n in names[:NAMES_LISTED])
    return shown + (f" and {len(names) - NAMES_LISTED} more" if len(names) > NAMES_LISTED else "")


def find_workspace(cur: duckdb.DuckDBPyConnection, name: str) -> store.SavedWorkspace:
    """The latest save of the workspace called ``name`` (or with that id)."""
    wanted = " ".join(str(name).split())
    saved = store.list_workspaces(cur)
    match = saved[(saved["name"] == wanted) | (saved["workspace_id"] == wanted)]  # newest first
    if match.empty:
        known = list(dict.fromkeys(saved["name"]))
        raise DigestError(f"no saved workspace is called {wanted!r}"
                          + (f"; saved: {_listed(known)}" if known else "; the store has none yet"))
    return store.get_workspace(cur, match.iloc[0]["workspace_id"])


def find_scenario(cur: duckdb.DuckDBPyConnection, workspace: store.SavedWorkspace,
                  name: str | None) -> store.Scenario:
    """The scenario called ``name`` (its latest revision; the latest saved when two share a name), or by default
    "Baseline" (else the oldest)."""
    found = store.scenarios(cur, workspace.workspace_id)
    wanted = " ".join(str(name or DEFAULT_SCENARIO).split())
    named = sorted((s for s in found if s.name == wanted), key=lambda s: s.saved_at)
    if named:
        return named[-1]
    if name is None and found:
        return found[0]
    raise DigestError(f"workspace {workspace.name!r} has no scenario called {wanted!r}; its scenarios: "
                      f"{_listed([s.name for s in found])}")


def scenario_settings(scenario: store.Scenario) -> tuple[Assumptions, str, BusinessHours | None]:
    """(assumptions, Sales clock, business hours: None for Mon–Fri 09:00–17:00) a scenario saved; a setting another
    version saved keeps its default."""
    settings = store.settings_from_json(scenario.settings_json, SETTINGS_HINTS)
    clock = settings.get("sales_clock")
    return (settings.get("assumptions") or Assumptions(), clock if clock in ("calendar", "business") else "calendar",
            settings.get("business_hours"))


# --- the share link in the e-mail ---------------------------------------------------------------------

@dataclass(frozen=True)
class ShareNote:
    """The dashboard link of a digest (None while a dry run only announces one) and what to know about it."""

    url: str | None
    note: str


def _expiry(expires_at) -> str:
    if expires_at is None or expires_at != expires_at:  # None or NaT: never
        return "it does not expire"
    return f"it works until {expires_at.astimezone(timezone.utc):%d %B %Y %H:%M} UTC"


def existing_link(cur: duckdb.DuckDBPyConnection, url: str, workspace: store.SavedWorkspace) -> ShareNote:
    """``--share-url``: a link made on Save & share, checked to open this workspace now."""
    token = (parse_qs(urlsplit(url).query).get(SHARE_PARAM) or [None])[0] if url else None
    try:
        target = share.open_link(cur, token)
    except share.ShareDenied as denied:
        raise DigestError("--share-url: the link does not open (expired, revoked or mistyped); make a new one "
                          "on the Save & share page") from denied
    if target.workspace_id != workspace.workspace_id:
        raise DigestError(f"--share-url: the link opens another workspace (or an earlier save of "
                          f"{workspace.name!r}); make one for this save on the Save & share page")
    links = share.links(cur, workspace.workspace_id)
    row = links[links["token_sha256"] == share.token_hash(token)].iloc[0]
    scenario = store.get_scenario(cur, target.workspace_id, target.scenario_id, target.revision)
    return ShareNote(url, f"A read-only view of scenario {scenario.name!r} (revision {target.revision}); "
                          f"{_expiry(row['expires_at'])}.")


def check_base_url(base: str) -> str:
    """``--link-url``: the app's address (http or https with a host) that a new link starts with."""
    parts = urlsplit(base or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DigestError(f"--link-url must be the app's address, like https://sla.example.com, got {base!r}")
    return base


def new_link(opened: Opened, base: str, workspace: store.SavedWorkspace, scenario: store.Scenario, days: int,
             now: datetime) -> tuple[ShareNote, str]:
    """``--link-url``: a fresh read-only link to this digest's scenario revision, expiring after ``days``;
    returns the note and the token's hash (to revoke it should the e-mail not go out)."""
    require_writable(opened)
    expires_at = now + timedelta(days=days)
    token = share.create_link(opened.cur, workspace.workspace_id, scenario.scenario_id, scenario.revision,
                              f"digest {now:%Y-%m-%d}", expires_at)
    note = (f"A read-only view of scenario {scenario.name!r} (revision {scenario.revision}), made for this digest; "
            f"{_expiry(expires_at)}.")
    return ShareNote(share.share_url(base, token), note), share.token_hash(token)


def require_writable(opened: Opened) -> None:
    """Refuse ``--link-url`` on a snapshot: a link saved there would never reach the store."""
    if opened.snapshot:
        raise DigestError("--link-url: the running app holds the store, so no new share link can be saved; "
                          "make one on the Save & share page and pass it with --share-url")


def announced_link(scenario: store.Scenario, days: int) -> ShareNote:
    """What a dry run says in place of the link it does not create."""
    return ShareNote(None, f"A new read-only link to scenario {scenario.name!r} (revision {scenario.revision}), "
                           f"working for {days} days, is made when the digest is sent.")


def revoke(opened: Opened, workspace: store.SavedWorkspace, token_sha256: str) -> None:
    """Withdraw a digest's new link when its e-mail did not go out."""
    share.revoke_link(opened.cur, workspace.workspace_id, token_sha256)
