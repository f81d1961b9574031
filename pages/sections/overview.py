"""The drawing of the Overview page (pages/overview.py): the month's answer, its change, its runs of misses, and
SLA health month by month. The words and verdicts come from ``sla_core.health`` (``headline``, ``view``)."""
from __future__ import annotations

import streamlit as st

from pages.common.ui import download_chart, download_table, literal, static_table, verdict_badge, verdict_text
from sla_core.health.headline import Change, Headline, Side
from sla_core.health.view import MonthView

SALES_PARTS = {"speed": "Speed", "depth": "Depth"}
PANEL_ALT = ("Marketing leads as a share of each month's goal, month by month, each point in its verdict's colour",
             "Share of due leads followed up within the speed goal, month by month, against the target share",
             "Share of unconnected leads with the depth goal's attempts, month by month, against the target share")
TABLE_NOTE = ("Status: the month's verdict for the whole SLA, up for review once either team missed three complete "
              "months in a row · Attainment: marketing leads as a share of the month's goal · Misses in a row: "
              "complete months each team has missed in a row.")


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _side(s: Side) -> None:
    """One side of the SLA in a card: its name and verdict, then what it is judged on with its own pill (a side of
    one figure repeats no pill, unless the month in progress says its pace)."""
    with st.container(border=True, height="stretch"):
        badge = verdict_badge(s.verdict, pace=False) or f":gray[{literal(s.verdict.verdict or 'no verdict')}]"
        st.markdown(f"**{s.name} SLA** {badge}")
        for part in s.parts:
            text = _capitalised(part.text if part.judged else part.verdict.detail)
            if part.name in SALES_PARTS:
                head = SALES_PARTS[part.name] + ("" if part.judged else f" {part.verdict.short}")
                st.markdown(f"**{head}** · {verdict_text(text, part.verdict)}")
            elif not part.judged:
                st.markdown(verdict_text(f"{part.verdict.short}: {text}", part.verdict))
            else:
                st.markdown(verdict_text(text, part.verdict) if part.verdict.pace else literal(text))


def answer(h: Headline) -> None:
    """The answer first: one card per side of the SLA (they stack on a phone)."""
    for column, side in zip(st.columns(2), (h.marketing, h.sales), strict=True):
        with column:
            _side(side)


def _metric(column, c: Change, labels: dict[str, str], previous: str) -> None:
    if c.partial:
        column.metric(labels[c.name], f"{c.shown(c.now)} so far", help=f"{c.shown(c.before)} in all of {previous}: "
                      "the month in progress is compared once it is complete.")
        return
    delta = c.delta_text
    column.metric(labels[c.name], c.shown(c.now), delta, delta_description=f"vs {previous}" if delta else None,
                  help=f"{previous}: {c.shown(c.before)}")


def change(h: Headline, labels: dict[str, str]) -> None:
    """Each figure beside the month before (nothing to compare in the data's first month)."""
    if h.previous is None:
        st.caption("The data's first month: nothing before it to compare with.")
        return
    previous = f"{h.previous:%B %Y}"
    for column, c in zip(st.columns(len(h.changes)), h.changes, strict=True):
        _metric(column, c, labels, previous)


def streaks(h: Headline) -> None:
    """Each team's run of missed months, and what happens at three."""
    for streak in h.streaks:
        if streak.review:
            st.warning(literal(streak.sentence), icon=":material/gavel:")
        else:
            st.caption(literal(streak.sentence))


def health(view: MonthView) -> None:
    """Small multiples (they stack on a phone), the chart downloads, the status table and its CSV."""
    st.subheader("SLA health month by month")
    st.caption("Each point is a month in its verdict's colour: :green-badge[met] :red-badge[missed] "
               ":blue-badge[in progress] · a figure not measured has no point. A month counts once it is "
               "complete; three missed months in a row put the agreement up for review.")
    for column, panel, about in zip(st.columns(3), view.panels, PANEL_ALT, strict=True):
        column.vega_lite_chart(spec=panel, width="stretch", alt=about)
    download_chart(view.chart, "sla_health", key="health_chart")
    static_table(view.table)
    st.caption(TABLE_NOTE)
    download_table(view.export, "sla_health.csv", "Download health table (CSV)", key="download_health")
