"""The report command's marketing keys (SPEC 9) on the hand-computed ten-lead export."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from marketing_fixture import WORKED_EXAMPLE, small_export

from sla_core.marketing.actuals import RATE_COLUMNS

ROOT = Path(__file__).resolve().parent.parent


def report(*args: str | Path) -> dict:
    done = subprocess.run([sys.executable, "-m", "sla_core", "report", *map(str, args)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if "--format" not in args else done.stdout


@pytest.fixture
def files(tmp_path) -> tuple[Path, Path]:
    leads = tmp_path / "leads.csv"
    leads.write_text(small_export())
    assumptions = tmp_path / "assumptions.json"
    assumptions.write_text(json.dumps(WORKED_EXAMPLE))
    return leads, assumptions


def test_targets_actuals_and_goal_line_of_the_as_of_month(files):
    leads, assumptions = files
    out = report("--leads", leads, "--assumptions", assumptions, "--month", "2024-03")
    assert out["targets"] == {"marketing_revenue_goal": 5000, "customers_needed": 50, "leads_needed": 100}
    march = {"marketing_leads": 4, "customers": 0, "close_rate": 0, "avg_deal_size": None,
             "marketing_revenue_share": None, "avg_cycle_days": None}
    # every figure of the month, each new rate pinned by its own SQL case
    assert set(out["actuals"]) == {"marketing_leads", "customers", *RATE_COLUMNS}
    assert {key: out["actuals"][key] for key in march} == march
    line = out["goal_line"]
    assert [p["date"] for p in line] == [f"2024-03-{d:02d}" for d in range(1, 32)]
    assert [p["goal_cum"] for p in line] == pytest.approx([100 * d / 31 for d in range(1, 32)])
    # leads on the 2nd, 4th, 5th and 10th; the as-of time is 10 March, so later days are null
    assert [p["actual_cum"] for p in line[:10]] == [0, 1, 1, 2, 3, 3, 3, 3, 3, 4]
    assert all(p["actual_cum"] is None for p in line[10:])


def test_a_past_month_with_customers(files):
    leads, assumptions = files
    out = report("--leads", leads, "--assumptions", assumptions, "--month", "2024-01")
    actuals = out["actuals"]
    assert (actuals["marketing_leads"], actuals["customers"]) == (3, 2)
    assert actuals["close_rate"] == pytest.approx(2 / 3)
    assert actuals["avg_deal_size"] == 2000
    assert actuals["marketing_revenue_share"] == pytest.approx(1 / 3)  # the Outbound deal is sales revenue
    assert actuals["avg_cycle_days"] == 17
    assert out["goal_line"][-1] == {"date": "2024-01-31", "goal_cum": 100, "actual_cum": 3}


def test_missing_assumption_file_uses_the_defaults_and_months_outside_the_data(files):
    leads, _ = files
    out = report("--leads", leads, "--month", "2024-04")
    assert out["targets"] == {"marketing_revenue_goal": 140000, "customers_needed": 10, "leads_needed": 200}
    assert out["actuals"]["marketing_leads"] == 0 and out["actuals"]["close_rate"] is None
    assert len(out["goal_line"]) == 30 and all(p["actual_cum"] is None for p in out["goal_line"])


def test_as_of_option_cuts_the_month(files):
    leads, assumptions = files
    out = report("--leads", leads, "--assumptions", assumptions, "--month", "2024-03", "--as-of", "2024-03-05T12:00:00")
    assert [p["actual_cum"] for p in out["goal_line"][:6]] == [0, 1, 1, 2, 3, None]
    assert out["actuals"]["marketing_leads"] == 3


def test_markdown_lists_targets_and_actuals(files):
    leads, assumptions = files
    text = report("--leads", leads, "--assumptions", assumptions, "--month", "2024-02", "--format", "md")
    assert "| leads needed | 100 |" in text
    assert "| avg deal size | n/a |" in text


def test_verdicts_of_the_ten_lead_export(files):
    leads, assumptions = files
    january = report("--leads", leads, "--assumptions", assumptions, "--month", "2024-01")
    assert january["verdict_reasons"]["marketing"] == "missed: 3 marketing leads in January 2024, 100 needed (97 short)"
    march = report("--leads", leads, "--assumptions", assumptions, "--month", "2024-03")
    # 4 leads by the 10th against 100 × 10 ÷ 31 = 32.3 on the goal line: behind, but not missed before March ends
    assert march["verdicts"]["marketing"] == "in progress"
    assert march["verdict_reasons"]["marketing"] == ("in progress, behind: 4 marketing leads by 10 March, "
                                                     "32.3 expected by then on the goal line "
                                                     "(100 needed in March 2024)")
    assert march["month_phase"] == "in progress"
    # the export has no first-touch or attempts columns: sales is not measured, and never counted as a miss
    assert march["verdicts"]["sales"] == "not measured"
    assert march["health"] == {"consecutive_misses": {"marketing": 2, "sales": 0}, "status": "ok"}


def test_without_month_the_report_is_for_the_latest_month_with_a_marketing_lead(files):
    leads, assumptions = files
    assert report("--leads", leads, "--assumptions", assumptions)["month"] == "2024-03"
