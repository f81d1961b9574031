"""The written SLA agreement: drafted from the live numbers, people fill in the rest, download as Markdown or HTML."""
from __future__ import annotations

import streamlit as st

from pages.common.access import workspace
from pages.common.ui import show_data_line
from pages.common.state import Workspace
from pages.common.ui import KEYS, literal, require_dataset
from sla_core.health import view as health_view

# section → (marketing field, sales field, marketing label, sales label) for the parts only people can write
WRITTEN = {
    "Requirements": ("marketing_needs", "sales_needs", "What marketing needs from sales",
                     "What sales needs from marketing"),
    "Points of contact": ("marketing_contact", "sales_contact", "Marketing contact", "Sales contact"),
    "Plan when goals are missed": ("marketing_plan", "sales_plan", "Marketing's plan", "Sales' plan"),
}


def _on_edit(ws: Workspace, name: str) -> None:
    if ws.read_only:  # the fields are disabled; refuse a crafted change on the server too
        return
    ws.agreement_text = ws.agreement_text.updated(**{name: st.session_state[KEYS.agreement(name)]})


def _text_area(ws: Workspace, column, name: str, label: str) -> None:
    st.session_state[KEYS.agreement(name)] = getattr(ws.agreement_text, name)
    column.text_area(label, key=KEYS.agreement(name), on_change=_on_edit, args=(ws, name), disabled=ws.read_only,
                     max_chars=2000, height=100)


ws = workspace()
show_data_line(ws)
st.title("SLA agreement")
dataset = require_dataset(ws.dataset)
if dataset is None or dataset.as_of is None:
    st.stop()
st.caption("The numbers come from the current assumptions and data; write the parts only people can write, "
           "then download the agreement as Markdown or as a printable HTML page (print it to PDF).")
if ws.read_only:
    st.info("Read-only shared view: the agreement text is as the sender wrote it.")

draft = health_view.agreement_draft(ws.con, dataset, ws.assumptions, ws.tier_rules, ws.sales_clock,
                                    ws.business_hours, ws.agreement_text, ws.cache)
if draft is None:
    st.info("The data has no months to draft an agreement for yet.")
    st.stop()

for section in draft.sections:
    st.subheader(section.title)
    if section.full is not None:
        st.markdown(literal(section.full))
    left, right = st.columns(2) if section.full is None else (None, None)
    if section.title in WRITTEN:
        m_field, s_field, m_label, s_label = WRITTEN[section.title]
        _text_area(ws, left, m_field, m_label)
        _text_area(ws, right, s_field, s_label)
    elif section.full is None:
        left.markdown("**Marketing**")
        left.markdown(literal(section.marketing))
        right.markdown("**Sales**")
        right.markdown(literal(section.sales))
    if section.title == "Cancellation conditions":
        _text_area(ws, st, "cancellation", "Further conditions (editable)")

col1, col2 = st.columns(2)
col1.download_button("Download as Markdown", draft.markdown, "sla_agreement.md", "text/markdown", key="agreement_md",
                     on_click="ignore")
col2.download_button("Download as HTML (print to PDF)", draft.html, "sla_agreement.html", "text/html",
                     key="agreement_html", on_click="ignore")
