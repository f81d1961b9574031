"""Helpers of the bad-input tests: a leads file written row by row, a UTC instant, the issues of one load."""
from __future__ import annotations

from datetime import UTC, datetime

from hostile_support import HEAD
from ingest_support import csv_bytes
from sla_core.ingest import load as ingest


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def leads_file(rows: list[list[str]], head: list[str] = HEAD, **kw) -> bytes:
    return csv_bytes([head, *rows], **kw)


def issues(ds, **match) -> list[ingest.Issue]:
    return [i for i in ds.quality.issues if all(getattr(i, k) == v for k, v in match.items())]
