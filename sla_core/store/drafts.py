"""Drafts: an editing session's loaded leads and settings kept on the server, so a reload (F5) gets them back.

A draft is named by a token in the session's URL (``?draft=TOKEN``): 256 random bits, of which
the server keeps only the SHA-256, as the folder's name (as share links keep theirs), so the
folder listing opens nothing. A draft holds the session's ``leads`` as Parquet, how the data was
read and the settings (opaque JSON texts the app gives), and an expiry; every save moves the
expiry on, and ``purge`` removes expired drafts. Any failure to open one — malformed, unknown,
expired, another owner's, unreadable — is the same ``DraftDenied``, so a guesser learns nothing.

Writes are atomic: the Parquet file is written under a fresh name and ``draft.json`` (which names
it) replaced in one rename, so a crash leaves the previous draft whole.
"""
from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import tempfile
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb

from sla_core import queries
from sla_core.store.file import STORE_ENV

DIR_ENV = "SLA_DRAFT_DIR"
DAYS_ENV = "SLA_DRAFT_DAYS"
DEFAULT_DAYS = 7.0
TOKEN_BYTES = 32
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")  # base64url of 32 bytes, no padding
INDEX = "draft.json"
BATCH_ROWS = 122_880  # DuckDB's row-group size


class DraftDenied(PermissionError):
    """A draft token that opens nothing; one message whatever the reason."""

    def __init__(self) -> None:
        super().__init__("This draft is not available.")


@dataclass(frozen=True)
class DraftConfig:
    """Where drafts live and how long one is kept after its last save; validated once."""

    folder: Path
    lifetime: timedelta = timedelta(days=DEFAULT_DAYS)

    def __post_init__(self) -> None:
        if self.lifetime <= timedelta(0):
            raise ValueError("a draft's lifetime must be positive")

    @classmethod
    def from_env(cls) -> DraftConfig:
        """``SLA_DRAFT_DIR`` and ``SLA_DRAFT_DAYS``; without a folder, ``drafts`` beside the store file when one
        is configured (``SLA_STORE_PATH``), else one under the system's temporary folder: never the app's own
        folder, where the default store lies."""
        raw_days = os.environ.get(DAYS_ENV, "").strip()
        try:
            days = float(raw_days) if raw_days else DEFAULT_DAYS
        except ValueError as exc:
            raise ValueError(f"{DAYS_ENV} must be a number of days, not {raw_days!r}") from exc
        folder = os.environ.get(DIR_ENV, "").strip()
        if folder:
            root = Path(folder)
        elif os.environ.get(STORE_ENV, "").strip():
            root = Path(os.environ[STORE_ENV]).parent / "drafts"
        else:
            root = Path(tempfile.gettempdir()) / "sla-drafts"
        return cls(root, timedelta(days=days))


@dataclass(frozen=True)
class Draft:
    """An opened draft: the texts it was saved with and where its rows lie (None: saved without rows)."""

    state: dict[str, str]
    leads: Path | None
    expires_at: datetime


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(timezone.utc)


def _folder(config: DraftConfig, token: object) -> Path:
    """The folder a token names (its hash), or DraftDenied for a token that cannot be one."""
    if not isinstance(token, str) or not TOKEN_RE.fullmatch(token):
        raise DraftDenied()
    return config.folder / hashlib.sha256(token.encode("ascii")).hexdigest()


def _read_index(folder: Path) -> dict:
    raw = json.loads((folder / INDEX).read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise ValueError("a draft index is a JSON object")
    return raw


def _private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)


def _write_leads(con: duckdb.DuckDBPyConnection, target: Path) -> None:
    import pyarrow.parquet as pq  # only when a draft is written: the report path never needs it

    part = target.with_name(target.name + ".part")
    with contextlib.closing(con.cursor()) as cur:  # its own cursor: a result the session left open stays open
        reader = cur.sql(queries.sql("store/leads:session_rows")).to_arrow_reader(BATCH_ROWS)
        with pq.ParquetWriter(part, reader.schema) as writer:
            for batch in reader:
                writer.write_batch(batch)
    os.chmod(part, 0o600)
    part.replace(target)


