"""The sections of the Data page (pages/data.py): the column mapping editor, what was loaded, the quality report.

The mapping editor maps the files it is given (``MappingTarget``): an upload that was refused because
fields were not found (its own headers), or the loaded upload. One selectbox per field and file, keyed
``KEYS.mapping(kind, field)``; the widgets are set afresh whenever the files they map change.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
import streamlit as st

from pages.common.state import Workspace
from pages.common.ui import KEYS, built_while_open, download_table, literal
from sla_core import queries
from sla_core.ingest import load as ingest
from sla_core.ingest import quality_report as quality
from sla_core.ingest.mapping import ALIASES_BY_KIND, FIELD_LABELS, REQUIRED_BY_KIND, ExportHead, Mapping

KIND_TITLES = {"leads": "Leads export", "deals": "Deals export", "activities": "Activity log"}
NOT_IN_EXPORT = "(not in this export)"
MAPPING_FOR = "mapping_for"  # st.session_state: which files the mapping widgets were last set for
CONNECTED = KEYS.mapping("rules", "connected_values")
EXAMPLE_CHARS = 32
EDIT_MAPPING = "Choose which export column feeds each field, and which sources are sales-generated"


@dataclass(frozen=True)
class MappingTarget:
    """The files the mapping editor maps, their headers and the mapping they are read with."""

    files: ingest.UploadSet
    heads: dict[str, ExportHead]  # file kind → headers and examples
    mapping: Mapping
    identity: str  # a new value when the files change (the widgets are then set from ``mapping``)

    def name(self, kind: str) -> str:
        return {"leads": self.files.leads, "deals": self.files.deals, "activities": self.files.activities}[kind].name

    def problems(self) -> dict[str, list[str]]:
        """File kind → the fields its file cannot be read with (required ones not found, absent columns)."""
        found = {kind: self.mapping.problems(kind, list(head.headers)) for kind, head in self.heads.items()}
        return {kind: fields for kind, fields in found.items() if fields}


def _set_widgets(target: MappingTarget) -> None:
    """Show ``target``'s mapping in the widgets when they last showed other files."""
    if st.session_state.get(MAPPING_FOR) == target.identity:
        return
    for kind, head in target.heads.items():
        resolved = target.mapping.resolve(kind, list(head.headers))
        for fld in ALIASES_BY_KIND[kind]:
            header = resolved.get(fld, "")
            st.session_state[KEYS.mapping(kind, fld)] = header if header in head.headers else ""
    st.session_state[CONNECTED] = ", ".join(target.mapping.connected_values)
    st.session_state[MAPPING_FOR] = target.identity


def _option(head: ExportHead):
    def shown(header: str) -> str:
        if not header:
            return NOT_IN_EXPORT
        example = head.examples.get(header, "")
        example = example if len(example) <= EXAMPLE_CHARS else example[: EXAMPLE_CHARS - 1] + "…"
        return f"{header}  (e.g. {example})" if example else header
    return shown


def _field_label(kind: str, fld: str, problems: list[str]) -> str:
    label = FIELD_LABELS[fld] + (" (required)" if fld in REQUIRED_BY_KIND[kind] else "")
    return label + (" ⚠ choose a column" if fld in problems else "")


def _file_choices(target: MappingTarget, kind: str, problems: list[str]) -> dict[str, str]:
    head = target.heads[kind]
    st.markdown(f"**{KIND_TITLES[kind]}**: {literal(target.name(kind))}")
    chosen = {}
    for i, fld in enumerate(ALIASES_BY_KIND[kind]):
        if i % 3 == 0:  # a row of three at a time: on a phone the rows stack in field order
            columns = st.columns(3)
        chosen[fld] = columns[i % 3].selectbox(
            _field_label(kind, fld, problems), ["", *head.headers], key=KEYS.mapping(kind, fld),
            format_func=_option(head))
    return chosen


def mapping_editor(target: MappingTarget, origin: pd.DataFrame | None) -> Mapping | None:
    """The editor of ``target``'s columns (and, for loaded data, which sources are sales-generated): the chosen
    mapping when Apply is pressed, else None. ``origin`` is the sources table of the loaded data."""
    _set_widgets(target)
    problems = target.problems()
    with st.form(f"mapping_{target.identity}", border=False):
        chosen = {kind: _file_choices(target, kind, problems.get(kind, [])) for kind in target.heads}
        st.text_input("Values of a status or call-outcome column that mean “connected” (comma-separated)",
                      key=CONNECTED)
        edited = None
        if origin is not None:
            st.markdown("**Lead origin**: which sources are sales-generated (the rest count as marketing leads).")
            edited = st.data_editor(
                origin, key="origin_editor", hide_index=True, width="stretch", disabled=["source", "leads"],
                column_config={"origin": st.column_config.SelectboxColumn(
                    "Origin", options=["marketing", "sales"], required=True)})
        applied = st.form_submit_button("Apply mapping", type="primary")
    if not applied:
        return None
    mapping = target.mapping.with_choices(chosen, st.session_state[CONNECTED])
    if edited is not None:
        mapping = replace(mapping, sales_sources=tuple(edited.loc[edited["origin"] == "sales", "source"]))
    return mapping


