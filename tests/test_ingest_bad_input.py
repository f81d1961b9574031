"""Every case of the reliability plan's bad-input table (section 3), one test (or more) each.

C = correct parse with exact values, P = partial load with rejects naming file, line,
column and reason, E = an InputError naming file, line and column. Fixtures are made
here, from the seeded generator or written out row by row; nothing is copied in.
"""
from __future__ import annotations

import codecs
import gzip
import io
import re
import time
import tracemalloc
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from ingest_support import Loader, csv_bytes, edit_cells, export_text
from sla_core.ingest import cell_report, decode, sniff, sql_text
from sla_core.ingest import load as ingest
from sla_core.db import open_session_db
from sla_core.ingest.decode import InputError
from sla_core.ingest.mapping import Mapping

ROOT = Path(__file__).resolve().parent.parent
UTC = timezone.utc
HEAD = ["lead_id", "created_at", "source", "owner", "deal_amount"]


@pytest.fixture
def loader(con, tmp_path):
    return Loader(con, tmp_path / "session")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def leads_file(rows: list[list[str]], head: list[str] = HEAD, **kw) -> bytes:
    return csv_bytes([head, *rows], **kw)


def issues(ds, **match) -> list[ingest.Issue]:
    return [i for i in ds.quality.issues if all(getattr(i, k) == v for k, v in match.items())]


def refused(loader, data, **kw) -> InputError:
    with pytest.raises(InputError) as info:
        loader.load(data, **kw)
    return info.value


# 1 ─ UTF-8 byte-order mark
def test_01_bom_is_not_part_of_the_first_header(loader):
    ds = loader.load(codecs.BOM_UTF8 + export_text(40).encode())
    assert ds.headers[0] == "Record ID"
    assert ds.columns["lead_id"] == "Record ID"
    assert ds.rows_loaded == 40
    assert loader.rows("SELECT min(lead_id), max(lead_id) FROM leads") == [("5000000001", "5000000040")]


# 2 ─ Excel "Unicode Text": UTF-16LE with BOM, tab-separated, CRLF
def test_02_excel_unicode_text_reads_like_the_csv(loader):
    loader.load(export_text(60))
    expected = loader.rows("SELECT * FROM leads ORDER BY lead_id")
    unicode_text = export_text(60, delimiter="\t").replace("\n", "\r\n")
    ds = loader.load(codecs.BOM_UTF16_LE + unicode_text.encode("utf-16-le"), name="leads.txt")
    assert loader.rows("SELECT * FROM leads ORDER BY lead_id") == expected
    assert any("UTF-16" in n for n in ds.quality.notices)
    assert any("tab" in n for n in ds.quality.notices)


# 3 ─ UTF-16 without a BOM
@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_03_utf16_without_bom_is_refused_not_mojibake(loader, codec):
    err = refused(loader, export_text(20).encode(codec), name="contacts.csv")
    assert "contacts.csv" in str(err)
    assert "UTF-16" in str(err) and "CSV UTF-8" in str(err)


# 4 ─ Windows-1252 and Latin-1
def test_04_windows_1252_is_read_as_cp1252(loader):
    rows = [["1", "2024-03-01 10:00", "“Webinar” €5", "José Núñez", "10"],
            ["2", "2024-03-02 10:00", "Trade fair – Köln", "Zoë", "20"]]
    ds = loader.load(leads_file(rows, encoding="cp1252"))
    assert loader.rows("SELECT source, owner FROM leads ORDER BY lead_id") == [
        ("“Webinar” €5", "José Núñez"), ("Trade fair – Köln", "Zoë")]
    assert any("Windows-1252" in n for n in ds.quality.notices)
    assert not loader.value("SELECT count(*) FROM leads WHERE source LIKE '%' || chr(128) || '%'")


def test_04_latin1_names(loader):
    loader.load(leads_file([["1", "2024-03-01 10:00", "Web", "Núñez", ""]], encoding="latin-1"))
    assert loader.value("SELECT owner FROM leads") == "Núñez"


def test_04_first_accent_after_the_sniffed_megabyte(loader):
    rows = [[str(i), "2024-03-01 10:00", "Organic Search", "Alex Smith", "100"] for i in range(1, 30001)]
    rows[25000][3] = "Jürgen Müller"
    data = leads_file(rows, encoding="cp1252")
    assert data.index("ü".encode("cp1252")) > decode.SNIFF_BYTES
    ds = loader.load(data)
    assert loader.value("SELECT owner FROM leads WHERE lead_id = '25001'") == "Jürgen Müller"
    assert ds.rows_loaded == 30000
    assert any("Windows-1252" in n for n in ds.quality.notices)


