"""The benchmark's correctness mode: the report command and a plain-pandas reference agree.

``python bench/run.py --check`` generates 100k HubSpot-style leads with the seeded
generator, runs the report command for several months and the independent pandas
implementation (bench/pandas_reference.py) once. Timing is not asserted here (the
timed run is ``python bench/run.py``, see the README).
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MONTHS = ("2024-01", "2024-06", "2024-11", "2024-12", "2025-01")


def assert_same(actual, expected, what: str) -> None:
    """Counts exactly, rates within float tolerance, n/a (None) only where the reference says n/a."""
    if expected is None or isinstance(expected, int):
        assert actual == expected, what
    else:
        assert actual == pytest.approx(expected, rel=1e-9), what


@pytest.fixture(scope="module")
def check(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("bench") / "check.json"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--check", "--json", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(out.read_text())


def test_check_mode_covers_the_months_on_100k_leads(check):
    assert check["rows"] == 100_000
    assert tuple(check["months"]) == MONTHS
    for month in MONTHS:
        assert check["months"][month]["report"]["data_quality"]["rows_read"] == 100_000


@pytest.mark.parametrize("month", MONTHS)
def test_report_actuals_equal_the_pandas_reference(check, month):
    report, reference = check["months"][month]["report"], check["months"][month]["reference"]
    assert reference["actuals"]["marketing_leads"] > 0  # a real month, not two empty answers agreeing
    assert report["actuals"]["marketing_leads"] == reference["actuals"]["marketing_leads"]
    assert report["actuals"]["customers"] == reference["actuals"]["customers"]
    assert reference["actuals"]["close_rate"] is not None
    for key in ("close_rate", "avg_deal_size", "marketing_revenue_share", "avg_cycle_days"):
        assert_same(report["actuals"][key], reference["actuals"][key], key)


@pytest.mark.parametrize("month", MONTHS)
def test_goal_line_counts_equal_the_pandas_reference(check, month):
    report, reference = check["months"][month]["report"], check["months"][month]["reference"]
    counted = [p["actual_cum"] for p in report["goal_line"] if p["actual_cum"] is not None]
    assert counted == reference["goal_line_actual_cum"]
    assert counted[-1] == reference["actuals"]["marketing_leads"]  # up to the as-of day, every MQL of the month


@pytest.mark.parametrize("month", MONTHS)
def test_speed_and_depth_equal_the_pandas_reference(check, month):
    report, reference = check["months"][month]["report"], check["months"][month]["reference"]
    assert reference["speed"]["touched"] > 0 and reference["depth"]["not_connected"] > 0
    for section in ("speed", "depth"):
        for key, expected in reference[section].items():
            assert_same(report[section][key], expected, f"{section}.{key}")


def test_check_reports_no_difference(check):
    assert {m: r["differences"] for m, r in check["months"].items() if r["differences"]} == {}
