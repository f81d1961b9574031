"""Bad cell values: delimiters and decimal commas, amounts and currencies, dates and zones, nulls, booleans, ids."""
from __future__ import annotations

import pytest

from hostile_support import refused
from ingest_bad_input_support import at, issues, leads_file
from ingest_support import csv_bytes, edit_cells, export_text
from sla_core.ingest import cell_report, sql_text


# 6 ─ delimiters and decimal commas
def test_06_semicolon_file_with_decimal_commas(loader):
    rows = [["1", "2024-03-01 10:00", "Web", "Ann", "1.234,56"], ["2", "2024-03-01 11:00", "Web", "Bo", "99,5"]]
    ds = loader.load(leads_file(rows, delimiter=";"))
    assert loader.rows("SELECT deal_amount FROM leads ORDER BY lead_id") == [(1234.56,), (99.5,)]
    assert ds.decimal == ","
    assert any("';'" in n for n in ds.quality.notices)
    assert any("decimal comma" in n for n in ds.quality.notices)


@pytest.mark.parametrize("delimiter,label", [("\t", "tab"), ("|", "'|'")])
def test_06_tab_and_pipe_delimiters(loader, delimiter, label):
    rows = [["1", "2024-03-01 10:00", "Web", "Ann", "1,234.56"], ["2", "2024-03-01 11:00", "Web", "Bo", "7.25"]]
    ds = loader.load(leads_file(rows, delimiter=delimiter))
    assert loader.rows("SELECT deal_amount FROM leads ORDER BY lead_id") == [(1234.56,), (7.25,)]
    assert any(label in n for n in ds.quality.notices)


def test_06_decimal_comma_chosen_explicitly(loader):
    ds = loader.load(leads_file([["1", "2024-03-01 10:00", "Web", "Ann", "1.234"]]), decimal=",")
    assert loader.value("SELECT deal_amount FROM leads") == 1234.0
    assert ds.decimal == ","


# 7 ─ thousands separators inside quotes
def test_07_quoted_thousands_are_numbers(loader):
    data = b'lead_id,created_at,deal_amount\n1,2024-03-01,"1,200"\n2,2024-03-01,"1,200.50"\n3,2024-03-01,75\n'
    ds = loader.load(data)
    assert loader.rows("SELECT deal_amount FROM leads ORDER BY lead_id") == [(1200.0,), (1200.5,), (75.0,)]
    assert not ds.quality.issues


# 8 ─ currency marks, signs, mixed currencies
@pytest.mark.parametrize("text,decimal,value", [
    ("$1,200.00", ".", 1200.0), ("(86)", ".", -86.0), ("R$ 1.200,00", ",", 1200.0),
    ("-4.300,00 €", ",", -4300.0), ("₹ -13", ".", -13.0), ("£1.000,00", ",", 1000.0), ("-43€", ",", -43.0),
    ("USD 1,200", ".", 1200.0), ("1 234,56", ",", 1234.56), ("12", ",", 12.0), ("n/a", ".", None),
    ("12 apples", ".", None), ("nan", ".", None), ("inf", ".", None), ("$", ".", None),
])
def test_08_amount_text_to_number(con, text, decimal, value):
    sql_text.define_cell_rules(con)
    number = {".": "ingest_number_point(v, TRY_CAST(v AS DOUBLE))", ",": "ingest_number_comma(v)"}[decimal]
    assert con.execute(f"SELECT {number} FROM (SELECT ?::VARCHAR AS v)", [text]).fetchall()[0][0] == value


def test_08_currency_amounts_in_a_us_file(loader):
    rows = [["1", "2024-03-01", "Web", "Ann", "$1,200.00"], ["2", "2024-03-01", "Web", "Bo", "(86)"],
            ["3", "2024-03-01", "Web", "Cy", "USD 300"]]
    ds = loader.load(leads_file(rows))
    assert loader.rows("SELECT lead_id, deal_amount FROM leads ORDER BY lead_id") == [
        ("1", 1200.0), ("2", None), ("3", 300.0)]
    assert not ds.quality.issues  # (86) parsed: a negative amount, excluded by the stated rule
    assert {"check": "negative deal amount", "rows": 1, "rule": "amount ignored in revenue"} in ds.quality.suspicious


