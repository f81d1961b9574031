"""Per-browser-session state: the session's own DuckDB connection, dataset and assumptions.

Everything lives in ``st.session_state`` (never a module global or ``cache_resource``),
so two visitors never see each other's uploads. Pages call ``workspace()`` and then
the pure core; results that depend only on the data are memoised per dataset version
so a what-if slider redraws without touching DuckDB.
"""
from __future__ import annotations

import re
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import duckdb
import streamlit as st

from sla_core import decode, ingest
from sla_core.assumptions import Assumptions
from sla_core.clock import BusinessHours
from sla_core.db import open_session_db
from sla_core.mapping import Mapping
from sla_core.targets import TierAssumption
from sla_core.tiers import DEFAULT_RULES, TierRule

SAMPLE_LEADS = Path(__file__).resolve().parent.parent / "data" / "sample_leads.csv"


@dataclass
class Workspace:
    """One visitor's loaded data and what-if inputs."""

    con: duckdb.DuckDBPyConnection
    work_dir: Path
    dataset: ingest.Dataset | None = None
    mapping: Mapping = field(default_factory=Mapping)
    assumptions: Assumptions = field(default_factory=Assumptions)
    uploads: ingest.UploadSet | None = None
    options: ingest.ReadOptions = field(default_factory=ingest.ReadOptions)
    read_only: bool = False
    tier_rules: tuple[TierRule, ...] = DEFAULT_RULES  # job title → tier, first match wins
    tiers: tuple[TierAssumption, ...] | None = None  # None: the default tiers on the overall rates
    business_hours: BusinessHours | None = None  # Sales SLA clock; None: Mon–Fri 09:00–17:00 in the data's zone
    sales_clock: str = "calendar"  # the Sales SLA's clock: "calendar" or "business"
    _memo: dict = field(default_factory=dict)

    def memo(self, key: tuple, compute: Callable[[], Any]) -> Any:
        """Cache a data-only result until the dataset changes (a new upload or mapping)."""
        version = self.dataset.version if self.dataset else None
        full_key = (version, *key)
        if full_key not in self._memo:
            if len(self._memo) > 256:
                self._memo.clear()
            self._memo[full_key] = compute()
        return self._memo[full_key]

    def load(self, files: ingest.UploadSet, mapping: Mapping, options: ingest.ReadOptions,
             progress=None) -> ingest.Dataset:
        """Ingest ``files``; on bad input raise and keep the previous data, mapping and uploads."""
        refuse_if_read_only(self, "upload data")
        dataset = ingest.load(self.con, files, mapping, options, self.work_dir / "work", progress)
        self.dataset, self.mapping, self.options, self.uploads = dataset, mapping, options, files
        self._memo.clear()
        return dataset

    def store_uploads(self, uploaded: dict[str, Any]) -> ingest.UploadSet:
        """Write browser uploads (kind → UploadedFile) into a fresh folder of this session."""
        refuse_if_read_only(self, "upload data")
        folder = self.work_dir / "uploads" / uuid.uuid4().hex
        saved = {kind: ingest.Upload(f.name, decode.save_upload(f, f.name, folder))
                 for kind, f in uploaded.items() if f is not None}
        return ingest.UploadSet(**saved)


class ReadOnlyError(PermissionError):
    """Raised server-side when a shared, read-only view tries to change anything."""


def refuse_if_read_only(ws: Workspace, action: str) -> None:
    if ws.read_only:
        raise ReadOnlyError(f"This is a read-only shared view: you cannot {action} here.")


def _new_workspace() -> Workspace:
    work_dir = Path(tempfile.mkdtemp(prefix="sla-session-"))
    ws = Workspace(con=open_session_db(work_dir), work_dir=work_dir)
    if SAMPLE_LEADS.exists():
        sample = work_dir / "uploads" / "sample" / SAMPLE_LEADS.name
        sample.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SAMPLE_LEADS, sample)
        ws.load(ingest.UploadSet(leads=ingest.Upload(name=SAMPLE_LEADS.name, path=sample)), ws.mapping, ws.options)
    return ws


def workspace() -> Workspace:
    """This session's workspace, created (with the bundled sample loaded) on first use."""
    if "workspace" not in st.session_state:
        st.session_state["workspace"] = _new_workspace()
    return st.session_state["workspace"]


def require_dataset(ws: Workspace) -> ingest.Dataset | None:
    """The loaded dataset, or an empty-state message pointing to the Data page."""
    if ws.dataset is None or ws.dataset.rows_loaded == 0:
        st.info("No leads loaded yet. Upload a CRM lead export on the **Data** page.")
        return None
    return ws.dataset


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def literal(text: object) -> str:
    """Escape user/data text for st.markdown-based elements (errors, captions, labels).

    Streamlit already escapes HTML; this also stops a header like ``[x](javascript:…)``
    or ``![](https://evil/p.png)`` from becoming a link or a remote image.
    """
    return _MARKDOWN_SPECIALS.sub(r"\\\1", str(text))
