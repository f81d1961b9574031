"""Data page: upload CRM exports, confirm the column mapping, read the quality report."""
from __future__ import annotations

import csv
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import streamlit as st

from pages.common.access import guard_page, keep_draft, workspace
from pages.common.state import ReadOnlyError, release_uploads
from pages.common.ui import KEYS, TIME_ZONES, literal, require_dataset, show_data_line
from pages.sections import data as section
from pages.sections import warehouse
from sla_core import queries
from sla_core.ingest import load as ingest
from sla_core.ingest.decode import InputError
from sla_core.ingest.mapping import ExportHead, Mapping

guard_page(__file__)


DATE_ORDER_LABELS = {"auto": "Detect", "mdy": "Month first (MM/DD/YYYY)", "dmy": "Day first (DD/MM/YYYY)"}
DECIMAL_LABELS = {"auto": "Detect", ".": "1,234.56", ",": "1.234,56"}
SERVER_PATH = re.compile(r"(?:[A-Za-z]:)?[/\\][^\s'\"]*")

UPLOAD_ROUND = "upload_round"
PENDING_LOAD = "pending_load"  # an upload saved to the session folder, loaded on the next run
KEPT_UPLOAD = "kept_upload"  # a Kept upload that did not load, for another try with other options or mapping

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Kept:
    """An upload that did not load, kept in the session folder: how it was read, and its headers when readable."""

    files: ingest.UploadSet
    mapping: Mapping
    options: ingest.ReadOptions
    heads: dict[str, ExportHead] | None

    def names(self) -> str:
        return ", ".join(u.name for u in (self.files.leads, self.files.deals, self.files.activities) if u)


def _uploader_key(kind: str) -> str:
    """A new key for each upload that is loaded, so the uploaders show empty once their files are released."""
    return KEYS.upload(kind, st.session_state.get(UPLOAD_ROUND, 0))


def _reason(exc: Exception, files: ingest.UploadSet) -> str:
    """Why a load failed, in words that name the file (and line, column) and never a server path."""
    uploads = [u for u in (files.leads, files.deals, files.activities) if u]
    if isinstance(exc, InputError):
        text = str(exc)
        for u in uploads:
            text = text.replace(str(u.path), u.name)
        return text.replace(str(ws.work_dir), "…")
    detail = str(exc)
    for u in uploads:
        detail = detail.replace(str(u.path), u.name)
    detail = SERVER_PATH.sub("…", detail)[:300]
    names = ", ".join(u.name for u in uploads)
    return f"{names}: the file could not be read ({type(exc).__name__}: {detail})"


def _keep(files: ingest.UploadSet, mapping: Mapping, options: ingest.ReadOptions) -> None:
    """Keep a refused upload for another try; its headers too when they can be read (for the mapping editor)."""
    try:
        heads = ws.read_heads(files)
    except (ValueError, OSError, csv.Error):
        heads = None
    st.session_state[KEPT_UPLOAD] = Kept(files, mapping, options, heads)


def _run_load(files: ingest.UploadSet, mapping: Mapping, options: ingest.ReadOptions) -> Callable[[], None]:
    """Ingest with a progress bar; on any failure keep the upload and what was loaded before. Returns the
    drawing of the outcome (success, or why not), shown below the page's data line and title."""
    bar = st.progress(0.0, text="Starting…")
    try:
        dataset = ws.load(files, mapping, options, progress=lambda f, text: bar.progress(f, text=text))
    except ReadOnlyError as exc:
        bar.empty()
        return partial(st.error, literal(exc))
    except Exception as exc:  # any failure is the user's to read, never a traceback
        bar.empty()
        if not isinstance(exc, InputError):
            log.exception("load failed")
        _keep(files, mapping, options)
        return partial(st.error, f"Could not load: {literal(_reason(exc, files))}. Nothing was changed: the "
                                 "previous data is still loaded.")
    bar.empty()
    st.session_state.pop(KEPT_UPLOAD, None)
    noun = "lead" if dataset.rows_loaded == 1 else "leads"
    return partial(st.success, f"Loaded {dataset.rows_loaded:,} {noun} from {literal(files.leads.name)}.")


def _load_next_run(files: ingest.UploadSet, mapping: Mapping, options: ingest.ReadOptions) -> None:
    """Load ``files`` (already in the session folder) on a fresh run, with the uploaders emptied.

    Streamlit holds every upload in memory until the session ends: it is dropped first
    (release_uploads) and the page reruns with new uploader keys, so a 5M-lead export is
    not held beside the data it becomes, nor for the rest of the session.
    """
    st.session_state[PENDING_LOAD] = (files, mapping, options)
    st.session_state[UPLOAD_ROUND] = st.session_state.get(UPLOAD_ROUND, 0) + 1
    st.rerun()


def _refused_target(kept: Kept | None) -> section.MappingTarget | None:
    """The mapping editor's target when the kept upload was refused for its columns."""
    if kept is None or not kept.heads:
        return None
    target = section.MappingTarget(kept.files, kept.heads, kept.mapping, str(kept.files.leads.path))
    return target if target.problems() else None


