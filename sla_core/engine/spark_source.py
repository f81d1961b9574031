"""A warehouse source as the canonical ``leads`` view: a Spark table, or a Parquet or CSV path, read through the
same MAPPING.json as an upload and held to the same stated rules (SPEC 1), without a row leaving Spark.

The view is built with Spark's DataFrame API from the contract's fields (``sla_core.contract``): no SQL text
is assembled from a column header, and a mapping that does not fit the source is refused with the upload's
own message. What the load found (empty, unreadable, rejected and duplicate cells) is counted in one Spark
job; the rows themselves are never fetched.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from sla_core import contract, queries
from sla_core.engine import spark_merge
from sla_core.engine.spark import SPARK_TYPES, EngineUnavailable, SparkEngine, SparkUrl, child_session
from sla_core.ingest.canonical import ACTIVITY_NOTICE, flag_suspicious
from sla_core.ingest.conventions import DateRange
from sla_core.ingest.dataset import Dataset, Quality
from sla_core.ingest.errors import InputError
from sla_core.ingest.load import ACTIVITY_TYPES, DEAL_TYPES
from sla_core.ingest.mapping import REQUIRED_BY_KIND, Mapping
from sla_core.ingest.staging import _check_mapping

TABLE_NAME = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*){0,2}$")  # catalog.schema.table at most
TRUE_WORDS = ("true", "yes", "y", "1")
# Storage a cluster reads on its own machines: a path there is the warehouse's to allow or refuse.
CLUSTER_STORAGE = frozenset({"s3", "s3a", "s3n", "gs", "abfs", "abfss", "wasb", "wasbs", "adl", "hdfs", "dbfs",
                             "oss", "cos", "viewfs"})
# Hadoop's glob alternation is expanded after the path is checked: {x,../y} reaches beyond the allowed folder.
ESCAPING_GLOB = re.compile(r"[{}\\]")
REJECT_REASON = "lead id or created date missing or unreadable"
DUPLICATE_REASON = "duplicate lead id (the first row is kept)"
KIND_TYPES = {"leads": (contract.MAPPED_TYPES, contract.REQUIRED),  # file kind → field types, required fields
              "deals": (DEAL_TYPES, REQUIRED_BY_KIND["deals"]),
              "activities": (ACTIVITY_TYPES, REQUIRED_BY_KIND["activities"])}


@dataclass(frozen=True)
class SparkSource:
    """Where a workspace's rows live in a warehouse: an engine URL, the leads' table or file path, and optionally
    a deals table and an activity log (read with the mapping's ``deals_columns`` and ``activities_columns``)."""

    url: str
    leads: str
    deals: str | None = None
    activities: str | None = None

    def __post_init__(self):
        SparkUrl(self.url)
        if not self.leads:
            raise InputError("(no leads source)", "give a table name (catalog.schema.table) or a .parquet/.csv path")
        for location in self.locations().values():
            if not (is_path(location) or TABLE_NAME.match(location)):
                raise InputError(location, "give a table name (catalog.schema.table) or a .parquet/.csv path")

    def locations(self) -> dict[str, str]:
        """File kind → table or path, for the kinds given."""
        found = {"leads": self.leads, "deals": self.deals, "activities": self.activities}
        return {kind: location for kind, location in found.items() if location}

    def as_dict(self) -> dict:
        return {"url": self.url, **self.locations()}

    @classmethod
    def of(cls, dataset: Dataset) -> SparkSource:
        """The source a warehouse dataset was read from (what a saved workspace keeps instead of rows)."""
        if not dataset.warehouse:
            raise ValueError("this data was uploaded, not read from a warehouse")
        return cls(**dataset.warehouse)

    def check_readable(self, roots: tuple[Path, ...]) -> None:
        """Refuse a path on the app's own machine outside ``roots``: a visitor of the app must not point Spark
        at the server's files. Tables, and paths on a cluster's storage (``s3a://``, ``abfss://``, ``dbfs:/``),
        are the warehouse's to allow or refuse."""
        for location in self.locations().values():
            if not is_path(location) or not _is_local(location):
                continue
            if ESCAPING_GLOB.search(location):
                raise InputError(location, "a path on this machine cannot use { } or \\ (Spark would expand "
                                           "{x,../other} to a folder outside the allowed ones)")
            path = Path(urlsplit(location).path if location.lower().startswith("file:") else location).resolve()
            if not any(path.is_relative_to(root.resolve()) for root in roots):
                shown = ", ".join(str(r) for r in roots) or "none: set SLA_WAREHOUSE_PATHS"
                raise InputError(location, f"not a folder this app may read (allowed: {shown})")


@dataclass(frozen=True)
class _Columns:
    """What ``staging._check_mapping`` reads of a file's layout: its headers (a table has no header line)."""

    headers: list[str]
    header_line: int | None = None


def is_path(location: str) -> bool:
    return "/" in location or location.lower().endswith((".parquet", ".csv"))


def shown_name(location: str) -> str:
    """How notices name a source, as an upload's name its file: a path's last part, a table's name."""
    return PurePosixPath(location.rstrip("/")).name if is_path(location) else location


def _is_local(location: str) -> bool:
    """Whether a path may be on this machine's disk: any but a cluster storage's scheme (``s3a://``, ``hdfs://``…)."""
    scheme = re.match(r"^([A-Za-z][\w+.-]*):", location)
    return scheme is None or scheme.group(1).lower() not in CLUSTER_STORAGE


def read_relation(spark, location: str):
    """The source's rows as a Spark DataFrame (lazily: nothing is read yet)."""
    try:
        if not is_path(location):
            return spark.table(location)
        if location.lower().endswith(".csv"):
            return spark.read.option("header", True).csv(location)
        return spark.read.parquet(location)
    except spark_failures() as exc:  # a missing table or path, a file that is not Parquet (its footer read here)
        raise InputError(location, f"cannot be read by Spark: {first_line(exc)}") from exc


def spark_failures() -> tuple[type[Exception], ...]:
    """What Spark raises on a source it cannot read: its own errors, and a JVM error pyspark passes on as is
    (a corrupt Parquet file's footer is a bare ``Py4JJavaError``)."""
    from pyspark.errors import PySparkException

    try:
        from py4j.protocol import Py4JError
    except ImportError:  # a Spark Connect client without the JVM's bridge
        return (PySparkException,)
    return PySparkException, Py4JError


def first_line(exc: Exception) -> str:
    """The first line of Spark's message: the JVM's own for a ``Py4JJavaError`` (pyspark's names only the call)."""
    java = getattr(exc, "java_exception", None)
    text = str(java.getMessage() if java is not None else exc) or type(exc).__name__
    return text.strip().splitlines()[0]


def _typed(F, column, source_type: str, read_as: str, connected_values: tuple[str, ...]):
    """A source column as its canonical field's type (NULL when it does not read as one)."""
    if read_as == "boolean" and source_type != "boolean":
        if source_type in ("timestamp", "date", "timestamp_ntz"):
            return column.isNotNull()  # a "connected date": connected once it has one
        text = F.lower(F.trim(column.cast("string")))
        words = [v.strip().lower() for v in connected_values] + list(TRUE_WORDS)
        return F.when(text.isNull(), None).otherwise(text.isin(words))
    return column.cast(SPARK_TYPES[contract.SQL_TYPES[read_as]])


def mapped_columns(spark, kind: str, location: str, mapping: Mapping, dates: DateRange):
    """One source read through the mapping, refused as an upload would be when it does not fit: its columns as
    their fields' types (NULL where a value does not read as one, a date outside ``dates`` too), the counts of
    empty and unreadable cells per field (Spark columns, not computed yet), the fields' headers, all headers."""
    from pyspark.sql import functions as F

    raw = read_relation(spark, location)
    headers = raw.columns
    types, required = KIND_TYPES[kind]
    fields = mapping.resolve(kind, headers)
    _check_mapping(location, kind, _Columns(list(headers)), fields, types, required)
    source_types = dict(raw.dtypes)
    checks, columns = [], {}
    for name, read_as in types.items():
        if name not in fields:
            continue
        source = F.col(f"`{fields[name].replace('`', '``')}`")
        value = _typed(F, source, source_types[fields[name]], read_as, mapping.connected_values)
        if read_as == "timestamp":
            value = F.when((value >= F.lit(dates.earliest)) & (value <= F.lit(dates.latest)), value)
        columns[name] = value
        checks += [F.sum(F.when(source.isNull(), 1).otherwise(0)).alias(f"empty:{name}"),
                   F.sum(F.when(source.isNotNull() & value.isNull(), 1).otherwise(0)).alias(f"unread:{name}")]
    return raw, columns, checks, fields, headers


def canonical_frame(spark, location: str, mapping: Mapping, dates: DateRange):
    """The mapped source as the lead table's columns before the stated rules, plus the counts of what was found."""
    from pyspark.sql import functions as F

    raw, columns, checks, fields, headers = mapped_columns(spark, "leads", location, mapping, dates)
    for name, fallback in contract.FALLBACKS.items():
        columns.setdefault(name, columns.get(fallback))
    for f in contract.LEAD_FIELDS:
        if columns.get(f.name) is None and f.name not in ("origin", "touched_before_handoff"):
            columns[f.name] = F.lit(None).cast(SPARK_TYPES[f.sql_type])
    sales = [s.lower() for s in mapping.sales_sources]
    columns["origin"] = F.when(F.lower(columns["source"]).isin(sales), "sales").otherwise("marketing")
    columns["attempts"] = F.coalesce(columns["attempts"], F.lit(0))
    columns["connected"] = F.coalesce(columns["connected"], F.lit(False))
    typed = raw.select(*[columns[f.name].alias(f.name) for f in contract.LEAD_FIELDS
                         if f.name != "touched_before_handoff"], F.monotonically_increasing_id().alias("row_"))
    return typed, raw.select(*checks) if checks else None, fields, headers


def _kept(F, Window, typed):
    """Rows with a lead id and a created date, the first of each lead id (as an upload keeps them)."""
    valid = typed.where(F.col("lead_id").isNotNull() & F.col("created_at").isNotNull())
    first = Window.partitionBy("lead_id").orderBy("row_")
    return valid.withColumn("n_", F.row_number().over(first)).where(F.col("n_") == 1).drop("n_", "row_")


def _finalized(F, leads):
    """The stated rules of finalize_leads.sql, applied as the view is read."""
    early_win = F.col("customer_at") < F.col("created_at")
    return leads.select(
        *[c for c in leads.columns if c not in ("customer_at", "deal_amount")],
        F.when(early_win, None).otherwise(F.col("customer_at")).alias("customer_at"),
        F.when(early_win | (F.col("deal_amount") < 0), None).otherwise(F.col("deal_amount")).alias("deal_amount"),
        F.coalesce(F.col("first_touch_at") < F.col("handed_at"), F.lit(False)).alias("touched_before_handoff"),
    ).select(*contract.COLUMNS)


def load(source: SparkSource, mapping: Mapping, tz: str, as_of: datetime | None = None,
         loaded_at: datetime | None = None) -> tuple[SparkEngine, Dataset]:
    """Connect, map the source to a ``leads`` view on a session of its own, and describe it as a Dataset.

    A failure of Spark itself while reading (a file that turns out corrupt) is one line naming the source."""
    loaded_at = loaded_at or datetime.now(timezone.utc)
    spark = child_session(source.url)
    engine = None
    try:
        engine, quality, rows, fields, headers = _read(spark, source, mapping, loaded_at)
        if as_of is None:
            as_of = queries.row(engine, "ingest/latest_timestamp", loaded_at=loaded_at)["as_of"]
    except spark_failures() as exc:
        if engine is not None:
            engine.close()
        raise InputError(source.leads, f"Spark could not read the source: {first_line(exc)}") from exc
    version = hashlib.sha256(f"{source.as_dict()}|{mapping.to_json()}|{loaded_at.isoformat()}".encode()).hexdigest()
    return engine, Dataset(version=version[:16], tz=tz, as_of=as_of, rows_loaded=rows, quality=quality,
                           files=source.locations(), headers=list(headers), columns=fields,
                           date_order="as typed", date_order_ambiguous=False, decimal=".",
                           has_deals=source.deals is not None, has_activities=source.activities is not None,
                           warehouse=source.as_dict())


def _read(spark, source: SparkSource, mapping: Mapping, loaded_at: datetime):
    """The engine on the mapped source, what the load found, the leads kept, the fields' and all headers."""
    from pyspark import StorageLevel
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    dates = DateRange.around(loaded_at)
    typed, checks, fields, headers = canonical_frame(spark, source.leads, mapping, dates)
    quality = _quality(F, typed, checks)
    _refuse_unusable(source.leads, quality)
    kept, notices = _merged(F, spark, source, mapping, _kept(F, Window, typed), dates)
    kept.createOrReplaceTempView("leads_next")
    # kept for the session: every figure reads it, and the first-row rule is a shuffle not to repeat per query
    leads = _finalized(F, kept).persist(StorageLevel.MEMORY_AND_DISK)
    leads.createOrReplaceTempView("leads")
    engine = SparkEngine(spark, cached=leads)
    try:
        quality.notices += notices
        flag_suspicious(engine, quality, loaded_at)
        quality.rows_rejected = quality.rows_read - (rows := kept.count())
    except BaseException:
        engine.close()
        raise
    return engine, quality, rows, fields, headers


def _refuse_unusable(location: str, quality: Quality) -> None:
    """A source without a single usable lead is refused, as an upload is: the data loaded before stays."""
    rejected = quality.issue_counts.get(REJECT_REASON, 0)
    if quality.rows_read == 0:
        raise InputError(location, "has no rows, so nothing was loaded and the previous data stays")
    if rejected == quality.rows_read:
        raise InputError(location, f"none of its {rejected:,} rows can be used, so nothing was loaded and the "
                                   f"previous data stays: {REJECT_REASON} on {rejected:,} row(s)")


def _merged(F, spark, source: SparkSource, mapping: Mapping, leads, dates: DateRange):
    """The leads with the deals and the activity log merged in, when the source names them, and the notices."""
    notices = []
    if source.deals:
        raw, columns, *_ = mapped_columns(spark, "deals", source.deals, mapping, dates)
        deals = spark_merge.typed_rows(F, raw, columns, DEAL_TYPES)
        notices += spark_merge.deal_notices(F, leads, deals, shown_name(source.deals))
        leads = spark_merge.with_deals(F, leads, deals)
    if source.activities:
        raw, columns, *_ = mapped_columns(spark, "activities", source.activities, mapping, dates)
        activities = spark_merge.typed_rows(F, raw, columns, ACTIVITY_TYPES)
        leads = spark_merge.with_activities(F, leads, activities, mapping.connected_values)
        notices.append(ACTIVITY_NOTICE)
    return leads, notices


def reconnect(dataset: Dataset, mapping: Mapping) -> tuple[SparkEngine, Dataset]:
    """Read a saved warehouse workspace's source again (its rows as they are now), with its mapping and zone."""
    return load(SparkSource.of(dataset), mapping, dataset.tz)


def _quality(F, typed, checks) -> Quality:
    """Rows read, rejected and duplicated, and per mapped field its empty and unreadable cells: one Spark job."""
    valid_id = F.when(F.col("created_at").isNotNull(), F.col("lead_id"))  # a rejected row repeats no lead
    counts = typed.agg(F.count(F.lit(1)).alias("rows"),
                       F.sum(F.when(F.col("lead_id").isNull() | F.col("created_at").isNull(), 1).otherwise(0))
                       .alias("rejected"),
                       (F.count(valid_id) - F.countDistinct(valid_id)).alias("duplicates")).first()
    found = checks.first().asDict() if checks is not None else {}
    quality = Quality(rows_read=int(counts["rows"]))
    quality.missing = {k.split(":", 1)[1]: int(v or 0) for k, v in found.items() if k.startswith("empty:") and v}
    quality.issue_counts = {f"{k.split(':', 1)[1]}: value not readable": int(v) for k, v in found.items()
                            if k.startswith("unread:") and v}
    if counts["rejected"]:
        quality.issue_counts[REJECT_REASON] = int(counts["rejected"])
    if counts["duplicates"]:
        quality.issue_counts[DUPLICATE_REASON] = int(counts["duplicates"])
    return quality


__all__ = ["EngineUnavailable", "SparkSource", "load"]