# 5 ─ stray invalid bytes
def test_05_invalid_byte_in_a_utf8_file_names_line_and_offset(loader):
    data = leads_file([["1", "2024-03-01 10:00", "Web", "Jürgen Müller", "1"]] +
                      [[str(i), "2024-03-01 10:00", "Web", "Ann", "1"] for i in range(2, 6)])
    lines = data.split(b"\n")
    lines[4] = lines[4].replace(b"Ann", b"A\xffnn")
    data = b"\n".join(lines)
    err = refused(loader, data)
    assert err.line == 5
    assert f"byte offset {data.index(bytes([0xFF]))}" in str(err)
    assert "leads.csv" in str(err)


def test_05_invalid_byte_after_the_first_megabyte(loader):
    rows = [[str(i), "2024-03-01 10:00", "Web", "Ann", "1"] for i in range(1, 40001)]
    rows[0][3] = "Jürgen Müller"
    data = bytearray(leads_file(rows))
    target = data.index(b"\n35000,") + 1  # line 35001
    pos = data.index(b"Ann", target)
    data[pos + 1] = 0xFF
    assert pos > decode.SNIFF_BYTES
    err = refused(loader, bytes(data))
    assert err.line == 35001
    assert f"byte offset {pos + 1}" in str(err)
    assert "\ufffd" not in str(err)


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


# 14 ─ empty file
@pytest.mark.parametrize("data", [b"", b"  \n\n", codecs.BOM_UTF8])
def test_14_empty_file(loader, data):
    err = refused(loader, data)
    assert "empty" in str(err) and "leads.csv" in str(err)


# 15 ─ header only
@pytest.mark.parametrize("data", [b"lead_id,created_at\n", b"lead_id,created_at",
                                  b"Leads\nAs of 2024-03-01\nlead_id,created_at\n"])
def test_15_header_only(loader, data):
    err = refused(loader, data)
    assert "no data rows" in str(err)


# 16 ─ duplicate headers
def test_16_duplicate_headers_are_renamed_not_last_wins(loader):
    data = leads_file([["1", "2024-03-01", "100", "999"]], ["Record ID", "Create Date", "Amount", "amount"])
    ds = loader.load(data)
    assert ds.headers == ["Record ID", "Create Date", "Amount", "amount_1"]
    assert ds.columns["deal_amount"] == "Amount"
    assert loader.value("SELECT deal_amount FROM leads") == 100.0
    assert any("'amount_1'" in n for n in ds.quality.notices)


# 17 ─ empty header cell
def test_17_empty_header_cell_gets_a_name(loader):
    data = leads_file([["1", "2024-03-01", "Maria Rossi"]], ["Record ID", "Create Date", ""])
    ds = loader.load(data, mapping=Mapping(columns={"owner": "column_3"}))
    assert ds.headers[2] == "column_3"
    assert any("column_3" in n for n in ds.quality.notices)
    assert loader.value("SELECT owner FROM leads") == "Maria Rossi"


# 18 ─ hostile headers
def test_18_hostile_headers_are_only_ever_quoted(loader, con):
    con.execute("CREATE TABLE scenarios AS SELECT 42 AS id")
    evil, long_name, newline = 'a"; DROP TABLE scenarios;--', "x" * 10_000, "Lead\nTier"
    data = leads_file([["1", "2024-03-01", "Webinar", "Ann", "gold", "CEO"]],
                      ["Record ID", "Create Date", evil, "select", newline, long_name])
    mapping = Mapping(columns={"source": evil, "owner": "select", "tier": newline, "job_title": long_name})
    ds = loader.load(data, mapping=mapping)
    assert ds.headers[2:] == [evil, "select", newline, long_name]
    assert loader.rows("SELECT source, owner, tier, job_title FROM leads") == [("Webinar", "Ann", "gold", "CEO")]
    assert loader.value("SELECT id FROM scenarios") == 42
    assert ds.columns["tier"] == newline


# 19 ─ HTML / markdown payloads (the Data page side is in test_page_data.py)
PAYLOADS = ["<img src=x onerror=alert(1)>", "[x](javascript:alert(1))", "![](https://evil/p.png)"]


def test_19_payloads_are_stored_as_literal_text(loader):
    data = leads_file([[str(i), "2024-03-01", p, p] for i, p in enumerate(PAYLOADS, start=1)],
                      ["Record ID", "Create Date", "Original Source", PAYLOADS[0]])
    ds = loader.load(data)
    assert ds.headers[3] == PAYLOADS[0]
    assert [s for (s,) in loader.rows("SELECT source FROM leads ORDER BY lead_id")] == PAYLOADS


