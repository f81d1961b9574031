"""``python -m sla_core report`` as a script or a scheduler runs it (SPEC section 9)."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
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


def test_the_report_command_loads_no_pandas_altair_or_spark_translator(hubspot):
    # each costs more to import than a small export's whole report takes: only a digest (pandas, altair)
    # or --engine spark (sqlglot) loads them
    code = ("import io, contextlib, runpy, sys\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    try:\n"
            "        runpy.run_module('sla_core', run_name='__main__')\n"
            "    except SystemExit as done:\n"
            "        assert done.code == 0\n"
            "print(sorted(m for m in ('pandas', 'altair', 'sqlglot') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code, "report", "--leads", str(hubspot), "--month", "2024-03"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


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
    path.write_bytes(csv_bytes([["lead_id", "created_at", "Amount"], ["1", "2024-03-01", "$5"],
                                ["2", "2024-03-01", "€7"]]))
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


# --- verdicts (SPEC 8): not measured is not missed ------------------------------------------------

@pytest.fixture
def salesforce_without_sales_activity(tmp_path) -> Path:
    """A Salesforce-style export whose CRM keeps no first-response date and no activity count."""
    rows = list(csv.reader(io.StringIO(export_text(600, style="salesforce", seed=11))))
    keep = [i for i, name in enumerate(rows[0]) if name not in ("First Response Date", "Activity Count")]
    path = tmp_path / "salesforce leads.csv"
    path.write_bytes(csv_bytes([[row[i] for i in keep] for row in rows]))
    return path


def test_an_export_without_touch_or_attempt_data_is_not_measured_not_failing(salesforce_without_sales_activity):
    done = report("--leads", salesforce_without_sales_activity, "--month", "2024-06")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["speed"]["measured"] is False and out["depth"]["measured"] is False
    assert out["speed"]["pct_within_goal"] is None and out["speed"]["handed"] is None  # never 0 % within goal
    assert out["depth"]["pct_at_goal"] is None and out["depth"]["avg_attempts"] is None
    assert "no first-touch dates" in out["speed"]["reason"] and "activity log" in out["speed"]["reason"]
    assert "no follow-up attempt counts" in out["depth"]["reason"]
    assert out["verdicts"]["speed"] == out["verdicts"]["depth"] == out["verdicts"]["sales"] == "not measured"
    assert out["verdicts"]["marketing"] in ("met", "missed")  # marketing is still judged
    assert out["health"]["consecutive_misses"]["sales"] == 0  # never "12 complete months missed in a row"


def test_with_an_activity_log_the_same_export_is_measured(tmp_path, salesforce_without_sales_activity):
    leads = list(csv.reader(salesforce_without_sales_activity.open(encoding="utf-8")))
    first = leads[1]
    log = tmp_path / "activities.csv"
    log.write_bytes(csv_bytes([["Lead ID", "Activity Date", "Type", "Outcome"],
                               [first[leads[0].index("Lead ID")], "2024-06-03 10:00", "Call", "No answer"]]))
    done = report("--leads", salesforce_without_sales_activity, "--activities", log, "--month", "2024-06")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["speed"]["measured"] is True and out["depth"]["measured"] is True
    assert out["verdicts"]["speed"] in ("met", "missed") and "reason" not in out["speed"]


def test_without_month_the_report_opens_on_the_latest_month_with_a_marketing_lead(tmp_path):
    # the as-of time is the September customer date; the last lead came in March
    path = tmp_path / "leads.csv"
    path.write_bytes(csv_bytes([["lead_id", "created_at", "source", "customer_at", "deal_amount"],
                                ["1", "2024-02-10 10:00", "Web", "2024-09-20 10:00", "500"],
                                ["2", "2024-03-05 10:00", "Web", "", ""],
                                ["3", "2024-04-01 10:00", "Outbound", "", ""]]))
    done = report("--leads", path)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert (out["month"], out["as_of"], out["month_phase"]) == ("2024-03", "2024-09-20T10:00:00+00:00", "complete")
    assert out["actuals"]["marketing_leads"] == 1


def test_a_timestamp_after_loading_is_flagged_and_does_not_move_as_of(tmp_path):
    # a month after loading: plausible, so kept and flagged (further ahead than a year is not a date)
    later = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%d %H:%M")
    path = tmp_path / "leads.csv"
    path.write_bytes(csv_bytes([["lead_id", "created_at", "customer_at"],
                                ["1", "2024-02-10 10:00", ""],
                                ["2", "2024-03-05 10:00", later]]))
    done = report("--leads", path)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["as_of"] == "2024-03-05T10:00:00+00:00" and out["month"] == "2024-03"
    flagged = {s["check"]: s["rows"] for s in out["data_quality"]["suspicious"]}
    assert flagged["date later than the moment of loading"] == 1


def test_markdown_lists_verdicts_and_health(hubspot):
    done = report("--leads", hubspot, "--month", "2024-03", "--format", "md")
    assert done.returncode == 0, done.stderr
    assert "## Verdicts" in done.stdout and "| marketing | " in done.stdout
    assert "| consecutive misses | marketing " in done.stdout and "| status | " in done.stdout


# --- assumptions: the SPEC's file names and ranges ------------------------------------------------

def test_assumptions_file_takes_the_spec_names(tmp_path, hubspot):
    spec_names = tmp_path / "ASSUMPTIONS.json"
    spec_names.write_text(json.dumps({"speed_goal_hours": 48, "depth_goal_attempts": 1, "speed_target": 0.05,
                                      "depth_target": 0.05, "catch_up_months": 2}))
    out = json.loads(report("--leads", hubspot, "--month", "2024-03", "--assumptions", spec_names).stdout)
    assert out["verdicts"]["speed"] == out["verdicts"]["depth"] == "met"  # 5 % targets are met
    field_names = tmp_path / "fields.json"
    field_names.write_text(json.dumps({"speed_goal_hours": 48, "depth_goal_attempts": 1, "speed_target_share": 0.05,
                                       "depth_target_share": 0.05, "catch_up_months": 2}))
    again = json.loads(report("--leads", hubspot, "--month", "2024-03", "--assumptions", field_names).stdout)
    assert again["verdicts"] == out["verdicts"]
    both = tmp_path / "both.json"
    both.write_text(json.dumps({"speed_target": 0.5, "speed_target_share": 0.6}))
    line = _one_line(report("--leads", hubspot, "--month", "2024-03", "--assumptions", both))
    assert "both.json" in line and '"speed_target" and "speed_target_share" are the same assumption' in line


@pytest.mark.parametrize("values,named", [
    ({"quota": 1e308, "avg_deal_size": 1e-300}, ("quota must be between 0 and", "avg_deal_size must be between")),
    ({"speed_goal_hours": 0.1}, ("speed_goal_hours must be between 0.25 hours",)),
    ({"speed_goal_hours": 1e300}, ("speed_goal_hours must be between 0.25 hours",)),
    ({"minutes_per_attempt": 1e308}, ("minutes_per_attempt must be between 0 and 1,440",)),
    ({"depth_goal_attempts": 1e19}, ("depth_goal_attempts must be between 1 and 100",)),
    ({"reps": 1e400}, ("reps must be a finite number",)),  # JSON reads 1e400 as infinity
    ({"depth_goal_attempts": 2.5}, ("depth_goal_attempts must be a whole number",)),
])
def test_assumptions_out_of_range_exit_2_with_one_line(tmp_path, hubspot, values, named):
    path = tmp_path / "ASSUMPTIONS.json"
    path.write_text(json.dumps(values).replace("Infinity", "1e400"))
    done = report("--leads", hubspot, "--month", "2024-03", "--assumptions", path)
    assert done.returncode == 2
    line = _one_line(done)
    assert line.startswith("error: ") and "ASSUMPTIONS.json" in line
    assert all(text in line for text in named), line
