"""The Overview and the Agreement as leadership reads them: the answer first, in the verdicts' own words and colours,
for the month picked; the same verdicts as the health table and the report; the agreement's download safe as text."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from datetime import date
from pathlib import Path

import pytest
from apptest_support import app_with_upload, html_tables, new_app, shown, workspace_of
from ingest_support import csv_bytes

from pages.common.ui import KEYS
from sla_core import report, theme
from sla_core.assumptions import Assumptions
from sla_core.digest import printable
from sla_core.health import agreement
from sla_core.health import view as health_view
from sla_core.health.verdicts import floor_percent

ROOT = Path(__file__).resolve().parent.parent
PAGE = "pages/overview.py"
BADGE = re.compile(r":(\w+)-badge\[([^\]]*)\]")
JUNE, DECEMBER, JANUARY = date(2024, 6, 1), date(2024, 12, 1), date(2025, 1, 1)
# leads without first-touch dates or attempt counts: sales cannot be measured, marketing can (goal 200 a month)
PLAIN = csv_bytes([["lead_id", "created_at", "source"],
                   ["1", "2024-02-05T09:00:00Z", "Webinar"], ["2", "2024-02-12T09:00:00Z", "Webinar"],
                   ["3", "2024-02-20T09:00:00Z", "Paid Search"], ["4", "2024-03-04T09:00:00Z", "Webinar"],
                   ["5", "2024-03-10T09:00:00Z", "Webinar"]])


@pytest.fixture(scope="module")
def sample():
    """The bundled sample on the Overview (one session for the module: each test picks its month)."""
    app = new_app()
    app.run()
    app.switch_page(PAGE).run()
    assert not app.exception
    return app


def _pick(app, month: date):
    app.selectbox(key=KEYS.overview_month).set_value(month).run()
    assert not app.exception
    return app


def _cards(app) -> dict[str, str]:
    """Each line of the two answer cards by its bold head ("Marketing SLA", "Speed" …), the marketing body as
    "Marketing", as the user reads it (escapes removed, badges kept)."""
    lines = [re.sub(r"\\(.)", r"\1", m.value) for m in app.markdown]
    start = next(i for i, line in enumerate(lines) if line.startswith("**Marketing SLA**"))
    cards = {"Marketing SLA": lines[start], "Marketing": lines[start + 1]}
    for line in lines[start + 2:start + 5]:
        head = re.match(r"\*\*(.+?)\*\*", line).group(1)
        cards[head.split(" ")[0] if head.startswith(("Speed", "Depth")) else head] = line
    return cards


def _badge(line: str) -> tuple[str, str] | None:
    found = BADGE.findall(line)
    return found[-1] if found else None


def _metrics(app) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in app.metric}


def test_the_verdict_colours_are_the_palette_everywhere():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]
    assert (config["greenColor"], config["redColor"], config["blueColor"]) == (theme.MET, theme.MISSED,
                                                                               theme.IN_PROGRESS)
    assert config["grayColor"] == theme.NOT_MEASURED


def test_opens_on_the_month_shown_first_in_progress_and_on_track(sample):
    _pick(sample, JANUARY)  # what the page opened on (asserted by test_share_pages too): January 2025 in progress
    picker = sample.selectbox(key=KEYS.overview_month)
    assert picker.value == JANUARY and picker.format_func(JANUARY) == "January 2025 (in progress)"
    cards = _cards(sample)
    assert _badge(cards["Marketing SLA"]) == ("blue", "in progress")
    # 101 leads by 14 January against 200 × 14 / 31 = 90.3 on the goal line: on track
    assert cards["Marketing"] == "Has 101 of 200 leads, 14 of 31 days into January 2025 :blue-badge[on track]"
    assert "22.2 % of due leads followed up within 1 h so far (target 80 %)" in cards["Speed"]
    assert _badge(cards["Speed"]) == ("blue", "behind") and _badge(cards["Depth"]) == ("blue", "behind")
    assert _metrics(sample)["Marketing leads"] == ("101 so far", "")  # never set against a whole month
    assert "Sales has missed 12 complete months in a row — the agreement is up for review" in shown(sample.warning)


def test_a_missed_month_with_its_change_and_runs(sample):
    _pick(sample, JUNE)
    cards = _cards(sample)
    assert _badge(cards["Marketing SLA"]) == ("red", "missed")
    assert cards["Marketing"] == "Delivered 187 of 200 leads in June 2024 (13 short)"
    assert cards["Speed"].endswith("26.2 % of due leads followed up within 1 h (target 80 %) :red-badge[missed]")
    assert cards["Depth"].endswith("18.1 % of unconnected leads had at least 6 attempts (target 80 %) "
                                   ":red-badge[missed]")
    assert _badge(cards["Sales SLA"]) == ("red", "missed")
    # May 2024: 221 leads, 27.2 % within 1 h, 18.8 % at 6 attempts
    assert _metrics(sample) == {"Marketing leads": ("187", "-34"), "Speed: within 1 h": ("26.2 %", "-1.0 pts"),
                                "Depth: 6+ attempts": ("18.1 %", "-0.7 pts")}
    assert "Marketing: 1 month missed in a row — at 3 the agreement is up for review." in shown(sample.caption)
    assert "Sales has missed 6 complete months in a row" in shown(sample.warning)


def test_a_met_month(sample):
    _pick(sample, DECEMBER)
    cards = _cards(sample)
    assert _badge(cards["Marketing SLA"]) == ("green", "met")
    assert cards["Marketing"] == "Delivered 246 of 200 leads in December 2024"
    assert "Marketing: no month missed in a row." in shown(sample.caption)


def _chart_months(app) -> list[str]:
    """The month each chart panel marks (the vertical rule on the x axis; Streamlit sends its rows as Arrow)."""
    import pyarrow as pa
    marked = []
    for chart in app.get("vega_lite_chart"):
        rows = {d.name: d.data.data for d in chart.proto.datasets}
        for layer in json.loads(chart.proto.spec).get("layer", []):
            if layer["mark"].get("type") == "rule" and "x" in layer["encoding"]:
                month = pa.ipc.open_stream(rows[layer["data"]["name"]]).read_all().column("month")[0].as_py()
                marked.append(str(month)[:7])  # a timestamp or its ISO text
    return marked


def test_the_month_picker_moves_every_figure_and_carries_to_the_agreement(sample):
    _pick(sample, DECEMBER)
    before = (_cards(sample), _metrics(sample), _chart_months(sample))
    _pick(sample, JUNE)
    after = (_cards(sample), _metrics(sample), _chart_months(sample))
    assert before[0]["Marketing"] != after[0]["Marketing"] and before[1] != after[1]
    assert (before[2], after[2]) == (["2024-12"] * 3, ["2024-06"] * 3)  # all three panels mark the month picked
    table = html_tables(sample)[0]
    assert list(table.columns) == ["Month", "Status", "Marketing", "Sales SLA", "Attainment", "Speed", "Depth",
                                   "Misses in a row"]  # the answer first: a phone shows it without scrolling
    assert table.set_index("Month").loc["Jun 2024", ["Marketing", "Attainment"]].tolist() == ["missed", "93.5 %"]
    sample.switch_page("pages/agreement.py").run()
    assert not sample.exception
    assert sample.selectbox(key=KEYS.agreement_month).value == JUNE
    assert "service levels below for June 2024" in shown(sample.markdown)
    assert "Marketing delivered 187 of 200 leads in June 2024 (13 short) — missed" in shown(sample.markdown)
    sample.switch_page(PAGE).run()
    assert sample.selectbox(key=KEYS.overview_month).value == JUNE


def test_not_measured_is_said_with_its_reason_and_never_missed():
    app = app_with_upload("plain.csv", PLAIN, PAGE)
    cards = _cards(app)
    assert cards["Marketing"] == "Has 2 of 200 leads, 10 of 31 days into March 2024 :blue-badge[behind]"
    assert cards["Sales SLA"] == "**Sales SLA** :gray[not measured]"  # no badge (SPEC 8)
    assert "upload an activity log on the Data page" in cards["Speed"] and "upload an activity log" in cards["Depth"]
    assert not _badge(cards["Speed"]) and not _badge(cards["Depth"])
    assert set(_metrics(app)) == {"Marketing leads"}  # nothing to compare for a figure not measured
    _pick(app, date(2024, 2, 1))
    cards = _cards(app)
    assert _badge(cards["Marketing SLA"]) == ("red", "missed")
    assert cards["Marketing"] == "Delivered 3 of 200 leads in February 2024 (197 short)"
    assert "Sales: no month missed in a row." in shown(app.caption)  # not measured never counts as a miss
    table = html_tables(app)[0]
    assert list(table["Sales SLA"]) == ["not measured", "not measured"]
    assert list(table["Speed"]) == ["not measured", "not measured"]


def _pills(app) -> dict[str, str]:
    cards = _cards(app)
    return {"marketing": _badge(cards["Marketing SLA"])[1], "speed": _badge(cards["Speed"])[1],
            "depth": _badge(cards["Depth"])[1], "sales": _badge(cards["Sales SLA"])[1]}


def _words(out: dict) -> dict[str, str]:
    """The report's verdicts as the Overview's pills say them: the pace of the month in progress for a part
    ("in progress, behind: …" → "behind"), the verdict for a side's header."""
    words = {}
    for figure, reason in out["verdict_reasons"].items():
        head = reason.split(":")[0]
        words[figure] = head.split(", ")[-1] if figure in ("speed", "depth") else out["verdicts"][figure]
    return words


