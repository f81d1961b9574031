"""One look on screen and in downloads: every chart draws with the palette only, never Vega's defaults."""
from __future__ import annotations

import math
import re
import tomllib
from datetime import date

import altair as alt
import pandas as pd
import pytest

from sla_core import export, theme
from sla_core.assumptions import Assumptions
from sla_core.health import charts as health_charts
from sla_core.marketing import charts as marketing_charts
from sla_core.marketing import catch_up, maturity, scenarios
from sla_core.marketing.goal_line import goal_line, month_attainments
from sla_core.sales import bandwidth
from sla_core.sales import charts as sales_charts
from sla_core.sales.speed import BANDS
from tests.conftest import ROOT

# Vega's category10/tableau10 schemes and its default mark, axis, grid and view-border colours
VEGA_DEFAULTS = ("#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2", "#ff9da6",
                 "#9d755d", "#bab0ac", "#1f77b4", "#ff7f0e", "#888", "#ddd", "#000")
# Streamlit's chart theme fills in these config keys wherever a spec leaves them unset
STREAMLIT_THEMED_KEYS = (
    "font", "background", "fieldTitle", "autosize",
    *(f"title.{k}" for k in ("align", "anchor", "color", "fontWeight", "fontSize", "orient", "offset")),
    *(f"axis.{k}" for k in ("labelFontSize", "labelFontWeight", "labelColor", "labelFontStyle", "titleFontWeight",
                            "titleFontSize", "titleColor", "titleFontStyle", "ticks", "gridColor", "domain",
                            "domainWidth", "domainColor", "labelFlush", "labelFlushOffset", "labelBound",
                            "labelLimit", "titlePadding", "labelPadding", "labelSeparation", "labelOverlap")),
    *(f"legend.{k}" for k in ("labelFontSize", "labelFontWeight", "labelColor", "titleFontSize", "titleFontWeight",
                              "titleFontStyle", "titleColor", "titlePadding", "labelPadding", "columnPadding",
                              "rowPadding", "padding", "symbolStrokeWidth")),
    *(f"header.{k}" for k in ("titleFontWeight", "titleFontSize", "titleColor", "titleFontStyle", "labelFontSize",
                              "labelFontWeight", "labelColor", "labelFontStyle")),
    "range.category", "range.diverging", "range.ramp", "range.heatmap",
    "view.strokeWidth", "view.stroke", "view.continuousHeight", "view.continuousWidth",
    "mark.color", "mark.tooltip", "bar.binSpacing", "bar.discreteBandSize",
    "axisDiscrete.grid", "axisXPoint.grid", "axisTemporal.grid", "axisXBand.grid",
)
COLOUR = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b|rgba?\([^)]*\)")

MARCH, APRIL = date(2024, 3, 1), date(2024, 4, 1)
DAILY = pd.DataFrame({"day": [date(2024, 3, 2), date(2024, 3, 9), date(2024, 4, 3)], "leads": [5, 4, 2]})
# two months of sales figures: March meets the 80 % target and the depth goal, April misses both
SALES = pd.DataFrame({
    "period_start": [MARCH, APRIL], "handed": [10, 10], "touched": [9, 6], "within": [9, 3], "missed": [1, 7],
    "pct_within_goal": [0.9, 0.3], "median_hours": [0.5, 3.0], "mean_hours": [0.8, 4.0], "p90_hours": [1.5, 9.0],
    "routing_median_hours": [0.2, 1.0], **{band: [1, 2] for band in BANDS},
    "not_connected": [4, 8], "avg_attempts": [6.5, 2.0], "pct_at_goal": [0.75, 0.1], "worked": [9, 6],
    "leads_worked_pct": [0.9, 0.6], "verdict": ["met", "missed"],
})
REPS = pd.DataFrame({"Rep": ["Ana", "Bo"], "Outside SLA": [False, True], "Within goal (%)": [90.0, 30.0],
                     "Median response (h)": [0.5, 3.0], "Avg attempts (not connected)": [6.5, 2.0],
                     "Handed leads": [10, 10], "Verdict": ["met", "missed"]})
HEALTH = pd.DataFrame({"month": [MARCH, APRIL], "status": ["missed", "in progress"],
                       "marketing_attainment": [1.1, 0.4], "speed_pct": [0.9, 0.3], "depth_pct": [0.75, None],
                       "marketing_verdict": ["met", "in progress"], "speed_verdict": ["met", "in progress"],
                       "depth_verdict": ["missed", None], **{f"{f}_reason": ["why", "why"]
                                                            for f in ("marketing", "speed", "depth")}})


def _response_chart():
    return sales_charts.response_chart(sales_charts.response_bars(SALES, "month", "calendar hours"), 1.0,
                                       "calendar hours")


