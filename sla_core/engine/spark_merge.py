"""A warehouse's deals table and activity log merged into its leads, by the rules an upload follows (SPEC 1).

``sql/ingest/merge_deals.sql`` and ``sql/ingest/apply_activities.sql`` state them for DuckDB; they rebuild the
lead table with ``* REPLACE``, which Spark SQL lacks, so here they are Spark DataFrame steps over the same
columns, checked against the DuckDB load by the engine tests. The notices are the upload's own words.
"""
from __future__ import annotations

from sla_core import contract
from sla_core.engine.spark import SPARK_TYPES
from sla_core.ingest import canonical

def typed_rows(F, raw, columns: dict, types: dict[str, str]):
    """A source's rows as its kind's fields; a field the source lacks is NULL of its type."""
    return raw.select(*[(columns[name] if name in columns else
                         F.lit(None).cast(SPARK_TYPES[contract.SQL_TYPES[read_as]])).alias(name)
                        for name, read_as in types.items()])


def _replaced(F, frame, order: list[str], replacements: dict):
    """``frame``'s columns in ``order``, some of them replaced by expressions (DuckDB's ``* REPLACE``)."""
    return frame.select(*[replacements[c].alias(c) if c in replacements else F.col(c) for c in order])


def _first_of(F, column: str):
    """``column`` of the earliest won deal that has one (DuckDB's ``arg_min`` skips an empty value)."""
    return F.min_by(column, F.when(F.col(column).isNotNull(), F.col("customer_at")))


def with_deals(F, leads, deals):
    """customer_at and deal_amount from each lead's first won deal; its owner where the lead names none."""
    won = (deals.where(F.col("lead_id").isNotNull() & F.col("customer_at").isNotNull())
           .groupBy("lead_id")
           .agg(F.min("customer_at").alias("won_at"), _first_of(F, "deal_amount").alias("won_amount"),
                _first_of(F, "owner").alias("won_owner")))
    merged = leads.join(won, "lead_id", "left")
    return _replaced(F, merged, leads.columns, {
        "customer_at": F.coalesce(F.col("won_at"), F.col("customer_at")),
        "deal_amount": F.when(F.col("won_at").isNull(), F.col("deal_amount")).otherwise(F.col("won_amount")),
        "owner": F.coalesce(F.col("owner"), F.col("won_owner")),
    })


def deal_notices(F, leads, deals, name: str) -> list[str]:
    """What merging the deals ignored or chose, counted in one Spark job: the upload's notices."""
    known = leads.select(F.col("lead_id").alias("known_id"), F.lit(True).alias("known"))
    won = F.col("lead_id").isNotNull() & F.col("customer_at").isNotNull()
    several = deals.where(won).groupBy("lead_id").count().where(F.col("count") > 1)
    counts = (deals.join(known, deals["lead_id"] == known["known_id"], "left")
              .agg(F.count(F.when(F.col("lead_id").isNotNull() & F.col("known").isNull(), 1)).alias("unknown"),
                   F.count(F.when(F.col("lead_id").isNull(), 1)).alias("no_id"))
              .crossJoin(several.agg(F.count(F.lit(1)).alias("several")))).first().asDict()
    return canonical.deal_notices(name, counts)


def with_activities(F, leads, activities, connected_values: tuple[str, ...]):
    """First touch, attempts and connected from the activity log, replacing the lead table's."""
    words = [v.strip().lower() for v in connected_values]
    handed = leads.select("lead_id", "handed_at")
    acts = (activities.where(F.col("lead_id").isNotNull() & F.col("activity_at").isNotNull())
            .join(handed, "lead_id")
            .select("lead_id", "activity_at",
                    F.coalesce(F.lower(F.trim(F.col("outcome"))).isin(words), F.lit(False)).alias("is_connected"),
                    (F.col("activity_at") >= F.col("handed_at")).alias("after_handoff")))
    after = F.col("after_handoff")
    first_connect = acts.groupBy("lead_id").agg(
        F.min(F.when(after & F.col("is_connected"), F.col("activity_at"))).alias("connected_at"))
    up_to_connect = F.col("connected_at").isNull() | (F.col("activity_at") <= F.col("connected_at"))
    per_lead = acts.join(first_connect, "lead_id").groupBy("lead_id").agg(
        F.min(F.when(after, F.col("activity_at"))).alias("touched_at"),
        F.count(F.when(after & up_to_connect, 1)).alias("attempted"),
        F.bool_or("is_connected").alias("any_connected"))
    merged = leads.join(per_lead, "lead_id", "left")
    return _replaced(F, merged, leads.columns, {
        "first_touch_at": F.col("touched_at"),
        "attempts": F.coalesce(F.col("attempted"), F.lit(0)).cast("int"),
        "connected": F.coalesce(F.col("any_connected"), F.lit(False)),
    })