SETTINGS = {  # name → assumptions, clock
    "defaults": (Assumptions(), "calendar"),
    "speed goal 48 h, depth goal 3": (Assumptions(speed_goal_hours=48, depth_goal_attempts=3), "calendar"),
    "loose targets, business hours": (Assumptions(speed_goal_hours=4, depth_goal_attempts=2, speed_target_share=0.5,
                                                  depth_target_share=0.6, quota=100_000), "business"),
}


@pytest.mark.parametrize("setting", list(SETTINGS))
def test_overview_table_and_report_agree(sample, setting):
    a, clock = SETTINGS[setting]
    ws = workspace_of(sample)
    ws.assumptions, ws.sales_clock = a, clock
    try:
        for month in (JUNE, JANUARY):
            _pick(sample, month)
            out = report.build(ws.con, ws.dataset, report.ReportRequest(month, a, clock))
            assert _pills(sample) == _words(out), month
            row = html_tables(sample)[0].set_index("Month").iloc[[12 if month == JANUARY else 5]].iloc[0]
            for figure, column in (("marketing", "Marketing"), ("speed", "Speed"), ("depth", "Depth")):
                head = out["verdict_reasons"][figure].split(":")[0].split(", ")[-1]
                assert row[column].startswith(head), (month, figure)
            for figure, key in (("speed", "pct_within_goal"), ("depth", "pct_at_goal")):
                assert floor_percent(out[figure][key]) in _cards(sample)[figure.title()], (month, figure)
    finally:
        ws.assumptions, ws.sales_clock = Assumptions(), "calendar"


