"""Driving the app headlessly with Streamlit's AppTest, as the page tests all do."""
from __future__ import annotations

import re
import threading
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from pages.common.state import WORKSPACE, Workspace
from pages.common.ui import KEYS

ROOT = Path(__file__).resolve().parent.parent


def new_app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)


def shown(elements) -> str:
    """What the user reads: markdown escapes (``x\\.csv``) removed."""
    return " ".join(re.sub(r"\\(.)", r"\1", str(e.value)) for e in elements)


def metric(app: AppTest, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


def workspace_of(app: AppTest) -> Workspace:
    """The session's workspace (its data and what-if settings) as the pages left it."""
    return app.session_state[WORKSPACE]


def upload_on_data_page(app: AppTest, name: str, data: bytes) -> None:
    """Choose ``data`` as the leads export on the Data page and press "Load export"."""
    app.switch_page("pages/data.py").run()
    app.file_uploader(key=KEYS.upload("leads")).upload(name, data, "text/csv")
    app.button[0].click()  # the form's "Load export" is the first button on the page
    app.run()


def open_section(app: AppTest, key: str) -> None:
    """Open a section of a page, as a click on its header does (its content is built only while it is open):
    e.g. ``KEYS.exact_values_open``, ``KEYS.tiers_open``, ``KEYS.rules_section_open``."""
    app.session_state[key] = True
    app.run()
    assert not app.exception


def app_with_upload(name: str, data: bytes, page: str) -> AppTest:
    """A new session that loads ``data`` through the Data page, then opens ``page``."""
    app = new_app()
    app.run()
    upload_on_data_page(app, name, data)
    app.switch_page(page).run()
    assert not app.exception
    return app


def count_statements(monkeypatch) -> list[str]:
    """The names of the SQL statements run from now on, in order (every query goes through sla_core.queries:
    ``frame`` or ``records``, which ``row`` calls)."""
    from sla_core import queries
    ran: list[str] = []

    def counting(run):
        def counted(con, statement, **params):
            ran.append(statement)
            return run(con, statement, **params)
        return counted

    for name in ("frame", "records"):
        monkeypatch.setattr(queries, name, counting(getattr(queries, name)))
    return ran


def capture_downloads(monkeypatch) -> dict[str, object]:
    """What each download button of the runs from now on would send: element id → its data (bytes, text, or
    the callable Streamlit calls on click, on a thread of its own)."""
    from streamlit.elements.widgets import button

    seen: dict[str, object] = {}
    marshall = button.marshall_file

    def keep(coordinates, data, proto, *args, element_id: str = "", **kwargs):
        seen[element_id] = data
        return marshall(coordinates, data, proto, *args, element_id=element_id, **kwargs)

    monkeypatch.setattr(button, "marshall_file", keep)
    return seen


def clicked(data) -> bytes:
    """The bytes a click on a download gets: a callable runs on a worker thread, as Streamlit runs it."""
    if not callable(data):
        return data.encode() if isinstance(data, str) else bytes(data)
    got: list = []
    worker = threading.Thread(target=lambda: got.append(_call(data)))
    worker.start()
    worker.join(120)
    assert got, "the download did not finish"
    if isinstance(got[0], BaseException):
        raise got[0]
    return got[0].encode() if isinstance(got[0], str) else got[0]


def _call(data):
    try:
        return data()
    except Exception as exc:  # handed to the test's thread
        return exc


class _TableReader(HTMLParser):
    """The rows of the HTML tables in a body, each cell's text as a browser shows it (entities read)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).replace("\u00a0", " "))  # a unit kept by its number
            self._cell = None

    def handle_data(self, data) -> None:
        if self._cell is not None:
            self._cell.append(data)


def html_tables(app: AppTest) -> list[pd.DataFrame]:
    """Every static table the page shows (``st.html`` of ``sla_core.html_table``), as text frames."""
    frames = []
    for element in app.get("html"):
        reader = _TableReader()
        reader.feed(element.proto.body)
        if reader.rows:
            frames.append(pd.DataFrame(reader.rows[1:], columns=reader.rows[0]))
    return frames
