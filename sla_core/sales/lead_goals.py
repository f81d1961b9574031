"""Each lead's goal facts as a table of the session's connection, so a goal move re-aggregates and never re-scans.

Which goal rule a lead matches, its response and waiting time on the chosen clock and its local
hand-off do not depend on any goal's value: only on the data, the as-of time, the time zone, the
clock and the rules' fields, values and order. ``ensure`` builds the temp table ``lead_goals``
(``sql/sales/lead_goals.sql``) from those once and rebuilds it only when one of them changes; every
goal-dependent statement (within/missed, depth at goal, the lead list, the segment figures) reads
it. The table lives in the session's own connection (a temp table: never another session's) and
its key in a variable of the same connection, so it follows the connection's ``leads`` whoever calls: the
views' cached results, the report command, a share link's cursor. A statement reading the table
must run right after ``ensure`` in the same turn on the connection (the views' ``ResultCache``
computes each result in the session's turn).
"""
from __future__ import annotations

import hashlib
from datetime import datetime

import duckdb

from sla_core import queries
from sla_core.engine import Engine
from sla_core.sales.goal_rules import GoalRules


def _key(source: str, as_of: datetime, tz: str, clock: dict, rules: GoalRules) -> str:
    text = repr((source, as_of.isoformat(), tz, sorted(clock["clock"].items()), [r.key for r in rules]))
    return hashlib.sha256(text.encode()).hexdigest()


def ensure(con: duckdb.DuckDBPyConnection, as_of: datetime, tz: str, params: dict, rules: GoalRules) -> None:
    """Make ``lead_goals`` hold the leads of the connection's ``leads`` for these inputs (built only if it does not);
    ``params`` is the bound ``$clock`` (``speed.clock_params``)."""
    inputs = {"as_of": as_of, "tz": tz, **params, **rules.sql_params()}
    if isinstance(con, Engine):  # a warehouse engine holds the rows in its own session, one source per engine
        con.materialize("lead_goals", "sales/lead_goals:build", _key("", as_of, tz, params, rules), inputs)
        return
    state = queries.row(con, "sales/lead_goals:state")
    key = _key(state["source"], as_of, tz, params, rules)
    if state["built"] == key:
        return
    queries.records(con, "sales/lead_goals:build", **inputs)
    queries.records(con, "sales/lead_goals:mark", key=key)
