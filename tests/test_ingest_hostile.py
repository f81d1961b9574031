"""Hostile uploads from an adversarial pass: line endings, archives, dates, loads that keep no row.
Each gets a one-line reason naming file, line and column (an InputError; the report command exits 2)
or a flagged row, never a traceback, never silently wrong figures, and nothing already loaded is
lost. Fixtures are generated here; limits, file names, tiers and messages are in
test_ingest_hostile_limits.py.
"""
from __future__ import annotations

import codecs
import gzip
import io
import json
import struct
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest

from hostile_support import HEAD, assert_one_line_refusal, refused, report, rows_file
from ingest_support import Loader, csv_bytes, export_text
from sla_core.ingest import load as ingest
from sla_core.ingest.decode import InputError


@pytest.fixture
def loader(con, tmp_path):
    return Loader(con, tmp_path / "session")


# --- D2: mixed line endings and damaged archives are refused, not a crash ---------------------------
def test_header_crlf_then_rows_lf_is_refused_at_line_2(loader):
    err = refused(loader, rows_file(50, "\r\n").replace("\r\n", "\n").replace("\n", "\r\n", 1))
    assert err.line == 2 and "line endings" in err.reason and "CR LF" in err.reason and "LF (Unix)" in err.reason


@pytest.mark.parametrize("quoted", [False, True], ids=["plain", "quoted"])
def test_a_change_of_line_endings_after_the_sniffed_head(loader, quoted):
    """Past the head the scan fails (or, with quoted values, rejects every row): the reason is found then."""
    row = '{i},2024-03-01 10:00,"Web",Ann,{i}' if quoted else "{i},2024-03-01 10:00,Web,Ann,{i}"
    lines = [",".join(HEAD)] + [row.format(i=i) for i in range(1, 6001)]
    data = "\n".join(lines[:4000]) + "\n" + "\r\n".join(lines[4000:]) + "\r\n"
    assert data.index("\r") > 1 << 16
    err = refused(loader, data)
    assert err.line == 4001 and "line endings" in err.reason


def test_a_stray_carriage_return_mid_field(loader):
    data = rows_file(30).replace("Ann,7\n", "A\rnn,7\n")
    err = refused(loader, data)
    assert err.line == 8 and "CR (old Mac)" in err.reason


@pytest.mark.parametrize("eol", ["\n", "\r\n"])
def test_one_kind_of_line_ending_loads(loader, eol):
    assert loader.load(rows_file(40, eol)).rows_loaded == 40


def test_old_mac_line_endings_are_named(loader):
    err = refused(loader, rows_file(40, "\r"))
    assert err.line == 1 and "lone CR" in err.reason


def test_crlf_file_with_line_breaks_inside_quotes_loads(loader):
    data = rows_file(20, "\r\n").replace("Ann,3\r\n", 'Ann,3\r\nx,2024-03-05 10:00,"two\nlines",Bo,4\r\n')
    assert loader.load(data).rows_loaded == 21


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _patched_zip(data: bytes, flags: int | None = None, method: int | None = None) -> bytes:
    """Set the general-purpose flags or compression method in both the local and the central header."""
    out = bytearray(data)
    for signature, flag_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        at = out.index(signature)
        if flags is not None:
            out[at + flag_at:at + flag_at + 2] = struct.pack("<H", flags)
        if method is not None:
            out[at + method_at:at + method_at + 2] = struct.pack("<H", method)
    return bytes(out)


CSV = rows_file(300).encode()


def _damaged(data: bytes, at: int) -> bytes:
    out = bytearray(data)
    out[at] ^= 0xFF
    return bytes(out)


