"""SLA health: consecutive misses per team and the "review" status after three missed months in a row."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from sla_core.health import monthly as health
from sla_core.health import verdicts
from sla_core.health.months import COMPLETE
from sla_core.health.months import IN_PROGRESS as MONTH_IN_PROGRESS
from sla_core.health.verdicts import BEHIND, IN_PROGRESS, MET, MISSED, ON_TRACK, MonthVerdicts, Verdict
from sla_core.assumptions import Assumptions

MONTHS = [date(2024, m, 1) for m in range(1, 9)]
T, F, N = True, False, None
VERDICT = {True: Verdict(MET, "met"), False: Verdict(MISSED, "missed"), None: Verdict(None, "nothing to judge")}
BEHIND_SO_FAR = Verdict(IN_PROGRESS, "behind so far", BEHIND)


def judged(marketing: list, sales: list, complete: list | None = None) -> list[MonthVerdicts]:
    """Months with these marketing and sales verdicts (True met, False missed, None nothing to judge, or a Verdict)."""
    def as_verdict(x):
        return x if isinstance(x, Verdict) else VERDICT[x]
    stages = [COMPLETE if c else MONTH_IN_PROGRESS for c in (complete or [True] * len(marketing))]
    return [MonthVerdicts(m, st, as_verdict(mk), VERDICT[None], VERDICT[None], as_verdict(sl))
            for m, st, mk, sl in zip(MONTHS, stages, marketing, sales, strict=False)]


def test_consecutive_misses_count_resets_and_skip_na():
    assert verdicts.consecutive_misses([F, F, T, F, N, F, F, T]) == [1, 2, 0, 1, 1, 2, 3, 0]
    assert verdicts.consecutive_misses([]) == []


def test_review_after_three_missed_months_of_either_team():
    table = health.assess(judged(marketing=[F, F, F, T, T, T, T, T], sales=[T, T, T, F, F, T, F, F]))
    assert list(table["marketing_misses"]) == [1, 2, 3, 0, 0, 0, 0, 0]
    assert list(table["sales_misses"]) == [0, 0, 0, 1, 2, 0, 1, 2]
    assert list(table["status"]) == ["missed", "missed", "review", "missed", "missed", "met", "missed", "missed"]


def test_month_in_progress_is_neither_a_miss_nor_a_pass():
    # the month in progress can only be "in progress" (on track or behind), never missed before it ends
    table = health.assess(judged([F, F, T, BEHIND_SO_FAR], [T] * 4, complete=[True, True, True, False]))
    assert list(table["marketing_misses"]) == [1, 2, 0, 0]
    assert list(table["status"]) == ["missed", "missed", "met", "in progress"]
    assert list(table["marketing_met"]) == [False, False, True, False]  # behind so far: a red badge, not a miss
    ongoing = health.assess(judged([F, F, F, BEHIND_SO_FAR], [T] * 4, complete=[True, True, True, False]))
    assert list(ongoing["status"]) == ["missed", "missed", "review", "review"]  # a review stands until a pass


def test_unmeasurable_months_are_na_and_keep_the_streak():
    table = health.assess(judged([F, N, F, F], [N, N, N, N]))
    assert list(table["marketing_misses"]) == [1, 1, 2, 3]
    assert list(table["status"]) == ["missed", "n/a", "missed", "review"]


def test_met_and_sales_combination():
    def speed(pct, handed=10):
        return verdicts.speed(MONTHS[0], COMPLETE, True, handed, pct, 0.8, 1)
    assert speed(0.8).verdict == MET and speed(0.79).verdict == MISSED
    assert speed(None, handed=0).verdict is None  # n/a, never a miss
    assert verdicts.sales(VERDICT[True], VERDICT[None]).verdict == MET
    assert verdicts.sales(VERDICT[True], VERDICT[False]).verdict == MISSED
    assert verdicts.sales(VERDICT[None], VERDICT[None]).verdict is None


def test_health_table_joins_the_monthly_frames_by_month():
    a = Assumptions(quota=1000, marketing_share=1, avg_deal_size=100, close_rate=1)  # 10 leads a month, 80 % targets
    monthly = pd.DataFrame({"month": MONTHS[:3], "complete": [True, True, False], "marketing_leads": [12, 5, 3]})
    marketing = pd.DataFrame({"month": MONTHS[:3], "attainment": [1.2, 0.5, 3 / (10 * 10 / 31)],
                              "as_of_day": [31, 29, 10]})  # March: 3 leads by the 10th, 3.2 on the goal line
    speed = pd.DataFrame({"period_start": MONTHS[1:3], "handed": [10, 4],
                          "pct_within_goal": [0.9, 0.5]})  # no hand-offs in January
    depth = pd.DataFrame({"period_start": MONTHS[:3], "handed": [10, 10, 4], "not_connected": [10, 7, 2],
                          "pct_at_goal": [0.1, 0.85, 0.9]})
    table = health.health_table(monthly, marketing, speed, depth, a)
    assert list(table.columns) == list(health.COLUMNS)
    assert list(table["marketing_met"]) == [True, False, False]  # March is behind so far
    assert list(table["marketing_verdict"]) == ["met", "missed", "in progress"]
    assert list(table["speed_met"]) == [None, True, False]
    assert list(table["depth_met"]) == [False, True, True]
    assert list(table["sales_met"]) == [False, True, False]
    assert list(table["status"]) == ["missed", "missed", "in progress"]
    assert pd.isna(table["speed_pct"].iloc[0])  # n/a, never 0
    assert table["speed_reason"].iloc[0] == "no verdict: no leads were handed to sales in January 2024"


def test_monthly_health_lists_every_month_of_the_data(make_leads):
    con = make_leads([
        {"lead_id": "1", "created_at": "2024-01-10T10:00:00+00:00", "handed_at": "2024-01-10T10:00:00+00:00",
         "first_touch_at": "2024-01-10T10:30:00+00:00", "attempts": 6},
        {"lead_id": "2", "created_at": "2024-03-05T10:00:00+00:00"},
    ])
    from datetime import datetime, timezone
    table = health.monthly_health(con, Assumptions(quota=100, marketing_share=1, avg_deal_size=100, close_rate=1),
                                  "UTC", datetime(2024, 3, 20, tzinfo=timezone.utc))
    assert list(table["month"]) == MONTHS[:3]
    # goal 1 lead a month: January and March on track, February missed
    assert list(table["marketing_met"]) == [True, False, True]
    assert table["speed_pct"].iloc[0] == pytest.approx(1.0)
    assert list(table["status"]) == ["met", "missed", "in progress"]


def test_clock_follows_the_workspace_setting():
    from sla_core.sales.clock import BusinessHours
    assert health.clock_for("calendar", BusinessHours(), "UTC") is None
    assert health.clock_for("business", None, "Europe/Berlin") == BusinessHours(tz="Europe/Berlin")


def _two_months():
    """January complete (marketing met 110 %, speed missed 70 %, depth met 90 %), February in progress (marketing
    behind so far at 40 %, speed with nothing due yet, depth on track at 95 %)."""
    jan = (Verdict(MET, "110 %"), Verdict(MISSED, "70 %"), Verdict(MET, "90 %"))
    feb = (BEHIND_SO_FAR, Verdict(None, "nothing due yet"), Verdict(IN_PROGRESS, "95 % so far", ON_TRACK))
    months = [MonthVerdicts(month, stage, m, s, d, verdicts.sales(s, d))
              for month, stage, (m, s, d) in ((MONTHS[0], COMPLETE, jan), (MONTHS[1], MONTH_IN_PROGRESS, feb))]
    return health.assess(months).assign(marketing_attainment=[1.1, 0.4], speed_pct=[0.7, None],
                                        depth_pct=[0.9, 0.95])


def _layers(panel) -> list[dict]:
    """Each layer of a panel with its rows under "values" (Altair keeps them in the spec's named datasets)."""
    spec = panel.to_dict()
    return [{**layer, "values": spec["datasets"][layer.get("data", spec.get("data"))["name"]]}
            for layer in spec["layer"]]


def test_health_charts_are_small_multiples_each_on_its_own_axis():
    from sla_core import export, theme
    from sla_core.health import charts

    a = Assumptions(speed_target_share=0.8, depth_target_share=0.6)
    marketing, speed, depth = charts.health_panels(_two_months(), a, MONTHS[1])
    goals = {}
    for name, panel in (("marketing", marketing), ("speed", speed), ("depth", depth)):
        layers = _layers(panel)
        rule = next(x for x in layers if x["mark"].get("type") == "rule" and "y" in x["encoding"])
        goals[name] = rule["values"][0]["goal"]
        dots = next(x for x in layers if x["mark"]["type"] == "circle")
        assert dots["encoding"]["color"]["scale"] == {"domain": list(theme.VERDICT),
                                                      "range": list(theme.VERDICT.values())}
        y_scale = dots["encoding"]["y"]["scale"]
        assert (y_scale.get("domain") == [0, 1]) == (name != "marketing")  # attainment keeps its own axis
        picked = [x for x in layers if x["mark"].get("type") == "rule" and "x" in x["encoding"]]
        assert len(picked) == 1  # the month picked is marked
    assert goals == {"marketing": 1.0, "speed": 0.8, "depth": 0.6}  # each against its own goal
    assert [p.to_dict()["title"]["text"] for p in (marketing, speed, depth)] == [
        "Marketing: leads vs goal", "Speed: within 1 h", "Depth: 6+ attempts"]
    svg = export.chart_bytes(charts.health_chart(_two_months(), a, MONTHS[1]), "svg").decode()
    assert svg.startswith("<svg") and svg.count(">Marketing: leads vs goal</text>") == 1  # drawn once


def test_a_figure_not_measured_draws_no_points_and_says_so():
    from sla_core.health import charts

    table = _two_months().assign(speed_pct=[None, None], speed_verdict=["not measured"] * 2)  # as Measured(speed=False)
    [note] = _layers(charts.health_panels(table, Assumptions())[1])
    assert note["mark"]["type"] == "text" and "not measured" in note["values"][0]["text"]


def test_status_table_has_plain_names_verdict_words_and_na():
    table = _two_months()
    shown = health.status_table(table)
    assert list(shown.columns) == ["Month", "Status", "Marketing", "Sales SLA", "Attainment", "Speed", "Depth",
                                   "Misses in a row"]  # the answer first: a phone shows it without scrolling
    assert shown.iloc[0].to_dict() == {"Month": "Jan 2024", "Status": "missed", "Marketing": "met",
                                       "Sales SLA": "missed", "Attainment": "110.0 %", "Speed": "missed (70.0 %)",
                                       "Depth": "met (90.0 %)", "Misses in a row": "marketing 0 · sales 1"}
    assert shown.iloc[1].to_dict() == {"Month": "Feb 2024 so far", "Status": "in progress", "Marketing": "behind",
                                       "Sales SLA": "on track", "Attainment": "40.0 %", "Speed": "n/a",
                                       "Depth": "on track (95.0 %)", "Misses in a row": "marketing 0 · sales 1"}
    assert not shown.isna().any().any()  # "n/a", never None or NaN


def _declarations(css: str) -> list[tuple[str, str]]:
    return [tuple(part.strip() for part in d.split(":", 1)) for d in css.split(";") if d.strip()]


def test_status_view_colours_each_verdict_in_the_palette():
    from sla_core import theme

    styles = health.status_view(_two_months(), MONTHS[1]).styles  # one CSS declaration per cell
    def tint(row, column):
        return dict(_declarations(styles.iat[row, column])).get("background-color")
    colours = {name: theme.VERDICT[v] for name, v in (("met", "met"), ("missed", "missed"), ("blue", "in progress"))}
    rgba = {k: "rgba({}, {}, {}, 0.16)".format(*(int(c[i:i + 2], 16) for i in (1, 3, 5))) for k, c in colours.items()}
    marketing, speed = (list(health.STATUS_COLUMNS).index(name) for name in ("Marketing", "Speed"))
    assert tint(0, marketing) == rgba["met"] and tint(0, speed) == rgba["missed"] and tint(1, marketing) == rgba["blue"]
    assert tint(1, speed) is None  # n/a: no colour
    assert dict(_declarations(styles.iat[1, 0])) == {"font-weight": "bold"}  # the month picked
    export = health.status_export(_two_months())
    assert list(export["Speed — why"]) == ["missed: 70 %", "no verdict: nothing due yet"]


# --- the health table and the report judge the sample the same way ------------------------------

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample_leads.csv"
SETTINGS = {  # name → assumptions, clock
    "defaults": (Assumptions(), "calendar"),
    "speed goal 48 h, depth goal 3": (Assumptions(speed_goal_hours=48, depth_goal_attempts=3), "calendar"),
    "loose targets, business hours": (Assumptions(speed_goal_hours=4, depth_goal_attempts=2, speed_target_share=0.5,
                                                  depth_target_share=0.6, quota=100_000), "business"),
}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    from sla_core.db import open_session_db
    from sla_core.ingest import load as ingest
    from sla_core.ingest.mapping import Mapping

    work = tmp_path_factory.mktemp("sample")
    con = open_session_db(work, readable=(SAMPLE.parent,))
    dataset = ingest.load(con, ingest.UploadSet(ingest.Upload(SAMPLE.name, SAMPLE)), Mapping(), ingest.ReadOptions(),
                          work / "work")
    yield con, dataset
    con.close()


@pytest.mark.parametrize("setting", list(SETTINGS))
def test_health_table_and_report_agree_on_the_sample(sample, setting):
    from sla_core import report

    con, dataset = sample
    a, clock = SETTINGS[setting]
    tz = dataset.tz
    table = health.monthly_health(con, a, tz, dataset.as_of, health.clock_for(clock, None, tz),
                                  verdicts.Measured.of(dataset))
    assert len(table) == 13  # January 2024 to the as-of month, January 2025
    for row in table.to_dict("records"):
        out = report.build(con, dataset, report.ReportRequest(row["month"], a, clock))
        assert out["verdicts"] == {f: row[f"{f}_verdict"] for f in health.FIGURES}, row["month"]
        assert out["verdict_reasons"] == {f: row[f"{f}_reason"] for f in health.FIGURES}, row["month"]
        assert out["health"]["consecutive_misses"] == {"marketing": row["marketing_misses"],
                                                       "sales": row["sales_misses"]}
        assert (out["health"]["status"] == "review") == (row["status"] == "review")
        assert out["speed"]["pct_within_goal"] == (None if pd.isna(row["speed_pct"]) else row["speed_pct"])
        assert out["depth"]["pct_at_goal"] == (None if pd.isna(row["depth_pct"]) else row["depth_pct"])


def test_june_2024_on_the_sample_with_a_48_hour_speed_goal_and_3_attempts(sample):
    # the depth verdict is the share at goal against the depth target share everywhere (never the average
    # attempts against the goal, never the speed target): 72 of 116 unconnected leads = 62.07 % < 80 %
    from sla_core import report

    con, dataset = sample
    a, _ = SETTINGS["speed goal 48 h, depth goal 3"]
    out = report.build(con, dataset, report.ReportRequest(date(2024, 6, 1), a))
    assert (out["depth"]["not_connected"], out["depth"]["pct_at_goal"]) == (116, pytest.approx(72 / 116))
    assert out["depth"]["avg_attempts"] > 3  # what the old Sales badge judged by
    assert out["verdicts"]["depth"] == "missed"
    assert out["verdict_reasons"]["depth"] == ("missed: 62.0 % of unconnected leads had at least 3 attempts "
                                               "(target 80 %)")
    assert out["verdicts"]["speed"] == "missed"  # 172 of 217 due leads = 79.26 %, shown rounded down
    assert (out["speed"]["within"], out["speed"]["missed"]) == (172, 45)
    relaxed = report.build(con, dataset, report.ReportRequest(date(2024, 6, 1), a.updated(depth_target_share=0.6)))
    assert relaxed["verdicts"]["depth"] == "met"  # its own setting: the speed target stays at 80 %
    assert relaxed["verdicts"]["speed"] == "missed"


def _same_figures(page: list, report_path: list) -> bool:
    """The month figures read for the page and for the report: equal, shares to float precision."""
    assert [f.month for f in page] == [f.month for f in report_path]
    for p, r in zip(page, report_path, strict=True):
        for name in ("stage", "as_of_day", "marketing_leads", "speed_handed", "depth_handed", "not_connected"):
            assert getattr(p, name) == getattr(r, name), (p.month, name)
        for name in ("pct_within_goal", "pct_at_goal"):
            assert getattr(p, name) == pytest.approx(getattr(r, name)), (p.month, name)
    return True


@pytest.mark.parametrize("setting", list(SETTINGS))
def test_headline_says_what_the_health_table_and_the_report_path_say(sample, setting):
    # the Overview's sentences are built on the figures the health table judges; the weekly digest builds them
    # on the report's path (health.report.month_figures): both must give the same figures and the same words
    from sla_core.health import headline
    from sla_core.health import report as health_report
    from sla_core.marketing import actuals
    from sla_core.sales import depth, speed

    con, dataset = sample
    a, clock = SETTINGS[setting]
    tz, as_of, measured = dataset.tz, dataset.as_of, verdicts.Measured.of(dataset)
    monthly = actuals.monthly_actuals(con, tz, as_of)
    marketing = health.attainments(monthly, actuals.daily_marketing_leads(con, tz, as_of), a, as_of, tz)
    speed_frame = speed.speed_by_period(con, "month", a.speed_goal_hours, as_of, tz, health.clock_for(clock, None, tz))
    depth_frame = depth.depth_by_period(con, "month", a.depth_goal_attempts, as_of, tz)
    page = health.month_figures(monthly, marketing, speed_frame, depth_frame)
    table = health.health_table(monthly, marketing, speed_frame, depth_frame, a, measured)
    assert _same_figures(page, health_report.month_figures(con, tz, as_of, page[-1].month, a, clock))
    for row in table.to_dict("records"):
        h = headline.headline(page, a, measured, row["month"])
        speed_part, depth_part = h.sales.parts
        shown = (h.marketing.verdict, speed_part.verdict, depth_part.verdict, h.sales.verdict)
        assert [v.verdict for v in shown] == [row[f"{f}_verdict"] for f in health.FIGURES], row["month"]
        assert [v.reason for v in shown] == [row[f"{f}_reason"] for f in health.FIGURES], row["month"]
        assert [s.misses for s in h.streaks] == [row["marketing_misses"], row["sales_misses"]]
        assert h.review == (row["status"] == "review")
        if row["speed_verdict"] in ("met", "missed"):  # the sentence carries the table's share, rounded down
            assert verdicts.floor_percent(row["speed_pct"]) in h.sales.sentence