def loaded_mapping_editor(target: MappingTarget, origin: pd.DataFrame | None) -> Mapping | None:
    """The loaded data's mapping editor, built only while its section is open: its selectboxes and the origin grid
    cost every visit to the page most of its drawing. Closed, its widgets are dropped with it, so they are set
    afresh from the mapping in force when it opens again."""
    with st.expander(EDIT_MAPPING, key=KEYS.mapping_open, on_change="rerun") as section:
        if section.open:
            return mapping_editor(target, origin)
    st.session_state.pop(MAPPING_FOR, None)
    return None


MAPPING_NOTES = {
    "pending": "How the loaded data was read. Map the refused upload above, or choose another file.",
    "reloaded": "The files themselves are not kept after a reload: upload them again to change the mapping or the "
                "reading options.",
    "warehouse": "How the warehouse source is read. To change it, download the mapping, edit it, and connect again "
                 "with it.",
}


def mapping_in_force(mapping: Mapping, kinds: list[str], why: str) -> None:
    """The mapping of the loaded data, shown but not editable (``why``, a key of MAPPING_NOTES): while a refused
    upload is being mapped, for data loaded without its files (a reload, a saved workspace), for a warehouse."""
    rows = [{"file": KIND_TITLES[kind], "field": FIELD_LABELS[fld], "column": mapping.columns_of(kind).get(fld) or
             NOT_IN_EXPORT} for kind in kinds for fld in ALIASES_BY_KIND[kind]]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption(MAPPING_NOTES[why])


DECIMAL_WORDS = {".": "decimal point (1,234.56)", ",": "decimal comma (1.234,56)"}


def loaded_summary(ws: Workspace, dataset: ingest.Dataset) -> None:
    """Rows read, rejected and loaded, the as-of time, and how the files were read."""
    q = dataset.quality
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Rows read", f"{q.rows_read:,}")
    c2.metric("Rows rejected", f"{q.rows_rejected:,}")
    c3.metric("Leads loaded", f"{dataset.rows_loaded:,}")
    as_of = dataset.as_of.astimezone(ingest.ZoneInfo(dataset.tz)) if dataset.as_of else None
    c4.metric("As of", f"{as_of:%Y-%m-%d}" if as_of else "n/a",  # the time under the date: the value fits a column
              delta=f"{as_of:%H:%M} {literal(dataset.tz)}" if as_of else None, delta_color="gray", delta_arrow="off",
              help=f"Latest timestamp in the files, shown in {literal(dataset.tz)}.")
    if dataset.warehouse:
        st.caption(f"Warehouse: {literal(dataset.warehouse['leads'])} on Spark ({literal(dataset.warehouse['url'])}) "
                   f"· time zone {literal(dataset.tz)} · the rows stay in the warehouse; Spark computes every figure")
    else:
        leads_head = ws.export_heads.get("leads")
        dates = f" · dates {leads_head.dates_written(dataset.columns, dataset.date_order)}" if leads_head else ""
        st.caption("Files: " + literal(", ".join(f"{kind}: {name}" for kind, name in dataset.files.items()))
                   + f" · time zone {literal(dataset.tz)}{dates} · "
                   + DECIMAL_WORDS.get(dataset.decimal, f"decimal mark {literal(dataset.decimal)}"))
    if dataset.date_order_ambiguous:
        st.warning("Every date in the file could be read month-first or day-first. They were read as "
                   "**month-first (MM/DD/YYYY)**. If your CRM writes day-first, choose “Day first” above and "
                   "press Load export.")
    for notice in q.notices:
        st.info(literal(notice))


def quality_report(ws: Workspace, dataset: ingest.Dataset) -> None:
    """Rejected rows and unreadable values (file, line, column), suspicious rows, missing values, a preview."""
    q = dataset.quality
    st.subheader("Data quality")
    issues = quality.issues_frame(dataset)
    if q.issue_counts:
        st.dataframe([{"problem": k, "rows": v} for k, v in q.issue_counts.items()], hide_index=True, width="stretch")
    if issues.empty:
        st.success("No rejected rows or unreadable values.")
    else:
        st.markdown(f"{len(issues):,} problem row{'' if len(issues) == 1 else 's'} listed (file, line, column, "
                    "reason):")
        st.dataframe(issues, hide_index=True, width="stretch")
        download_table(issues, "rejected_rows.csv", "Download rejected rows (CSV)", key="download_rejects")
    built_while_open("Suspicious rows and missing values per field", KEYS.quality_open,
                     lambda: _suspicious_and_missing(dataset))
    st.subheader("Preview")
    built_while_open("The first 50 leads as loaded", KEYS.preview_open, lambda: _preview(ws, dataset))


def _suspicious_and_missing(dataset: ingest.Dataset) -> None:
    st.markdown("**Suspicious rows and the rule applied**")
    st.dataframe(dataset.quality.suspicious, hide_index=True, width="stretch")
    st.markdown("**Missing values per field**")
    st.dataframe(quality.missing_frame(dataset), hide_index=True, width="stretch")


def _preview(ws: Workspace, dataset: ingest.Dataset) -> None:
    preview = ws.cache.get(dataset.version, queries.frame, ws.db, "ingest/leads_preview", tz=dataset.tz, limit=50)
    st.dataframe(preview, hide_index=True, width="stretch", placeholder="")  # an empty cell reads blank, not None
