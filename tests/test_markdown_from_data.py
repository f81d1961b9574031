"""Text from a user's file is data: wherever Streamlit renders Markdown (labels, options, captions, headings, alerts,
help), a link or image written into a CRM cell or a file name reaches the screen escaped, on every page.

A hostile export puts a live link and an image into the rep, source and job title of many leads and into the file
name; every page is drawn, and every Markdown-rendered string of every element is searched for an unescaped link
or image opener (``](http`` not preceded by a backslash). Grids, charts and text boxes render text, not Markdown.
"""
from __future__ import annotations

import re

import pytest
from apptest_support import app_with_upload
from ingest_support import edit_cells, export_text

LINK = "[Click to re-login](https://evil.example/login)"
IMAGE = "![p](https://evil.example/p.png)"
FILE_NAME = "[x](https://evil.example/f) crm.csv"
LIVE = re.compile(r"(?<!\\)\]\(\s*(?:https?|javascript)", re.IGNORECASE)  # a Markdown link or image, unescaped
PAGES = ["pages/overview.py", "pages/marketing.py", "pages/sales.py", "pages/data.py", "pages/workspace.py",
         "pages/agreement.py"]
NOT_MARKDOWN = {"arrow_data_frame", "arrow_vega_lite_chart", "vega_lite_chart", "text_area", "text_input",
                "download_button", "code", "json"}  # their texts are drawn as text (a button's label is checked)
MARKDOWN_FIELDS = ("label", "body", "help", "caption")
OPTIONS_IN_MARKDOWN = {"radio", "button_group"}  # a selectbox's options are drawn as plain text


def _hostile_export() -> bytes:
    text = export_text(400)
    edits = {}
    for line in range(2, 120):
        edits[(line, "Contact owner")] = f"Ana {LINK}"
        edits[(line, "Original Source")] = f"Web {IMAGE}"
        edits[(line, "Job Title")] = f"VP {LINK} {IMAGE}"
    return edit_cells(text, edits).encode()


def _texts(node) -> list[str]:
    """Every Markdown-rendered string of an element or block, and of the elements inside it."""
    found = []
    proto = getattr(node, "proto", None)
    if proto is not None and getattr(node, "type", None) not in NOT_MARKDOWN:
        for name in MARKDOWN_FIELDS + (("options",) if node.type in OPTIONS_IN_MARKDOWN else ()):
            value = getattr(proto, name, None)
            if isinstance(value, str):
                found.append(value)
            elif value is not None and not isinstance(value, (bytes, int, float)):
                found += [v for v in value if isinstance(v, str)]
        expandable = getattr(proto, "expandable", None)
        if expandable is not None and getattr(expandable, "label", ""):
            found.append(expandable.label)
    if getattr(node, "type", None) == "download_button":
        found.append(proto.label)
    for child in getattr(node, "children", {}).values():
        found += _texts(child)
    return found


@pytest.fixture(scope="module")
def app():
    return app_with_upload(FILE_NAME, _hostile_export(), PAGES[0])


@pytest.mark.parametrize("page", PAGES)
def test_no_link_or_image_from_the_data_renders_live(app, page):
    app.switch_page(page).run()
    assert not app.exception, page
    texts = _texts(app.main) + _texts(app.sidebar)
    assert any("evil" in t for t in texts), "the hostile file name is not shown: the data line names it on every page"
    live = [t for t in texts if LIVE.search(t)]
    assert live == [], live[:3]
