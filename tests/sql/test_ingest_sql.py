"""Every statement under sla_core/sql/ingest, table-driven: given rows in, the rows out.

The cell rules (cell_rules.sql) are checked cell by cell; the typed scan (typed_scan.sql with
each readings/*.sql) from a few cells of a small CSV per reading; the rest from hand-built stages.
``test_every_statement_has_cases`` fails when a statement file is added without cases here.
"""
from __future__ import annotations

from dataclasses import replace
from importlib import resources
from pathlib import Path

import pytest
from sql_cases import given, rows, table, tables, ts

from sla_core import queries
from sla_core.ingest import sql_text, typed_scan
from sla_core.ingest.conventions import DateRange, Decisions
from sla_core.ingest.dataset import Quality
from sla_core.ingest.mapping import Mapping
from sla_core.ingest.staging import stage

COVERED: set[str] = set()


def covers(*names: str):
    """Mark a test as the cases of these statement files (checked by test_every_statement_has_cases)."""
    COVERED.update(names)
    return lambda test: test


@pytest.fixture
def rules(con):
    sql_text.define_cell_rules(con)
    return con


def run(con, name: str, params: dict | None = None, **names) -> list[tuple]:
    """Run the statement file ``name`` with identifiers ``names``; the last statement's rows."""
    cur = sql_text.script(con, sql_text.fill(name, **names), params)
    return cur.fetchall() if cur.description else []


# --- cell_rules.sql: one macro, one cell, the value ----------------------------------------------
CELL_RULES = [
    ("ingest_trimmed(v)", " Web ", "Web"), ("ingest_trimmed(v)", "   ", None), ("ingest_trimmed(v)", "a b", "a b"),
    ("ingest_slashed(v)", "03/01/2024", True), ("ingest_slashed(v)", "2024-03-01", False),
    ("ingest_day_first(v)", "13/05/2024", True), ("ingest_day_first(v)", "05/06/2024", False),
    ("ingest_month_first(v)", "05/13/2024", True), ("ingest_month_first(v)", "13/05/2024", False),
    ("ingest_has_offset(v)", "2024-03-01T14:22:00Z", True), ("ingest_has_offset(v)", "2024-03-01 14:22-05:00", True),
    ("ingest_has_offset(v)", "20-10-2017", False), ("ingest_has_offset(v)", "2024-03-01 14:22", False),
    ("ingest_yes_no(v)", "Yes", True), ("ingest_yes_no(v)", "x", True), ("ingest_yes_no(v)", "0", False),
    ("ingest_yes_no(v)", "maybe", None),
    ("ingest_date_like(v)", "2024-03-01", True), ("ingest_date_like(v)", "3/1/2024", True),
    ("ingest_date_like(v)", "Connected", False),
    ("ingest_digits(v)", "R$ -1.234,56", "1.234,56"),
    ("ingest_currency_mark(v)", "R$ 10", "R$"), ("ingest_currency_mark(v)", "10 USD", "USD"),
    ("ingest_currency_mark(v)", "10", None),
    ("ingest_only_currency_letters(v)", "EUR 10", True), ("ingest_only_currency_letters(v)", "10 apples", False),
    ("ingest_number_point(v, TRY_CAST(v AS DOUBLE))", "1,234.5", 1234.5),
    ("ingest_number_point(v, TRY_CAST(v AS DOUBLE))", "86-", -86.0),
    ("ingest_number_point(v, TRY_CAST(v AS DOUBLE))", "1.234,5", None),
    ("ingest_number_comma(v)", "1.234,5", 1234.5), ("ingest_number_comma(v)", "(1,5)", -1.5),
    ("ingest_number_comma(v)", "1,234.5", None),
    ("ingest_whole(TRY_CAST(v AS DOUBLE))", "3", True), ("ingest_whole(TRY_CAST(v AS DOUBLE))", "2.5", False),
    ("ingest_whole(TRY_CAST(v AS DOUBLE))", "-1", False), ("ingest_whole(TRY_CAST(v AS DOUBLE))", "3e9", False),
    ("ingest_shows_decimal_comma(v)", "1.234,56", True), ("ingest_shows_decimal_comma(v)", "1.234.567", True),
    ("ingest_shows_decimal_comma(v)", "12,5", True), ("ingest_shows_decimal_comma(v)", "1,234,567", False),
    ("ingest_shows_decimal_point(v)", "1,234.56", True), ("ingest_shows_decimal_point(v)", "1,234,567", True),
    ("ingest_shows_decimal_point(v)", "12.5", True), ("ingest_shows_decimal_point(v)", "1.234.567", False),
    ("ingest_written_other_way(v, '.')", "9.986.000", True), ("ingest_written_other_way(v, '.')", "12,50", True),
    ("ingest_written_other_way(v, '.')", "12 apples", False), ("ingest_written_other_way(v, ',')", "1,234.56", True),
    ("ingest_written_other_way(v, ',')", "1.234,56", False),
    ("ingest_instant(ingest_has_offset(v), v, TRY_CAST(v AS TIMESTAMP), 'America/New_York')", "2024-03-01 09:00",
     ts("2024-03-01T14:00:00")),
    ("ingest_instant(ingest_has_offset(v), v, TRY_CAST(v AS TIMESTAMP), 'America/New_York')", "2024-03-01 09:00Z",
     ts("2024-03-01T09:00:00")),
    # a wall time far outside any plausible date is no instant (the zone rules would overflow)
    ("ingest_instant(ingest_has_offset(v), v, TRY_CAST(v AS TIMESTAMP), 'America/New_York')", "294247-01-10 04:00",
     None),
    ("ingest_digit_first(v)", "2024-03-01", True), ("ingest_digit_first(v)", " 2024-03-01", False),
    ("ingest_digit_first(v)", "epoch", False), ("ingest_digit_first(v)", "-infinity", False),
    ("ingest_clock_safe(TRY_CAST(v AS TIMESTAMP))", "9999-12-31", False),
    ("ingest_clock_safe(TRY_CAST(v AS TIMESTAMP))", "2024-03-01", True),
    ("ingest_plausible(TRY_CAST(v AS TIMESTAMPTZ), TIMESTAMPTZ '1970-01-01', TIMESTAMPTZ '2030-01-01')", "2024-03-01",
     True),
    ("ingest_plausible(TRY_CAST(v AS TIMESTAMPTZ), TIMESTAMPTZ '1970-01-01', TIMESTAMPTZ '2030-01-01')", "20244-06-03",
     False),
    ("ingest_plausible(TRY_CAST(v AS TIMESTAMPTZ), TIMESTAMPTZ '1970-01-01', TIMESTAMPTZ '2030-01-01')", "infinity",
     False),
    ("ingest_reads_as_date(v, ['%d/%m/%Y'])", "20244-06-03", True),
    ("ingest_reads_as_date(v, ['%d/%m/%Y'])", "31/12/1899", True),
    ("ingest_reads_as_date(v, ['%d/%m/%Y'])", "epoch", False), ("ingest_reads_as_date(v, ['%d/%m/%Y'])", "soon", False),
]


