"""Reports of one CSV on both engines: DuckDB from the CSV, Spark from a Parquet copy of what DuckDB loaded.

The Parquet copy carries the CSV's own headers (the canonical columns renamed back), so the Spark source is
read through the same mapping as the upload; Spark then computes every figure itself.
"""
from __future__ import annotations

import math
from pathlib import Path

import pyarrow.parquet as pq

from sla_core import report
from sla_core.assumptions import Assumptions
from sla_core.db import open_session_db
from sla_core.engine import spark_source
from sla_core.ingest import load as ingest
from sla_core.ingest.mapping import Mapping

SPARK_URL = "local[2]"
TOLERANCE = 1e-9


class BothEngines:
    """One CSV loaded into DuckDB, and its Parquet copy mapped into Spark."""

    def __init__(self, csv: Path, work: Path):
        self.con = open_session_db(work / "duckdb", readable=(csv.resolve().parent,))
        files = ingest.UploadSet(leads=ingest.Upload(csv.name, csv.resolve()))
        self.dataset = ingest.load(self.con, files, Mapping(), ingest.ReadOptions(tz="UTC"), work / "load")
        self.parquet = work / "leads.parquet"
        export_parquet(self.con, self.dataset.columns, self.parquet)
        source = spark_source.SparkSource(SPARK_URL, str(self.parquet))
        self.engine, self.spark_dataset = spark_source.load(source, Mapping(), "UTC")

    def reports(self, month: str, clock: str, assumptions: Assumptions | None = None) -> tuple[dict, dict]:
        request = report.ReportRequest(report.parse_month(month), assumptions or Assumptions(), clock)
        return (report.build(self.con, self.dataset, request),
                report.build(self.engine, self.spark_dataset, request))


def parquet_of(csv: Path, work: Path) -> Path:
    """A warehouse file of ``csv``: a Parquet copy of what DuckDB loaded from it, under the export's headers."""
    con = open_session_db(work / "duckdb", readable=(csv.resolve().parent,))
    dataset = ingest.load(con, ingest.UploadSet(leads=ingest.Upload(csv.name, csv.resolve())), Mapping(),
                          ingest.ReadOptions(tz="UTC"), work / "load")
    export_parquet(con, dataset.columns, work / "leads.parquet")
    con.close()
    return work / "leads.parquet"


def export_parquet(con, columns: dict[str, str], path: Path) -> None:
    """The loaded ``leads`` as a Parquet file whose columns carry the export's headers (mapped fields only)."""
    table = con.sql("SELECT * FROM leads").to_arrow_table()
    kept = [f for f in table.column_names if f in columns]
    pq.write_table(table.select(kept).rename_columns([columns[f] for f in kept]), path)


def differences(a, b, where: str = "") -> list[str]:
    """Where two reports differ: numbers beyond TOLERANCE (relative or absolute), anything else unequal."""
    if isinstance(a, dict) and isinstance(b, dict):
        keys = list(dict.fromkeys([*a, *b]))
        return [d for k in keys for d in differences(a.get(k, "<absent>"), b.get(k, "<absent>"), f"{where}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{where}: {len(a)} items vs {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in differences(x, y, f"{where}[{i}]")]
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool) and not isinstance(b, bool):
        return [] if math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE) else [f"{where}: {a!r} vs {b!r}"]
    return [] if a == b else [f"{where}: {a!r} vs {b!r}"]
