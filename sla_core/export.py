"""Downloads: tables as CSV that spreadsheets cannot execute, charts as PNG or SVG.

A CRM cell such as ``=HYPERLINK(…)`` or ``@SUM(…)`` becomes a live formula when the CSV
is opened in Excel or Sheets; OWASP ASVS 1.2.10 asks for a leading ``'`` on every text
cell starting with a formula character. Numbers are left as numbers (``-5`` stays -5).
"""
from __future__ import annotations

import json
from datetime import date

import altair as alt
import pandas as pd
import vl_convert

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
CHART_FORMATS = {"png": "image/png", "svg": "image/svg+xml"}
PNG_SCALE = 2  # sharp on high-DPI screens and in slides
VL_VERSION = alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0].replace(".", "_")  # "6_4"


def defuse(value: object) -> object:
    """The value as a spreadsheet should see it: text that would start a formula gets a ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell and header defused; numeric columns untouched."""
    out = df.copy()
    for column in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[column]) or pd.api.types.is_bool_dtype(out[column])
                or pd.api.types.is_datetime64_any_dtype(out[column])):
            out[column] = out[column].map(defuse, na_action="ignore")
    out.columns = [defuse(str(c)) for c in out.columns]
    return out


def csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a BOM (Excel then reads accents right), formula-safe, empty cells for n/a."""
    # CRLF line ends: a lone CR inside a cell then gets quoted
    return safe_frame(df).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def chart_spec(chart: alt.TopLevelMixin | dict) -> dict:
    """The Vega-Lite spec a download renders: the page's own, look included (``theme.themed``), nothing added."""
    return chart if isinstance(chart, dict) else chart.to_dict()


def _json_value(value: object) -> str:
    """A date left in a chart's data (a period's start that no encoding uses) as ISO text.

    Altair passes date objects through ``to_dict``; on the page Streamlit sends data as Arrow,
    so only the download has to write them as JSON.
    """
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} in a chart spec cannot be written as JSON")


def chart_bytes(chart: alt.TopLevelMixin | dict, fmt: str) -> bytes:
    """Render an Altair chart (or its Vega-Lite dict) to PNG or SVG without a browser."""
    if fmt not in CHART_FORMATS:
        raise ValueError(f"chart format must be one of {', '.join(CHART_FORMATS)}")
    spec = json.dumps(chart_spec(chart), default=_json_value)
    if fmt == "png":
        return vl_convert.vegalite_to_png(spec, vl_version=VL_VERSION, scale=PNG_SCALE)
    return vl_convert.vegalite_to_svg(spec, vl_version=VL_VERSION).encode("utf-8")