def test_08_brazilian_and_euro_amounts(loader):
    loader.load(leads_file([["1", "2024-03-01", "Web", "Ana", "R$ 1.200,00"],
                            ["2", "2024-03-01", "Web", "Bia", "R$ 35,50"]], delimiter=";"))
    assert loader.rows("SELECT deal_amount FROM leads ORDER BY lead_id") == [(1200.0,), (35.5,)]
    ds = loader.load(leads_file([["1", "2024-03-01", "Web", "Ana", "-4.300,00 €"],
                                 ["2", "2024-03-01", "Web", "Bia", "12,50 €"]], delimiter=";"))
    assert loader.rows("SELECT deal_amount FROM leads ORDER BY lead_id") == [(None,), (12.5,)]
    assert ds.quality.suspicious[2]["rows"] == 1


def test_08_mixed_currencies_are_refused(loader):
    rows = [[str(i), "2024-03-01", "Web", "Ann", "$100"] for i in range(1, 9)]
    rows[3][4] = "€200"
    rows[6][4] = "EUR 50"
    err = refused(loader, leads_file(rows))
    assert "currencies" in str(err) and "leads.csv" in str(err)
    assert err.line == 5 and err.column == "deal_amount"
    assert "5, 8" in str(err)


def test_08_usd_spelled_two_ways_is_one_currency(loader):
    loader.load(leads_file([["1", "2024-03-01", "Web", "Ann", "$100"], ["2", "2024-03-01", "Web", "Bo", "USD 200"]]))
    assert loader.value("SELECT sum(deal_amount) FROM leads") == 300.0


# 9 ─ 9.986.000 in US mode
def test_09_dot_grouped_thousands_in_us_mode_are_refused(loader):
    rows = [["1", "2024-03-01", "Web", "Ann", "1,200.50"], ["2", "2024-03-01", "Web", "Bo", "9.986.000"],
            ["3", "2024-03-01", "Web", "Cy", "300"], ["4", "2024-03-01", "Web", "Di", "1.500.000"]]
    err = refused(loader, leads_file(rows))
    assert err.line == 3 and err.column == "deal_amount"
    assert "lines 3, 5" in str(err)
    err = refused(loader, leads_file(rows[1:]), decimal=".")
    assert "lines 2, 4" in str(err)


def test_09_dot_grouped_thousands_alone_mean_a_decimal_comma(loader):
    ds = loader.load(leads_file([["1", "2024-03-01", "Web", "Ann", "9.986.000"],
                                 ["2", "2024-03-01", "Web", "Bo", "12"]]))
    assert ds.decimal == ","
    assert loader.rows("SELECT deal_amount FROM leads ORDER BY lead_id") == [(9986000.0,), (12.0,)]


# 10 ─ mixed date formats in one column
def test_10_mixed_formats_each_become_one_instant(loader):
    head = ["lead_id", "created_at", "mql_at"]
    rows = [["1", "2024-03-05 14:22", ""], ["2", "03/05/2024 2:22 PM", "03/25/2024 9:00 AM"],
            ["3", "2024-03-05T14:22:00Z", ""], ["4", "2024-03-05T14:22:00-05:00", ""],
            ["5", "next tuesday", ""], ["6", "2024-03-05T14:22:00.000+0000", "garbage"]]
    ds = loader.load(leads_file(rows, head))
    assert loader.rows("SELECT lead_id, created_at FROM leads ORDER BY lead_id") == [
        ("1", at(2024, 3, 5, 14, 22)), ("2", at(2024, 3, 5, 14, 22)), ("3", at(2024, 3, 5, 14, 22)),
        ("4", at(2024, 3, 5, 19, 22)), ("6", at(2024, 3, 5, 14, 22))]
    assert loader.value("SELECT mql_at FROM leads WHERE lead_id = '2'") == at(2024, 3, 25, 9)
    [bad_row] = issues(ds, line=6)
    assert (bad_row.column, bad_row.value, bad_row.action) == ("created_at", "next tuesday", "row rejected")
    assert "not a date" in bad_row.reason
    [bad_cell] = issues(ds, line=7)
    assert (bad_cell.column, bad_cell.value, bad_cell.action) == ("mql_at", "garbage", "value ignored")
    assert ds.quality.rows_rejected == 1


