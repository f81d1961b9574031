"""What the Marketing SLA page's AppTest modules share: the apps they open and how they read the page."""
from __future__ import annotations

import json
import re

import pandas as pd
import pyarrow as pa
from apptest_support import app_with_upload, metric, new_app
from marketing_fixture import small_export
from maturity_fixture import maturity_export
from streamlit.proto.Metric_pb2 import Metric as MetricProto

from pages.common.ui import KEYS

PAGE = "pages/marketing.py"


def sample_app():
    """The sample export on the default page (the Marketing SLA)."""
    app = new_app()
    app.run()
    assert not app.exception
    return app


def small_app():
    """The hand-computed ten-lead export loaded through the Data page, then the Marketing SLA page."""
    return app_with_upload("small.csv", small_export().encode(), PAGE)


def aged_app():
    """The ten-lead export seen three months later (a sales lead on 15 Jun): January and February are mature by
    then (90 days after they ended: two marketing customers are fewer than 20), March is still maturing."""
    later = small_export() + "11,2024-06-15 10:00,Outbound,Intern,,\n"
    return app_with_upload("small_later.csv", later.encode(), PAGE)


def matured_app():
    """maturity_fixture's export (Jan, Mar, Apr mature; Feb without leads; May maturing; June in progress)."""
    return app_with_upload("matured.csv", maturity_export().encode(), PAGE)


def targets(app) -> tuple[str, str, str]:
    return metric(app, "Marketing revenue goal"), metric(app, "Customers needed"), metric(app, "Leads needed")


def tier_goals(app) -> pd.DataFrame:
    """The tier goals table (a markdown table under its heading) as the user reads it, indexed by tier."""
    body = next(m.value for m in app.markdown if "Tier goals for the chosen month" in m.value)
    rows = [[re.sub(r"\\(.)", r"\1", cell).strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
            for line in body.splitlines() if line.startswith("|") and not line.startswith("|---")]
    return pd.DataFrame(rows[1:], columns=rows[0]).set_index("Tier")


def monthly_table(app) -> pd.DataFrame:
    return next(d.value for d in app.dataframe if "Month" in d.value.columns).set_index("Month")


def chart_rows(app, title: str) -> list[dict]:
    """Every data row of the chart whose title holds ``title`` (its datasets, as the page sends them)."""
    (found,) = [c.proto for c in app.get("vega_lite_chart") if title in json.loads(c.proto.spec).get("title", "")]
    return [row for d in found.datasets for row in pa.ipc.open_stream(d.data.data).read_all().to_pylist()]


def badge(app, label: str, name: str) -> str:
    """The figure in the badge ``name …`` under the metric ``label``."""
    shown = next(m for m in app.metric if m.label == label).proto.delta
    assert shown.startswith(f"{name} "), shown
    return shown.removeprefix(f"{name} ")


def goal_to_date(app, unit: str = "leads") -> str:
    """The goal to date: the badge under the actual to date."""
    return badge(app, f"Actual to date ({unit})", "goal to date")


def month_goal(app, unit: str = "leads") -> str:
    """The goal line's goal for the month: the badge under the projection."""
    return badge(app, f"Projection ({unit})", "goal for the month")


def attainment_help(app) -> str:
    return next(m for m in app.metric if m.label == "Attainment").proto.help


def on_track(app) -> tuple[str, str]:
    """The badge under the attainment (on track or behind the goal line) and its colour."""
    attainment = next(m for m in app.metric if m.label == "Attainment")
    return attainment.proto.delta, MetricProto.MetricColor.Name(attainment.proto.color)


def worked_example(app) -> None:
    for key, shown in (("quota", 5000.0), ("marketing_share", 100.0), ("avg_deal_size", 100.0), ("close_rate", 50.0)):
        app.slider(key=KEYS.assumption(key)).set_value(shown).run()