@covers("cell_rules")
@pytest.mark.parametrize("expression,cell,value", CELL_RULES, ids=lambda x: str(x))
def test_cell_rules(rules, expression, cell, value):
    assert rows(rules, f"SELECT {expression} FROM (SELECT ?::VARCHAR AS v)", [cell]) == [(value,)]


@covers("cell_rules_version")
def test_cell_rules_are_defined_once_per_connection(con):
    assert run(con, "cell_rules_version") == [(None,)]
    sql_text.define_cell_rules(con)
    [(version,)] = run(con, "cell_rules_version")
    assert version
    con.execute("DROP MACRO ingest_trimmed")
    sql_text.define_cell_rules(con)  # the same version: not redefined
    assert not rows(con, "SELECT 1 FROM duckdb_functions() WHERE function_name = 'ingest_trimmed'")


@pytest.mark.parametrize("text,names", [
    ("SELECT $a, '$not' AS \"$col\" -- $comment\nFROM t WHERE x = $b_2", {"a", "b_2"}),
    ("SELECT 'it''s $x', $y", {"y"}),
])
def test_only_parameters_outside_quotes_and_comments_are_bound(text, names):
    assert sql_text._named_parameters(text) == names


# --- the sample and its evidence ------------------------------------------------------------------
def write(con, name: str, text: str) -> Path:
    """A file in the session folder (the only place the connection may read)."""
    path = Path(con.execute("SELECT current_setting('temp_directory')").fetchone()[0]).parent / name
    path.write_text(text, encoding="utf-8")
    return path