def test_speed_goal_48_h_and_depth_goal_3_in_june_2024(sample, tmp_path):
    ws = workspace_of(sample)
    ws.assumptions = SETTINGS["speed goal 48 h, depth goal 3"][0]
    assumptions = tmp_path / "assumptions.json"
    assumptions.write_text(json.dumps({"speed_goal_hours": 48, "depth_goal_attempts": 3}))
    command = [sys.executable, "-m", "sla_core", "report", "--leads", str(ROOT / "data" / "sample_leads.csv"),
               "--assumptions", str(assumptions), "--month", "2024-06"]
    printed = json.loads(subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout)
    try:
        cards = _cards(_pick(sample, JUNE))
        assert _pills(sample) == _words(printed)  # the page and `python -m sla_core report` say the same
        # 172 of 217 due leads within 48 h (79.26 %, shown 79.2 %) and 72 of 116 unconnected at 3 attempts
        assert cards["Speed"].endswith("79.2 % of due leads followed up within 48 h (target 80 %) :red-badge[missed]")
        assert cards["Depth"].endswith("62.0 % of unconnected leads had at least 3 attempts (target 80 %) "
                                       ":red-badge[missed]")
        assert "Depth: 3+ attempts" in _metrics(sample)
    finally:
        ws.assumptions = Assumptions()