# 20 ─ short and long rows
def test_20_a_few_ragged_rows_load_partially(loader):
    head = ["lead_id", "created_at", "source", "owner", "deal_amount", "country", "title", "notes"]
    rows = [[str(i), "2024-03-01", "Web", "Ann", "1", "US", "CEO", "n"] for i in range(1, 201)]
    rows[55] = rows[55] + ["extra"]  # line 57: 9 fields
    rows[118] = rows[118][:7]  # line 120: 7 fields
    ds = loader.load(leads_file(rows, head))
    assert [(i.line, i.reason, i.action) for i in ds.quality.issues] == [
        (57, "9 fields, expected 8", "row skipped"), (120, "7 fields, expected 8", "row skipped")]
    assert ds.quality.issues[0].value == "56,2024-03-01,Web,Ann,1,US,CEO,n,extra"
    assert (ds.quality.rows_read, ds.quality.rows_rejected, ds.rows_loaded) == (200, 2, 198)


def test_20_many_ragged_rows_are_refused(loader):
    head = ["lead_id", "created_at", "source", "owner", "deal_amount", "country", "title", "notes"]
    rows = [[str(i), "2024-03-01", "Web", "Ann", "1", "US", "CEO", "n"] for i in range(1, 101)]
    rows[55] = rows[55] + ["extra"]
    rows[60] = rows[60] + ["extra"]
    err = refused(loader, leads_file(rows, head))
    assert err.line == 57
    assert str(err).startswith("leads.csv, line 57: 9 fields, expected 8")


# 21 ─ quoted newlines keep line numbers exact
def _records_file(records: list[str]) -> tuple[bytes, list[int]]:
    """Raw CSV records (each ending in a newline) and the file line each one starts on."""
    starts, line = [], 1
    for rec in records:
        starts.append(line)
        line += rec.count("\n")
    return "".join(records).encode(), starts


@pytest.mark.parametrize("eol", ["\n", "\r\n"])
def test_21_quoted_newlines_and_skipped_rows(loader, eol):
    recs = ["lead_id,created_at,notes,deal_amount\n", '1,2024-03-01,"called\ntwice",10\n', "2,2024-03-01,ok,11\n",
            "3,2024-03-01,too,many,fields\n", '4,2024-03-01,"a\nb\nc",oops\n', "\n", "5,2024-03-01,,12\n",
            '6,2024-02-30,"x\n",13\n', "7,2024-03-02,fine,14\n"] + [f"{i},2024-03-03,x,1\n" for i in range(8, 120)]
    data, starts = _records_file([r.replace("\n", eol) for r in recs])
    ds = loader.load(data)
    assert [(i.line, i.column) for i in ds.quality.issues] == [
        (starts[3], None), (starts[4], "deal_amount"), (starts[7], "created_at")]
    assert [i.line for i in ds.quality.issues] == [5, 6, 11]
    assert loader.value("SELECT count(*) FROM leads") == 117
    assert loader.value("SELECT deal_amount FROM leads WHERE lead_id = '7'") == 14.0


def test_21_line_numbers_in_a_large_clean_layout(loader):
    text = export_text(3000, style="snake")
    text = edit_cells(text, {(2500, "deal_amount"): "TBD", (40, "created_at"): "soon"})
    ds = loader.load(text)
    assert [(i.line, i.column) for i in ds.quality.issues] == [(40, "created_at"), (2500, "deal_amount")]


# 22 ─ unterminated quote
def test_22_unterminated_quote_names_its_start_line(loader):
    rows = [f"{i},2024-03-01,Web" for i in range(1, 11)]
    rows[4] = '5,2024-03-01,"Webinar'
    err = refused(loader, ("lead_id,created_at,source\n" + "\n".join(rows) + "\n").encode())
    assert err.line == 6
    assert "quote" in str(err)


# 23 ─ a field over max_line_size
def test_23_line_over_two_megabytes(loader):
    rows = [f"{i},2024-03-01,Web" for i in range(1, 6)]
    rows[2] = "3,2024-03-01," + "x" * (3 << 20)
    err = refused(loader, ("lead_id,created_at,source\n" + "\n".join(rows) + "\n").encode())
    assert err.line == 4
    assert "2 MB" in str(err)


# 24 ─ upload size: the cap is configured, and ingest streams from disk
def test_24_save_upload_copies_in_chunks(tmp_path):
    class Upload(io.BytesIO):
        sizes: list[int] = []

        def read(self, size=-1):
            assert 0 < size <= decode.CHUNK, "an upload must never be read whole"
            self.sizes.append(size)
            return super().read(size)

    data = b"lead_id,created_at\n" + b"1,2024-03-01\n" * 700_000
    path = decode.save_upload(Upload(data), "../../etc/leads.csv", tmp_path)
    assert path == tmp_path / "leads.csv"  # only the base name, made safe, is kept
    assert path.read_bytes() == data and len(Upload.sizes) >= 3


