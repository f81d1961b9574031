"""One look for every chart: the palette, the fonts and the Vega-Lite config, on screen and in downloads.

The look is written into each chart's own spec (``themed``) rather than registered as an
Altair or Streamlit theme: Streamlit lays its own chart theme *under* a spec's config and
vl-convert, which renders the PNG/SVG downloads, knows no theme at all, so only a config
carried by the spec looks the same in both. That config sets every key Streamlit's theme
sets, so nothing of Streamlit's look (or Vega's defaults) shows through on either side.

Colours come from the Okabe–Ito palette, chosen to stay distinguishable with the common
colour-vision deficiencies. Verdict colours keep at least 3:1 contrast on white (the bar
for chart marks): met is bluish green, missed vermillion, in progress blue (amber would
merge with vermillion for red-green colour-blind readers) and not measured a mid grey.
"""
from __future__ import annotations

import altair as alt

# Okabe–Ito
BLUE = "#0072B2"
VERMILLION = "#D55E00"
BLUISH_GREEN = "#009E73"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
REDDISH_PURPLE = "#CC79A7"
# neutrals: text, secondary text and reference lines, not-measured, grid and axis lines
INK = "#1F2937"
SLATE = "#4B5563"
GREY = "#6B7280"
RULE = "#9CA3AF"
GRID = "#E5E7EB"
BACKGROUND = "#FFFFFF"

PRIMARY = BLUE  # the app's accent (.streamlit/config.toml primaryColor)

# verdicts: did a month, period or rep meet its goal
MET = BLUISH_GREEN
MISSED = VERMILLION
IN_PROGRESS = BLUE  # the month so far: actual to date, no verdict yet
NOT_MEASURED = GREY
VERDICT = {"met": MET, "missed": MISSED, "in progress": IN_PROGRESS, "not measured": NOT_MEASURED}

# series
ACTUAL = BLUE
GOAL = SLATE  # always drawn dashed
SECOND_GOAL = REDDISH_PURPLE  # a second goal line beside the first (scenario comparison)
AS_OF = INK  # the as-of marker on a month's axis
CATEGORY = (BLUE, ORANGE, REDDISH_PURPLE, SKY_BLUE, BLUISH_GREEN, VERMILLION, SLATE)  # tiers, measures, other series
ROUTING = ORANGE  # routing delay beside the rep's (ACTUAL) delay
# response bands, fastest to slowest, then "never touched": blues for fast, oranges for slow
BANDS = (BLUE, SKY_BLUE, "#A6D4EE", "#F3CB73", ORANGE, VERMILLION, GREY)
SEQUENTIAL = ("#DCEBF5", "#A6D4EE", SKY_BLUE, BLUE, "#00466E")
DIVERGING = (VERMILLION, "#EBAA7F", "#F2F2F2", "#7FB8D8", BLUE)

# every colour a themed chart may draw with
PALETTE = frozenset({INK, SLATE, GREY, RULE, GRID, BACKGROUND, *VERDICT.values(), ACTUAL, GOAL, SECOND_GOAL, AS_OF,
                     *CATEGORY, *BANDS, *SEQUENTIAL, *DIVERGING})

FONT = '"Source Sans", "Source Sans Pro", "Liberation Sans", Arial, Helvetica, sans-serif'  # Streamlit's face first
WIDTH = 640  # a downloaded chart's width in px; on screen the chart fills its column

_TEXT = {"labelFont": FONT, "titleFont": FONT, "labelFontWeight": "normal", "labelFontStyle": "normal",
         "titleFontWeight": "normal", "titleFontStyle": "normal"}
_NO_GRID = {"grid": False}

CONFIG = {
    "font": FONT,
    "background": BACKGROUND,
    "fieldTitle": "verbal",
    "autosize": {"type": "fit", "contains": "padding"},
    "title": {"font": FONT, "fontSize": 16, "fontWeight": 600, "fontStyle": "normal", "color": INK,
              "subtitleFont": FONT, "subtitleColor": SLATE, "anchor": "start", "align": "left", "orient": "top",
              "offset": 16},
    "axis": {**_TEXT, "labelFontSize": 12, "labelColor": SLATE, "titleFontSize": 13, "titleColor": INK,
             "gridColor": GRID, "domain": True, "domainColor": RULE, "domainWidth": 1, "ticks": True,
             "tickColor": RULE, "labelFlush": True, "labelFlushOffset": 1, "labelBound": False, "labelLimit": 180,
             "labelPadding": 4, "titlePadding": 8, "labelSeparation": 4, "labelOverlap": True},
    "axisDiscrete": _NO_GRID, "axisXPoint": _NO_GRID, "axisTemporal": _NO_GRID, "axisXBand": _NO_GRID,
    "legend": {**_TEXT, "labelFontSize": 12, "labelColor": INK, "titleFontSize": 12, "titleColor": INK,
               "titlePadding": 4, "labelPadding": 4, "columnPadding": 12, "rowPadding": 2, "padding": 4,
               "symbolStrokeWidth": 2},
    "header": {**_TEXT, "labelFontSize": 12, "labelColor": SLATE, "titleFontSize": 13, "titleColor": INK},
    "range": {"category": list(CATEGORY), "ordinal": list(SEQUENTIAL), "ramp": list(SEQUENTIAL),
              "heatmap": list(SEQUENTIAL), "diverging": list(DIVERGING)},
    "view": {"continuousWidth": WIDTH, "continuousHeight": 300, "stroke": None, "strokeWidth": 0},
    "mark": {"color": ACTUAL, "font": FONT, "tooltip": {"content": "encoding"}},
    "text": {"color": INK, "fontSize": 12},
    "bar": {"binSpacing": 2, "discreteBandSize": {"band": 0.85}},
}


def themed(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The chart with the project's look in its own spec: what the page shows is what the download shows.

    Only a chart that is drawn or downloaded as it is gets themed: a configured chart
    cannot be layered any more.
    """
    return chart.configure(**CONFIG)