def save(config: DraftConfig, token: str, state: Mapping[str, str], leads: duckdb.DuckDBPyConnection | None = None,
         owner: str = "", now: datetime | None = None) -> datetime:
    """Save ``state`` (and, given a connection, its ``leads`` table anew) under ``token``; the expiry moves on.

    Without a connection the rows saved before are kept. Returns the new expiry.
    """
    folder = _folder(config, token)
    _private_dir(folder)
    previous = None
    with contextlib.suppress(OSError, ValueError):
        previous = _read_index(folder).get("leads")
    rows = previous
    if leads is not None:
        rows = f"leads-{uuid.uuid4().hex}.parquet"
        _write_leads(leads, folder / rows)
    expires_at = _now(now) + config.lifetime
    index = {"expires_at": expires_at.isoformat(), "leads": rows, "owner": _owner_hash(owner),
             "state": dict(state)}
    part = folder / f"{INDEX}.{uuid.uuid4().hex}.part"
    part.write_text(json.dumps(index, ensure_ascii=False), encoding="utf-8")
    os.chmod(part, 0o600)
    part.replace(folder / INDEX)
    for stale in folder.iterdir():  # earlier rows, a crashed write's leftovers
        if stale.name not in (INDEX, rows):
            stale.unlink(missing_ok=True)
    return expires_at


def _owner_hash(owner: str) -> str:
    return hashlib.sha256(owner.strip().lower().encode("utf-8")).hexdigest() if owner else ""


def open_draft(config: DraftConfig, token: object, owner: str = "", now: datetime | None = None) -> Draft:
    """The draft a token names, or DraftDenied (one message) when it is malformed, unknown, expired,
    another owner's or cannot be read. An expired draft is removed on the way."""
    folder = _folder(config, token)
    try:
        index = _read_index(folder)
        expires_at = datetime.fromisoformat(index["expires_at"])
        state = {str(k): str(v) for k, v in index["state"].items()}
        rows = index["leads"]
        saved_owner = str(index.get("owner", ""))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DraftDenied() from exc
    if expires_at.tzinfo is None:
        raise DraftDenied()
    if _now(now) >= expires_at:
        shutil.rmtree(folder, ignore_errors=True)
        raise DraftDenied()
    if not hmac.compare_digest(saved_owner, _owner_hash(owner)):
        raise DraftDenied()
    leads = folder / rows if isinstance(rows, str) and rows else None
    if leads is not None and (leads.parent != folder or not leads.is_file()):
        raise DraftDenied()
    return Draft(state, leads, expires_at)


def restore_leads(draft: Draft, con: duckdb.DuckDBPyConnection) -> None:
    """Make the draft's rows the ``leads`` table of ``con`` (Arrow batches, never one big copy)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if draft.leads is None:
        raise DraftDenied()
    parquet = pq.ParquetFile(draft.leads)
    con.register("incoming", pa.RecordBatchReader.from_batches(parquet.schema_arrow, parquet.iter_batches(BATCH_ROWS)))
    try:
        con.execute(queries.sql("store/leads:restore"))
    finally:
        con.unregister("incoming")


def delete(config: DraftConfig, token: object) -> None:
    """Remove the draft a token names (nothing happens for a token that names none)."""
    with contextlib.suppress(DraftDenied):
        shutil.rmtree(_folder(config, token), ignore_errors=True)


def purge(config: DraftConfig, now: datetime | None = None) -> int:
    """Remove expired drafts (and ones whose index is unreadable and older than a lifetime); returns how many."""
    moment = _now(now)
    removed = 0
    if not config.folder.is_dir():
        return 0
    for folder in config.folder.iterdir():
        if not folder.is_dir() or not re.fullmatch(r"[0-9a-f]{64}", folder.name):
            continue
        expired = False
        try:
            expired = moment >= datetime.fromisoformat(_read_index(folder)["expires_at"])
        except (OSError, ValueError, KeyError, TypeError):
            with contextlib.suppress(OSError):
                touched = datetime.fromtimestamp(folder.stat().st_mtime, timezone.utc)
                expired = moment - touched >= config.lifetime
        if expired:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed
