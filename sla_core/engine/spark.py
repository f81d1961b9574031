"""The Spark back end: one JVM session per process, a child session (its own ``leads`` view) per engine.

``local[2]`` runs in the process (tests, a laptop); ``spark://host:port`` or ``yarn`` uses a cluster's
master; ``sc://host:port`` speaks Spark Connect to a remote server. Only aggregates come back: every
statement of ``sla_core/sql`` runs where the rows are (``spark_sql`` translates it once).
"""
from __future__ import annotations

import atexit
import os
import socket
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from functools import cache
from urllib.parse import urlsplit

from sla_core.engine import Engine, spark_sql

DRIVER_MEMORY = "1g"  # the driver holds aggregates only: the rows stay with the executors
# DuckDB's semantics where Spark's differ by default: no error for a list index out of range or an overflow
# (ANSI mode), day and month intervals of one type (a period's step is either), UTC as the session's zone. Set on
# every session the engine opens: a Spark Connect server's new session starts from the server's own defaults.
SQL_SETTINGS = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "false",
    "spark.sql.legacy.interval.enabled": "true",
    "spark.sql.shuffle.partitions": "4",
    # a table name such as csv.secrets would read the file "secrets" beside the server process: a source's files
    # are read only as paths, which check_readable holds to the allowed folders
    "spark.sql.runSQLOnFiles": "false",
}
# What a JVM this process starts is started with (a remote server has its own).
LOCAL_SETTINGS = {"spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false",
                  "spark.driver.memory": DRIVER_MEMORY}
CONNECT_TIMEOUT_S = 3.0
SPARK_TYPES = {"VARCHAR": "string", "TIMESTAMPTZ": "timestamp", "DOUBLE": "double", "INTEGER": "int",
               "BOOLEAN": "boolean"}  # the lead table's SQL types (``contract.SQL_TYPES``) as Spark's


class EngineError(ValueError):
    """Spark refused or failed a statement: a one-line message for the user."""


class EngineUnavailable(ValueError):
    """The Spark URL cannot be reached or started: a one-line message, never a traceback."""


@dataclass(frozen=True)
class SparkUrl:
    """A validated engine URL: ``local``, ``local[N]``, ``spark://h:p``, ``sc://h:p`` or ``yarn``."""

    url: str

    def __post_init__(self):
        if not (self.is_local or self.url == "yarn" or self.url.startswith(("spark://", "sc://"))):
            raise EngineUnavailable(f"Spark URL {self.url!r}: expected local[N], spark://host:port, sc://host:port "
                                    "or yarn")

    @property
    def is_local(self) -> bool:
        return self.url == "local" or (self.url.startswith("local[") and self.url.endswith("]"))

    def address(self) -> tuple[str, int] | None:
        """Host and port to check before starting a JVM against them (None: nothing to reach)."""
        if self.is_local or self.url == "yarn":
            return None
        parts = urlsplit(self.url)
        if not parts.hostname:
            raise EngineUnavailable(f"Spark URL {self.url!r} names no host")
        return parts.hostname, parts.port or (15002 if self.url.startswith("sc://") else 7077)


def check_reachable(url: SparkUrl) -> None:
    """Fail fast with a clear message: a JVM pointed at a dead master retries for a minute before it gives up."""
    address = url.address()
    if address is None:
        return
    try:
        with socket.create_connection(address, timeout=CONNECT_TIMEOUT_S):
            pass
    except OSError as exc:
        raise EngineUnavailable(f"cannot reach Spark at {url.url}: {exc.strerror or exc}") from exc


@cache
def session(url: str):
    """The process's Spark session for ``url`` (started once: a JVM takes seconds to start)."""
    spark_url = SparkUrl(url)
    check_reachable(spark_url)
    # pyspark warns on every start that it was not tested with pandas 3; the engine hands pandas no frame of its own
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - requirements.txt pins pyspark
        raise EngineUnavailable("the Spark engine needs pyspark (pip install -r requirements.txt)") from exc
    builder = SparkSession.builder
    builder = builder.remote(url) if url.startswith("sc://") else builder.master(url)
    if spark_url.is_local:  # its driver listens on the loopback address only (else it takes the host's public one)
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    for key, value in (SQL_SETTINGS if url.startswith("sc://") else {**LOCAL_SETTINGS, **SQL_SETTINGS}).items():
        builder = builder.config(key, value)
    try:
        spark = builder.appName("sla-dashboard").getOrCreate()
    except Exception as exc:  # a JVM or Spark Connect failure: one line for the user
        raise EngineUnavailable(f"cannot start Spark at {url}: {str(exc).splitlines()[0]}") from exc
    if spark_url.is_local:  # errors reach the user as one line each; the JVM's log would repeat them at length
        spark.sparkContext.setLogLevel("OFF")
    if is_connect(spark):  # its channel closed at exit: left to the garbage collector, closing it can hang
        atexit.register(spark.stop)
    _quiet_query_errors()
    return spark


def is_connect(spark) -> bool:
    """Whether ``spark`` speaks Spark Connect to a remote server (a session there is one client's to stop)."""
    return type(spark).__module__.startswith("pyspark.sql.connect")


def child_session(url: str):
    """A session of its own on the process's Spark (its temp views and cache are one workspace's), with DuckDB's
    semantics set."""
    spark = session(url).newSession()
    for key, value in SQL_SETTINGS.items():
        spark.conf.set(key, value)
    return spark


def _quiet_query_errors() -> None:
    """pyspark logs a failed statement's Java stack trace on stderr; the user gets it as one line (EngineError)."""
    from pyspark.logger import PySparkLogger

    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).disabled = True


def python_value(value):
    """A result value as DuckDB's Python client gives it: instants aware in UTC, decimals as floats."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.astimezone(timezone.utc)  # pyspark hands instants over as naive local time
    if isinstance(value, Decimal):
        return float(value)
    return value


def spark_argument(value):
    """A bound value as Spark accepts it: a list as an array() column, the rest as a literal."""
    if isinstance(value, (list, tuple)):
        from pyspark.sql import functions as F

        return F.array(*[F.lit(v) for v in value])
    return value


class SparkEngine(Engine):
    """Runs the metric statements on a Spark session whose ``leads`` view is the mapped source."""

    name = "spark"

    def __init__(self, spark, cached=None):
        self.spark = spark
        self._cached = cached  # the persisted lead rows, released by close()
        self._materialized: dict[str, str] = {}  # table → the key its rows were built for

    def release_rows(self) -> None:
        """Drop the cached lead rows; the engine still answers, reading them from the source again."""
        if self._cached is not None:
            self._cached.unpersist()
            self._cached = None

    def close(self) -> None:
        """Release the workspace's cached rows (the process's Spark session stays up for the next one)."""
        self.release_rows()
        if is_connect(self.spark):  # the server's session of this workspace goes too (a local one shares the JVM)
            self.spark.stop()

    def dataframe(self, statement: str, params: dict):
        translated = spark_sql.statement(statement)
        args = {k: spark_argument(v) for k, v in translated.bind(params).items()}
        return self.spark.sql(translated.text, args=args)

    def records(self, statement: str, params: dict) -> list[dict]:
        from pyspark.errors import PySparkException

        try:
            rows = self.dataframe(statement, params).collect()
        except PySparkException as exc:  # a source Spark cannot compute with: one line, naming the statement
            raise EngineError(f"Spark could not compute {statement}: {str(exc).splitlines()[0]}") from exc
        return [{k: python_value(v) for k, v in row.asDict().items()} for row in rows]

    def columns(self, statement: str, params: dict) -> list[str]:
        return self.dataframe(statement, params).columns

    def materialize(self, table: str, statement: str, key: str, params: dict) -> None:
        """A cached temp view of the statement's query in this engine's own session (so never another
        workspace's), replaced when the key changes."""
        if self._materialized.get(table) == key:
            return
        query = spark_sql.query_of(statement)
        args = {k: spark_argument(v) for k, v in query.bind(params).items()}
        if table in self._materialized:
            self.spark.catalog.uncacheTable(table)
        self.spark.sql(query.text, args=args).createOrReplaceTempView(table)
        self.spark.catalog.cacheTable(table)
        self._materialized[table] = key
