"""Warehouse mode's data-quality report: what the source holds, counted by Spark field by field (no row fetched)."""
from __future__ import annotations

from datetime import datetime, timezone

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from spark_support import SPARK_URL
from sla_core.engine import spark_source
from sla_core.ingest.mapping import Mapping

pytestmark = pytest.mark.spark
HEADERS = ["Record ID", "Create Date", "Owner Assigned Date", "Date of first engagement", "Became a Customer Date",
           "Recent Deal Amount"]
ROWS = [
    ["A1", "2024-03-01 10:00", "2024-03-01 11:00", "2024-03-01 10:30", None, None],  # touched before hand-off
    ["A2", "2024-03-02 10:00", "2024-03-02 11:00", None, "2024-03-01 09:00", 100.0],  # a win before creation
    ["A3", "2024-03-03 10:00", None, None, "2024-03-05 09:00", -50.0],  # a negative amount
    [None, "2024-03-04 10:00", "2024-03-04 11:00", None, None, None],  # no lead id: rejected
    ["A5", "not a date", "2024-03-05 11:00", None, None, None],  # created date unreadable: rejected
    ["A1", "2024-03-06 10:00", "2024-03-06 11:00", None, None, None],  # A1 again: the first row is kept
]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    path = tmp_path_factory.mktemp("quality") / "leads.parquet"
    columns = list(zip(*ROWS, strict=True))
    pq.write_table(pa.table({h: list(c) for h, c in zip(HEADERS, columns, strict=True)}), path)
    loaded_at = datetime(2024, 4, 1, tzinfo=timezone.utc)
    return spark_source.load(spark_source.SparkSource(SPARK_URL, str(path)), Mapping(), "UTC", loaded_at=loaded_at)


def test_rejected_duplicate_and_unreadable_rows_are_counted_by_field(loaded):
    _, dataset = loaded
    q = dataset.quality
    assert (q.rows_read, q.rows_rejected, dataset.rows_loaded) == (6, 3, 3)
    assert q.issue_counts == {"created_at: value not readable": 1, spark_source.REJECT_REASON: 2,
                              spark_source.DUPLICATE_REASON: 1}
    assert q.missing == {"lead_id": 1, "handed_at": 1, "first_touch_at": 5, "customer_at": 4, "deal_amount": 4}
    assert q.issues == []  # no row detail: it would mean fetching rows from the warehouse


def test_suspicious_rows_are_counted_and_the_stated_rules_applied(loaded):
    engine, dataset = loaded
    assert {s["check"]: s["rows"] for s in dataset.quality.suspicious} == {
        "first sales touch before hand-off": 1, "became customer before the lead was created": 1,
        "negative deal amount": 1, "date later than the moment of loading": 0}
    leads = {r["lead_id"]: r for r in (row.asDict() for row in engine.spark.table("leads").collect())}
    assert set(leads) == {"A1", "A2", "A3"}
    assert leads["A1"]["touched_before_handoff"] and leads["A1"]["created_at"].day == 1  # the first A1 row
    assert leads["A2"]["customer_at"] is None and leads["A2"]["deal_amount"] is None
    assert leads["A3"]["deal_amount"] is None and leads["A3"]["customer_at"] is not None
    assert leads["A3"]["handed_at"] is None  # mapped, so no fallback to the MQL date


def test_as_of_is_the_latest_instant_in_the_data(loaded):
    _, dataset = loaded
    assert dataset.as_of == datetime(2024, 3, 5, 9, 0, tzinfo=timezone.utc)