def staged(con, text: str, types: dict[str, str], kind: str = "deals"):
    """A CSV whose headers are field names, staged as ingest stages an upload."""
    path = write(con, f"{kind}.csv", text)
    return stage(kind, f"{kind}.csv", path, types, lambda headers: {h: h for h in headers if h in types}, (),
                 path.parent / "work", [])


@covers("sample", "export_csv")
def test_sample_holds_trimmed_checked_fields_of_the_top_rows(rules):
    f = staged(rules, "lead_id,created_at,deal_amount\nA, 2024-03-01 ,N/A\nB,2024-03-02,5\nC,2024-03-03,6\n",
               {"lead_id": "id", "created_at": "timestamp", "deal_amount": "number"})
    columns = sql_text.joined(sql_text.fill("sample", "column", cell=f.fields[fld], text=f"r_{fld}")
                              for fld in f.checked())
    run(rules, "sample", {**f.scan_params(), "rows": 2}, sample="s", columns=columns)
    assert rows(rules, "SELECT * FROM s") == [("2024-03-01", None), ("2024-03-02", "5")]


SAMPLE = table("r_created_at VARCHAR, r_amount VARCHAR, r_connected VARCHAR",
               ("13/05/2024", "1.234,56", "yes"), ("05/06/2024", "12,5", "no"), ("2024-06-01", "7", "Connected"),
               (None, None, None))


@covers("evidence")
def test_evidence_counts_what_betrays_each_convention(rules):
    given(rules, sample=SAMPLE)
    counts = sql_text.joined([
        sql_text.fill("evidence", "timestamp", text="r_created_at", slashed="slashed"),
        sql_text.fill("evidence", "number", text="r_amount", comma="comma", dot="dot"),
        sql_text.fill("evidence", "boolean", text="r_connected", total="total", vocab="vocab", dates="dates"),
    ])
    assert run(rules, "evidence", sample="sample", counts=counts) == [(2, 2, 0, 3, 2, 0)]


@covers("date_order")
def test_date_order_counts_day_first_and_month_first(rules):
    given(rules, sample=table("r_at VARCHAR", ("13/05/2024",), ("05/13/2024",), ("05/14/2024",), ("05/06/2024",)))
    counts = sql_text.fill("date_order", "timestamp", text="r_at", day_first="d", month_first="m")
    assert run(rules, "date_order", sample="sample", counts=counts) == [(1, 2)]


# --- the typed scan: each reading, a few cells in, typed value and diagnostics out ----------------
def decisions(decimal: str = ".", mode: str = "boolean", order: str = "mdy") -> Decisions:
    return Decisions(order, False, decimal, [], {("deals", "v"): mode, ("leads", "v"): mode})


