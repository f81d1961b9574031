"""Ingest SQL that reads cells: the cell rules, the sample and its evidence, the typed scan of each reading."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from ingest_sql_support import covers, run
from sql_cases import given, rows, table, tables, ts

from sla_core.ingest import sql_text, typed_scan
from sla_core.ingest.conventions import DateRange, Decisions
from sla_core.ingest.dataset import Quality
from sla_core.ingest.mapping import Mapping
from sla_core.ingest.staging import stage


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
