"""Per-browser-session state: the session's own DuckDB connection, dataset, what-if settings and result cache.

Everything lives in ``st.session_state`` (never a module global), so two visitors never see
each other's uploads. Pages get the workspace from ``access.workspace()`` and hand its plain
parts (connection, dataset, settings, ``cache``) to a feature's view; the cache keeps what
the views computed per dataset version, so a what-if slider redraws without touching DuckDB.

This module and its neighbours sit in a sub-folder of pages/ on purpose: in Streamlit's
pages-folder mode (a page opened on a fresh server before app.py ran) every ``pages/*.py``,
an underscore-prefixed one too, is listed as a page; a sub-folder's modules are not.
"""
from __future__ import annotations

import csv
import json
import shutil
import tempfile
import typing
import uuid
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
from streamlit.runtime.scriptrunner import get_script_run_ctx

from pages.common import limits
from sla_core.assumptions import Assumptions
from sla_core.cache import ResultCache
from sla_core.engine import Engine
from sla_core.health.agreement import AgreementText
from sla_core.ingest import decode
from sla_core.ingest import load as ingest
from sla_core.ingest.mapping import ExportHead, Mapping, read_head
from sla_core.marketing.targets import TierAssumption
from sla_core.marketing.tiers import DEFAULT_RULES, TierRule
from sla_core.sales.bandwidth import RepHours
from sla_core.sales.clock import BusinessHours
from sla_core.store import drafts
from sla_core.store import workspaces as store

if TYPE_CHECKING:  # the warehouse's modules (sqlglot with them) load when a session first connects one
    from sla_core.engine.spark_source import SparkSource

SAMPLE_LEADS = Path(__file__).resolve().parents[2] / "data" / "sample_leads.csv"
WORKSPACE = "workspace"  # the st.session_state key of this session's Workspace
SAMPLE_VERSION = "sample-"  # how the bundled sample's dataset version starts (it stays the sample when saved)


class ReadOnlyError(PermissionError):
    """Raised server-side when a shared, read-only view tries to change anything."""


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
    rep_hours: RepHours = field(default_factory=RepHours)  # reps whose hours a week on marketing leads differ
    agreement_text: AgreementText = field(default_factory=AgreementText)  # the agreement's written parts
    cache: ResultCache = field(default_factory=ResultCache)  # the views' results on this session's data
    export_heads: dict[str, ExportHead] = field(default_factory=dict)  # file kind → headers, examples (Data page)
    engine: Engine | None = None  # a warehouse source's engine: the figures are computed there, not in ``con``
    engine_release: weakref.finalize | None = None  # closes this session's own engine when replaced or dropped

    def __post_init__(self) -> None:
        # The folder holds this visitor's uploads (up to a GB each) and DuckDB's spill files: remove it,
        # and close the visitor's own connection, once Streamlit drops the session or the server stops.
        # A shared view's connection is the session's store cursor, which outlives it.
        weakref.finalize(self, _release, None if self.read_only else self.con, self.work_dir)

    @property
    def db(self) -> duckdb.DuckDBPyConnection | Engine:
        """Where the figures are computed: the warehouse engine of a connected source, else the session's DuckDB."""
        return self.engine if self.engine is not None else self.con

    def refuse_if_read_only(self, action: str) -> None:
        if self.read_only:
            raise ReadOnlyError(f"This is a read-only shared view: you cannot {action} here.")

    def load(self, files: ingest.UploadSet, mapping: Mapping, options: ingest.ReadOptions,
             progress=None) -> ingest.Dataset:
        """Ingest ``files``; on bad input raise and keep the previous data, mapping and uploads."""
        self.refuse_if_read_only("upload data")
        with limits.load_turn(files), self.cache.using():  # the process's load turns, then the session's own
            dataset = ingest.load(self.con, files, mapping, options, self.work_dir / "work", progress)
        try:
            heads = self.read_heads(files)
        except (ValueError, OSError, csv.Error):  # loaded all the same: the editor then offers the leads' headers
            heads = {"leads": ExportHead(tuple(dataset.headers))}
        self.dataset, self.options, self.uploads, self.export_heads = dataset, options, files, heads
        self.mapping = mapping.in_force({kind: list(head.headers) for kind, head in heads.items()})
        self.use_engine(None)
        return dataset

    def connect_warehouse(self, source: SparkSource, mapping: Mapping, tz: str) -> ingest.Dataset:
        """Read a warehouse source as this session's data (its rows stay there); on failure raise and keep the
        previous data."""
        from sla_core.engine import spark_source

        self.refuse_if_read_only("connect a warehouse")
        with self.cache.using():
            engine, dataset = spark_source.load(source, mapping, tz)
        self.export_heads = {"leads": ExportHead(tuple(dataset.headers))}
        self.dataset, self.uploads, self.options = dataset, None, ingest.ReadOptions(tz=tz)
        self.mapping = mapping.in_force({"leads": dataset.headers})
        self.use_engine(engine)
        return dataset

    def use_engine(self, engine: Engine | None) -> None:
        """Compute on ``engine`` (None: the session's DuckDB) from now on; the engine used before lets go of
        its cached rows, and nothing computed on it is kept."""
        if self.engine_release is not None:  # closes the engine used before, once (a shared view's is not ours)
            self.engine_release()
        self.engine = engine
        own = engine is not None and not self.read_only
        self.engine_release = weakref.finalize(self, engine.close) if own else None
        self.cache.clear()

    def read_heads(self, files: ingest.UploadSet) -> dict[str, ExportHead]:
        """The headers and example values of each file of an upload (what the mapping editor offers)."""
        uploads = {"leads": files.leads, "deals": files.deals, "activities": files.activities}
        return {kind: read_head(u.name, u.path, self.work_dir / "heads") for kind, u in uploads.items() if u}

    def store_uploads(self, uploaded: dict[str, Any]) -> ingest.UploadSet:
        """Write browser uploads (kind → UploadedFile) into a fresh folder of this session, a folder per kind
        (a leads and a deals file of the same name never overwrite each other)."""
        self.refuse_if_read_only("upload data")
        folder = self.work_dir / "uploads" / uuid.uuid4().hex
        saved = {kind: ingest.Upload(f.name, decode.save_upload(f, f.name, folder / kind))
                 for kind, f in uploaded.items() if f is not None}
        return ingest.UploadSet(**saved)