READINGS = [
    # (id, read kind, zone, decisions, cells, SELECT over the typed stage, expected rows)
    ("timestamp_utc", "timestamp", "UTC", decisions(),
     ["2024-03-01 09:00", " 2024-03-01T09:00:00+02:00 ", "03/01/2024 5:30 PM", "soon"],
     "SELECT v, _bad_v FROM typed_deals",
     [(ts("2024-03-01T09:00"), None), (ts("2024-03-01T07:00"), None), (ts("2024-03-01T17:30"), None),
      (None, "soon")]),
    ("timestamp_local", "timestamp", "America/New_York", decisions(order="dmy"),
     ["2024-03-10 02:30", "01/03/2024 09:00", "2024-03-01T09:00:00Z", "31/02/2024"],
     "SELECT v, _bad_v, _gap_v FROM typed_deals",
     [(ts("2024-03-10T07:30"), None, "2024-03-10 02:30"), (ts("2024-03-01T14:00"), None, None),
      (ts("2024-03-01T09:00"), None, None), (None, "31/02/2024", None)]),
    # dates outside the plausible range and DuckDB's special words are reported (the typed value of an
    # implausible date is cleared after the scan, by clear_implausible.sql)
    ("timestamp_utc-implausible", "timestamp", "UTC", decisions(),
     ["20244-06-03", "1900-01-01", "epoch", "infinity", " -infinity ", "2024-03-01 09:00", "1970-01-01"],
     "SELECT CAST(v AS VARCHAR), _bad_v FROM typed_deals",
     [("20244-06-03 00:00:00+00", "20244-06-03"), ("1900-01-01 00:00:00+00", "1900-01-01"),
      ("1970-01-01 00:00:00+00", "epoch"), ("infinity", "infinity"), ("-infinity", "-infinity"),
      ("2024-03-01 09:00:00+00", None), ("1970-01-01 00:00:00+00", "1970-01-01")]),
    ("timestamp_local-implausible", "timestamp", "America/New_York", decisions(),
     ["294247-01-10 04:00", "20244-06-03T10:00Z", "epoch", "9999-12-31", "2024-03-01 09:00"],
     "SELECT CAST(v AS VARCHAR), _bad_v, _gap_v FROM typed_deals",
     [(None, "294247-01-10 04:00", None), ("20244-06-03 10:00:00+00", "20244-06-03T10:00Z", None),
      (None, "epoch", None), (None, "9999-12-31", None), ("2024-03-01 14:00:00+00", None, None)]),
    ("number_point", "number", "UTC", decisions(),
     ["1,200.50", " $75 ", "12 apples", "(86)"],
     "SELECT v, _bad_v, _cur_v FROM typed_deals",
     [(1200.5, None, None), (75.0, None, "$"), (None, "12 apples", None), (-86.0, None, None)]),
    ("number_comma", "number", "UTC", decisions(","),
     ["1.234,56", "R$ 10,00", "abc"],
     "SELECT v, _bad_v, _cur_v FROM typed_deals",
     [(1234.56, None, None), (10.0, None, "R$"), (None, "abc", None)]),
    ("count_point", "integer", "UTC", decisions(),
     ["3", " 4 ", "2.5", "-1"],
     "SELECT v, _bad_v FROM typed_deals",
     [(3, None), (4, None), (None, "2.5"), (None, "-1")]),
    ("count_comma", "integer", "UTC", decisions(","),
     ["3", "2,5", "1.000"],
     "SELECT v, _bad_v FROM typed_deals",
     [(3, None), (None, "2,5"), (1000, None)]),
    ("yes_no", "boolean", "UTC", decisions(mode="boolean"),
     ["Yes", "0", "maybe"],
     "SELECT v, _bad_v FROM typed_deals",
     [(True, None), (False, None), (None, "maybe")]),
    ("connected_date", "boolean", "UTC", decisions(mode="date"),
     ["2024-03-01", "N/A"],
     "SELECT v FROM typed_deals",
     [(True,), (None,)]),
    ("connected_status", "boolean", "UTC", decisions(mode="status"),
     ["connected", "New", "-"],
     "SELECT v FROM typed_deals",
     [(True,), (False,), (None,)]),
    ("text", "text", "UTC", decisions(),
     [" Web ", "NULL", "a,b"],
     "SELECT v FROM typed_deals",
     [("Web",), (None,), ("a,b",)]),
]


@covers("typed_scan", "count_rows", *(f"readings/{r[0]}" for r in READINGS))
@pytest.mark.parametrize("case", READINGS, ids=lambda c: c[0])
def test_typed_scan_reads_each_kind(rules, case):
    _, kind, tz, chosen, cells, select, expected = case
    chosen = replace(chosen, dates=DateRange.around(ts("2025-06-01T00:00")))
    body = "".join(f'{i},"{c}"\n' for i, c in enumerate(cells))
    f = staged(rules, "k,v\n" + body, {"k": "integer", "v": kind})
    typed_scan.convert(rules, f, chosen, tz, Mapping(connected_values=("Connected",)), Path("/nonexistent"), Quality())
    assert rows(rules, select + " ORDER BY k") == expected
    assert f.rows == len(cells)


@pytest.mark.parametrize("source,origin", [("Outbound", "sales"), ("Webinar", "marketing"), (None, "marketing")])
def test_typed_scan_derives_a_leads_origin_from_its_source(rules, source, origin):
    f = staged(rules, f"lead_id,source\nA,{source or ''}\n", {"lead_id": "id", "source": "text"}, kind="leads")
    typed_scan.convert(rules, f, decisions(), "UTC", Mapping(sales_sources=("outbound",)), Path("/x"), Quality())
    assert rows(rules, "SELECT source, origin FROM typed_leads") == [(source, origin)]


