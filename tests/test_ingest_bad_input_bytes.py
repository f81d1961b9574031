"""Bad uploads as bytes and files: encodings, invalid bytes, size and streaming, archives, workbooks, binaries."""
from __future__ import annotations

import codecs
import gzip
import io
import time
import tracemalloc
import zipfile

import pytest

from hostile_support import refused
from ingest_bad_input_support import leads_file
from ingest_support import Loader, export_text
from sla_core.ingest import decode
from sla_core.ingest import load as ingest
from sla_core.db import open_session_db
from sla_core.ingest.mapping import Mapping


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
