"""``python -m sla_core report --engine spark``: the report of a warehouse source, computed where the rows are.

``--leads``, ``--deals`` and ``--activities`` each name a table or a Parquet/CSV path.

The same ``report.build`` as the DuckDB engine, given a Spark engine instead of a connection: the figures
come from the same statements, translated once (``spark_sql``).
"""
from __future__ import annotations

import argparse

from sla_core import report
from sla_core.assumptions import Assumptions
from sla_core.ingest.mapping import Mapping

DEFAULT_URL = "local[2]"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb",
                        help="where the figures are computed: the embedded DuckDB (files) or Spark "
                             "(--leads is then a table name or a Parquet/CSV path)")
    parser.add_argument("--spark-url", default=DEFAULT_URL,
                        help="Spark master or Spark Connect URL: local[2], spark://host:7077, sc://host:15002")


def run_report(args: argparse.Namespace, as_of) -> str:
    """The report JSON (or Markdown) of a Spark source; bad input raises ValueError with one clear line."""
    for label, path in (("--mapping", args.mapping), ("--assumptions", args.assumptions)):
        if path is not None and not path.is_file():
            raise ValueError(f"{path}: file not found ({label})")
    month = report.parse_month(args.month) if args.month is not None else None
    mapping = Mapping.from_file(args.mapping) if args.mapping else Mapping()
    assumptions = Assumptions.from_file(args.assumptions) if args.assumptions else Assumptions()
    from sla_core.engine import spark_source  # its SQL translator (sqlglot) loads for a Spark report only

    source = spark_source.SparkSource(args.spark_url, str(args.leads), *[None if given is None else str(given)
                                                                          for given in (args.deals, args.activities)])
    engine, dataset = spark_source.load(source, mapping, args.tz, as_of=as_of)
    try:
        result = report.build(engine, dataset, report.ReportRequest(month, assumptions, args.clock))
    finally:
        engine.close()
    return report.to_json(result) if args.format == "json" else report.to_markdown(result)
