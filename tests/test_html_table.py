"""A static table is one HTML element: every header and cell escaped, the styles ours, read back as shown."""
from __future__ import annotations

import pandas as pd
from apptest_support import _TableReader

from sla_core.html_table import Table

HOSTILE = '<script>alert("x")</script>'


def _read(body: str) -> list[list[str]]:
    reader = _TableReader()
    reader.feed(body)
    return reader.rows


def test_cells_and_headers_from_a_file_are_text_never_markup():
    frame = pd.DataFrame({"Rep <b>": [HOSTILE, "Ann & Bob", "=cmd|calc"], "Leads": ["1", "2", None]})
    body = Table(frame).html()
    assert "<script>" not in body and "<b>" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body and "Ann &amp; Bob" in body
    assert _read(body) == [["Rep <b>", "Leads"], [HOSTILE, "1"], ["Ann & Bob", "2"], ["=cmd|calc", ""]]


def test_each_cell_carries_its_own_style():
    frame = pd.DataFrame({"Rep": ["Ann", "Bob"], "Verdict": ["missed", "met"]})
    styles = pd.DataFrame({"Rep": ["background-color: #FBE7D9", ""], "Verdict": ["font-weight: bold", ""]})
    body = Table(frame, styles).html()
    assert '<td style="background-color: #FBE7D9">Ann</td><td style="font-weight: bold">missed</td>' in body
    assert "<td>Bob</td><td>met</td>" in body


def test_a_figure_keeps_its_unit_on_its_line():
    body = Table(pd.DataFrame({"Gap (h)": ["-41.0 h", "12 min", "missed (20.8 %)", "Bob h"]})).html()
    assert "-41.0\u00a0h" in body and "12\u00a0min" in body and "(20.8\u00a0%)" in body and "Bob h" in body
    assert [row[0] for row in _read(body)[1:]] == ["-41.0 h", "12 min", "missed (20.8 %)", "Bob h"]