ARCHIVES = {
    "gzip-deflate": (_damaged(gzip.compress(CSV), 30), "leads.csv.gz", "gzip file is damaged"),
    "gzip-truncated": (gzip.compress(CSV)[:-40], "leads.csv.gz", "gzip file is damaged or cut short"),
    "zip-deflate": (_damaged(_zip({"leads.csv": CSV}), 45), "leads.zip", "zip archive is damaged"),
    "zip-crc": (_damaged(_zip({"leads.csv": CSV}, zipfile.ZIP_STORED), 200), "leads.zip", "Bad CRC-32"),
    "zip-truncated": (_zip({"leads.csv": CSV})[:-30], "leads.zip", "not a readable zip archive"),
    "zip-encrypted": (_patched_zip(_zip({"leads.csv": CSV}), flags=0x1), "leads.zip", "password-protected"),
    "zip-method": (_patched_zip(_zip({"leads.csv": CSV}), method=9), "leads.zip", "compression method"),
    "zip-in-zip": (_zip({"leads.csv": _zip({"leads.csv": CSV})}), "leads.zip", "holds another archive"),
    "gzip-in-gzip": (gzip.compress(gzip.compress(CSV)), "leads.csv.gz", "holds another archive"),
}


@pytest.mark.parametrize("case", sorted(ARCHIVES))
def test_damaged_and_unusual_archives_are_refused_in_one_line(loader, case):
    data, name, words = ARCHIVES[case]
    err = refused(loader, data, name=name)
    assert err.file == name and words in err.reason and "\n" not in str(err)


@pytest.mark.parametrize("case", ["gzip-deflate", "zip-encrypted"])
def test_the_report_command_exits_2_on_a_damaged_archive(tmp_path, case):
    data, name, words = ARCHIVES[case]
    path = tmp_path / name
    path.write_bytes(data)
    assert_one_line_refusal(report("--leads", path), name, words)


