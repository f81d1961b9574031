"""Shared by the share-link page tests: the app with URL parameters, text as shown, a saved editing session."""
from __future__ import annotations

import re
from pathlib import Path

from apptest_support import workspace_of
from streamlit.testing.v1 import AppTest

from pages.common.ui import KEYS
from sla_core.assumptions import Assumptions

ROOT = Path(__file__).resolve().parent.parent


def app_at(**params) -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in params.items():
        app.query_params[key] = value
    return app


def text(elements) -> str:
    return " ".join(re.sub(r"\\(.)", r"\1", str(e.value)) for e in elements)


def metrics(app) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def create_link(app, label="CEO") -> str:
    app.text_input(key=KEYS.link_label).input(label)
    app.button(key=KEYS.create_link).click().run()
    assert not app.exception
    url = app.code[-1].value
    assert url.endswith("/?share=" + url.split("?share=")[1])  # AppTest has no host; the browser test checks it
    return url.split("?share=")[1]


def saved_editor():
    """An editing session with the sample loaded, a what-if quota, the workspace saved and on the Save & share page."""
    app = app_at().run()
    workspace_of(app).assumptions = Assumptions(quota=120_000, close_rate=0.04)
    app.switch_page("pages/workspace.py").run()
    app.text_input(key=KEYS.workspace_name).input("Board <b>review</b>")
    app.button(key=KEYS.save_workspace).click().run()
    assert not app.exception
    assert "Saved “Board <b>review</b>” with 6,000 leads" in text(app.success)
    return app