def test_24_25_big_file_streams_within_memory_limit(tmp_path):
    session = tmp_path / "session"
    con = open_session_db(session, memory_limit="1GB")
    text = export_text(300_000, style="snake")
    big = Loader(con, session)
    upload_text = big.put("big.csv", text)
    assert decode.prepare("big.csv", upload_text.path, session / "work").path == upload_text.path  # no copy
    del text
    tracemalloc.start()
    started = time.perf_counter()
    dataset = ingest.load(con, ingest.UploadSet(upload_text), Mapping(), ingest.ReadOptions(), session / "work")
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert dataset.rows_loaded == 300_000
    size = upload_text.path.stat().st_size
    assert peak < 16 << 20, f"Python held {peak >> 20} MB while ingesting a {size >> 20} MB file"
    assert elapsed < 30
    con.close()


# 25 ─ too many columns
def test_25_column_cap(loader):
    header = ",".join(f"custom_property_{i:05d}" for i in range(10_000))
    err = refused(loader, (f"lead_id,created_at,{header}\n1,2024-03-01" + "," * 10_000 + "\n").encode())
    assert "10002 columns" in str(err) and str(sniff.MAX_COLUMNS) in str(err)
    assert err.line == 1


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


# 27 ─ compressed uploads
def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_27_gzip_and_single_member_zip_load(loader):
    text = export_text(30)
    ds = loader.load(gzip.compress(text.encode()), name="leads.csv.gz")
    assert ds.rows_loaded == 30 and any("gzip" in n for n in ds.quality.notices)
    ds = loader.load(_zip({"export/leads.csv": text.encode()}), name="leads.zip")
    assert ds.rows_loaded == 30 and any("zip" in n for n in ds.quality.notices)


@pytest.mark.parametrize("members,message", [
    ({"a.csv": b"lead_id,created_at\n1,2024-03-01\n", "b.csv": b"x"}, "holds 2 files"),
    ({"inner.zip": b"PK\x03\x04"}, "nested"),
    ({"../x.csv": b"lead_id,created_at\n1,2024-03-01\n"}, "unsafe path"),
    ({"bomb.csv": b"0" * (20 << 20)}, "zip bomb"),
])
def test_27_bad_zips_are_refused(loader, members, message):
    err = refused(loader, _zip(members), name="upload.zip")
    assert message in str(err) and "upload.zip" in str(err)


# 28 ─ Excel workbooks
def test_28_xlsx_and_xls_say_export_as_csv(loader):
    xlsx = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                 "xl/worksheets/sheet1.xml": b"<worksheet/>"})
    err = refused(loader, xlsx, name="leads.xlsx")
    assert "Excel" in str(err) and "CSV" in str(err)
    err = refused(loader, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), name="leads.xls")
    assert "Excel" in str(err) and "CSV" in str(err)


# 29 ─ a ".csv" that is something else
@pytest.mark.parametrize("data,message", [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(100), "not a CSV"),
    (_zip({"photo.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(50)}), "not a CSV"),
    (bytes(range(256)) * 8, "not a CSV"),
])
def test_29_binary_disguised_as_csv(loader, data, message):
    err = refused(loader, data, name="leads.csv")
    assert message in str(err)


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


# Any refusal leaves the previously loaded data in place.
BAD_UPLOADS = {
    "utf16_no_bom": "lead_id,created_at\n1,2024-03-01\n".encode("utf-16-le"),
    "empty": b"",
    "header_only": b"lead_id,created_at\n",
    "unterminated": b'lead_id,created_at,source\n1,2024-03-01,"x\n2,2024-03-01,y\n',
    "pdf": b"%PDF-1.4\n",
    "no_id_column": b"name,created_at\nAnn,2024-03-01\n",
}


@pytest.mark.parametrize("kind", sorted(BAD_UPLOADS))
def test_failed_upload_keeps_previous_data(loader, kind):
    loader.load(export_text(25))
    before = loader.rows("SELECT * FROM leads ORDER BY lead_id")
    refused(loader, BAD_UPLOADS[kind])
    assert loader.rows("SELECT * FROM leads ORDER BY lead_id") == before
    assert not [t for (t,) in loader.rows("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'leads_%'")]


def test_error_messages_render_file_line_column():
    err = InputError("leads.csv", "not a number", line=7, column="Amount")
    assert str(err) == "leads.csv, line 7, column 'Amount': not a number"
    assert re.fullmatch(r"leads\.csv: .+", str(InputError("leads.csv", "empty")))