def test_typed_scan_without_a_source_column_is_all_marketing(rules):
    f = staged(rules, "lead_id,owner\nA,Ann\n", {"lead_id": "id", "owner": "text"}, kind="leads")
    typed_scan.convert(rules, f, decisions(), "UTC", Mapping(), Path("/x"), Quality())
    assert rows(rules, "SELECT lead_id, origin FROM typed_leads") == [("A", "marketing")]


@covers("rejects", "drop_rejects")
def test_rejects_lists_the_rows_the_scan_could_not_split(rules):
    f = staged(rules, "k,v\n1,a\n2,b,extra\n3,c\n", {"k": "integer", "v": "text"})
    scan = sql_text.fill("readings/text", "scan", cell="c1", text="r")
    sql_text.run(rules, sql_text.fill("typed_scan", typed="t", scan=scan,
                                      cast=sql_text.Sql('"r"'), trim=sql_text.Sql('"r"'), parse=sql_text.Sql('"r"'),
                                      final=sql_text.Sql('"r"')), f.scan_params())
    found = run(rules, "rejects")
    assert [(r[2], r[4]) for r in found] == [("TOO MANY COLUMNS", "2,b,extra")]
    assert len("k,v\n1,a\n") <= found[0][0] <= found[0][1]  # where the record starts, then the error
    run(rules, "drop_rejects")
    assert not {"reject_errors", "reject_scans"} & tables(rules)


# --- reporting over a typed stage -----------------------------------------------------------------
STAGE = table("lead_id VARCHAR, created_at TIMESTAMPTZ, _bad_created_at VARCHAR, _gap_created_at VARCHAR, "
              "deal_amount DOUBLE, _bad_deal_amount VARCHAR, _cur_deal_amount VARCHAR",
              ("A", "2024-03-01", None, None, 10, None, "$"),
              ("B", None, "soon", None, None, "9.986.000", None),
              (None, "2024-03-02", None, "2024-03-10 02:30", 5, None, "€"),
              ("A", "2024-03-03", None, None, None, None, None))


@covers("cell_stats")
def test_cell_stats_counts_per_field_in_one_pass(con):
    given(con, typed=STAGE)
    stats = sql_text.joined([
        sql_text.fill("cell_stats", "present", field="created_at", present="n_created_at"),
        sql_text.fill("cell_stats", "bad", bad="_bad_created_at", bad_count="bad_created_at"),
        sql_text.fill("cell_stats", "gap", gap="_gap_created_at", gap_count="gap_created_at"),
        sql_text.fill("cell_stats", "mixed", currency="_cur_deal_amount", mixed="mixed_deal_amount"),
        sql_text.fill("cell_stats", "invalid"),
    ])
    assert run(con, "cell_stats", typed="typed", stats=stats) == [(3, 1, 1, True, 2)]


@covers("unread_date_stats", "clear_implausible")
@pytest.mark.parametrize("order_check", [True, False])
def test_unread_dates_are_told_apart_and_implausible_values_cleared(rules, order_check):
    given(rules, typed=table("won_at TIMESTAMPTZ, _bad_at VARCHAR, other TIMESTAMPTZ, _bad_other VARCHAR",
                             (None, "soon", None, None), ("1899-12-31", "1899-12-31", None, None),
                             (None, "13/05/2024", None, None), (None, "05/13/2024", None, "x"),
                             (None, "14/06/2024", None, None), ("2024-03-01", None, None, None)))
    counts = [sql_text.fill("unread_date_stats", "dated", bad="_bad_at", field="won_at", dated="dated",
                            typed_count="typed")]
    if order_check:
        counts.append(sql_text.fill("unread_date_stats", "order", bad="_bad_at", day_first="day_first",
                                    month_first="month_first"))
    found = run(rules, "unread_date_stats", {"formats": ["%m/%d/%Y"]}, typed="typed", counts=sql_text.joined(counts),
                columns=["_bad_at", "_bad_other"])
    assert found == [(2, 1, 2, 1) if order_check else (2, 1)]
    run(rules, "clear_implausible", typed="typed", field="won_at", bad="_bad_at")
    assert rows(rules, "SELECT won_at, _bad_at FROM typed WHERE won_at IS NOT NULL OR _bad_at = '1899-12-31'") == [
        (None, "1899-12-31"), (ts("2024-03-01T00:00"), None)]


