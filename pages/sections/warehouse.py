"""The Data page's warehouse source: a Spark table, or a Parquet or CSV path, read in place of an upload.

The rows stay in the warehouse: the pages then read aggregates only, and a saved workspace keeps the source and
its mapping. Which Spark the form offers, and which folders of this machine a path may name, are the operator's
settings (``SLA_SPARK_URL``, ``SLA_WAREHOUSE_PATHS``): a visitor cannot point Spark at the server's own files.
"""
from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from functools import partial
from pathlib import Path

import streamlit as st

from pages.common.state import ReadOnlyError, Workspace
from pages.common.ui import KEYS, TIME_ZONES, literal
from sla_core.ingest.mapping import Mapping

SPARK_URL_ENV = "SLA_SPARK_URL"
PATHS_ENV = "SLA_WAREHOUSE_PATHS"
DEFAULT_SPARK_URL = "local[2]"
OUTCOME = "warehouse_outcome"  # st.session_state: what the last Connect did, drawn by the run that follows it

log = logging.getLogger(__name__)


def readable_roots() -> tuple[Path, ...]:
    """The folders of this machine a warehouse path may name (``SLA_WAREHOUSE_PATHS``, separated by ``:``)."""
    return tuple(Path(p) for p in os.environ.get(PATHS_ENV, "").split(os.pathsep) if p.strip())


def offered_urls() -> list[str]:
    """The Spark URLs the form offers (``SLA_SPARK_URL``, comma-separated; ``local[2]`` by default): a visitor
    picks one, so the server never opens a connection to a host of a visitor's choosing."""
    urls = [u.strip() for u in os.environ.get(SPARK_URL_ENV, DEFAULT_SPARK_URL).split(",") if u.strip()]
    return urls or [DEFAULT_SPARK_URL]


def connect_form(ws: Workspace) -> None:
    """The form. On Connect the source is read, and the page runs again to draw it (the data line on top names
    it); what happened is drawn at the top of that run (``OUTCOME``), a failure at once."""
    connected = ws.dataset is not None and ws.dataset.warehouse
    with st.expander("Or connect a warehouse table (Spark)", expanded=bool(connected)):
        st.caption("For CRM history synced to a warehouse: the figures are computed by Spark where the rows are, "
                   "and only totals come back. A saved workspace keeps the connection and the mapping, not the rows.")
        with st.form("warehouse", border=False):
            url = st.selectbox("Spark URL", offered_urls(), key=KEYS.spark_url,
                               help="The Spark this app's operator offers (SLA_SPARK_URL): local[N], "
                                    "spark://host:7077, or sc://host:15002 (Spark Connect).")
            leads = st.text_input("Lead table or path", key=KEYS.warehouse_leads,
                                  placeholder="crm.hubspot_contacts, or /data/leads.parquet",
                                  help="A table of the Spark catalog, or a Parquet or CSV file or folder.")
            deals_at, activities_at = st.columns(2)
            deals = deals_at.text_input("Deals table or path (optional)", key=KEYS.warehouse_deals,
                                        help="Each lead's first won deal gives its customer date and amount.")
            activities = activities_at.text_input(
                "Activity log table or path (optional)", key=KEYS.warehouse_activities,
                help="Calls, e-mails, meetings: first touch, attempts and connected are derived from it.")
            left, right = st.columns(2)
            mapping_file = left.file_uploader("Mapping (JSON, optional)", type=["json"], key=KEYS.warehouse_mapping,
                                              help="The Data page's “Download mapping”; without one the columns "
                                                   "are matched by their names, as for an upload.")
            tz = right.selectbox("Workspace time zone", TIME_ZONES, key=KEYS.warehouse_tz)
            go = st.form_submit_button("Connect", key=KEYS.warehouse_connect)
    if not go:
        return
    locations = (leads.strip(), deals.strip() or None, activities.strip() or None)
    outcome, connected = _connect(ws, url.strip(), locations, mapping_file, tz)
    if not connected:
        outcome()
        return
    st.session_state[OUTCOME] = outcome
    st.rerun()


def _connect(ws: Workspace, url: str, locations: tuple[str, str | None, str | None], mapping_file,
             tz: str) -> tuple[Callable[[], None], bool]:
    """Read the source with a spinner; any failure leaves the data loaded before as it was."""
    from sla_core.engine.spark_source import SparkSource

    try:
        mapping = _mapping(mapping_file)
        source = SparkSource(url, *locations)
        source.check_readable(readable_roots())
        with st.spinner("Connecting to Spark and reading the source (the first connection starts Spark)…"):
            dataset = ws.connect_warehouse(source, mapping, tz)
    except (ReadOnlyError, ValueError) as exc:  # InputError, EngineUnavailable, EngineError are ValueErrors
        return partial(st.error, f"Could not connect: {literal(exc)}. Nothing was changed: the previous data is "
                                 "still loaded."), False
    except Exception as exc:  # any other failure is the user's to read, never a traceback
        log.exception("warehouse connection failed")
        return partial(st.error, f"Could not connect: Spark failed ({literal(type(exc).__name__)}). Nothing was "
                                 "changed: the previous data is still loaded."), False
    noun = "lead" if dataset.rows_loaded == 1 else "leads"
    return partial(st.success, f"Connected: {dataset.rows_loaded:,} {noun} in {literal(locations[0])}, computed on "
                               f"Spark ({literal(url)})."), True


def _mapping(uploaded) -> Mapping:
    """The uploaded mapping (None: match the columns by name); a bad file is named with its line and column."""
    if uploaded is None:
        return Mapping()
    try:
        return Mapping.from_dict(json.loads(uploaded.getvalue().decode("utf-8")))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{uploaded.name}: line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"{uploaded.name}: {exc}") from exc
