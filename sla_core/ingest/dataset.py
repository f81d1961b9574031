"""What a load produced: the Dataset (how the ``leads`` table was read) and its data-quality findings.

Built by ``sla_core.ingest.load`` (which re-exports these names); kept in their own small module so
the report on a saved workspace (a share link, ``bench/run.py --one reopen``) reads a stored
Dataset without loading the ingest machinery.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Issue:
    """One row-level data-quality finding, downloadable from the Data page."""

    file: str
    line: int | None
    column: str | None
    reason: str
    value: str | None = None
    action: str = "value ignored"

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "column": self.column, "reason": self.reason,
                "value": self.value, "action": self.action}


@dataclass
class Quality:
    """What the upload held and what was done about its problems."""

    rows_read: int = 0
    rows_rejected: int = 0
    issues: list[Issue] = field(default_factory=list)
    issue_counts: dict[str, int] = field(default_factory=dict)  # reason → rows (exact, beyond the listed detail)
    notices: list[str] = field(default_factory=list)
    missing: dict[str, int] = field(default_factory=dict)  # canonical field → empty cells
    suspicious: list[dict] = field(default_factory=list)  # {check, rows, rule}

    def as_dict(self) -> dict:
        return {
            "rows_read": self.rows_read,
            "rows_rejected": self.rows_rejected,
            "issues": [i.as_dict() for i in self.issues],
            "issue_counts": self.issue_counts,
            "notices": self.notices,
            "missing": self.missing,
            "suspicious": self.suspicious,
        }


@dataclass
class Dataset:
    """A loaded workspace: the ``leads`` table in the connection plus how it was read."""

    version: str
    tz: str
    as_of: datetime | None
    rows_loaded: int
    quality: Quality
    files: dict[str, str]  # kind → file name
    headers: list[str]
    columns: dict[str, str]  # canonical field → header used
    date_order: str
    date_order_ambiguous: bool
    decimal: str
    has_activities: bool = False
    has_deals: bool = False
    # Where the rows stay when they live in a warehouse (engine URL, table or path): a saved workspace keeps
    # this and its mapping, never the rows, and every opening reads the source again.
    warehouse: dict[str, str] | None = None