@covers("order_evidence_rows")
@pytest.mark.parametrize("day_first,expected", [(True, [(1, "13/05/2024")]), (False, [(3, "05/13/2024")])])
def test_order_evidence_rows_finds_the_first_cell_showing_an_order(rules, day_first, expected):
    given(rules, typed=table("_bad_at VARCHAR", ("soon",), ("13/05/2024",), ("14/05/2024",), ("05/13/2024",), (None,)))
    assert run(rules, "order_evidence_rows", {"day_first": day_first}, typed="typed", bad="_bad_at") == expected


@covers("dated_values")
def test_dated_values_tells_dates_from_text(rules):
    values = ["20244-06-03", "soon", "31/12/1899", "epoch"]
    found = run(rules, "dated_values", {"values": values, "formats": ["%d/%m/%Y"]})
    assert found == [("20244-06-03", True), ("soon", False), ("31/12/1899", True), ("epoch", False)]


@covers("tier_counts", "group_tiers")
def test_rare_tiers_are_counted_and_grouped(con):
    given(con, leads_next=table("tier VARCHAR", ("Gold",), (" gold ",), ("silver",), ("silver",), ("bronze",),
                                ("zinc",), ("",), (None,)))
    assert run(con, "tier_counts", {"kept": 2}) == [(4, ["gold", "silver"], 2)]
    assert run(con, "tier_counts", {"kept": 5}) == [(4, ["gold", "silver", "bronze", "zinc"], 0)]
    run(con, "group_tiers", {"kept": ["gold", "silver"], "other": "other"})
    assert rows(con, "SELECT tier FROM leads_next") == [("Gold",), (" gold ",), ("silver",), ("silver",), ("other",),
                                                       ("other",), ("",), (None,)]


@covers("flagged_cells")
@pytest.mark.parametrize("columns,limit,expected", [
    (["_bad_created_at", "_bad_deal_amount"], 10,
     [(1, "_bad_created_at", "soon"), (1, "_bad_deal_amount", "9.986.000")]),
    (["_bad_deal_amount", "_bad_created_at"], 1, [(1, "_bad_deal_amount", "9.986.000")]),
    (["_gap_created_at"], 10, [(2, "_gap_created_at", "2024-03-10 02:30")]),
])
def test_flagged_cells_in_row_then_column_order(con, columns, limit, expected):
    given(con, typed=STAGE)
    assert run(con, "flagged_cells", {"columns": columns, "limit": limit}, typed="typed", columns=columns) == expected


@covers("currency_marks", "other_currency_rows")
def test_currency_marks_and_the_rows_of_the_minority(con):
    given(con, typed=table("_cur_x VARCHAR", ("$",), ("€",), ("$",), (None,), ("EUR",)))
    assert run(con, "currency_marks", typed="typed", currency="_cur_x") == [("$", 2), ("EUR", 1), ("€", 1)]
    assert run(con, "other_currency_rows", {"marks": ["€", "EUR"], "limit": 1}, typed="typed",
               currency="_cur_x") == [(1,)]


@covers("misread_amount_rows")
@pytest.mark.parametrize("decimal,expected", [(".", [(0,), (2,)]), (",", [(1,)])])
def test_misread_amount_rows_are_written_the_other_way(rules, decimal, expected):
    given(rules, typed=table("_bad_x VARCHAR", ("9.986.000",), ("1,234.56",), ("12,5",), ("abc",), (None,)))
    assert run(rules, "misread_amount_rows", {"decimal": decimal, "limit": 10}, typed="typed", bad="_bad_x") == expected


@covers("lead_id_hashes", "distinct_lead_id_hashes", "distinct_lead_ids")
def test_lead_id_counts_skip_rows_without_id_or_date(con):
    given(con, typed=STAGE)
    assert len(run(con, "lead_id_hashes", typed="typed")) == 2
    assert run(con, "distinct_lead_id_hashes", typed="typed") == [(1,)]
    assert run(con, "distinct_lead_ids", typed="typed") == [(1,)]


@covers("invalid_lead_rows", "duplicate_lead_rows")
def test_rejected_lead_rows_are_listed_in_file_order(con):
    given(con, typed=STAGE)
    assert run(con, "invalid_lead_rows", {"limit": 10}, typed="typed") == [(1,), (2,)]
    assert run(con, "duplicate_lead_rows", {"limit": 10}, typed="typed") == [(3, "A")]