def _catch_up_chart():
    monthly = [{"month": MARCH, "marketing_leads": 20, "complete": True}]
    plan = catch_up.catch_up_plan(monthly, APRIL, Assumptions(quota=3000, marketing_share=1, avg_deal_size=100,
                                                              close_rate=1.0))
    return marketing_charts.catch_up_chart(plan, goal_line(DAILY, APRIL, 30, date(2024, 4, 16)))


def _conversion_curve_chart():
    # as of 1 May: January is mature (90 days after it ended; its customers won after 5, 10 and 20 days), March
    # maturing (a dot at 45.5 days of age)
    cycles = pd.DataFrame({"month": [date(2024, 1, 1)] * 3, "cycle_days": [5.0, 10.0, 20.0]})
    monthly = pd.DataFrame({"month": [date(2024, 1, 1), MARCH], "marketing_leads": [10, 10], "customers": [3, 1],
                            "complete": [True, True]})
    as_of = pd.Timestamp("2024-05-01", tz="UTC").to_pydatetime()
    return marketing_charts.conversion_curve_chart(maturity.assess(monthly, cycles, as_of, "UTC"))


def _bandwidth_chart():
    loads = (bandwidth.RepLoad("Ana", 10, 2, 30, 4, ((0, 6),)), bandwidth.RepLoad("Bo", 1, 0, 6, 0))
    return sales_charts.bandwidth_chart(bandwidth.bandwidth(loads, Assumptions(), MARCH))


def _attainments():
    """March complete (9 leads), April in progress on the 16th (2 leads)."""
    return month_attainments(DAILY, None, date(2024, 4, 16), [MARCH, APRIL]).assign(stage=["complete", "in progress"])


def _compare_chart():
    lines = scenarios.compare_goal_lines(DAILY, MARCH, {"1 · Plan": 31, "2 · Stretch": 62}, date(2024, 3, 20), "UTC")
    return scenarios.compare_chart(lines, MARCH)


# every chart a page draws or offers as a download, and the colours its data must show
CHARTS = {
    "goal line": (lambda: marketing_charts.goal_line_chart(goal_line(DAILY, MARCH, 31, date(2024, 3, 20))),
                  {theme.ACTUAL, theme.GOAL, theme.AS_OF}),
    "attainment": (lambda: marketing_charts.attainment_chart(_attainments(), 5),
                   {theme.MET, theme.IN_PROGRESS, theme.GOAL}),
    "within goal": (lambda: sales_charts.within_goal_chart(SALES, "month", 0.8), {theme.MET, theme.MISSED}),
    "response": (_response_chart, {theme.ACTUAL, theme.GOAL}),
    "bands": (lambda: sales_charts.bands_chart(SALES, "month"), set(theme.BANDS)),
    "delay": (lambda: sales_charts.delay_chart(SALES, "month", "calendar hours"), {theme.ROUTING, theme.ACTUAL}),
    "attempts": (lambda: sales_charts.attempts_chart(SALES, "month", 6), {theme.ACTUAL, theme.GOAL}),
    "worked": (lambda: sales_charts.worked_chart(SALES, "month"), {theme.ACTUAL}),
    "reps": (lambda: sales_charts.rep_chart(REPS, 0.8), {theme.MET, theme.MISSED, theme.GOAL}),
    "health": (lambda: health_charts.health_chart(HEALTH, Assumptions(), APRIL),
               {theme.MET, theme.MISSED, theme.IN_PROGRESS, theme.GOAL, theme.AS_OF}),
    "health panel": (lambda: health_charts.health_panels(HEALTH, Assumptions(), APRIL)[1],
                     {theme.MET, theme.IN_PROGRESS, theme.GOAL, theme.AS_OF}),
    "scenarios": (_compare_chart, {theme.ACTUAL, theme.GOAL, theme.SECOND_GOAL}),
    "catch-up": (_catch_up_chart, {theme.ACTUAL, theme.GOAL, theme.ORANGE}),
    "bandwidth": (_bandwidth_chart, {theme.ACTUAL, theme.MISSED, theme.GOAL}),
    "conversion curve": (_conversion_curve_chart, {theme.ACTUAL, theme.GOAL, theme.AS_OF, theme.ORANGE}),
}


def _colours(svg: str) -> set[str]:
    """Every colour in an SVG, as upper-case six-digit hex (three-digit and rgb() forms expanded)."""
    found = set()
    for token in COLOUR.findall(svg):
        if token.startswith("rgb"):
            r, g, b = (int(float(v)) for v in token[token.index("(") + 1:-1].split(",")[:3])
            found.add(f"#{r:02X}{g:02X}{b:02X}")
        elif len(token) == 4:
            found.add("#" + "".join(c * 2 for c in token[1:]).upper())
        else:
            found.add(token.upper())
    return found


