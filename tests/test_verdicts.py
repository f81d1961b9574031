"""One verdict per figure (SPEC 8): the rules by hand, "not measured is not missed", skipped months, and the
health table and the report judging a small hand-computed lead table the same way."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from sla_core import report
from sla_core.assumptions import Assumptions
from sla_core.health import monthly as health
from sla_core.health import verdicts as v
from sla_core.health.months import COMPLETE, IN_PROGRESS, NOT_STARTED, month_shown_first, phase
from sla_core.health.verdicts import Measured, Verdict
from sla_core.ingest.dataset import Dataset, Quality

JUNE = date(2024, 6, 1)
UTC = timezone.utc


# --- each rule on its own ------------------------------------------------------------------

def test_marketing_complete_month_met_when_leads_reach_leads_needed():
    assert v.marketing(JUNE, COMPLETE, 200, 200).verdict == v.MET
    missed = v.marketing(JUNE, COMPLETE, 187, 200)
    assert missed.verdict == v.MISSED
    assert missed.reason == "missed: 187 marketing leads in June 2024, 200 needed (13 short)"
    assert v.marketing(JUNE, COMPLETE, 0, 0).verdict == v.MET  # a goal of 0 is met by any month


def test_marketing_month_in_progress_is_never_missed_before_it_ends():
    # 30 days, 200 needed: the goal line is at 200 × 15 / 30 = 100 on day 15
    on_track = v.marketing(JUNE, IN_PROGRESS, 100, 200, as_of_day=15)
    assert (on_track.verdict, on_track.pace) == (v.IN_PROGRESS, v.ON_TRACK)
    assert on_track.reason == ("in progress, on track: 100 marketing leads by 15 June, 100 expected by then on the "
                               "goal line (200 needed in June 2024)")
    behind = v.marketing(JUNE, IN_PROGRESS, 99, 200, as_of_day=15)
    assert (behind.verdict, behind.pace, behind.passed, behind.on_track) == (v.IN_PROGRESS, v.BEHIND, None, False)
    assert v.marketing(JUNE, NOT_STARTED, 0, 200).verdict is None


def test_speed_met_at_the_target_share_and_missed_below_it():
    met = v.speed(JUNE, COMPLETE, True, 10, 0.8, 0.8, 48)
    assert met.reason == "met: 80.0 % of due leads followed up within 48 h (target 80 %)"
    missed = v.speed(JUNE, COMPLETE, True, 10, 0.7999, 0.8, 48)
    assert missed.reason == "missed: 79.9 % of due leads followed up within 48 h (target 80 %)"  # never "80.0 %"
    in_progress = v.speed(JUNE, IN_PROGRESS, True, 10, 0.5, 0.8, 1)
    assert (in_progress.verdict, in_progress.pace) == (v.IN_PROGRESS, v.BEHIND)
    assert "so far" in in_progress.reason


def test_speed_not_measured_has_no_first_touch_and_says_what_to_upload():
    verdict = v.speed(JUNE, COMPLETE, False, 10, 0.0, 0.8, 1)
    assert verdict.verdict == v.NOT_MEASURED and verdict.passed is None and verdict.on_track is None
    assert verdict.reason.startswith("not measured: the export has no first-touch dates — upload an activity log "
                                     "on the Data page")


def test_speed_without_hand_offs_has_no_verdict_and_waits_for_leads_not_due_yet():
    none = v.speed(JUNE, COMPLETE, True, 0, None, 0.8, 1)
    assert none.verdict is None and none.reason == "no verdict: no leads were handed to sales in June 2024"
    waiting = v.speed(JUNE, COMPLETE, True, 3, None, 0.8, 48)  # handed on the 30th, their 48 h still running
    assert (waiting.verdict, waiting.pace, waiting.passed) == (v.IN_PROGRESS, None, None)


def test_depth_uses_its_own_target_share():
    # 50 % of unconnected leads at the goal: met against a 50 % depth target even with an 80 % speed target
    a = Assumptions(depth_goal_attempts=3, depth_target_share=0.5, speed_target_share=0.8)
    f = v.MonthFigures(JUNE, COMPLETE, None, 0, depth_handed=4, not_connected=2, pct_at_goal=0.5)
    assert v.judge(f, a, Measured()).depth.reason == ("met: 50.0 % of unconnected leads had at least 3 attempts "
                                                      "(target 50 %)")
    assert v.judge(f, a.updated(depth_target_share=0.6), Measured()).depth.verdict == v.MISSED
    assert v.depth(JUNE, COMPLETE, False, 4, 2, 0.5, 0.5, 3).verdict == v.NOT_MEASURED
    assert v.depth(JUNE, COMPLETE, True, 0, 0, None, 0.5, 3).verdict is None  # nothing handed
    assert v.depth(JUNE, COMPLETE, True, 4, 0, None, 0.5, 3).verdict is None  # every lead connected


MET_ = Verdict(v.MET, "m")
MISSED_ = Verdict(v.MISSED, "x")
NM_ = Verdict(v.NOT_MEASURED, "nm")
NONE_ = Verdict(None, "nothing handed")
AHEAD_ = Verdict(v.IN_PROGRESS, "a", v.ON_TRACK)
BEHIND_ = Verdict(v.IN_PROGRESS, "b", v.BEHIND)


@pytest.mark.parametrize("speed,depth,expected", [
    (MET_, MET_, (v.MET, None)),
    (MET_, MISSED_, (v.MISSED, None)),
    (MISSED_, NM_, (v.MISSED, None)),  # a measured miss still counts
    (MET_, NM_, (v.MET, None)),  # judged on what is measured
    (NM_, MET_, (v.MET, None)),
    (MET_, NONE_, (v.MET, None)),
    (NM_, NM_, (v.NOT_MEASURED, None)),
    (NONE_, NONE_, (None, None)),
    (AHEAD_, AHEAD_, (v.IN_PROGRESS, v.ON_TRACK)),
    (AHEAD_, BEHIND_, (v.IN_PROGRESS, v.BEHIND)),
    (AHEAD_, NM_, (v.IN_PROGRESS, v.ON_TRACK)),
])
def test_sales_met_when_both_met_missed_when_either_missed(speed, depth, expected):
    verdict = v.sales(speed, depth)
    assert (verdict.verdict, verdict.pace) == expected


def test_sales_not_measured_names_both_missing_inputs():
    assert v.sales(NM_, NM_).reason == ("not measured: the export has neither first-touch dates nor follow-up attempt "
                                        "counts — upload an activity log on the Data page")
    assert v.sales(MET_, NM_).reason == "met: speed met: m; depth not measured: nm"


def test_months_without_a_verdict_neither_add_to_nor_reset_the_run():
    T, F, N = True, False, None
    assert v.consecutive_misses([F, F, T, F, N, F, F, T]) == [1, 2, 0, 1, 1, 2, 3, 0]
    months = [v.MonthVerdicts(JUNE, COMPLETE, m, MET_, MET_, s) for m, s in
              [(MISSED_, NM_), (NM_, MISSED_), (MISSED_, NONE_), (MISSED_, MISSED_), (AHEAD_, BEHIND_)]]
    runs = v.runs(months)
    assert [(h.marketing_misses, h.sales_misses) for h in runs] == [(1, 0), (1, 1), (2, 1), (3, 2), (3, 2)]
    assert [h.status for h in runs] == ["ok", "ok", "ok", "review", "review"]
    assert runs[-1].as_dict() == {"consecutive_misses": {"marketing": 3, "sales": 2}, "status": "review"}


def test_month_phase_against_the_as_of_time_in_the_workspace_zone():
    as_of = datetime(2024, 6, 30, 23, 30, tzinfo=UTC)  # already 1 July in Berlin
    assert phase(JUNE, as_of, "UTC") == IN_PROGRESS
    assert phase(JUNE, as_of, "Europe/Berlin") == COMPLETE
    assert phase(date(2024, 7, 1), as_of, "UTC") == NOT_STARTED


def test_measured_comes_from_the_mapped_columns_or_an_activity_log():
    assert Measured.of(_dataset({"first_touch_at": "First Response Date"})) == Measured(speed=True, depth=False)
    assert Measured.of(_dataset({"attempts": "Activity Count"})) == Measured(speed=False, depth=True)
    assert Measured.of(_dataset({}, has_activities=True)) == Measured(True, True)


# --- a small table, judged by hand ---------------------------------------------------------
# Targets: quota 300 × 100 % ÷ deal 100 = 3 customers ÷ close 100 % = 3 leads a month.
# Speed goal 1 h, target 50 %; depth goal 2 attempts, target 50 %.
#   Jan: 3 leads ≥ 3 → marketing met. Touched after 30 min, 2 h, 10 min → 2 within, 1 missed: 66.7 % → met.
#        Lead 1 connected; lead 2 has 3 attempts, lead 3 one: 1 of 2 unconnected at goal = 50 % → met. Sales met.
#   Feb: 2 leads < 3 → missed (1 short). Both touched after 5 h: 0 % → missed; no attempts: 0 % → missed.
#   Mar: 1 lead, never handed → marketing missed; no speed or depth verdict, so sales has none (skipped).
#   Apr (in progress, as of 15 Apr 12:00): leads on the 2nd and 10th: 2 ≥ 3 × 15 / 30 = 1.5 → on track.
#        Lead 10 touched after 20 min (1 within); lead 7 handed on the 15th at 11:30, still inside its hour
#        (not due): 100 %. Lead 7 has no attempts, lead 10 three: 50 % → on track. Lead 9 is sales-generated.
# Runs: marketing 0, 1, 2, 2; sales 0, 1, 1, 1.

A = Assumptions(quota=300, marketing_share=1, avg_deal_size=100, close_rate=1, speed_goal_hours=1,
                speed_target_share=0.5, depth_goal_attempts=2, depth_target_share=0.5)
AS_OF = datetime(2024, 4, 15, 12, 0, tzinfo=UTC)


def _lead(lead_id: str, created: str, touched_after_minutes: int | None = None, **fields) -> dict:
    at = f"{created}:00+00:00"
    row = {"lead_id": lead_id, "created_at": at, "handed_at": at, **fields}
    if touched_after_minutes is not None:
        moment = datetime.fromisoformat(at).timestamp() + 60 * touched_after_minutes
        row["first_touch_at"] = datetime.fromtimestamp(moment, UTC).isoformat()
    return row


LEADS = [
    _lead("1", "2024-01-05T10:00", 30, connected=True),
    _lead("2", "2024-01-06T10:00", 120, attempts=3),
    _lead("3", "2024-01-07T10:00", 10, attempts=1),
    _lead("4", "2024-02-05T10:00", 300),
    _lead("5", "2024-02-06T10:00", 300),
    {"lead_id": "6", "created_at": "2024-03-05T10:00:00+00:00"},  # never handed
    {**_lead("7", "2024-04-02T09:00"), "handed_at": "2024-04-15T11:30:00+00:00"},  # never touched
    {"lead_id": "9", "created_at": "2024-04-02T10:00:00+00:00", "origin": "sales"},  # not a marketing lead
    _lead("10", "2024-04-10T10:00", 20, attempts=3),
]


def _dataset(columns: dict, has_activities: bool = False, as_of: datetime = AS_OF) -> Dataset:
    return Dataset(version="t", tz="UTC", as_of=as_of, rows_loaded=len(LEADS), quality=Quality(), files={},
                   headers=list(columns.values()), columns=columns, date_order="ymd", date_order_ambiguous=False,
                   decimal=".", has_activities=has_activities)


MEASURED_COLUMNS = {"first_touch_at": "First touch", "attempts": "Attempts", "connected": "Connected"}
EXPECTED = {  # month → marketing, speed, depth, sales, marketing run, sales run
    date(2024, 1, 1): ("met", "met", "met", "met", 0, 0),
    date(2024, 2, 1): ("missed", "missed", "missed", "missed", 1, 1),
    date(2024, 3, 1): ("missed", None, None, None, 2, 1),
    date(2024, 4, 1): ("in progress", "in progress", "in progress", "in progress", 2, 1),
}


def _verdicts(row: dict) -> tuple:
    return (*(row[f"{f}_verdict"] for f in health.FIGURES), row["marketing_misses"], row["sales_misses"])


def _report(con, columns: dict, month: date | None, a: Assumptions = A, as_of: datetime = AS_OF) -> dict:
    return report.build(con, _dataset(columns, as_of=as_of), report.ReportRequest(month, a))


def test_health_table_and_report_judge_the_small_table_by_hand(make_leads):
    con = make_leads(LEADS)
    table = health.monthly_health(con, A, "UTC", AS_OF, measured=Measured())
    assert {row["month"]: _verdicts(row) for row in table.to_dict("records")} == EXPECTED
    april = table.iloc[-1]
    assert (april["marketing_met"], april["speed_met"], april["depth_met"]) == (True, True, True)  # on track
    assert april["speed_pct"] == 1.0 and april["depth_pct"] == 0.5
    for month, (m, s, d, sales, m_run, s_run) in EXPECTED.items():
        out = _report(con, MEASURED_COLUMNS, month)
        assert out["verdicts"] == {"marketing": m, "speed": s, "depth": d, "sales": sales}, month
        assert out["health"] == {"consecutive_misses": {"marketing": m_run, "sales": s_run}, "status": "ok"}
        assert out["verdict_reasons"] == {f: table.set_index("month").loc[month, f"{f}_reason"]
                                          for f in health.FIGURES}
    assert april["marketing_reason"] == ("in progress, on track: 2 marketing leads by 15 April, 1.5 expected by then "
                                         "on the goal line (3 needed in April 2024)")
    march = _report(con, MEASURED_COLUMNS, date(2024, 3, 1))["verdict_reasons"]
    assert march["speed"] == "no verdict: no leads were handed to sales in March 2024"
    assert march["marketing"] == "missed: 1 marketing lead in March 2024, 3 needed (2 short)"


def test_a_third_missed_month_puts_the_agreement_up_for_review(make_leads):
    con = make_leads(LEADS)
    may = datetime(2024, 5, 2, tzinfo=UTC)  # April complete: 2 leads < 3, the third marketing miss in a row
    table = health.monthly_health(con, A, "UTC", may, measured=Measured())
    assert list(table["marketing_misses"]) == [0, 1, 2, 3, 3]
    assert list(table["status"]) == ["met", "missed", "missed", "review", "review"]
    out = _report(con, MEASURED_COLUMNS, date(2024, 4, 1), as_of=may)
    # April's speed: lead 10 within, lead 7 (handed 15 Apr 11:30, never touched) now missed → 50 % ≥ 50 %: met
    assert out["verdicts"] == {"marketing": "missed", "speed": "met", "depth": "met", "sales": "met"}
    assert out["health"] == {"consecutive_misses": {"marketing": 3, "sales": 0}, "status": "review"}


def test_not_measured_is_never_a_miss(make_leads):
    con = make_leads(LEADS)
    neither = Measured(speed=False, depth=False)
    table = health.monthly_health(con, A, "UTC", AS_OF, measured=neither)
    assert list(table["sales_verdict"]) == ["not measured"] * 4
    assert list(table["sales_misses"]) == [0, 0, 0, 0]
    assert table["speed_pct"].isna().all() and table["depth_pct"].isna().all()
    out = _report(con, {}, date(2024, 2, 1))
    assert out["verdicts"] == {"marketing": "missed", "speed": "not measured", "depth": "not measured",
                               "sales": "not measured"}
    assert out["speed"]["measured"] is False and out["speed"]["pct_within_goal"] is None
    assert out["speed"]["handed"] is None and out["speed"]["reason"].startswith("the export has no first-touch")
    assert out["depth"] == {"not_connected": None, "avg_attempts": None, "pct_at_goal": None,
                            "leads_worked_pct": None, "measured": False, "reason": v.NO_ATTEMPTS}
    assert out["health"]["consecutive_misses"] == {"marketing": 1, "sales": 0}


def test_speed_alone_decides_sales_when_depth_is_not_measured(make_leads):
    con = make_leads(LEADS)
    table = health.monthly_health(con, A, "UTC", AS_OF, measured=Measured(speed=True, depth=False))
    # March handed nothing and has no attempt counts: not measured, which never counts
    assert list(table["sales_verdict"]) == ["met", "missed", "not measured", "in progress"]
    assert list(table["sales_misses"]) == [0, 1, 1, 1]
    out = _report(con, {"first_touch_at": "First touch"}, date(2024, 1, 1))
    assert out["verdicts"]["sales"] == "met" and out["depth"]["measured"] is False and out["speed"]["measured"]


def test_months_outside_the_data(make_leads):
    con = make_leads(LEADS)
    before = _report(con, MEASURED_COLUMNS, date(2023, 12, 1))
    assert before["verdicts"] == {"marketing": "not measured", "speed": None, "depth": None, "sales": None}
    assert before["verdict_reasons"]["marketing"] == "not measured: the data starts in January 2024"
    after = _report(con, MEASURED_COLUMNS, date(2024, 6, 1))
    assert set(after["verdicts"].values()) == {None} and after["month_phase"] == "not started"
    assert after["health"]["consecutive_misses"] == {"marketing": 2, "sales": 1}  # the runs as of April


def test_the_month_shown_first_is_the_latest_with_a_marketing_lead(make_leads):
    con = make_leads(LEADS + [{"lead_id": "12", "created_at": "2024-01-02T00:00:00+00:00",
                               "customer_at": "2024-08-20T00:00:00+00:00"}])
    late = datetime(2024, 8, 20, tzinfo=UTC)  # as of a customer date months after the last lead
    assert month_shown_first(con, "UTC", late) == date(2024, 4, 1)
    assert month_shown_first(con, "UTC", datetime(2024, 3, 10, tzinfo=UTC)) == date(2024, 3, 1)
    out = _report(con, MEASURED_COLUMNS, None, as_of=late)
    assert out["month"] == "2024-04" and out["month_phase"] == "complete"
    assert month_shown_first(con, "UTC", None) is None


def test_without_marketing_leads_the_as_of_month_is_shown_first(make_leads):
    con = make_leads([{"lead_id": "1", "created_at": "2024-02-03T00:00:00+00:00", "origin": "sales"}])
    assert month_shown_first(con, "Europe/Berlin", datetime(2024, 2, 29, 23, 30, tzinfo=UTC)) == date(2024, 3, 1)