@covers("delete_invalid_leads", "delete_duplicate_leads")
def test_deleting_rejected_leads_keeps_the_first_row_per_id(con):
    given(con, typed=STAGE)
    run(con, "delete_invalid_leads", typed="typed")
    run(con, "delete_duplicate_leads", typed="typed")
    assert rows(con, "SELECT lead_id, created_at FROM typed") == [("A", ts("2024-03-01T00:00"))]


# --- building the canonical tables ----------------------------------------------------------------
@covers("add_column", "copy_column", "drop_column")
def test_absent_fields_are_added_copied_and_diagnostics_dropped(con):
    given(con, typed=table("created_at TIMESTAMPTZ, _bad_created_at VARCHAR", ("2024-03-01 09:00", None)))
    run(con, "add_column", table="typed", column="mql_at", type="TIMESTAMPTZ")
    run(con, "copy_column", table="typed", column="mql_at", source="created_at")
    run(con, "drop_column", table="typed", column="_bad_created_at")
    assert rows(con, "SELECT * FROM typed") == [(ts("2024-03-01T09:00"), ts("2024-03-01T09:00"))]
    assert rows(con, "SELECT data_type FROM duckdb_columns() WHERE column_name = 'mql_at'") == [
        ("TIMESTAMP WITH TIME ZONE",)]


@covers("build_leads")
def test_build_leads_fills_counts_and_connected_and_becomes_leads_next(con):
    given(con, typed=table("lead_id VARCHAR, attempts INTEGER, connected BOOLEAN", ("A", None, None), ("B", 2, True)),
          leads_next=table("stale INTEGER"))
    run(con, "build_leads", typed="typed")
    assert rows(con, "SELECT * FROM leads_next ORDER BY lead_id") == [("A", 0, False), ("B", 2, True)]
    assert "typed" not in tables(con)


LEADS_NEXT = table("lead_id VARCHAR, created_at TIMESTAMPTZ, mql_at TIMESTAMPTZ, handed_at TIMESTAMPTZ, "
                   "first_touch_at TIMESTAMPTZ, attempts INTEGER, connected BOOLEAN, customer_at TIMESTAMPTZ, "
                   "deal_amount DOUBLE, owner VARCHAR",
                   ("A", "2024-03-01", "2024-03-01", "2024-03-01 10:00", "2024-03-01 09:00", 1, False, None, None,
                    None),
                   ("B", "2024-03-05", "2024-03-05", "2024-03-05 10:00", None, 0, False, "2024-03-01", -5, "Bo"),
                   ("C", "2024-03-05", "2024-03-05", "2024-03-05 10:00", None, 0, False, None, 7, None))
DEALS = table("lead_id VARCHAR, customer_at TIMESTAMPTZ, deal_amount DOUBLE, owner VARCHAR",
              ("A", "2024-04-02", 200, "Ann"), ("A", "2024-04-01", 100, "Al"), ("Z", "2024-04-01", 1, None),
              (None, "2024-04-01", 1, None), ("B", None, 9, None))


@covers("deal_counts")
def test_deal_counts_what_the_merge_ignores_or_chooses(con):
    given(con, leads_next=LEADS_NEXT, typed_deals=DEALS)
    assert run(con, "deal_counts", typed="typed_deals") == [(1, 1, 1)]


@covers("merge_deals")
def test_merge_deals_takes_each_leads_first_won_deal(con):
    given(con, leads_next=LEADS_NEXT, typed_deals=DEALS)
    run(con, "merge_deals", typed="typed_deals")
    assert rows(con, "SELECT lead_id, customer_at, deal_amount, owner FROM leads_next ORDER BY 1") == [
        ("A", ts("2024-04-01T00:00"), 100.0, "Al"), ("B", ts("2024-03-01T00:00"), -5.0, "Bo"), ("C", None, 7.0, None)]