# 11 ─ every date ambiguous
def test_11_ambiguous_dates_are_read_month_first_and_said_so(loader):
    data = leads_file([["1", "03/05/2024"], ["2", "04/06/2024"]], ["lead_id", "created_at"])
    ds = loader.load(data)
    assert ds.date_order == "mdy" and ds.date_order_ambiguous
    assert any("either way" in n for n in ds.quality.notices)
    assert loader.value("SELECT created_at FROM leads WHERE lead_id = '1'") == at(2024, 3, 5)
    ds = loader.load(data, date_order="dmy")
    assert ds.date_order == "dmy" and not ds.date_order_ambiguous
    assert loader.value("SELECT created_at FROM leads WHERE lead_id = '1'") == at(2024, 5, 3)


def test_11_one_unambiguous_date_decides(loader):
    ds = loader.load(leads_file([["1", "03/05/2024"], ["2", "13/05/2024"]], ["lead_id", "created_at"]))
    assert ds.date_order == "dmy" and not ds.date_order_ambiguous
    assert loader.value("SELECT created_at FROM leads WHERE lead_id = '1'") == at(2024, 5, 3)
    err = refused(loader, leads_file([["1", "05/13/2024"], ["2", "13/05/2024"]], ["lead_id", "created_at"]))
    assert "day-first" in str(err) and "month-first" in str(err)


# 12 ─ impossible dates
def test_12_impossible_dates_are_partial_not_text(loader):
    head = ["lead_id", "created_at", "customer_at"]
    rows = [["1", "03/15/2024", ""], ["2", "2024-02-30", ""], ["3", "13/13/2024", ""],
            ["4", "2024-03-01", "2024-02-30"], ["5", "2024-03-02", "2024-04-01"]]
    ds = loader.load(leads_file(rows, head))
    assert loader.rows("SELECT lead_id FROM leads ORDER BY lead_id") == [("1",), ("4",), ("5",)]
    assert [(i.line, i.column, i.value, i.action) for i in ds.quality.issues] == [
        (3, "created_at", "2024-02-30", "row rejected"), (4, "created_at", "13/13/2024", "row rejected"),
        (5, "customer_at", "2024-02-30", "value ignored")]
    assert all("not a date" in i.reason for i in ds.quality.issues)
    assert dict(loader.rows("SELECT column_name, column_type FROM (DESCRIBE leads)"))["customer_at"] == \
        "TIMESTAMP WITH TIME ZONE"


# 13 ─ offsets, business time zone, DST gap
def test_13_offset_instant_and_business_month(loader):
    data = leads_file([["1", "2024-03-31T23:30-05:00"], ["2", "2024-03-10 02:30"], ["3", "2024-03-10 01:30"],
                       ["4", "2024-11-03 01:30"]], ["lead_id", "created_at"])
    ds = loader.load(data, tz="America/Chicago")
    assert loader.value("SELECT created_at FROM leads WHERE lead_id = '1'") == at(2024, 4, 1, 4, 30)
    month = "SELECT strftime(timezone($tz, created_at), '%Y-%m') FROM leads WHERE lead_id = '1'"
    assert loader.value(month, {"tz": "America/Chicago"}) == "2024-03"
    assert loader.value(month, {"tz": "UTC"}) == "2024-04"
    assert loader.value("SELECT created_at FROM leads WHERE lead_id = '3'") == at(2024, 3, 10, 7, 30)
    [gap] = issues(ds, column="created_at")
    assert (gap.line, gap.value) == (3, "2024-03-10 02:30")
    assert "daylight saving" in gap.reason
    assert loader.value("SELECT created_at FROM leads WHERE lead_id = '2'") == at(2024, 3, 10, 8, 30)
    assert any("daylight saving" in n and "line 3" in n for n in ds.quality.notices)
    assert ds.rows_loaded == 4


