"""The written SLA agreement for a month: drafted from the live numbers, people fill in the rest, download as
Markdown or HTML. A shared (read-only) view shows the whole agreement as text."""
from __future__ import annotations

import streamlit as st

from pages.common.access import guard_page, workspace
from pages.common.state import Workspace
from pages.common.ui import KEYS, literal, month_picker, require_dataset, show_data_line
from sla_core.health import view as health_view

guard_page(__file__)

# section → (marketing field, sales field, marketing label, sales label) for the parts only people can write
WRITTEN = {
    "Requirements": ("marketing_needs", "sales_needs", "What marketing needs from sales",
                     "What sales needs from marketing"),
    "Points of contact": ("marketing_contact", "sales_contact", "Marketing contact", "Sales contact"),
    "Plan when goals are missed": ("marketing_plan", "sales_plan", "Marketing adds to its plan",
                                   "Sales adds to its plan"),
}
CANCELLATION = "Cancellation conditions"


def _on_edit(ws: Workspace, name: str) -> None:
    if ws.read_only:  # a shared view draws no text area; refuse a crafted change on the server too
        return
    ws.agreement_text = ws.agreement_text.updated(**{name: st.session_state[KEYS.agreement(name)]})


def _text_area(ws: Workspace, column, name: str, label: str) -> None:
    st.session_state[KEYS.agreement(name)] = getattr(ws.agreement_text, name)
    column.text_area(label, key=KEYS.agreement(name), on_change=_on_edit, args=(ws, name), max_chars=2000,
                     height=100)


def _columns(marketing: str | None, sales: str | None):
    left, right = st.columns(2)
    for column, head, text in ((left, "Marketing", marketing), (right, "Sales", sales)):
        column.markdown(f"**{head}**")
        if text:
            column.markdown(literal(text))
    return left, right


def _as_text(section) -> None:
    if section.full is not None:
        st.markdown(literal(section.full))
    else:
        _columns(section.marketing, section.sales)


def _editable(ws: Workspace, section, draft: health_view.Draft) -> None:
    """The live part of a section as text, then a text area for each part people write."""
    if section.title == CANCELLATION:
        st.markdown(literal(draft.terms))
        _text_area(ws, st, "cancellation", "Further conditions")
        return
    m_field, s_field, m_label, s_label = WRITTEN[section.title]
    left, right = _columns(*draft.plan) if section.title == "Plan when goals are missed" else st.columns(2)
    _text_area(ws, left, m_field, m_label)
    _text_area(ws, right, s_field, s_label)


ws = workspace()
show_data_line(ws)
st.title("SLA agreement")
dataset = require_dataset(ws.dataset)
if dataset is None:
    st.stop()
settings = health_view.Settings(ws.assumptions, ws.tier_rules, ws.sales_clock, ws.business_hours, ws.tiers)
shown = health_view.overview(ws.db, dataset, settings, ws.cache)
if shown is None:
    st.info("The data has no months to draft an agreement for yet.")
    st.stop()
month = month_picker(shown.months, shown.first, shown.in_progress, KEYS.agreement_month)
if ws.read_only:
    st.info("Read-only shared view: the agreement as the sender wrote it, with the numbers of the month picked.")
else:
    st.caption("The numbers come from the current assumptions and data; write the parts only people can write, "
               "then download the agreement as Markdown or as a printable HTML page (print it to PDF).")
draft = health_view.agreement_draft(ws.db, dataset, settings, ws.agreement_text, month, ws.cache, ws.read_only)

for section in draft.sections:
    st.subheader(section.title)
    if ws.read_only or (section.title not in WRITTEN and section.title != CANCELLATION):
        _as_text(section)
    else:
        _editable(ws, section, draft)

col1, col2 = st.columns(2)
col1.download_button("Download as Markdown", draft.markdown, "sla_agreement.md", "text/markdown", key="agreement_md",
                     on_click="ignore")
col2.download_button("Download as HTML (print to PDF)", draft.html, "sla_agreement.html", "text/html",
                     key="agreement_html", on_click="ignore")
