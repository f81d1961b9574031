"""Shared by the Sales SLA page tests: the hand-computed exports and how a test reads the page."""
from __future__ import annotations

import json

import pandas as pd
from apptest_support import (
    html_tables,
    shown,
)
from ingest_support import csv_bytes


PAGE = "pages/sales.py"

# As of 2024-03-08 16:30 UTC (the latest timestamp), goal 1 h. Calendar responses: A 0.5 within, B 2 missed,
# C never touched (missed), D 5 min within, E not yet due, F handed Friday 16:30 and touched Monday 09:15:
# 64.75 calendar hours (missed) but 0.75 business hours (within, Mon–Fri 09–17). March is in progress.
SMALL_ROWS = [
    ["lead_id", "created_at", "handed_at", "first_touch_at", "attempts", "connected", "owner"],
    ["A", "2024-03-04T09:00:00Z", "2024-03-04T10:00:00Z", "2024-03-04T10:30:00Z", "3", "true", "Ann"],
    ["B", "2024-03-04T09:00:00Z", "2024-03-04T10:00:00Z", "2024-03-04T12:00:00Z", "6", "false", "Ann"],
    ["C", "2024-03-05T09:00:00Z", "2024-03-05T10:00:00Z", "", "1", "false", "Bob"],
    ["D", "2024-03-06T09:00:00Z", "2024-03-06T10:00:00Z", "2024-03-06T10:05:00Z", "2", "false", "Bob"],
    ["E", "2024-03-08T09:00:00Z", "2024-03-08T16:30:00Z", "", "0", "false", "Bob"],
    ["F", "2024-03-01T09:00:00Z", "2024-03-01T16:30:00Z", "2024-03-04T09:15:00Z", "1", "false", "=cmd|calc"],
]
SMALL = csv_bytes(SMALL_ROWS)
SMALL_WITHOUT_TOUCH = csv_bytes([row[:3] + row[4:] for row in SMALL_ROWS])  # speed cannot be measured

# Months that ended: as of 2024-05-10 (a late customer date), February and March are complete, April handed
# nothing, May is in progress; the month shown first is March (the latest month with a marketing lead).
# February, goal 1 h: P1 within, P5 within; P2 and P4 never touched, P3 after 3 h: 2 of 5 within (40 %): missed.
# Not connected: P1 2, P2 0, P3 6, P4 0 attempts: 1 of 4 at a goal of 6 (25 %), 2 of 4 at a goal of 2 (50 %).
# March: Q1 touched after 10 min, 6 attempts: speed and depth met.
DONE = csv_bytes([
    ["lead_id", "created_at", "handed_at", "first_touch_at", "attempts", "connected", "owner", "customer_at"],
    ["P1", "2024-02-05T09:00:00Z", "2024-02-05T10:00:00Z", "2024-02-05T10:30:00Z", "2", "false", "Ann", ""],
    ["P2", "2024-02-06T09:00:00Z", "2024-02-06T10:00:00Z", "", "0", "false", "Ann", ""],
    ["P3", "2024-02-07T09:00:00Z", "2024-02-07T10:00:00Z", "2024-02-07T13:00:00Z", "6", "false", "Bob", ""],
    ["P4", "2024-02-08T09:00:00Z", "2024-02-08T10:00:00Z", "", "0", "false", "Bob", ""],
    ["P5", "2024-02-09T09:00:00Z", "2024-02-09T10:00:00Z", "2024-02-09T10:05:00Z", "6", "true", "Bob",
     "2024-05-10T12:00:00Z"],
    ["Q1", "2024-03-04T09:00:00Z", "2024-03-04T10:00:00Z", "2024-03-04T10:10:00Z", "6", "false", "Ann", ""],
])


def captions(app) -> str:
    return shown(app.caption)


def errors(app) -> str:
    return shown(app.error)


def markdown(app) -> str:
    """Every markdown element as written (escapes kept), badges included."""
    return " ".join(str(m.value) for m in app.markdown)


def grid(app, column: str) -> pd.DataFrame:
    """The table (a grid, st.dataframe, or a static HTML table) that has ``column``."""
    return next(frame for frame in (*(d.value for d in app.dataframe), *html_tables(app)) if column in frame.columns)


def charts(app) -> list[dict]:
    return [json.loads(c.proto.spec) for c in app.get("vega_lite_chart")]


def chart_titled(app, title: str) -> dict:
    def text(spec):
        t = spec.get("title")
        return t.get("text") if isinstance(t, dict) else t
    return next(spec for spec in charts(app) if text(spec) == title)
