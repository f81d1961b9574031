"""Data page: upload CRM exports, confirm the column mapping, read the quality report."""
from __future__ import annotations

from dataclasses import replace

import streamlit as st

from pages.common.access import workspace
from pages.common.state import ReadOnlyError, release_uploads
from pages.common.ui import KEYS, download_table, literal, require_dataset
from sla_core import queries
from sla_core.ingest import load as ingest
from sla_core.ingest import quality_report as quality
from sla_core.ingest.decode import InputError
from pages.common.access import guard_page

guard_page(__file__)

ws = workspace()
st.title("Data")
st.caption("Upload the lead export from HubSpot, Salesforce, Pipedrive or any CRM (CSV). "
           "Your file stays in this browser session until you save a workspace.")

TIME_ZONES = ["UTC", "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
              "America/Sao_Paulo", "Europe/London", "Europe/Berlin", "Europe/Paris", "Asia/Kolkata",
              "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney"]
DATE_ORDER_LABELS = {"auto": "Detect", "mdy": "Month first (MM/DD/YYYY)", "dmy": "Day first (DD/MM/YYYY)"}
DECIMAL_LABELS = {"auto": "Detect", ".": "1,234.56", ",": "1.234,56"}


UPLOAD_ROUND = "upload_round"
PENDING_LOAD = "pending_load"  # an upload saved to the session folder, loaded on the next run
KEPT_UPLOAD = "kept_upload"  # the files of an upload that did not load, for another try with other options


def _uploader_key(kind: str) -> str:
    """A new key for each upload that is loaded, so the uploaders show empty once their files are released."""
    return KEYS.upload(kind, st.session_state.get(UPLOAD_ROUND, 0))


def _run_load(files: ingest.UploadSet, mapping, options) -> bool:
    """Ingest with a progress bar; on failure say why and keep what was loaded before."""
    bar = st.progress(0.0, text="Starting…")
    try:
        dataset = ws.load(files, mapping, options, progress=lambda f, text: bar.progress(f, text=text))
    except (InputError, ValueError, ReadOnlyError) as exc:
        bar.empty()
        st.error(f"Could not load: {literal(exc)}. Nothing was changed: the previous data is still loaded.")
        return False
    bar.empty()
    noun = "lead" if dataset.rows_loaded == 1 else "leads"
    st.success(f"Loaded {dataset.rows_loaded:,} {noun} from {literal(files.leads.name)}.")
    return True


def _load_next_run(files: ingest.UploadSet, mapping, options) -> None:
    """Load ``files`` (already in the session folder) on a fresh run, with the uploaders emptied.

    Streamlit holds every upload in memory until the session ends: it is dropped first
    (release_uploads) and the page reruns with new uploader keys, so a 5M-lead export is
    not held beside the data it becomes, nor for the rest of the session.
    """
    st.session_state[PENDING_LOAD] = (files, mapping, options)
    st.session_state[UPLOAD_ROUND] = st.session_state.get(UPLOAD_ROUND, 0) + 1
    st.rerun()


if PENDING_LOAD in st.session_state:
    pending_files, pending_mapping, pending_options = st.session_state.pop(PENDING_LOAD)
    loaded = _run_load(pending_files, pending_mapping, pending_options)
    st.session_state[KEPT_UPLOAD] = None if loaded else pending_files
kept = None if ws.read_only else st.session_state.get(KEPT_UPLOAD)
if kept is not None:
    st.info(f"Your upload {literal(kept.leads.name)} is kept: change the reading options below and press "
            "Load export to try it again, or choose another file.")


if not ws.read_only:
    with st.form("upload"):
        st.subheader("Upload exports")
        leads_file = st.file_uploader("Leads export (required): CSV, .csv.gz, or Excel 'Unicode Text'",
                                      key=_uploader_key("leads"))
        col1, col2 = st.columns(2)
        deals_file = col1.file_uploader("Deals / closed-won export (optional)", key=_uploader_key("deals"))
        activities_file = col2.file_uploader("Activity log: calls, emails, meetings (optional)", key=_uploader_key("activities"))
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
            _load_next_run(kept, ws.mapping.with_columns({}), options)  # the upload that failed, other options
        elif leads_file is None and ws.uploads is not None:
            _run_load(ws.uploads, ws.mapping, options)  # same files, new reading options
        elif leads_file is None:
            st.warning("Choose a leads export first.")
        else:
            chosen = {"leads": leads_file, "deals": deals_file, "activities": activities_file}
            try:
                files = ws.store_uploads(chosen)
            except (OSError, ReadOnlyError) as exc:
                st.error(f"Could not store the upload: {literal(exc)}")
            else:
                release_uploads(chosen.values())
                _load_next_run(files, ws.mapping.with_columns({}), options)

