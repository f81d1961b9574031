"""The process's budget as the pages meet it: one ``ProcessLimits`` for every session, and the wait for a load turn.

A sub-folder module of pages/ (see state.py): the shared object lives in ``st.cache_resource``
like the store connection, never in a module global.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

import streamlit as st

from sla_core.budget import Budget, ProcessLimits
from sla_core.ingest import load as ingest

WAITING = "Another export is loading; yours starts when it finishes…"
WAITED = "Another export was loading: yours started once it had finished."


@st.cache_resource(show_spinner=False)
def process_limits() -> ProcessLimits:
    """The budget of this server process (README: Hosting), shared by all sessions."""
    return ProcessLimits(Budget.from_env())


def upload_bytes(files: ingest.UploadSet) -> int:
    return sum(f.path.stat().st_size for f in (files.leads, files.deals, files.activities) if f is not None)


@contextlib.contextmanager
def _waiting() -> Iterator[None]:
    status = st.status(WAITING, state="running", expanded=False)
    yield
    status.update(label=WAITED, state="complete")


@contextlib.contextmanager
def load_turn(files: ingest.UploadSet) -> Iterator[None]:
    """Hold a load turn for ``files`` while they load; when every turn is taken, say so and wait."""
    with process_limits().load_turn(upload_bytes(files), _waiting):
        yield