@covers("build_activities", "apply_activities")
def test_activities_give_first_touch_attempts_and_connected(con):
    given(con, leads_next=LEADS_NEXT, typed_activities=table(
        "lead_id VARCHAR, activity_at TIMESTAMPTZ, type VARCHAR, outcome VARCHAR",
        ("A", "2024-03-01 09:30", "call", "No answer"), ("A", "2024-03-01 11:00", "call", "No answer"),
        ("A", "2024-03-01 12:00", "call", " connected "), ("A", "2024-03-01 13:00", "email", "Sent"),
        ("B", None, "call", "Connected"), (None, "2024-03-05 11:00", "call", "Connected")))
    run(con, "build_activities", typed="typed_activities")
    assert len(rows(con, "SELECT * FROM activities_next")) == 4
    sql_text.script(con, "apply_activities", {"connected_values": ["connected"]})
    assert rows(con, "SELECT lead_id, first_touch_at, attempts, connected FROM leads_next ORDER BY 1") == [
        ("A", ts("2024-03-01T11:00"), 2, True), ("B", None, 0, False), ("C", None, 0, False)]


@covers("suspicious_counts", "finalize_leads")
def test_suspicious_rows_are_counted_then_the_rules_applied(con):
    given(con, leads_next=LEADS_NEXT)
    # loaded on 3 March: B and C (created 5 March) are dated after the moment of loading
    assert queries.records(con, "ingest/suspicious_counts", loaded_at=ts("2024-03-03T00:00")) == [
        {"touched_before_handoff": 1, "customer_before_created": 1, "negative_amount": 1, "after_loading": 2}]
    sql_text.script(con, "finalize_leads")
    assert rows(con, "SELECT lead_id, touched_before_handoff, customer_at, deal_amount FROM leads_next ORDER BY 1") == [
        ("A", True, None, None), ("B", False, None, None), ("C", False, None, 7.0)]


@covers("drop_table", "drop_staged", "swap_in")
@pytest.mark.parametrize("with_activities", [True, False])
def test_swap_in_replaces_the_loaded_tables(con, with_activities):
    given(con, leads=table("v INTEGER", (1,)), activities=table("v INTEGER", (1,)), leads_next=table("v INTEGER", (2,)),
          typed_leads=table("v INTEGER"))
    run(con, "drop_table", table="typed_leads")
    if with_activities:
        given(con, activities_next=table("v INTEGER", (2,)))
    run(con, "swap_in")
    assert rows(con, "SELECT v FROM leads") == [(2,)]
    assert ("activities" in tables(con)) == with_activities
    assert not {"leads_next", "activities_next", "typed_leads"} & tables(con)
    given(con, leads_next=table("v INTEGER"), activities_next=table("v INTEGER"))
    run(con, "drop_staged")
    assert "leads" in tables(con) and not {"leads_next", "activities_next"} & tables(con)


# --- what pages and the load ask of the loaded leads ----------------------------------------------
@covers("latest_timestamp", "leads_preview", "source_counts")
def test_questions_asked_of_the_loaded_leads(make_leads):
    con = make_leads([
        {"lead_id": "A", "created_at": "2024-03-01T09:00:00Z", "source": "Web", "customer_at": "2024-04-01T00:00:00Z"},
        {"lead_id": "B", "created_at": "2024-03-02T09:00:00Z", "source": "Web", "handed_at": "2024-03-05T00:00:00Z"},
        {"lead_id": "C", "created_at": "2024-03-03T09:00:00Z", "source": None, "origin": "sales"},
    ])
    assert queries.row(con, "ingest/latest_timestamp", loaded_at=ts("2025-01-01T00:00")) == {
        "as_of": ts("2024-04-01T00:00")}
    # a date after the moment of loading does not move as_of (SPEC 8)
    assert queries.row(con, "ingest/latest_timestamp", loaded_at=ts("2024-03-10T00:00")) == {
        "as_of": ts("2024-03-05T00:00")}
    assert queries.records(con, "ingest/source_counts") == [
        {"source": "Web", "origin": "marketing", "leads": 2}, {"source": "(no source)", "origin": "sales", "leads": 1}]
    preview = queries.records(con, "ingest/leads_preview", tz="America/New_York", limit=1)
    assert [(r["lead_id"], str(r["created_at"])) for r in preview] == [("A", "2024-03-01 04:00:00")]


def test_every_statement_has_cases():
    folder = resources.files("sla_core").joinpath("sql", "ingest")
    names = {str(Path(p.name).with_suffix("")) for p in folder.iterdir() if p.name.endswith(".sql")}
    names |= {f"readings/{Path(p.name).stem}" for p in folder.joinpath("readings").iterdir() if p.name.endswith(".sql")}
    assert names - COVERED == set()