# --- the agreement's Markdown download with a hostile field -------------------------------------------------

HOSTILE = "Ana [x](http://evil.example/a) ![p](https://evil.example/p.png) <b>bold</b> month's goal -> www.evil.example"


@pytest.fixture
def downloads(monkeypatch) -> dict[str, bytes]:
    """Every file a download button offers in this test, by its media id (AppTest keeps them in memory)."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
    kept: dict[str, bytes] = {}
    load = MemoryMediaFileStorage.load_and_get_id

    def keeping(self, data, mimetype, kind, filename=None):
        file_id = load(self, data, mimetype, kind, filename)
        kept[file_id] = data if isinstance(data, bytes) else data.encode()
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keeping)
    return kept


def test_agreement_markdown_download_neutralises_links_and_images(downloads):
    app = new_app()
    app.run()
    app.switch_page("pages/agreement.py").run()
    app.text_area(key=KEYS.agreement("marketing_contact")).input(HOSTILE).run()
    assert not app.exception
    button = next(b for b in app.get("download_button") if b.proto.label == "Download as Markdown")
    md = downloads[button.proto.url.rsplit("/", 1)[1].split(".")[0]].decode()
    assert not re.search(r"&(lt|gt|amp|quot|#x?[0-9a-fA-F]+);", md)  # real Markdown, not HTML-escaped
    assert "month's goal" in md
    text = md.replace("<br>", "")
    assert not re.findall(r"(?<!\\)[\[\]()!<>]", text)  # no link, image or tag can open in any viewer
    assert not re.search(r"[a-z]://|www\.", md)  # nor a bare autolink
    assert re.sub(r"\\(.)", r"\1", md).count(HOSTILE) == 1  # it still reads as written
    assert md.count("| Marketing | Sales |") == 4


def test_agreement_page_says_the_further_conditions_once_and_uses_the_live_plan():
    app = new_app()
    app.run()
    app.switch_page("pages/agreement.py").run()
    assert not app.exception
    said = shown(app.markdown) + " ".join(t.value for t in app.text_area)
    assert said.count(agreement.AgreementText().cancellation) == 1
    # January 2025: marketing owes nothing through December; December missed speed, so sales' list is live
    assert "Marketing owes no leads from past months through December 2024, so January 2025 keeps its goal of 200 " \
           "leads." in shown(app.markdown)
    assert "27 leads handed in December 2024 are still untouched past the 1 h speed goal" in shown(app.markdown)
    assert "at least 6 attempts on 80 % of the leads not yet connected" in shown(app.markdown)


# --- this month's printable report ------------------------------------------------------------------------------


def test_the_printable_report_of_the_month_picked_says_what_the_overview_says(sample):
    """The Overview offers the month picked as one printable page; its verdicts are the page's pills."""
    ws = workspace_of(sample)
    _pick(sample, JUNE)
    assert any(b.proto.label.startswith("Download this month's report") for b in sample.get("download_button"))
    settings = health_view.Settings(ws.assumptions, ws.tier_rules, ws.sales_clock, ws.business_hours, ws.tiers)
    page = printable.month_page(ws.con, ws.dataset, settings, JUNE, ws.cache).decode()
    assert "<h1>SLA status</h1>" in page and "June 2024" in page and 'src="data:image/png;base64,' in page
    said = dict(re.findall(r'data-verdict="(\w+)"><b>\w+</b>: ([^<]+)</span>', page))
    out = report.build(ws.con, ws.dataset, report.ReportRequest(JUNE, ws.assumptions, ws.sales_clock))
    assert said["marketing"] == out["verdicts"]["marketing"] == _pills(sample)["marketing"]
    assert said["sales"] == out["verdicts"]["sales"] == _pills(sample)["sales"]
