"""A warehouse's deals table and activity log are merged into its leads as an upload's files are (SPEC 1): the
report of the sample with a deals file and an activity log is the same on Spark as on DuckDB, notices included.

The deals hold the sample's won deals plus what the merge must choose or ignore: a later second win, an earlier
win without an amount, a deal for an unknown lead and one without a Lead ID. The log gives some leads a call
before hand-off, unanswered attempts and a connect, so first touch, attempts and connected all change."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from spark_support import differences
from sla_core.__main__ import main

pytestmark = pytest.mark.spark
SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample_leads.csv"
OUTCOMES = ("No answer", "Left voicemail", "No answer", "Connected")


def _iso(text: str) -> str:
    return text.replace(" ", "T") + ":00Z"


def _later(text: str, hours: int) -> str:
    from datetime import datetime, timedelta

    return (datetime.fromisoformat(text) + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:00Z")


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("crm")
    with SAMPLE.open(newline="", encoding="utf-8") as f:
        leads = list(csv.DictReader(f))
    deals = [["lead_id", "customer_at", "deal_amount", "owner"]]
    activities = [["lead_id", "activity_at", "type", "outcome"]]
    for n, lead in enumerate(leads):
        lead_id, won, handed = lead["Record ID"], lead["Became a Customer Date"], lead["Owner Assigned Date"]
        if won:
            deals.append([lead_id, _iso(won), lead["Recent Deal Amount"], "Deal Desk"])
            if n % 7 == 0:  # a second, later win: the first one counts
                deals.append([lead_id, _later(won, 24 * 30), "999999", "Someone Else"])
            if n % 11 == 0:  # an earlier win without an amount: the customer date moves, the amount is the next's
                deals.append([lead_id, _later(won, -24), "", ""])
        if handed and n % 3:
            activities.append([lead_id, _later(handed, -2), "call", "Connected"])  # before hand-off: no attempt
            for k in range(n % 5):
                activities.append([lead_id, _later(handed, 3 * k + 1), "call", OUTCOMES[(n + k) % 4]])
    deals += [["9999999999", "2024-05-01T10:00:00Z", "100", "Nobody"], ["", "2024-05-02T10:00:00Z", "200", ""]]
    for name, rows in (("deals.csv", deals), ("activities.csv", activities)):
        with (folder / name).open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(rows)
    return folder / "deals.csv", folder / "activities.csv"


def _report(capsys, *args: str) -> dict:
    assert main(["report", *args]) == 0
    out, err = capsys.readouterr()
    return json.loads(out)


@pytest.mark.parametrize("clock", ["calendar", "business"])
def test_deals_and_activities_give_the_uploads_report_on_spark(files, capsys, clock):
    deals, activities = files
    given = ["--leads", str(SAMPLE), "--deals", str(deals), "--activities", str(activities), "--month", "2024-06",
             "--clock", clock]
    duck = _report(capsys, *given)
    spark = _report(capsys, "--engine", "spark", *given)
    assert differences(duck, spark) == []
    notices = " ".join(spark["data_quality"]["notices"])
    assert "deals.csv: 1 deal(s) name a Lead ID that is not in the leads file" in notices
    assert "deals.csv: 1 deal(s) have no Lead ID" in notices and "more than one won deal" in notices
    assert "derived from the activity log" in notices
    plain = _report(capsys, "--leads", str(SAMPLE), "--month", "2024-06", "--clock", clock)
    assert plain["depth"] != spark["depth"] and plain["speed"] != spark["speed"]  # the log changed the figures
    assert plain["actuals"] != spark["actuals"]  # … and the deals the sales cycle