def test_13_no_gap_flags_in_utc(loader):
    ds = loader.load(leads_file([["1", "2024-03-10 02:30"]], ["lead_id", "created_at"]))
    assert not ds.quality.issues
    assert loader.value("SELECT created_at FROM leads") == at(2024, 3, 10, 2, 30)


# 26 ─ type drift after the sniffer's sample
def test_26_type_drift_late_in_the_file(loader):
    text = export_text(25_000, style="snake")
    text = edit_cells(text, {(22_002, "deal_amount"): "TBD", (22_003, "deal_amount"): "n/a",
                             (24_001, "created_at"): "yesterday", (23_000, "follow_up_attempts"): "lots"})
    ds = loader.load(text)
    assert [(i.line, i.column, i.value, i.action) for i in ds.quality.issues] == [
        (22_002, "deal_amount", "TBD", "value ignored"), (23_000, "follow_up_attempts", "lots", "value ignored"),
        (24_001, "created_at", "yesterday", "row rejected")]
    assert ds.rows_loaded == 24_999
    assert loader.value("SELECT deal_amount FROM leads WHERE lead_id = 'LD-00022002'") is None


# 30 ─ null tokens
def test_30_null_spellings_are_missing_never_zero(loader):
    head = ["lead_id", "created_at", "deal_amount", "first_follow_up_at", "source", "follow_up_attempts"]
    rows = [["1", "2024-03-01", "N/A", "None", "-", "N/A"], ["2", "2024-03-01", "", "", "", ""],
            ["3", "2024-03-01", "None", "-", "N/A", "null"], ["4", "2024-03-01", "0", "2024-03-02", "Web", "2"]]
    ds = loader.load(leads_file(rows, head))
    assert loader.rows("SELECT lead_id, deal_amount, first_touch_at, source, attempts FROM leads ORDER BY lead_id") == [
        ("1", None, None, None, 0), ("2", None, None, None, 0), ("3", None, None, None, 0),
        ("4", 0.0, at(2024, 3, 2), "Web", 2)]
    assert {k: ds.quality.missing[k] for k in ("deal_amount", "first_touch_at", "source", "attempts")} == {
        "deal_amount": 3, "first_touch_at": 3, "source": 3, "attempts": 3}
    assert not ds.quality.issues


# 31 ─ boolean spellings
def test_31_boolean_spellings(loader):
    values = ["yes", "no", "Y", "1", "TRUE", "false", "n", "0", "x", "t", "F", "No"] * 2
    values[20] = "maybe"
    rows = [[str(i), "2024-03-01", v] for i, v in enumerate(values, start=1)]
    ds = loader.load(leads_file(rows, ["lead_id", "created_at", "Connected"]))
    got = dict(loader.rows("SELECT lead_id, connected FROM leads"))
    assert [got[str(i)] for i in range(1, 13)] == [True, False, True, True, True, False, False, False, True, True,
                                                     False, False]
    assert got["21"] is False
    [issue] = ds.quality.issues
    assert (issue.line, issue.column, issue.value, issue.action) == (22, "Connected", "maybe", "value ignored")
    assert "yes/no" in issue.reason


# 32 ─ long ids and leading zeros
def test_32_ids_stay_text(loader):
    ids = ["0001234", "1234567890123456789", "12345678901234567890123", "00Q5g0000001"]
    loader.load(leads_file([[i, "2024-03-01"] for i in ids], ["lead_id", "created_at"]))
    assert sorted(i for (i,) in loader.rows("SELECT lead_id FROM leads")) == sorted(ids)
    assert dict(loader.rows("SELECT column_name, column_type FROM (DESCRIBE leads)"))["lead_id"] == "VARCHAR"


