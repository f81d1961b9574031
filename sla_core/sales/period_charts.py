"""The Sales page's charts per period of hand-off (``Sales.by_period``), each built when the page draws it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pandas as pd

from sla_core import vega
from sla_core.assumptions import Assumptions
from sla_core.export import csv_bytes
from sla_core.health import verdicts
from sla_core.sales import charts
from sla_core.sales import display as tables

if TYPE_CHECKING:
    from sla_core.sales.view import Sales


@dataclass(frozen=True)
class PeriodCharts:
    """Speed and depth per period of hand-off, every chart spanning the same periods: what they cover, each chart
    as its Vega-Lite spec (sla_core.vega) and the CSV.

    A chart is built (or found in the session's cache) when the page asks for it, so a rerun builds only the
    charts of the view it draws. A chart of a figure the data cannot measure is None (speed: share within goal,
    response, bands; depth: attempts, leads worked); the delay chart keeps the routing delay.
    """

    caption: str
    view: Sales
    a: Assumptions
    period: str
    statistic: str
    summary: pd.DataFrame  # goal-free speed figures
    speed: pd.DataFrame  # speed figures at the goal
    depth: pd.DataFrame
    span: charts.Span

    def within_goal(self) -> dict | None:
        """The share within the speed goal per period, each bar in its period's verdict colour."""
        if not self.view.measured.speed:
            return None
        return self.view.run(vega.built, charts.within_goal_chart, self._judged(), self.period,
                             self.a.speed_target_share, self.span)

    def response(self) -> dict | None:
        """The chosen response statistic against the speed goal's line (none where leads' goals differ)."""
        if not self.view.measured.speed:
            return None
        bars = self.view.run(charts.response_bars, self.summary, self.period, self.view.clock_label, self.statistic,
                             self.span)
        return self.view.run(vega.built, charts.response_chart, bars, verdicts.named_goals(self.a)[0],
                             self.view.clock_label, self.statistic)

    def bands(self) -> dict | None:
        if not self.view.measured.speed:
            return None
        return self.view.run(vega.built, charts.bands_chart, self.summary, self.period, self.span)

    def delay(self) -> dict:
        return self.view.run(vega.built, charts.delay_chart, self.summary, self.period, self.view.clock_label,
                             self.span)

    def attempts(self) -> dict | None:
        """Average attempts per period against the depth goal's line (none where leads' goals differ)."""
        if not self.view.measured.depth:
            return None
        return self.view.run(vega.built, charts.attempts_chart, self.depth, self.period,
                             verdicts.named_goals(self.a)[1], self.span)

    def worked(self) -> dict | None:
        if not self.view.measured.depth:
            return None
        return self.view.run(vega.built, charts.worked_chart, self.depth, self.period, self.span)

    def csv(self) -> bytes:
        """The figures per period as CSV: made when the download is clicked (pandas on kept frames, no query)."""
        return _period_csv(self.speed, self.depth, self.period)

    def _judged(self) -> pd.DataFrame:
        """The periods with their speed verdicts (the share-within-goal chart colours each bar by it)."""
        dataset, a = self.view.dataset, self.a
        as_of = dataset.as_of.astimezone(ZoneInfo(dataset.tz)).replace(tzinfo=None)
        return self.view.run(tables.period_verdicts, self.speed, self.period, as_of, self.view.measured.speed,
                             a.speed_target_share, verdicts.named_goals(a)[0])


def _period_csv(by_period: pd.DataFrame, depth_frame: pd.DataFrame, period: str) -> bytes:
    return csv_bytes(tables.period_table(by_period, depth_frame, period))
