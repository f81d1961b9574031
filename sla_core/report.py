"""The report command's content (SPEC section 9): every figure the app shows for one month.

Built from the same core functions as the pages, so a scheduled script and the
dashboard never disagree.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from sla_core.assumptions import Assumptions
from sla_core.health.months import month_shown_first, phase
from sla_core.health.report import health_sections
from sla_core.health.verdicts import Measured
from sla_core.ingest.dataset import Dataset
from sla_core.marketing.catch_up import catch_up_plan
from sla_core.marketing.report import marketing_sections, monthly_rows
from sla_core.sales.clock import BusinessHours
from sla_core.sales.report import report_clock, sales_sections
from sla_core.sales.segments import segments_section

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class ReportRequest:
    month: date | None  # first day of the month; None: the month shown first (the latest with a marketing lead)
    assumptions: Assumptions
    clock: str = "calendar"  # 'calendar' | 'business'
    business_hours: BusinessHours | None = None  # the workspace's, on the business clock; None: Mon–Fri 09:00–17:00


def parse_month(text: str) -> date:
    match = MONTH_RE.match(text or "")
    if not match:
        raise ValueError(f"--month must look like 2024-03, got {text!r}")
    return date(int(match.group(1)), int(match.group(2)), 1)


def build(con: duckdb.DuckDBPyConnection, dataset: Dataset, request: ReportRequest) -> dict:
    """The JSON report: numbers as numbers, n/a as None."""
    month = request.month or month_shown_first(con, dataset.tz, dataset.as_of)
    if month is None:
        raise ValueError("the data has no dated leads to report on: give --month")
    tz, as_of, a, measured = dataset.tz, dataset.as_of, request.assumptions, Measured.of(dataset)
    report: dict = {"month": month.strftime("%Y-%m")}
    months = monthly_rows(con, tz, as_of)  # every month once: the month's actuals, the run of misses, the catch-up
    report.update(marketing_sections(con, tz, as_of, month, a, months))
    hours = request.business_hours
    report.update(sales_sections(con, tz, as_of, month, a, request.clock, measured, hours))
    report.update(health_sections(con, tz, as_of, month, a, request.clock, measured, hours, months))
    report["catch_up"] = catch_up_plan(months, month, a, a.catch_up_months).as_dict()
    clock = report_clock(request.clock, tz, hours, a.region_calendars)
    report.update(segments_section(con, tz, as_of, month, a, clock, measured))
    report["data_quality"] = {
        "rows_read": dataset.quality.rows_read,
        "rows_rejected": dataset.quality.rows_rejected,
        "issues": [i.as_dict() for i in dataset.quality.issues],
        "issue_counts": dataset.quality.issue_counts,
        "notices": dataset.quality.notices,
        "suspicious": dataset.quality.suspicious,
    }
    report["as_of"] = as_of.isoformat() if as_of else None
    report["month_phase"] = phase(month, as_of, tz) if as_of else None
    return _clean(report)


def _clean(value):
    """JSON-safe: NaN/inf become null, timestamps ISO strings, numpy scalars plain numbers."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def to_json(report: dict) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False)


def to_markdown(report: dict) -> str:
    """A readable summary for e-mail or a wiki page."""
    phase_note = f" ({report['month_phase']})" if report.get("month_phase") == "in progress" else ""
    lines = [f"# SLA report {report['month']}{phase_note}", ""]
    for section, body in report.items():
        if section in ("month", "goal_line") or not isinstance(body, dict):
            continue
        lines += [f"## {section.replace('_', ' ').title()}", "", "| figure | value |", "|---|---|"]
        lines += [f"| {key.replace('_', ' ')} | {_md_value(value)} |" for key, value in body.items()]
        lines.append("")
    return "\n".join(lines)


def _md_value(value) -> str:
    """A table cell: n/a for null, a small dict spelled out ("marketing 0, sales 2"), a list as its length."""
    if value is None:
        return "n/a"
    if isinstance(value, dict) and not any(isinstance(v, (dict, list)) for v in value.values()):
        return ", ".join(f"{k} {_md_value(v)}" for k, v in value.items())
    if isinstance(value, (list, dict)):
        return f"{len(value)} item(s)"
    return str(value)
