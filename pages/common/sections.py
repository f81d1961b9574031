"""Sections of a page that rerun alone (``st.fragment``), doing what a page run does around the page.

A fragment's own rerun runs the section, not ``app.py``: no share-link check before it, no draft save after it.
``workspace_fragment`` adds both, once per rerun however deep the sections nest.
"""
from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from functools import wraps

import duckdb
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from pages.common.access import keep_draft, open_shared_workspace, share_token
from pages.common.shared_view import SourceUnavailable
from pages.common.state import WORKSPACE
from sla_core.store import share
from sla_core.store import workspaces as store

# A section's own rerun is under way on this thread (the sections within it skip the check and the save). A
# context variable, not session state: Streamlit refuses a session-state write once a stop was requested, so a
# flag there could outlive an interrupted run; each session's script runs on a thread of its own.
_SECTION_RUNNING: ContextVar[bool] = ContextVar("section_running", default=False)


def workspace_fragment(section: Callable[..., None]) -> Callable[..., None]:
    """``st.fragment`` for a section of a workspace page: its widgets rerun it alone, not the page.

    Such a run skips what a page run does around the page, so the section does it itself: in a shared view
    it checks the link again first, and in an editing session it saves the draft when it ends, as ``app.py``
    does after a page (a what-if or a rep's hours then survive a reload).
    """
    @wraps(section)
    def section_run(*args, **kwargs) -> None:
        run_section(section, *args, **kwargs)

    return st.fragment(section_run)


def run_section(section: Callable[..., None], *args, **kwargs) -> None:
    """One run of a ``workspace_fragment``'s section: within a page run (or within another section's own rerun)
    just the section; as its own rerun, the share link checked first and the draft saved last."""
    if not _in_fragment_run() or _SECTION_RUNNING.get():
        section(*args, **kwargs)
        return
    running = _SECTION_RUNNING.set(True)
    try:
        if share_token() is not None:
            _recheck_share_link()
        section(*args, **kwargs)
    finally:
        _SECTION_RUNNING.reset(running)
        keep_draft()


def _recheck_share_link() -> None:
    """The link checked again, as a page run does: when it no longer opens the workspace shown (revoked,
    expired, its source unreadable, or moved on to newer data) the whole page runs again, which says why or
    shows the new data; the section alone would leave the rest of the page as it was."""
    shown = st.session_state.get(WORKSPACE)
    try:
        still_shown = open_shared_workspace(share_token()) is shown
    except (share.ShareDenied, SourceUnavailable, store.StoreError, duckdb.Error):
        still_shown = False
    if not still_shown:
        st.rerun()


def _in_fragment_run() -> bool:
    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)
