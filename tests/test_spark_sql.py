"""The metric SQL as Spark SQL: macros expanded, struct parameters split, DuckDB-only forms made portable,
translated once; and an engine URL that cannot be reached refused in one line (no JVM needed for either)."""
from __future__ import annotations

import pytest

from sla_core.__main__ import main
from sla_core.engine import spark_sql
from sla_core.engine.spark import EngineUnavailable, SparkUrl, check_reachable

# Every statement the report and the pages' figures run on a warehouse source.
STATEMENTS = ("marketing/monthly_actuals", "marketing/daily_marketing_leads", "marketing/latest_month",
              "sales/speed_by_period", "sales/speed_verdict_figures", "sales/depth_by_period", "sales/segment_figures",
              "ingest/latest_timestamp", "ingest/suspicious_counts")


@pytest.mark.parametrize("name", STATEMENTS)
def test_each_statement_translates_with_every_macro_expanded(name):
    text = spark_sql.statement(name).text.lower()
    called = [m for m in spark_sql.macros() if f"{m}(" in text]
    assert called == []
    for duckdb_only in ("timezone(", "epoch_us(", "quantile_cont(", "list_position(", "$", "::"):
        assert duckdb_only not in text


def test_a_translation_is_made_once_per_statement():
    assert spark_sql.statement("sales/speed_by_period") is spark_sql.statement("sales/speed_by_period")


def test_the_clock_struct_is_bound_field_by_field():
    statement = spark_sql.statement("sales/speed_by_period")
    assert "clock__business" in statement.parameters and "clock" not in statement.parameters
    fields = {p.split("__")[1]: [] for p in statement.parameters if p.startswith("clock__")}
    bound = statement.bind({"clock": {**fields, "business": False},
                            "goals": {"speed_us": 1, "depth": None, "keys": [], "rule_speed_us": [], "rule_depth": []},
                            "tz": "UTC", "as_of": None, "period": "month", "by_owner": False,
                            "handed_from": None, "handed_to": None})
    assert bound["clock__business"] is False


def test_the_goal_rules_keys_are_bound_as_json_where_each_lead_finds_its_rule():
    """Each lead's rule is found once, by the per-lead goal table's query (speed and depth statements read it)."""
    query = spark_sql.query_of("sales/lead_goals:build")
    assert "FROM_JSON(:goals__keys__json, 'ARRAY<STRING>')" in query.text
    assert "goals__keys" not in spark_sql.statement("sales/speed_by_period").text


@pytest.mark.parametrize(("duckdb", "spark"), [
    ("SELECT timezone($tz, x) FROM t", "FROM_UTC_TIMESTAMP(CAST(x AS TIMESTAMP), :tz)"),  # an instant: wall time
    ("SELECT timezone($tz, $m::TIMESTAMP) FROM t",  # a wall time: the instant
     "TO_UTC_TIMESTAMP(CAST(CAST(:m AS TIMESTAMP_NTZ) AS TIMESTAMP), :tz)"),
    ("SELECT epoch_us(x) FROM t", "UNIX_MICROS(x)"),
    ("SELECT quantile_cont(x, 0.5) FROM t", "PERCENTILE(x, 0.5)"),
    ("SELECT a[1], a[n + 1] FROM t", "GET(a, 0), GET(a, (n + 1) - 1)"),
    ("SELECT list_position(l, 'x') FROM t", "NULLIF(ARRAY_POSITION(l, 'x'), 0)"),
    ("SELECT 'infinity'::TIMESTAMPTZ", "CAST('9999-12-31 23:59:59.999999' AS TIMESTAMP)"),
])
def test_duckdb_only_forms_get_their_portable_spelling(duckdb, spark):
    assert spark in spark_sql.translate(duckdb).text


def test_a_macro_argument_keeps_its_grouping():
    # clock_time_of_day(wall_us) is (wall_us % d + d) % d: an argument a - b must stay (a - b)
    text = spark_sql.translate("SELECT clock_time_of_day(a - b) FROM t").text
    assert "((a - b) % 86400000000" in text


@pytest.mark.parametrize("url", ["spark://127.0.0.1:9", "sc://127.0.0.1:9"])
def test_an_unreachable_spark_url_is_one_clear_line(url, capsys):
    assert main(["report", "--engine", "spark", "--spark-url", url, "--leads", "crm.leads"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: cannot reach Spark at {url}:") and err.count("\n") == 1


def test_an_engine_url_of_another_kind_is_refused():
    with pytest.raises(EngineUnavailable, match="expected local"):
        SparkUrl("http://example.com")
    check_reachable(SparkUrl("local[2]"))  # nothing to reach: the JVM runs in the process


def test_a_typed_list_is_bound_as_json_so_a_goal_left_to_the_default_stays_null():
    statement = spark_sql.statement("sales/depth_by_period")
    assert "FROM_JSON(:goals__rule_depth__json, 'ARRAY<INT>')" in statement.text
    bound = statement.bind({"goals": {"depth": 1, "keys": ["source\x1fWeb"], "rule_depth": [None]}, "period": "month",
                            "by_owner": False, "tz": "UTC", "as_of": None, "handed_from": None, "handed_to": None})
    assert bound["goals__rule_depth__json"] == "[null]"
