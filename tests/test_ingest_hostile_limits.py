"""Hostile uploads, continued: decompression within limits (copies removed), file names that look
like patterns, a tier column with thousands of values, and messages that give the true reason.
"""
from __future__ import annotations

import codecs
import gzip
import json
from pathlib import Path

import pytest

from hostile_support import refused, report, rows_file
from ingest_support import Loader, csv_bytes
from sla_core.ingest import load as ingest
from sla_core.ingest.decode import InputError, Limits
from sla_core.ingest.mapping import Mapping


@pytest.fixture
def loader(con, tmp_path):
    return Loader(con, tmp_path / "session")


# --- D9: decompression and conversion within limits; copies removed -------------------------------
def scratch_files(loader) -> list[Path]:
    work = loader.session / "work"
    return sorted(work.iterdir()) if work.exists() else []


def test_a_gzip_bomb_is_refused_early_and_leaves_nothing(loader):
    bomb = gzip.compress(b"0" * (64 << 20), 9)
    assert len(bomb) < 100_000
    err = refused(loader, bomb, name="leads.csv.gz")
    assert "200 times" in err.reason and "zip bomb" in err.reason
    assert scratch_files(loader) == []


def test_one_upload_past_its_limit_is_refused_and_its_partial_copy_removed(loader):
    limits = Limits(upload_bytes=1 << 20)
    data = gzip.compress(rows_file(60_000).encode())
    err = refused(loader, data, name="leads.csv.gz", limits=limits)
    assert "past 1 MB" in err.reason and "one upload" in err.reason
    assert scratch_files(loader) == []
    err = refused(loader, codecs.BOM_UTF16_LE + rows_file(60_000).encode("utf-16-le"), limits=limits)
    assert "converted to UTF-8" in err.reason


def test_the_uploads_of_a_load_share_one_limit(loader):
    limits = Limits(upload_bytes=3 << 20, session_bytes=4 << 20)
    leads = gzip.compress(rows_file(40_000).encode())  # about 1.7 MB each when decompressed
    deals = gzip.compress(csv_bytes([["lead_id", "won_date", "amount"]] + [[str(i), "2024-04-01", "5"]
                                                                           for i in range(1, 150_000)]))
    activities = gzip.compress(csv_bytes([["lead_id", "activity_at"]] + [[str(i), "2024-03-02 10:00"]
                                                                        for i in range(1, 100_000)]))
    files = ingest.UploadSet(loader.put("leads.csv.gz", leads), loader.put("activities.csv.gz", activities),
                             loader.put("deals.csv.gz", deals))
    with pytest.raises(InputError) as info:
        ingest.load(loader.con, files, Mapping(), ingest.ReadOptions(limits=limits), loader.session / "work")
    assert "together the uploads expand past 4 MB" in info.value.reason
    assert scratch_files(loader) == []


def test_a_successful_load_removes_its_copies(loader):
    ds = loader.load(gzip.compress(rows_file(100).encode("cp1252")), name="leads.csv.gz")
    assert ds.rows_loaded == 100 and scratch_files(loader) == []


def test_limits_are_validated():
    with pytest.raises(ValueError):
        Limits(ratio=0)


# --- D11: a file name is a name, never a pattern -----------------------------------------------------
@pytest.mark.parametrize("name", ["leads[1].csv", "leads*.csv", "lead?.csv"])
def test_the_report_reads_the_named_file_exactly(tmp_path, name):
    (tmp_path / name).write_bytes(csv_bytes([["lead_id", "created_at"], ["named", "2024-03-01"]]))
    for decoy in ("leads1.csv", "leadsX.csv", "leads.csv"):
        (tmp_path / decoy).write_bytes(csv_bytes([["lead_id", "created_at"], ["decoy", "2024-03-01"],
                                                  ["decoy2", "2024-03-02"]]))
    done = report("--leads", tmp_path / name, "--month", "2024-03")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["data_quality"]["rows_read"] == 1


def test_ingest_reads_a_bracketed_name_in_a_bracketed_folder(loader):
    folder = loader.session / "uploads" / "batch[1]"
    folder.mkdir(parents=True)
    (folder / "leads[1].csv").write_bytes(csv_bytes([["lead_id", "created_at"], ["named", "2024-03-01"]]))
    (folder / "leads1.csv").write_bytes(csv_bytes([["lead_id", "created_at"], ["decoy", "2024-03-01"]]))
    files = ingest.UploadSet(ingest.Upload("leads[1].csv", folder / "leads[1].csv"))
    ingest.load(loader.con, files, Mapping(), ingest.ReadOptions(), loader.session / "work")
    assert loader.rows("SELECT lead_id FROM leads") == [("named",)]


def test_a_plain_file_named_like_an_archive_is_read_as_text(loader):
    assert loader.load(rows_file(5), name="leads.csv.gz").rows_loaded == 5


# --- D13: a tier column with thousands of values keeps the commonest ------------------------------------
def test_a_high_cardinality_tier_column_is_grouped(loader):
    rows = [[str(i), "2024-03-01", f"{i % 20 + 1}" if i < 10_000 else f"score {i}"] for i in range(30_000)]
    ds = loader.load(csv_bytes([["lead_id", "created_at", "Rating"], *rows]))
    assert ds.columns["tier"] == "Rating"
    tiers = dict(loader.rows("SELECT tier, count(*) FROM leads GROUP BY 1"))
    assert len(tiers) == 13 and tiers["other"] == 20_000 + 8 * 500
    assert all(tiers[str(k)] == 500 for k in (1, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 2))
    notice = next(n for n in ds.quality.notices if "different tiers" in n)
    assert "'Rating' holds 20,020 different tiers" in notice and "20,008" in notice and "24,000 leads" in notice
    assert ds.quality.issue_counts["leads.csv: Rating: tiers grouped as 'other'"] == 24_000


def test_a_few_tiers_are_left_alone(loader):
    rows = [[str(i), "2024-03-01", ["Gold", "Silver", " bronze "][i % 3]] for i in range(30)]
    ds = loader.load(csv_bytes([["lead_id", "created_at", "Lead Tier"], *rows]))
    assert sorted(t for (t,) in loader.rows("SELECT DISTINCT tier FROM leads")) == ["Gold", "Silver", "bronze"]
    assert not any("tiers" in n for n in ds.quality.notices)


# --- D14: the true reason --------------------------------------------------------------------------
def test_a_short_row_is_reported_with_its_own_field_count(loader):
    head = [f"h{i}" for i in range(13)]
    rows = [[str(i), "2024-03-01"] + ["x"] * 13 for i in range(1, 201)]
    rows[50] = rows[50][:5]
    ds = loader.load(csv_bytes([["lead_id", "created_at", *head], *rows]))
    [issue] = ds.quality.issues
    assert (issue.line, issue.reason) == (52, "5 fields, expected 15")


def test_a_long_field_on_line_3_is_named_not_a_missing_header(loader):
    data = "lead_id,created_at,source\n1,2024-03-01,Web\n2,2024-03-01," + "x" * (3 << 20) + "\n3,2024-03-01,Web\n"
    err = refused(loader, data)
    assert err.line == 3 and "2 MB" in err.reason