@pytest.mark.parametrize("name", CHARTS)
def test_a_downloaded_chart_draws_with_the_palette_only(name):
    build, expected = CHARTS[name]
    svg = export.chart_bytes(build(), "svg").decode()
    drawn = _colours(svg)
    assert drawn <= {c.upper() for c in theme.PALETTE}, f"{name}: colours outside the palette"
    assert not drawn & _colours(" ".join(VEGA_DEFAULTS)), f"{name}: Vega's default colours"
    assert {c.upper() for c in expected} <= drawn, f"{name}: a series or verdict is not in its colour"
    assert 'font-family="&quot;Source Sans&quot;' in svg


@pytest.mark.parametrize("name", CHARTS)
def test_the_page_and_the_download_render_the_same_spec(name):
    chart = CHARTS[name][0]()
    with alt.theme.enable("none"):  # what st.altair_chart serialises under
        on_screen = chart.to_dict()
    assert export.chart_spec(chart) == on_screen
    config = on_screen["config"]
    for key in STREAMLIT_THEMED_KEYS:  # so Streamlit's theme has nothing left to fill in
        head, _, tail = key.partition(".")
        assert head in config and (not tail or tail in config[head]), f"{name}: config.{key} unset"
    assert config["range"]["category"] == list(theme.CATEGORY) and config["font"] == theme.FONT


def test_the_marketing_page_spec_keeps_its_look_when_the_goal_moves():
    spec = marketing_charts.goal_line_chart(goal_line(DAILY, MARCH, 31, date(2024, 3, 20))).to_dict()
    assert marketing_charts.with_goal(spec, 62)["config"] == spec["config"] == alt.Config(**theme.CONFIG).to_dict()


def _linear(colour: str) -> list[float]:
    """sRGB hex to linear RGB."""
    return [(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
            for c in (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))]


def _luminance(colour: str) -> float:
    r, g, b = _linear(colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_verdict_and_line_colours_stand_out_from_the_background():
    """WCAG's 3:1 for graphics: a verdict, the actual and the goal line are seen without their legend."""
    for colour in (*theme.VERDICT.values(), theme.ACTUAL, theme.GOAL, theme.SECOND_GOAL, theme.AS_OF):
        assert _contrast(colour, theme.BACKGROUND) >= 3, colour
    assert _contrast(theme.SLATE, theme.BACKGROUND) >= 4.5 and _contrast(theme.INK, theme.BACKGROUND) >= 4.5  # text


# Viénot, Brettel & Mollon's dichromat simulation in linear RGB
SIGHT = {"typical": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
         "protanope": ((0.11238, 0.88762, 0.0), (0.11238, 0.88762, 0.0), (0.00401, -0.00401, 1.0)),
         "deuteranope": ((0.29275, 0.70725, 0.0), (0.29275, 0.70725, 0.0), (-0.02234, 0.02234, 1.0))}


def _lab(colour: str, sight) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of a colour as a reader with that sight sees it."""
    r, g, b = (sum(m * c for m, c in zip(row, _linear(colour), strict=True)) for row in sight)
    x, y, z = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, 0.2126 * r + 0.7152 * g + 0.0722 * b, (
        0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883
    fx, fy, fz = (t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in (x, y, z))
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


@pytest.mark.parametrize("sight", SIGHT)
def test_verdicts_stay_apart_for_red_green_colour_blind_readers(sight):
    """Every pair of verdict colours at least ΔE 20 apart (CIE76; 2.3 is the smallest visible step)."""
    seen = {name: _lab(colour, SIGHT[sight]) for name, colour in theme.VERDICT.items()}
    names = list(seen)
    for i, first in enumerate(names):
        for second in names[i + 1:]:
            assert math.dist(seen[first], seen[second]) >= 20, f"{first} and {second} look alike to a {sight} reader"


def test_streamlit_accent_and_default_chart_colours_are_the_palette():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]
    assert config["primaryColor"] == theme.PRIMARY
    assert config["chartCategoricalColors"] == list(theme.CATEGORY)


def test_attainment_bars_say_and_colour_the_marketing_verdicts():
    """A complete month below its goal is drawn missed in the missed colour, the month in progress in progress in
    its colour (its pace in the tooltip): the words and colours of ``verdicts.marketing`` and ``theme.VERDICT``."""
    from sla_core.health import verdicts

    chart = marketing_charts.attainment_chart(_attainments(), None).to_dict()
    svg = export.chart_bytes(alt.LayerChart.from_dict(marketing_charts.with_goal(chart, 10)), "svg").decode()
    bars = dict(re.findall(r'<path aria-label="Month: [^"]*?; Verdict: ([^;"]*)[^"]*"[^>]*fill="([^"]*)"', svg))
    # March: 9 leads against 10 → missed; April by the 16th: 2 leads against 10 × 16 / 30 = 5.3 → behind so far
    march = verdicts.marketing(MARCH, "complete", 9, 10)
    april = verdicts.marketing(APRIL, "in progress", 2, 10, 16)
    assert (march.verdict, april.verdict, april.pace) == ("missed", "in progress", "behind")
    assert bars == {"missed": theme.MISSED, "in progress, behind": theme.IN_PROGRESS}
