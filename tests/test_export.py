"""Exports: CSV cells cannot run as spreadsheet formulas; charts render to real PNG/SVG files."""
from __future__ import annotations

import csv
import io

import altair as alt
import pandas as pd
import pytest

from sla_core import export
def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_formula_cells_get_a_quote_and_numbers_stay_numbers():
    df = pd.DataFrame({
        "note": ["=HYPERLINK(\"http://x\")", "+1 555", "-rf", "@SUM(A1)", "\t=1", "\r=1", "plain", None],
        "amount": [-5, 1.5, 0, 3, -2.25, 7, 8, 9],
        "=evil header": ["a", "b", "c", "d", "e", "f", "g", "h"],
    })
    rows = _rows(export.csv_bytes(df))
    assert rows[0] == ["note", "amount", "'=evil header"]
    assert [r[0] for r in rows[1:]] == ["'=HYPERLINK(\"http://x\")", "'+1 555", "'-rf", "'@SUM(A1)", "'\t=1",
                                        "'\r=1", "plain", ""]
    assert [r[1] for r in rows[1:]] == ["-5.0", "1.5", "0.0", "3.0", "-2.25", "7.0", "8.0", "9.0"]


def test_integer_and_missing_numbers_are_plain():
    df = pd.DataFrame({"leads": pd.array([-3, None, 4], dtype="Int64"), "rate": [None, 0.5, float("nan")]})
    assert _rows(export.csv_bytes(df))[1:] == [["-3", ""], ["", "0.5"], ["4", ""]]


def test_mixed_object_column_defuses_only_text():
    df = pd.DataFrame({"mixed": ["-x", -1, "ok"]}, dtype=object)
    assert [r[0] for r in _rows(export.csv_bytes(df))[1:]] == ["'-x", "-1", "ok"]


@pytest.fixture
def chart():
    return alt.Chart(pd.DataFrame({"day": [1, 2, 3], "leads": [2, 5, 9]})).mark_line().encode(x="day", y="leads")


def test_chart_downloads_as_png_and_svg(chart):
    assert export.chart_bytes(chart, "png").startswith(b"\x89PNG\r\n\x1a\n")
    svg = export.chart_bytes(chart.to_dict(), "svg")
    assert svg.startswith(b"<svg") and b"leads" in svg
    with pytest.raises(ValueError):
        export.chart_bytes(chart, "pdf")


def test_a_chart_keeping_dates_in_its_data_downloads():
    """The Sales charts keep each period's start (a date) in their data: the download still renders."""
    from datetime import date
    frame = pd.DataFrame({"period_start": [date(2024, 3, 1)], "day": [1], "leads": [4]})
    chart = alt.Chart(frame).mark_bar().encode(x="day:Q", y="leads:Q")
    assert export.chart_bytes(chart, "svg").startswith(b"<svg")
    assert export.chart_bytes(chart, "png").startswith(b"\x89PNG")
    with pytest.raises(TypeError, match="object"):
        export.chart_bytes({**chart.to_dict(), "datasets": {"d": [{"x": object()}]}}, "svg")


def test_a_download_renders_the_spec_it_is_given(chart):
    spec = chart.to_dict()
    assert export.chart_spec(spec) is spec and export.chart_spec(chart) == spec