def test_the_report_command_exits_2_on_mixed_line_endings(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_bytes(rows_file(30).replace("\n", "\r\n", 1).encode())
    assert_one_line_refusal(report("--leads", path), "leads.csv, line 2", "line endings")


# --- D3: implausible dates are cell issues and never set as-of ---------------------------------------
IMPLAUSIBLE = ["20244-06-03", "9999-12-31", "1900-01-01", "0001-01-01"]
NOT_DATES = ["infinity", "-infinity", "epoch"]


@pytest.mark.parametrize("tz", ["UTC", "America/New_York"])
def test_implausible_and_special_dates_are_reported_never_loaded(loader, tz):
    head = ["lead_id", "created_at", "customer_at"]
    bad = IMPLAUSIBLE + NOT_DATES
    rows = [[f"c{i}", v, ""] for i, v in enumerate(bad)] + [[f"w{i}", "2024-03-01 10:00", v] for i, v in enumerate(bad)]
    rows.append(["ok", "2024-03-05 10:00", "2024-04-01 10:00"])
    ds = loader.load(csv_bytes([head, *rows]), tz=tz)
    assert ds.rows_loaded == len(bad) + 1  # the rows with a bad creation date are rejected
    assert loader.value("SELECT count(customer_at) FROM leads") == 1
    assert loader.value("SELECT max(greatest(created_at, customer_at)) FROM leads") < datetime(2025, 1, 1, tzinfo=UTC)
    assert ds.as_of.year == 2024
    by_cell = {(i.line, i.column): i for i in ds.quality.issues}
    for k, v in enumerate(bad):
        created, won = by_cell[(2 + k, "created_at")], by_cell[(2 + len(bad) + k, "customer_at")]
        assert (created.value, created.action, won.value, won.action) == (v, "row rejected", v, "value ignored")
        expected = "plausible range" if v in IMPLAUSIBLE else "not a date"
        assert expected in created.reason and expected in won.reason, (v, created.reason)
    implausible = by_cell[(2, "created_at")].reason
    assert ds.quality.issue_counts[f"leads.csv: created_at: {implausible}"] == len(IMPLAUSIBLE)
    assert ds.quality.issue_counts[f"leads.csv: customer_at: {implausible}"] == len(IMPLAUSIBLE)
    assert sum(n for k, n in ds.quality.issue_counts.items() if "not a date" in k) == 2 * len(NOT_DATES)


def test_the_plausible_range_is_configurable(loader):
    data = csv_bytes([["lead_id", "created_at"], ["1", "1999-12-31"], ["2", "2024-03-01"], ["3", "2027-06-01"]])
    ds = loader.load(data, earliest_date=date(2000, 1, 1), latest_after_load=timedelta(days=3650))
    assert loader.rows("SELECT lead_id FROM leads ORDER BY 1") == [("2",), ("3",)]
    [issue] = ds.quality.issues
    assert (issue.line, issue.value) == (2, "1999-12-31") and "2000-01-01 to" in issue.reason
    with pytest.raises(ValueError, match="earliest_date"):
        ingest.ReadOptions(earliest_date=date(2999, 1, 1))
    with pytest.raises(ValueError, match="latest_after_load"):
        ingest.ReadOptions(latest_after_load=timedelta(days=-1))


@pytest.mark.parametrize("tz", ["UTC", "America/New_York"])
def test_epoch_is_never_a_date_even_when_the_range_starts_before_1970(loader, tz):
    """DuckDB reads the word 'epoch' as the Unix zero instant: a placeholder at any configured range."""
    rows = [["1", "epoch"], ["2", " EPOCH "], ["3", "1970-01-01T00:00:00Z"], ["4", "1969-07-20 20:17"]]
    ds = loader.load(csv_bytes([["lead_id", "created_at"], *rows]), tz=tz, earliest_date=date(1960, 1, 1))
    assert loader.rows("SELECT lead_id FROM leads") == [("4",)]
    assert [(i.line, i.value) for i in ds.quality.issues] == [(2, "epoch"), (3, "EPOCH"), (4, "1970-01-01T00:00:00Z")]
    assert "not a date" in ds.quality.issues[0].reason and "plausible range" in ds.quality.issues[2].reason


def test_a_date_far_ahead_is_flagged_and_the_report_still_runs(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_bytes(csv_bytes([["lead_id", "created_at", "customer_at", "deal_amount"],
                                ["1", "2024-02-10 10:00", "", ""], ["2", "20244-06-03", "", ""],
                                ["3", "2024-03-05 10:00", "9999-12-31", "500"],
                                ["4", "2024-03-06 10:00", "infinity", ""]]))
    done = report("--leads", path)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["as_of"] == "2024-03-06T10:00:00+00:00" and out["month"] == "2024-03"
    issues = {(i["line"], i["column"]): i for i in out["data_quality"]["issues"]}
    assert issues[(3, "created_at")]["action"] == "row rejected"
    assert "plausible range" in issues[(4, "customer_at")]["reason"]
    assert "not a date" in issues[(5, "customer_at")]["reason"]


# --- D6: the full scan has the last word on the date order -------------------------------------------
def test_late_day_first_dates_re_read_the_whole_file_day_first(loader):
    early = [[f"a{i}", f"{i % 12 + 1:02d}/{(i // 12) % 12 + 1:02d}/2024"] for i in range(50_000)]
    late = [[f"b{i}", f"{13 + i % 16}/{i % 12 + 1:02d}/2024"] for i in range(10_000)]
    ds = loader.load(csv_bytes([["lead_id", "created_at"], *early, *late]))
    assert ds.rows_loaded == 60_000 and not ds.quality.issues
    assert (ds.date_order, ds.date_order_ambiguous) == ("dmy", False)
    # a0 is 01/01, a1 is 02/01: the 2nd of January read day-first, not the 1st of February
    assert loader.value("SELECT created_at FROM leads WHERE lead_id = 'a1'") == datetime(2024, 1, 2, tzinfo=UTC)
    assert loader.value("SELECT created_at FROM leads WHERE lead_id = 'b0'") == datetime(2024, 1, 13, tzinfo=UTC)
    notice = next(n for n in ds.quality.notices if "read either way" in n)
    assert "'13/01/2024' on line 50002" in notice and "day-first" in notice
    assert not any(n.startswith("Every date could be read either way") for n in ds.quality.notices)


def test_a_file_whose_sample_shows_one_order_and_later_rows_the_other_is_refused(loader):
    rows = [[str(i), "13/05/2024"] for i in range(60_000)]
    rows[55_000][1] = "05/14/2024"
    err = refused(loader, csv_bytes([["lead_id", "created_at"], *rows]))
    assert (err.line, err.column) == (55_002, "created_at")
    assert "'05/14/2024'" in err.reason and "day-first" in err.reason and "month-first" in err.reason


def test_a_chosen_date_order_is_never_overruled(loader):
    rows = [["1", "03/04/2024"], ["2", "13/04/2024"]]
    ds = loader.load(csv_bytes([["lead_id", "created_at"], *rows]), date_order="mdy")
    assert ds.date_order == "mdy" and ds.rows_loaded == 1
    assert [(i.line, i.value) for i in ds.quality.issues] == [(3, "13/04/2024")]


# --- D8: a load that keeps no row is refused, the reasons named; UTF-32 read as UTF-32 -----------------
def test_epoch_number_dates_are_refused_and_the_previous_data_kept(loader):
    loader.load(rows_file(25))
    before = loader.rows("SELECT * FROM leads ORDER BY lead_id")
    data = csv_bytes([["lead_id", "created_at"]] + [[str(i), str(1717372800 + i)] for i in range(40)])
    err = refused(loader, data)
    assert (err.line, err.column) == (2, "created_at")
    assert "none of its 40 rows" in err.reason and "not a date" in err.reason and "40 row(s)" in err.reason
    assert "Unix timestamp" in err.reason and "'1717372800'" in err.reason
    assert loader.rows("SELECT * FROM leads ORDER BY lead_id") == before


def test_rows_without_ids_are_named_in_the_refusal(loader):
    err = refused(loader, csv_bytes([["lead_id", "created_at"], ["", "2024-03-01"], ["", "2024-03-02"]]))
    assert err.line == 2 and "missing Lead ID or creation date on 2 row(s)" in err.reason


def test_an_activity_log_without_a_readable_time_is_refused(loader):
    activities = csv_bytes([["lead_id", "activity_at", "type"]] +
                           [["1", f"{1717372800 + i}", "call"] for i in range(5)])
    with pytest.raises(InputError) as info:
        loader.load(rows_file(5), activities=activities)
    err = info.value
    assert err.file == "activities.csv" and (err.line, err.column) == (2, "activity_at")
    assert "none of its 5 dates" in err.reason


@pytest.mark.parametrize("codec,bom", [("utf-32-le", codecs.BOM_UTF32_LE), ("utf-32-be", codecs.BOM_UTF32_BE)])
def test_utf32_with_a_byte_order_mark_is_read_as_utf32(loader, codec, bom):
    text = rows_file(30).replace("Ann", "Zoë")
    ds = loader.load(bom + text.encode(codec))
    assert ds.rows_loaded == 30 and loader.value("SELECT min(owner) FROM leads") == "Zoë"
    assert any("UTF-32" in n for n in ds.quality.notices)


def test_utf32_without_a_byte_order_mark_says_so(loader):
    err = refused(loader, rows_file(10).encode("utf-32-le"))
    assert "UTF-32" in err.reason


def test_the_report_command_exits_2_when_no_row_loads(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_bytes(csv_bytes([["lead_id", "created_at"]] + [[str(i), str(1717372800 + i)] for i in range(5)]))
    assert_one_line_refusal(report("--leads", path), "none of its 5 rows", "line 2")


# --- nothing loaded before is lost ----------------------------------------------------------------
HOSTILE = {
    "mixed-endings": rows_file(30).replace("\n", "\r\n", 1).encode(),
    "gzip-damaged": ARCHIVES["gzip-deflate"][0],
    "zip-encrypted": ARCHIVES["zip-encrypted"][0],
    "epoch-numbers": csv_bytes([["lead_id", "created_at"], ["1", "1717372800"]]),
    "utf32-no-bom": rows_file(5).encode("utf-32-le"),
    "gzip-bomb": gzip.compress(b"0" * (16 << 20), 9),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_refused_hostile_upload_keeps_the_previous_data(loader, kind):
    loader.load(export_text(25))
    before = loader.rows("SELECT * FROM leads ORDER BY lead_id")
    refused(loader, HOSTILE[kind])
    assert loader.rows("SELECT * FROM leads ORDER BY lead_id") == before