# 33 ─ the same Lead ID twice
@pytest.mark.parametrize("numpy_from", [cell_report.NUMPY_SORT_ROWS, 1], ids=["duckdb-distinct", "numpy-sort"])
def test_33_duplicate_lead_id_first_row_kept(loader, monkeypatch, numpy_from):
    monkeypatch.setattr(cell_report, "NUMPY_SORT_ROWS", numpy_from)  # big exports check the hashes in numpy
    rows = [["A1", "2024-03-01", "Web", "Ann", "10"], ["B2", "2024-03-02", "Web", "Bo", "20"],
            ["A1", "2024-03-05", "Events", "Cy", "30"]]
    ds = loader.load(leads_file(rows))
    assert loader.rows("SELECT lead_id, source, owner FROM leads ORDER BY lead_id") == [
        ("A1", "Web", "Ann"), ("B2", "Web", "Bo")]
    [dup] = ds.quality.issues
    assert (dup.line, dup.column, dup.value, dup.action) == (4, "lead_id", "A1", "row rejected")
    assert "first row" in dup.reason
    assert ds.quality.rows_rejected == 1
    assert loader.load(leads_file(rows[:2])).quality.rows_rejected == 0


def test_33_same_lead_in_leads_and_deals(loader):
    leads = leads_file([["A1", "2024-03-01", "Web", "", ""], ["B2", "2024-03-02", "Web", "Bo", ""]])
    deals = csv_bytes([["lead_id", "won_date", "amount", "owner"], ["A1", "2024-04-10", "500", "Dee"],
                       ["A1", "2024-04-02", "700", "Eve"], ["B2", "2024-05-01", "900", "Fay"],
                       ["Z9", "2024-05-01", "1", "X"]])
    ds = loader.load(leads, deals=deals)
    assert loader.rows("SELECT lead_id, customer_at, deal_amount, owner FROM leads ORDER BY lead_id") == [
        ("A1", at(2024, 4, 2), 700.0, "Eve"), ("B2", at(2024, 5, 1), 900.0, "Bo")]
    assert any("more than one won deal" in n for n in ds.quality.notices)
    assert any("not in the leads file" in n for n in ds.quality.notices)


# 34 ─ formula-looking cells
def test_34_formula_like_cells_are_stored_as_text(loader):
    cells = ['=HYPERLINK("http://evil","click")', "+1 555 0100", "@x", "\t=1", "-5 apples"]
    rows = [[str(i), "2024-03-01", c, c, ""] for i, c in enumerate(cells, start=1)]
    rows.append(["9", "2024-03-01", "Web", "Ann", "-5"])
    loader.load(leads_file(rows))
    assert [s for (s,) in loader.rows("SELECT source FROM leads WHERE lead_id <> '9' ORDER BY lead_id")] == cells
    assert [o for (o,) in loader.rows("SELECT owner FROM leads WHERE lead_id <> '9' ORDER BY lead_id")] == cells
    assert loader.rows("SELECT typeof(deal_amount) FROM leads LIMIT 1") == [("DOUBLE",)]


# 35 ─ a month with no leads
def test_35_month_without_leads_is_representable(loader):
    ds = loader.load(leads_file([["1", "2024-01-15"], ["2", "2024-03-15"]], ["lead_id", "created_at"]))
    assert ds.rows_loaded == 2
    feb = ("SELECT count(*) FROM leads WHERE created_at >= '2024-02-01'::TIMESTAMPTZ "
           "AND created_at < '2024-03-01'::TIMESTAMPTZ")
    assert loader.value(feb) == 0


# 36 ─ order and sign violations
def test_36_customer_before_created_and_negative_amounts(loader):
    head = ["lead_id", "created_at", "customer_at", "deal_amount"]
    rows = [["1", "2024-03-10", "2024-03-01", "100"], ["2", "2024-03-10", "2024-03-20", "-50"],
            ["3", "2024-03-10", "2024-03-20", "70"]]
    ds = loader.load(leads_file(rows, head))
    assert loader.rows("SELECT lead_id, customer_at, deal_amount FROM leads ORDER BY lead_id") == [
        ("1", None, None), ("2", at(2024, 3, 20), None), ("3", at(2024, 3, 20), 70.0)]
    checks = {s["check"]: s for s in ds.quality.suspicious}
    assert checks["became customer before the lead was created"]["rows"] == 1
    assert checks["became customer before the lead was created"]["rule"] == "not counted as a customer"
    assert checks["negative deal amount"]["rows"] == 1
