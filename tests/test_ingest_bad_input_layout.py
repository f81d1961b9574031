"""Bad file layout: empty files, headers, ragged rows, quoted newlines, long lines; a refusal keeps the old data."""
from __future__ import annotations

import codecs
import re

import pytest

from hostile_support import refused
from ingest_bad_input_support import leads_file
from ingest_support import edit_cells, export_text
from sla_core.ingest import sniff
from sla_core.ingest.decode import InputError
from sla_core.ingest.mapping import Mapping


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


# 25 ─ too many columns
def test_25_column_cap(loader):
    header = ",".join(f"custom_property_{i:05d}" for i in range(10_000))
    err = refused(loader, (f"lead_id,created_at,{header}\n1,2024-03-01" + "," * 10_000 + "\n").encode())
    assert "10002 columns" in str(err) and str(sniff.MAX_COLUMNS) in str(err)
    assert err.line == 1


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
