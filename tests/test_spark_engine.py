"""The Spark engine computes the report DuckDB computes: every section, both clocks, the sample and a 100k export.

Spark reads a Parquet copy of what DuckDB loaded from the CSV (under the CSV's own headers, through the same
mapping), a CSV path, or a catalog table, and computes every figure itself. Deselect with ``-m "not spark"``.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from spark_support import SPARK_URL, BothEngines, differences
from sla_core import queries
from sla_core.__main__ import main
from sla_core.assumptions import Assumptions
from sla_core.db import open_session_db
from sla_core.engine import spark_source
from sla_core.ingest import load as ingest
from sla_core.ingest.errors import InputError
from sla_core.ingest.mapping import Mapping

pytestmark = pytest.mark.spark
ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample_leads.csv"
EXPORT_100K = Path("/work/baseline/leads_100000.csv")
GOAL_RULES = Assumptions.from_dict({"goal_rules": [
    {"field": "source", "value": "Organic Search", "speed_goal_hours": 8},
    {"field": "region", "value": "Germany", "depth_goal_attempts": 2},
]})


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return BothEngines(SAMPLE, tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="module")
def export_100k(tmp_path_factory):
    path = EXPORT_100K
    if not path.is_file():
        from sla_core import generator

        path = tmp_path_factory.mktemp("generated") / "leads_100000.csv"
        generator.main(["100000", str(path), "--seed", "42", "--style", "hubspot"])
    return BothEngines(path, tmp_path_factory.mktemp("export_100k"))


@pytest.mark.parametrize("clock", ["calendar", "business"])
def test_every_section_of_the_sample_report_is_the_same_on_spark(sample, clock):
    duck, spark = sample.reports("2024-03", clock)
    assert differences(duck, spark) == []
    assert spark["speed"]["handed"] > 0 and spark["depth"]["not_connected"] > 0  # figures, not an empty month


@pytest.mark.parametrize("clock", ["calendar", "business"])
def test_every_section_of_a_100k_export_with_goal_rules_is_the_same_on_spark(export_100k, clock):
    duck, spark = export_100k.reports("2024-06", clock, GOAL_RULES)
    assert "segments" in duck
    assert differences(duck, spark) == []


def test_a_catalog_table_reads_as_its_parquet_file_does(sample, tmp_path):
    spark = sample.engine.spark
    spark.sql(f"CREATE DATABASE IF NOT EXISTS crm LOCATION '{tmp_path / 'crm'}'")
    spark.read.parquet(str(sample.parquet)).write.mode("overwrite").saveAsTable("crm.leads")
    engine, dataset = spark_source.load(spark_source.SparkSource(SPARK_URL, "crm.leads"), Mapping(), "UTC")
    params = {"tz": "UTC", "as_of": dataset.as_of}
    assert dataset.rows_loaded == sample.spark_dataset.rows_loaded == 6000
    spark_rows = queries.records(engine, "marketing/monthly_actuals", **params)
    assert len(spark_rows) == 13 and differences(spark_rows, queries.records(sample.con, "marketing/monthly_actuals",
                                                                             **params)) == []


def test_a_csv_path_gives_the_report_of_the_upload(capsys):
    assert main(["report", "--leads", str(SAMPLE), "--month", "2024-03"]) == 0
    duck = json.loads(capsys.readouterr().out)
    assert main(["report", "--engine", "spark", "--leads", str(SAMPLE), "--month", "2024-03"]) == 0
    out, err = capsys.readouterr()
    assert differences(duck, json.loads(out)) == []


def test_a_bad_mapping_against_a_table_gets_the_uploads_message(sample, tmp_path, capsys):
    bad = tmp_path / "mapping.json"
    bad.write_text(json.dumps({"columns": {"created_at": "No Such Column"}}))
    con = open_session_db(tmp_path / "upload", readable=(SAMPLE.parent,))
    with pytest.raises(InputError) as upload:
        ingest.load(con, ingest.UploadSet(leads=ingest.Upload(SAMPLE.name, SAMPLE)), Mapping.from_file(bad),
                    ingest.ReadOptions(tz="UTC"), tmp_path / "load")
    source = spark_source.SparkSource(SPARK_URL, str(sample.parquet))
    with pytest.raises(InputError) as warehouse:
        spark_source.load(source, Mapping.from_file(bad), "UTC")
    assert upload.value.reason == warehouse.value.reason == \
        "the mapping reads Created from column 'No Such Column', which is not in the file"
    assert main(["report", "--engine", "spark", "--leads", str(sample.parquet), "--mapping", str(bad)]) == 2
    assert capsys.readouterr().err == f"error: {sample.parquet}: {warehouse.value.reason}\n"


def test_a_missing_table_is_named_in_one_line(capsys):
    assert main(["report", "--engine", "spark", "--leads", "crm.no_such_table"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: crm.no_such_table: cannot be read by Spark:") and err.count("\n") == 1