ws = workspace()
outcome = _run_load(*st.session_state.pop(PENDING_LOAD)) if PENDING_LOAD in st.session_state else None
show_data_line(ws)  # after a load, so it names the data just loaded
st.title("Data")
st.caption("Upload the lead export from HubSpot, Salesforce, Pipedrive or any CRM (CSV). "
           "Your file stays in this browser session until you save a workspace.")
outcome = outcome or st.session_state.pop(warehouse.OUTCOME, None)
if outcome is not None:
    outcome()
kept = None if ws.read_only else st.session_state.get(KEPT_UPLOAD)
refused = _refused_target(kept)
if refused is not None:
    st.subheader("Map the columns of your upload")
    st.warning(f"Some fields were not found in {literal(kept.names())}: choose the column of each field marked ⚠ "
               "and press Apply mapping. The previous data stays loaded until then.")
    chosen = section.mapping_editor(refused, None)
    if chosen is not None:
        _load_next_run(kept.files, chosen, kept.options)
elif kept is not None:
    st.info(f"Your upload {literal(kept.names())} is kept: change the reading options below and press "
            "Load export to try it again, or choose another file.")


if not ws.read_only:
    with st.form("upload"):
        st.subheader("Upload exports")
        leads_file = st.file_uploader("Leads export (required): CSV, .csv.gz, or Excel 'Unicode Text'",
                                      key=_uploader_key("leads"))
        col1, col2 = st.columns(2)
        deals_file = col1.file_uploader("Deals / closed-won export (optional)", key=_uploader_key("deals"))
        activities_file = col2.file_uploader("Activity log: calls, emails, meetings (optional)",
                                             key=_uploader_key("activities"))
        col1, col2, col3 = st.columns(3)
        tz = col1.selectbox("Workspace time zone", TIME_ZONES,
                            index=TIME_ZONES.index(ws.options.tz) if ws.options.tz in TIME_ZONES else 0,
                            help="Timestamps without an offset are read in this zone; days and months are taken in it.")
        date_order = col2.selectbox("Dates like 03/05/2024", list(DATE_ORDER_LABELS), format_func=DATE_ORDER_LABELS.get,
                                    index=list(DATE_ORDER_LABELS).index(ws.options.date_order))
        decimal = col3.selectbox("Amounts", list(DECIMAL_LABELS), format_func=DECIMAL_LABELS.get,
                                 index=list(DECIMAL_LABELS).index(ws.options.decimal))
        submitted = st.form_submit_button("Load export", type="primary")
    if submitted:
        options = ingest.ReadOptions(tz=tz, date_order=date_order, decimal=decimal)
        if leads_file is None and kept is not None:
            _load_next_run(kept.files, kept.mapping, options)  # the upload that failed, other options
        elif leads_file is None and ws.uploads is not None:
            _load_next_run(ws.uploads, ws.mapping, options)  # same files, new reading options
        elif leads_file is None:
            st.warning("Choose a leads export first.")
        else:
            chosen_files = {"leads": leads_file, "deals": deals_file, "activities": activities_file}
            try:
                files = ws.store_uploads(chosen_files)
            except ReadOnlyError as exc:
                st.error(literal(exc))
            except OSError as exc:  # the reason only: the message of an OSError names the server's folder
                st.error(f"Could not store the upload: {literal(exc.strerror or type(exc).__name__)}.")
            else:
                release_uploads(chosen_files.values())
                _load_next_run(files, ws.mapping.without_columns(), options)

if not ws.read_only:
    warehouse.connect_form(ws)

dataset = require_dataset(ws.dataset)
if dataset is None:
    st.stop()

st.subheader("What was loaded")
section.loaded_summary(ws, dataset)

st.subheader("Column mapping")
if refused is not None or ws.uploads is None or ws.read_only:
    why = "pending" if refused is not None else "warehouse" if dataset.warehouse else "reloaded"
    section.mapping_in_force(ws.mapping, list(ws.export_heads) or ["leads"], why)
else:
    st.caption("Which export column feeds each field, auto-mapped from the headers. Open the section below, change a "
               "choice and press Apply mapping; choose “(not in this export)” when your export has no such column.")
    sources = ws.cache.get(dataset.version, queries.frame, ws.db, "ingest/source_counts")
    target = section.MappingTarget(ws.uploads, ws.export_heads, ws.mapping, dataset.version)
    chosen = section.loaded_mapping_editor(target, sources)
    if chosen is not None:
        _load_next_run(ws.uploads, chosen, ws.options)
st.download_button("Download mapping (JSON)", ws.mapping.to_json(), "mapping.json", "application/json",
                   help="The mapping in force, auto-mapped columns included. Use it with the report command: "
                        "python -m sla_core report --mapping mapping.json …")

section.quality_report(ws, dataset)
keep_draft()  # at once: F5 right after a load gets it back (app.py saves after every page, if it runs the page)
