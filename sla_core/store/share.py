"""Read-only share links: unguessable tokens of which the store keeps only a SHA-256.

A token is 256 random bits (``secrets.token_urlsafe(32)``, OWASP ASVS 7.2.3 asks for
≥ 128). A link pins one workspace and one scenario revision, so leadership sees exactly
what was shared even if the scenario is revised later. Every failure — malformed,
unknown, expired, revoked, or pointing at something deleted — gives the same message,
so a guesser learns nothing.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Callable
from urllib.parse import urlencode, urlsplit, urlunsplit

import duckdb
import pandas as pd

from sla_core import queries
from sla_core.store.file import StoreError, _write
from sla_core.store.scenarios import get_scenario

GENERIC_DENIAL = "This share link is not valid. It may have expired or been revoked; ask the sender for a new link."
TOKEN_BYTES = 32
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")  # base64url of 32 bytes, no padding


class ShareDenied(PermissionError):
    """A share token that does not open anything; always carries GENERIC_DENIAL."""

    def __init__(self) -> None:
        super().__init__(GENERIC_DENIAL)


@dataclass(frozen=True)
class LinkRecord:
    """What the store knows about one link (never the token itself)."""

    token_sha256: str
    workspace_id: str
    scenario_id: str
    revision: int
    expires_at: datetime | None
    revoked_at: datetime | None
    data_version: int | None = None
    month: date | None = None


@dataclass(frozen=True)
class ShareTarget:
    """What a valid token opens: one workspace and one scenario revision, nothing else.

    ``data_version`` None follows the workspace's latest data; ``month`` None opens on the month shown first.
    """

    workspace_id: str
    scenario_id: str
    revision: int
    data_version: int | None = None
    month: date | None = None


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def resolve_token(token: object, lookup: Callable[[str], LinkRecord | None], now: datetime) -> ShareTarget:
    """The target of a token, or ShareDenied with the one generic message for any bad token."""
    if not isinstance(token, str) or not TOKEN_RE.fullmatch(token):
        raise ShareDenied()
    digest = token_hash(token)
    record = lookup(digest)
    if record is None or not hmac.compare_digest(record.token_sha256, digest):
        raise ShareDenied()
    if record.revoked_at is not None or (record.expires_at is not None and now >= record.expires_at):
        raise ShareDenied()
    return ShareTarget(record.workspace_id, record.scenario_id, record.revision, record.data_version, record.month)


def _lookup(cur: duckdb.DuckDBPyConnection) -> Callable[[str], LinkRecord | None]:
    def find(digest: str) -> LinkRecord | None:
        found = queries.row(cur, "store/share_links:get", token_sha256=digest)
        if not found:
            return None
        return LinkRecord(found["token_sha256"], found["workspace_id"], found["scenario_id"], int(found["revision"]),
                          found["expires_at"], found["revoked_at"], found["data_version"], found["month"])
    return find


def open_link(cur: duckdb.DuckDBPyConnection, token: object, now: datetime | None = None) -> ShareTarget:
    """Resolve a token against the store; the scenario revision must still exist."""
    target = resolve_token(token, _lookup(cur), now or datetime.now(timezone.utc))
    if get_scenario(cur, target.workspace_id, target.scenario_id, target.revision) is None:
        raise ShareDenied()
    return target


def create_link(cur: duckdb.DuckDBPyConnection, workspace_id: str, scenario_id: str, revision: int,
                label: str = "", expires_at: datetime | None = None, data_version: int | None = None,
                month: date | None = None) -> str:
    """Store a new link's hash and return the token — shown once, never stored.

    The revision is claimed inside the write that stores the link: deleted before, the link is
    refused; deleted by another session while this write is open, one of the two writes fails
    (DuckDB's write conflict), so no link ever points at a deleted workspace.
    """
    created_at = datetime.now(timezone.utc)
    if expires_at is not None and expires_at <= created_at:
        raise StoreError("the expiry must be in the future")
    token = new_token()
    with _write(cur, "the share link could not be created", "nothing was stored",
                reason="the workspace changed at the same moment; reload and try again"):
        if not queries.records(cur, "store/scenarios:claim", workspace_id=workspace_id, scenario_id=scenario_id,
                               revision=revision):
            raise StoreError("that scenario revision does not exist in this workspace")
        cur.execute(queries.sql("store/share_links:insert"), {
            "token_sha256": token_hash(token), "workspace_id": workspace_id, "scenario_id": scenario_id,
            "revision": revision, "label": " ".join(str(label).split()), "created_at": created_at,
            "expires_at": expires_at, "data_version": data_version, "month": month})
    return token


def links(cur: duckdb.DuckDBPyConnection, workspace_id: str) -> pd.DataFrame:
    """A workspace's links, newest first, identified by their hash (the token cannot be recovered)."""
    return queries.frame(cur, "store/share_links:list", workspace_id=workspace_id)


def revoke_link(cur: duckdb.DuckDBPyConnection, workspace_id: str, token_sha256: str) -> None:
    """Stop a link from working, from the next request on (a link already revoked keeps its first revocation time)."""
    with _write(cur, "the link could not be revoked", "it still works; try again"):
        cur.execute(queries.sql("store/share_links:revoke"), {
            "token_sha256": token_sha256, "workspace_id": workspace_id, "revoked_at": datetime.now(timezone.utc)})


def share_url(page_url: str, token: str) -> str:
    """The link to hand out: the app's root with only ``?share=TOKEN`` (no other parameter leaks along)."""
    parts = urlsplit(page_url or "")
    return urlunsplit((parts.scheme, parts.netloc, "/", urlencode({"share": token}), ""))


def link_status(listed: pd.DataFrame, now: datetime) -> pd.DataFrame:
    """The links table with a status column: active, expired or revoked."""
    def status(row) -> str:
        if not pd.isna(row["revoked_at"]):
            return "revoked"
        if not pd.isna(row["expires_at"]) and row["expires_at"] <= now:
            return "expired"
        return "active"
    return listed.assign(status=listed.apply(status, axis=1) if not listed.empty else pd.Series(dtype=str))


def link_label(listed: pd.DataFrame, token_sha256: str) -> str:
    """How a link is named in the revoke list: its label, scenario and creation time (never the token)."""
    row = listed[listed["token_sha256"] == token_sha256].iloc[0]
    label = row["label"] or "unlabelled"
    return f"{label} · {row['scenario']} (revision {row['revision']}) · created {row['created_at']:%Y-%m-%d %H:%M}"
