"""An Altair chart as the Vega-Lite spec Streamlit draws, built once and kept by a view.

``st.altair_chart`` converts a chart to Vega-Lite and validates it against the schema on
every rerun (tens of milliseconds a chart, the most costly part of a Sales page rerun); a
view keeps ``spec(chart)`` in its session's cache instead, and the page draws it with
``st.vega_lite_chart``. Each data frame of the chart goes out as Arrow IPC bytes under a name
made from those bytes, as Streamlit itself sends a chart's data, so the browser gets the same
chart and the same typed data either way.

A goal move still builds the charts that show the goal: ``spec`` converts without the schema
check (the same dict, a fraction of the time), and the tests validate the spec of every chart
type the Sales page draws (tests/test_vega.py).
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import altair as alt
import pandas as pd
import pyarrow as pa
from altair.utils import schemapi

# Altair's "debug mode" checks each chart object against the schema as it is made, most of the cost of building
# a chart on a goal move: off in this process, since the tests check every chart type's whole spec (see above)
schemapi.disable_debug_mode()


def spec(chart: alt.TopLevelMixin) -> dict:
    """``chart`` as a Vega-Lite dict with its data frames as named Arrow datasets (not validated here: see above)."""
    chart = chart.copy(deep=True)  # the kept chart is not changed: its frames are only named in the copy
    datasets: dict[str, bytes] = {}
    _name_frames(chart, datasets)
    out = chart.to_dict(validate=False)
    if datasets:
        out["datasets"] = {**out.get("datasets", {}), **datasets}
    return out


def _name_frames(chart, datasets: dict[str, bytes]) -> None:
    """Replace every data frame of ``chart`` and its layers by a reference to its Arrow bytes in ``datasets``."""
    data = getattr(chart, "data", alt.Undefined)
    if isinstance(data, pd.DataFrame):
        raw = arrow_bytes(data)
        name = f"data-{hashlib.sha256(raw).hexdigest()[:32]}"
        datasets[name] = raw
        chart.data = alt.NamedData(name=name)
    layers = getattr(chart, "layer", alt.Undefined)
    for layer in layers if isinstance(layers, list) else ():
        _name_frames(layer, datasets)


def arrow_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as one Arrow IPC stream (the form Streamlit sends a chart's data in)."""
    table = pa.Table.from_pandas(frame)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def built(build: Callable[..., alt.TopLevelMixin], *args: Any) -> dict:
    """The spec of ``build(*args)``: what a view runs through its cache, so a rerun with the same figures neither
    builds the chart nor converts it again."""
    return spec(build(*args))
