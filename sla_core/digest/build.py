"""One digest of one workspace: the report of the month shown first, its verdicts, charts and what changed.

The numbers are ``report.build``'s (the same statements as ``python -m sla_core report``), the verdicts
``health.report.month_health``'s (the function the report's own verdicts come from). When the month shown
is still in progress, the month before it is judged too, so the first digest after a month closes says
how it ended (and celebrates a goal met).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone

import duckdb

from sla_core import report as report_module
from sla_core.assumptions import Assumptions
from sla_core.digest import changes, images
from sla_core.digest.figures import (
    PARTS,
    Figure,
    closed_month_line,
    digest_side_sentences,
    figures,
    review_lines,
    verdict_word,
)
from sla_core.digest.source import ShareNote
from sla_core.health.months import IN_PROGRESS, label
from sla_core.health.report import month_health
from sla_core.health.verdicts import Measured, MonthVerdicts
from sla_core.health.view import as_of_text
from sla_core.ingest.dataset import Dataset
from sla_core.sales.clock import BusinessHours


@dataclass(frozen=True)
class Badge:
    part: str  # marketing, speed, depth, sales
    word: str  # "met", "in progress · behind" …
    verdict: str | None  # picks the colour


@dataclass(frozen=True)
class Digest:
    title: str  # "SLA status: Acme"
    month_title: str  # "June 2024 (in progress)"
    context: str  # which scenario, as of when
    badges: tuple[Badge, ...]
    sentences: tuple[str, ...]  # one per side of the agreement
    closed: str | None  # how the month before ended, when the month shown is in progress
    reviews: tuple[str, ...]
    celebrations: tuple[str, ...]
    figures: tuple[Figure, ...]
    changes: tuple[str, ...]  # what moved since the last digest of this workspace and scenario
    link: ShareNote | None
    images: tuple[images.Image, ...]
    speed_note: str | None  # why there is no speed chart
    record: dict  # what this digest sent, for the next one (history)
    report: dict

    @property
    def subject(self) -> str:
        words = {b.part: b.word for b in self.badges}
        return f"{self.title}, {self.month_title}: marketing {words['marketing']}, sales {words['sales']}"


def _month_before(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def judged_months(con: duckdb.DuckDBPyConnection, dataset: Dataset, month: date, a: Assumptions,
                  clock: str, hours: BusinessHours | None = None) -> list[MonthVerdicts]:
    """The verdicts of ``month``, then of the month before when ``month`` is in progress and that one was judged."""
    measured = Measured.of(dataset)
    shown, _ = month_health(con, dataset.tz, dataset.as_of, month, a, clock, measured, hours)
    if shown.stage != IN_PROGRESS:
        return [shown]
    before, _ = month_health(con, dataset.tz, dataset.as_of, _month_before(month), a, clock, measured, hours)
    judged = any(v.passed is not None for v in before.as_dict().values())
    return [shown, before] if judged else [shown]


def _speed_note(report: Mapping, drawn: tuple[images.Image, ...]) -> str | None:
    if any(i.name == "speed" for i in drawn):
        return None
    if not report["speed"].get("measured", True):
        return f"Speed is not measured: {report['speed'].get('reason')}."
    return "No leads were handed to sales in these months, so there is no speed chart."


@dataclass(frozen=True)
class Request:
    """What to report on: the workspace's data and settings, and what the last digest sent (None: none)."""

    assumptions: Assumptions
    clock: str = "calendar"
    workspace: str | None = None
    scenario: str | None = None
    previous: Mapping | None = None
    link: ShareNote | None = None
    month: date | None = None  # None: the month shown first
    business_hours: BusinessHours | None = None  # the workspace's; None: Mon–Fri 09:00–17:00


def build(con: duckdb.DuckDBPyConnection, dataset: Dataset, request: Request, now: datetime | None = None) -> Digest:
    """The digest of the request's month (the month shown first when none), on ``con``'s ``leads`` (a session's,
    or a saved workspace's view)."""
    a = request.assumptions
    hours = request.business_hours
    report = report_module.build(con, dataset, report_module.ReportRequest(request.month, a, request.clock, hours))
    month = report_module.parse_month(report["month"])
    judged = judged_months(con, dataset, month, a, request.clock, hours)
    shown = judged[0]
    record = changes.record(report, judged, now or datetime.now(timezone.utc))
    shown_figures = figures(report, a)
    drawn = images.images(con, dataset, report, a, request.clock, hours)
    phase = report.get("month_phase")
    scenario = f"Scenario {request.scenario!r}, data" if request.scenario else "Data"
    return Digest(
        title=f"SLA status: {request.workspace}" if request.workspace else "SLA status",
        month_title=f"{label(month)}{' (in progress)' if phase == IN_PROGRESS else ''}",
        context=f"{scenario} as of {as_of_text(dataset)}",
        badges=tuple(Badge(p, verdict_word(v), v.verdict) for p, v in shown.as_dict().items() if p in PARTS),
        sentences=tuple(digest_side_sentences(report, shown).values()),
        closed=closed_month_line(judged[1]) if len(judged) > 1 else None,
        reviews=review_lines(report),
        celebrations=changes.celebrations(request.previous, record, judged),
        figures=shown_figures,
        changes=changes.changes(request.previous, record, {f.key: f.label for f in shown_figures}),
        link=request.link, images=drawn, speed_note=_speed_note(report, drawn), record=record, report=report)
