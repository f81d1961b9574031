"""A chart kept as its Vega-Lite spec draws what st.altair_chart would; a rerun with the same figures builds none."""
from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pyarrow as pa
from apptest_support import new_app
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

from pages.common.ui import KEYS
from sla_core import vega
from sla_core.sales import charts

SPEED = pd.DataFrame({"period_start": [date(2024, 1, 1), date(2024, 2, 1)], "touched": [10, 1],
                      "mean_hours": [5.0, 2.0], "median_hours": [1.5, 2.0], "p90_hours": [12.0, None]})


def _tables(spec: dict) -> list[pa.Table]:
    return [pa.ipc.open_stream(raw).read_all() for raw in spec["datasets"].values()]


def _named_in_order(spec: dict) -> str:
    """The spec's JSON without its datasets, each dataset's name replaced by its place."""
    text = json.dumps({k: v for k, v in spec.items() if k != "datasets"}, sort_keys=True)
    for i, name in enumerate(spec["datasets"]):
        text = text.replace(name, f"dataset {i}")
    return text


def test_the_spec_and_its_data_are_the_ones_streamlit_builds_from_the_chart():
    chart = charts.response_chart(charts.response_bars(SPEED, "month", "hours", "p90"), 1.0, "hours", "p90")
    streamlit_spec = _convert_altair_to_vega_lite_spec(chart)
    kept = vega.spec(chart)
    assert len(kept["datasets"]) == 2  # the bars' periods and the goal's rule line
    assert _named_in_order(kept) == _named_in_order(streamlit_spec)
    ours, theirs = _tables(kept), _tables(streamlit_spec)
    assert all(a.equals(b) for a, b in zip(ours, theirs, strict=True))
    assert pa.types.is_timestamp(ours[0].schema.field("start").type)  # the time axis' data stays typed
    assert isinstance(chart.layer[0].data, pd.DataFrame)  # the chart given (kept by a view) is not changed


def test_a_rerun_with_the_same_figures_builds_no_chart_and_a_new_statistic_builds_one(monkeypatch):
    app = new_app()
    app.run()
    app.switch_page("pages/sales.py").run()
    built: list[str] = []
    convert = vega.spec
    monkeypatch.setattr(vega, "spec", lambda chart: built.append(chart.to_dict()["title"]) or convert(chart))
    app.run()
    assert not app.exception and len(app.get("vega_lite_chart")) == 4  # speed by period, reps, bandwidth
    assert built == []
    app.radio(key=KEYS.sales_statistic).set_value("p90").run()
    assert built == ["Speed: p90 response time (hours)"]


def test_every_chart_the_sales_page_draws_is_a_valid_spec_equal_to_streamlits(monkeypatch):
    """``vega.spec`` skips the schema check at run time: here each chart type of the page is checked against the
    Vega-Lite schema (``to_dict()`` validates) and against the spec Streamlit itself would send."""
    charts_seen: list = []
    convert = vega.spec
    monkeypatch.setattr(vega, "spec", lambda chart: charts_seen.append(chart) or convert(chart))
    app = new_app()
    app.run()
    app.switch_page("pages/sales.py").run()
    for view in ("delays", "depth"):
        app.segmented_control(key=KEYS.sales_charts).set_value(view).run()
    assert not app.exception
    titles = set()
    for chart in charts_seen:
        title = chart.to_dict()["title"]  # raises when the spec does not conform to the schema
        titles.add(title if isinstance(title, str) else title["text"])
        kept, theirs = convert(chart), _convert_altair_to_vega_lite_spec(chart)
        assert _named_in_order(kept) == _named_in_order(theirs)
        assert all(a.equals(b) for a, b in zip(_tables(kept), _tables(theirs), strict=True))
    assert len(titles) == 8  # share within goal, response, bands, delays, attempts, worked, reps, bandwidth
