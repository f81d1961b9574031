"""A share-link viewer without a browser: Streamlit's own websocket protocol, spoken from Python.

Twenty Chromium renderers on a two-core machine spend most of the cores drawing, so what a crowd
of real browsers measures there is mostly the browsers. This client sends what the browser's
frontend sends (a ``rerun_script`` with the link's query string, then one per page with the
page's script hash, as the sidebar does) and reads the server's replies, so only the server's
work is timed. Time to the first figures: from sending the rerun to receiving both the page's
title and its first figure (the same markers ``browser_latency.SELECTORS["pages"]`` waits for in
the browser); done: the server's ``script_finished``.
"""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

# A run ends with these; a run cut short for a rerun (st.rerun, a query-string change) goes on.
DONE = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR)


@dataclass
class Visit:
    """What one page run sent: its timings (ms from the rerun request) and the texts it drew."""

    first_ms: float | None = None
    settled_ms: float | None = None
    texts: list[str] = field(default_factory=list)
    exception: str | None = None


def _texts(msg: ForwardMsg) -> list[str]:
    """The readable texts of one delta: headings, Markdown, metric labels and values, alerts."""
    element = msg.delta.new_element
    kind = element.WhichOneof("type")
    if kind == "metric":
        return [element.metric.label, element.metric.body]
    if kind in ("heading", "markdown", "alert"):
        return [getattr(element, kind).body]
    if kind == "exception":
        return [f"exception: {element.exception.type}: {element.exception.message}"]
    return []


class Viewer:
    """One viewer's session on a running server: open the link, then move page to page."""

    def __init__(self, url: str, query_string: str):
        parts = urlsplit(url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.stream = f"ws://{parts.netloc}/_stcore/stream"
        self.query_string = query_string
        self.pages: dict[str, str] = {}  # page name → script hash, from the server's navigation message
        self._socket = None

    async def __aenter__(self) -> Viewer:
        self._socket = await websockets.connect(self.stream, subprotocols=["streamlit"], max_size=None,
                                                origin=self.origin, open_timeout=300, ping_interval=None)
        return self

    async def __aexit__(self, *exc) -> None:
        await self._socket.close()

    async def open(self, marks: tuple[str, ...], timeout: float) -> Visit:
        """Open the share link (the app's first page), as the browser does on arrival."""
        return await self._run(self.query_string, "", marks, timeout)

    async def visit(self, page: str, marks: tuple[str, ...], timeout: float) -> Visit:
        """Move to ``page`` by its script hash, as a click in the sidebar does (the URL keeps no query)."""
        return await self._run("", self.pages[page], marks, timeout)

    async def _run(self, query_string: str, page_hash: str, marks: tuple[str, ...], timeout: float) -> Visit:
        back = BackMsg()
        back.rerun_script.query_string = query_string
        back.rerun_script.page_script_hash = page_hash
        started = time.perf_counter()
        await self._socket.send(back.SerializeToString())
        return await asyncio.wait_for(self._read_run(started, marks), timeout)

    async def _read_run(self, started: float, marks: tuple[str, ...]) -> Visit:
        visit, missing = Visit(), set(marks)
        while visit.settled_ms is None:
            msg = ForwardMsg()
            msg.ParseFromString(await self._socket.recv())
            elapsed = (time.perf_counter() - started) * 1000
            kind = msg.WhichOneof("type")
            if kind == "navigation":
                self.pages = {p.page_name: p.page_script_hash for p in msg.navigation.app_pages}
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                self._note(visit, _texts(msg), missing, elapsed)
            elif kind == "script_finished" and msg.script_finished in DONE:
                visit.settled_ms = elapsed
        return visit

    @staticmethod
    def _note(visit: Visit, texts: list[str], missing: set[str], elapsed: float) -> None:
        visit.texts += texts
        if any(t.startswith("exception: ") for t in texts):
            visit.exception = next(t for t in texts if t.startswith("exception: "))
        missing.difference_update({m for m in missing if any(t.startswith(m) for t in texts)})
        if not missing and visit.first_ms is None:
            visit.first_ms = elapsed