dataset = require_dataset(ws.dataset)
if dataset is None:
    st.stop()

q = dataset.quality
st.subheader("What was loaded")
c1, c2, c3, c4 = st.columns(4)
c1.metric("Rows read", f"{q.rows_read:,}")
c2.metric("Rows rejected", f"{q.rows_rejected:,}")
c3.metric("Leads loaded", f"{dataset.rows_loaded:,}")
c4.metric("As of", dataset.as_of.astimezone(ingest.ZoneInfo(dataset.tz)).strftime("%Y-%m-%d %H:%M") if dataset.as_of else "n/a",
          help=f"Latest timestamp in the files, shown in {dataset.tz}.")
st.caption("Files: " + literal(", ".join(f"{kind}: {name}" for kind, name in dataset.files.items()))
           + f" · time zone {literal(dataset.tz)} · dates "
           + ("MM/DD/YYYY" if dataset.date_order == "mdy" else "DD/MM/YYYY")
           + f" · decimal {literal(dataset.decimal)}")
if dataset.date_order_ambiguous:
    st.warning("Every date in the file could be read month-first or day-first. They were read as "
               "**month-first (MM/DD/YYYY)**. If your CRM writes day-first, choose “Day first” above and "
               "press Load export.")
for notice in q.notices:
    st.info(literal(notice))

st.subheader("Column mapping")
st.caption("Which export column feeds each field. Fix a row and press Apply; leave a cell empty when "
           "your export has no such column.")
header_options = [""] + dataset.headers
edited = st.data_editor(
    quality.mapping_frame(dataset), key="mapping_editor", hide_index=True, width="stretch", disabled=["field", "meaning"],
    column_config={"column": st.column_config.SelectboxColumn("Export column", options=header_options)},
)
st.markdown("**Lead origin**: which sources are sales-generated (the rest count as marketing leads).")
sources = ws.cache.get(dataset.version, queries.frame, ws.con, "ingest/source_counts")
origin_edit = st.data_editor(
    sources, key="origin_editor", hide_index=True, width="stretch", disabled=["source", "leads"],
    column_config={"origin": st.column_config.SelectboxColumn("Origin", options=["marketing", "sales"], required=True)},
)
if st.button("Apply mapping", disabled=ws.read_only or ws.uploads is None):
    mapping = replace(
        ws.mapping.with_columns(quality.columns_from_editor(edited)),
        sales_sources=tuple(origin_edit.loc[origin_edit["origin"] == "sales", "source"]),
    )
    _run_load(ws.uploads, mapping, ws.options)
st.download_button("Download mapping (JSON)", ws.mapping.to_json(), "mapping.json", "application/json",
                   help="Use it with the report command: python -m sla_core report --mapping mapping.json …")

st.subheader("Data quality")
issues = quality.issues_frame(dataset)
if q.issue_counts:
    st.dataframe(
        [{"problem": k, "rows": v} for k, v in q.issue_counts.items()], hide_index=True, width="stretch")
if issues.empty:
    st.success("No rejected rows or unreadable values.")
else:
    st.markdown(f"{len(issues):,} problem row(s) listed (file, line, column, reason):")
    st.dataframe(issues, hide_index=True, width="stretch")
    download_table(issues, "rejected_rows.csv", "Download rejected rows (CSV)", key="download_rejects")
st.markdown("**Suspicious rows and the rule applied**")
st.dataframe(q.suspicious, hide_index=True, width="stretch")
st.markdown("**Missing values per field**")
st.dataframe(quality.missing_frame(dataset), hide_index=True, width="stretch")

st.subheader("Preview")
preview = ws.cache.get(dataset.version, queries.frame, ws.con, "ingest/leads_preview", tz=dataset.tz, limit=50)
st.dataframe(preview, hide_index=True, width="stretch")