def _release(con: duckdb.DuckDBPyConnection | None, work_dir: Path) -> None:
    if con is not None:
        con.close()
    shutil.rmtree(work_dir, ignore_errors=True)


# The fields that are data or runtime, not what-if settings: a saved scenario holds all the others.
RUNTIME_FIELDS = frozenset({"con", "work_dir", "dataset", "mapping", "uploads", "options", "read_only", "cache",
                            "export_heads", "engine", "engine_release"})


def settings_of(ws: Workspace) -> dict[str, object]:
    """The what-if settings of a workspace (assumptions, tiers, clock …): every field but data and runtime."""
    return {f.name: getattr(ws, f.name) for f in fields(ws) if f.name not in RUNTIME_FIELDS}


def apply_settings(ws: Workspace, settings_json: str) -> None:
    """Put saved settings on ``ws``; a field saved by another version of the app keeps its default."""
    hints = {k: v for k, v in typing.get_type_hints(Workspace).items() if k not in RUNTIME_FIELDS}
    for name, value in store.settings_from_json(settings_json, hints).items():
        setattr(ws, name, value)


def new_workspace() -> Workspace:
    """A new visitor's workspace in a folder of its own, with the bundled sample loaded."""
    work_dir = Path(tempfile.mkdtemp(prefix="sla-session-"))
    ws = Workspace(con=limits.process_limits().open_session_db(work_dir), work_dir=work_dir)
    if SAMPLE_LEADS.exists():
        sample = work_dir / "uploads" / "sample" / SAMPLE_LEADS.name
        sample.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SAMPLE_LEADS, sample)
        ws.load(ingest.UploadSet(leads=ingest.Upload(name=SAMPLE_LEADS.name, path=sample)), ws.mapping, ws.options)
        ws.dataset.version = SAMPLE_VERSION + ws.dataset.version
    return ws


def is_sample(dataset: ingest.Dataset | None) -> bool:
    """Whether ``dataset`` is the bundled sample (as loaded for a new visitor, or saved and reopened)."""
    return dataset is not None and dataset.version.startswith(SAMPLE_VERSION)


def draft_data(ws: Workspace) -> dict[str, str]:
    """The part of a draft that only a load changes: the dataset, its mapping, how it was read and its headers."""
    options = {"tz": ws.options.tz, "date_order": ws.options.date_order, "decimal": ws.options.decimal,
               "as_of": ws.options.as_of.isoformat() if ws.options.as_of else None}
    return {"dataset": store.dataset_to_json(ws.dataset), "mapping": ws.mapping.to_json(),
            "options": json.dumps(options),
            "heads": json.dumps({kind: head.to_dict() for kind, head in ws.export_heads.items()})}


def draft_state(ws: Workspace, data: dict[str, str] | None = None) -> dict[str, str]:
    """What a draft keeps of an editing session besides its rows: how the data was read (``data``, when the caller
    kept it from an earlier save of the same load), and the settings."""
    return {**(data if data is not None else draft_data(ws)), "settings": store.settings_to_json(settings_of(ws))}


def restored_workspace(draft: drafts.Draft) -> Workspace:
    """A new session's workspace from a draft: its rows, how they were read and the settings (no uploads: the
    files stay with the session that uploaded them)."""
    work_dir = Path(tempfile.mkdtemp(prefix="sla-session-"))
    ws = Workspace(con=limits.process_limits().open_session_db(work_dir), work_dir=work_dir)
    state = draft.state
    options = json.loads(state["options"])
    as_of = options.pop("as_of")
    ws.options = ingest.ReadOptions(**options, as_of=datetime.fromisoformat(as_of) if as_of else None)
    ws.dataset, ws.mapping = store.dataset_from_json(state["dataset"]), Mapping.from_dict(json.loads(state["mapping"]))
    if ws.dataset.warehouse:  # the draft holds the source, not rows: read it again
        from sla_core.engine.spark_source import SparkSource

        ws.connect_warehouse(SparkSource.of(ws.dataset), ws.mapping, ws.dataset.tz)
    else:
        drafts.restore_leads(draft, ws.con)
    ws.export_heads = {kind: ExportHead.from_dict(raw) for kind, raw in json.loads(state["heads"]).items()}
    apply_settings(ws, state["settings"])
    return ws


def release_uploads(files: Iterable) -> None:
    """Drop Streamlit's in-memory copy of uploaded files once they are saved to the session folder.

    Streamlit keeps an upload's bytes until the browser removes the file or the session
    ends; released, the uploaders that held them read as empty from the next run on.
    """
    ctx = get_script_run_ctx()
    if ctx is None:
        return
    for uploaded in files:
        if uploaded is not None:
            ctx.uploaded_file_mgr.remove_file(ctx.session_id, uploaded.file_id)
