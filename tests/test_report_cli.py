"""``python -m sla_core report`` as a script or a scheduler runs it (SPEC section 9)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ingest_support import csv_bytes, export_text

ROOT = Path(__file__).resolve().parent.parent


def report(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sla_core", "report", *map(str, args)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.fixture
def hubspot(tmp_path) -> Path:
    path = tmp_path / "hubspot leads.csv"
    path.write_text(export_text(800, style="hubspot", seed=4))
    return path


def test_json_report_carries_month_and_data_quality(hubspot):
    done = report("--leads", hubspot, "--month", "2024-03", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    out = json.loads(done.stdout)
    assert out["month"] == "2024-03"
    assert out["data_quality"]["rows_read"] == 800
    assert out["data_quality"]["rows_rejected"] == 0
    assert out["data_quality"]["issues"] == []


def test_partial_load_lists_its_rejects(tmp_path):
    rows = [[str(i), "2024-03-0%d" % (1 + i % 9), "Web", "10"] for i in range(1, 301)]
    rows[9][3] = "TBD"
    rows[19] = rows[19] + ["extra"]
    path = tmp_path / "leads.csv"
    path.write_bytes(csv_bytes([["lead_id", "created_at", "source", "deal_amount"], *rows]))
    done = report("--leads", path, "--month", "2024-03")
    assert done.returncode == 0, done.stderr
    dq = json.loads(done.stdout)["data_quality"]
    assert (dq["rows_read"], dq["rows_rejected"]) == (300, 1)
    assert [(i["file"], i["line"], i["column"], i["action"]) for i in dq["issues"]] == [
        ("leads.csv", 11, "deal_amount", "value ignored"), ("leads.csv", 21, None, "row skipped")]


def test_markdown_format(hubspot):
    done = report("--leads", hubspot, "--month", "2024-03", "--format", "md")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# SLA report 2024-03")
    assert "| rows read | 800 |" in done.stdout


def test_zero_lead_month_and_header_only_file(tmp_path, hubspot):
    assert report("--leads", hubspot, "--month", "2031-01").returncode == 0
    empty = tmp_path / "empty.csv"
    empty.write_text("Record ID,Create Date\n")
    done = report("--leads", empty, "--month", "2024-03")
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == ["error: empty.csv, line 1: no data rows below the header"]


def _one_line(done: subprocess.CompletedProcess) -> str:
    assert done.returncode != 0 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def test_ragged_file_over_tolerance(tmp_path):
    rows = [[str(i), "2024-03-01", "Web"] for i in range(1, 21)]
    rows[4] = rows[4] + ["x", "y"]
    rows[8] = rows[8][:2]
    path = tmp_path / "ragged.csv"
    path.write_bytes(csv_bytes([["lead_id", "created_at", "source"], *rows]))
    line = _one_line(report("--leads", path, "--month", "2024-03"))
    assert line.startswith("error: ragged.csv, line 6: 5 fields, expected 3")


def test_unterminated_quote(tmp_path):
    path = tmp_path / "quote.csv"
    path.write_text('lead_id,created_at,source\n1,2024-03-01,Web\n2,2024-03-01,"Webinar\n3,2024-03-01,Web\n')
    line = _one_line(report("--leads", path, "--month", "2024-03"))
    assert line.startswith("error: quote.csv, line 3: ") and "quote" in line


def test_bad_value_names_the_column(tmp_path):
    path = tmp_path / "money.csv"
    path.write_bytes(csv_bytes([["lead_id", "created_at", "Amount"], ["1", "2024-03-01", "$5"], ["2", "2024-03-01", "€7"]]))
    line = _one_line(report("--leads", path, "--month", "2024-03"))
    assert line.startswith("error: money.csv, line 3, column 'Amount': amounts mix currencies")


def test_deals_file_error_names_the_deals_file(tmp_path, hubspot):
    deals = tmp_path / "deals.csv"
    deals.write_text("Record ID,Close Date\n5000000001,2024-04-01\n5000000002,\"oops\n")
    line = _one_line(report("--leads", hubspot, "--deals", deals, "--month", "2024-03"))
    assert line.startswith("error: deals.csv, line 3: ")


@pytest.mark.parametrize("flag", ["--leads", "--deals", "--mapping"])
def test_missing_file_is_one_line(tmp_path, hubspot, flag):
    args = {"--leads": hubspot, "--month": "2024-03"}
    args[flag] = tmp_path / "nope.csv"
    line = _one_line(report(*[x for kv in args.items() for x in kv]))
    assert "nope.csv" in line and "not found" in line and flag in line


def test_bad_mapping_file_is_one_line(tmp_path, hubspot):
    mapping = tmp_path / "MAPPING.json"
    mapping.write_text(json.dumps({"columns": {"created_at": "Created On"}}))
    line = _one_line(report("--leads", hubspot, "--mapping", mapping, "--month", "2024-03"))
    assert "hubspot leads.csv" in line and "Created On" in line and "line 1" in line


def test_bad_month_is_one_line(hubspot):
    line = _one_line(report("--leads", hubspot, "--month", "March"))
    assert "--month" in line
