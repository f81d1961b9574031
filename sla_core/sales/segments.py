"""Goals per segment (SPEC 5b): each goal rule's figures for a month beside its own baseline, and suggested goals.

"Measure first, target second": a segment's row shows this month's handed leads, median and p90
response, share within its goal, share at its depth goal and its verdicts (the same
``verdicts.speed``/``verdicts.depth`` every surface uses), beside the same segment over the last
complete months (``BASELINE_MONTHS`` before the month). One pass of ``segment_figures.sql`` per
window gives every rule at once; plain Python, so the report path loads no pandas.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

import duckdb

from sla_core import queries
from sla_core.assumptions import Assumptions
from sla_core.health import verdicts
from sla_core.health.months import COMPLETE, phase
from sla_core.health.verdicts import Measured, Verdict
from sla_core.sales.clock import BusinessHours
from sla_core.sales.goal_rules import FIELDS, SPEED_HOURS, GoalRule, GoalRules
from sla_core.sales.speed import goal_table, month_window

BASELINE_MONTHS = 3  # complete months before the month a segment's baseline pools
SPEED_KEYS = ("handed", "touched", "mean_hours", "median_hours", "p90_hours", "pct_within_goal", "within", "missed")
DEPTH_KEYS = ("not_connected", "avg_attempts", "pct_at_goal", "leads_worked_pct")
BASELINE_KEYS = ("handed", "median_hours", "p75_hours", "p90_hours", "pct_within_goal", "pct_at_goal")
COUNTS = frozenset({"handed", "touched", "within", "missed", "depth_handed", "not_connected", "at_goal", "worked"})


def _empty() -> dict:
    """A segment's row where it handed nothing: counts 0, the rest n/a."""
    keys = {*SPEED_KEYS, *DEPTH_KEYS, *BASELINE_KEYS, *COUNTS}
    return {k: (0 if k in COUNTS else None) for k in keys}


def months_before(month: date, count: int) -> tuple[date, date]:
    """The first day of the ``count`` months before ``month`` and ``month`` itself: [first, month)."""
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1), month


def rows_by_rule(con: duckdb.DuckDBPyConnection, a: Assumptions, handed_between: tuple[datetime, datetime],
                 as_of: datetime | None, tz: str, clock: BusinessHours | None) -> dict[int | None, dict]:
    """Rule number (None: the default goals) → its figures for hand-offs in ``handed_between``."""
    if as_of is None:
        return {}
    goal_table(con, as_of, tz, clock, a.goal_rules)
    found = queries.records(con, "sales/segment_figures", handed_from=handed_between[0], handed_to=handed_between[1],
                            **a.goal_rules.sql_params(a.speed_goal_hours, a.depth_goal_attempts))
    return {r["rule"]: r for r in found}


@dataclass(frozen=True)
class Segment:
    """One rule (None: the leads no rule matched) with the goals it holds its leads to and its figures."""

    rule: GoalRule | None
    speed_goal_hours: float
    depth_goal_attempts: int
    now: dict  # this month's figures
    baseline: dict  # the same over the baseline months
    speed: Verdict
    depth: Verdict

    @property
    def field(self) -> str | None:
        return self.rule.field if self.rule else None

    @property
    def value(self) -> str | None:
        return self.rule.value if self.rule else None

    @property
    def label(self) -> str:
        return self.rule.label if self.rule else "every other lead (default goals)"


def _segment(rule: GoalRule | None, a: Assumptions, month: date, stage: str, measured: Measured, now: dict,
             baseline: dict) -> Segment:
    speed_goal = rule.speed_goal_hours if rule and rule.speed_goal_hours is not None else a.speed_goal_hours
    depth_goal = rule.depth_goal_attempts if rule and rule.depth_goal_attempts is not None else a.depth_goal_attempts
    return Segment(rule, speed_goal, depth_goal, now, baseline,
                   verdicts.speed(month, stage, measured.speed, now["handed"], now["pct_within_goal"],
                                  a.speed_target_share, speed_goal),
                   verdicts.depth(month, stage, measured.depth, now["depth_handed"], now["not_connected"],
                                  now["pct_at_goal"], a.depth_target_share, depth_goal))


def month_segments(con: duckdb.DuckDBPyConnection, a: Assumptions, month: date, as_of: datetime | None, tz: str,
                   clock: BusinessHours | None, measured: Measured) -> list[Segment]:
    """One ``Segment`` per goal rule in order, then the leads on the default goals; empty without rules."""
    if not a.goal_rules or as_of is None:
        return []
    now = rows_by_rule(con, a, month_window(month, tz), as_of, tz, clock)
    first, _ = months_before(month, BASELINE_MONTHS)
    baseline = rows_by_rule(con, a, (month_window(first, tz)[0], month_window(month, tz)[0]), as_of, tz, clock)
    stage = phase(month, as_of, tz)
    numbered: list[tuple[int | None, GoalRule | None]] = [*enumerate(a.goal_rules, start=1), (None, None)]
    return [_segment(rule, a, month, stage, measured, now.get(n) or _empty(), baseline.get(n) or _empty())
            for n, rule in numbered]


def _figures(row: dict, keys: tuple[str, ...]) -> dict:
    return {k: (None if row[k] is None else int(row[k]) if k in COUNTS else float(row[k])) for k in keys}


def report_entry(s: Segment, baseline_months: tuple[date, date], measured: Measured) -> dict:
    """One entry of the report's ``segments`` (SPEC 9): a figure the data cannot measure is null."""
    speed = _figures(s.now, SPEED_KEYS) if measured.speed else dict.fromkeys(SPEED_KEYS)
    depth = _figures(s.now, DEPTH_KEYS) if measured.depth else dict.fromkeys(DEPTH_KEYS)
    first, end = baseline_months
    return {"field": s.field, "value": s.value, "speed_goal_hours": s.speed_goal_hours,
            "depth_goal_attempts": s.depth_goal_attempts, "speed": speed, "depth": depth,
            "verdicts": {"speed": s.speed.verdict, "depth": s.depth.verdict},
            "verdict_reasons": {"speed": s.speed.reason, "depth": s.depth.reason},
            "baseline": {"from": first.strftime("%Y-%m"), "to": _previous(end).strftime("%Y-%m"),
                         **_figures(s.baseline, BASELINE_KEYS)}}


def _previous(month: date) -> date:
    return months_before(month, 1)[0]


def segments_section(con: duckdb.DuckDBPyConnection, tz: str, as_of: datetime | None, month: date,
                     a: Assumptions, clock: BusinessHours | None, measured: Measured) -> dict:
    """{"segments": [...]}, one entry per goal rule in order; nothing at all without rules (the report stays as
    it was)."""
    if not a.goal_rules:
        return {}
    found = month_segments(con, a, month, as_of, tz, clock, measured)
    window = months_before(month, BASELINE_MONTHS)
    if not found:  # no as-of time: nothing handed anywhere
        found = [_segment(r, a, month, "not started", measured, _empty(), _empty()) for r in a.goal_rules]
    return {"segments": [report_entry(s, window, measured) for s in found if s.rule is not None]}


VALUES_SHOWN = 200  # values of a field the rules editor offers, most leads first


def values_of(con: duckdb.DuckDBPyConnection, field: str) -> list[tuple[str, int]]:
    """(value, leads) of one segment field in the data, as rules compare values, most leads first."""
    if field not in FIELDS:
        raise ValueError(f"a segment field is one of {', '.join(FIELDS)}, got {field!r}")
    return [(r["value"], r["leads"]) for r in queries.records(con, "sales/segment_values", field=field,
                                                               limit=VALUES_SHOWN)]


# --- suggested goals ---------------------------------------------------------------------------

UNITS = ((2.0, 0.25), (24.0, 1.0), (float("inf"), 24.0))  # below 2 h in quarters, below a day in hours, then days


def sensible_hours(hours: float) -> float:
    """A goal a team can say: the nearest quarter hour below 2 h, hour below a day, else whole day, in range."""
    unit = next(step for below, step in UNITS if hours < below)
    low, high = SPEED_HOURS
    return min(max(round(hours / unit) * unit, low), high)


@dataclass(frozen=True)
class Suggestion:
    rule: GoalRule  # the rule with its suggested speed goal
    baseline_p75_hours: float | None  # None: the segment had no touched lead in the baseline (goal left as it was)
    pct_within_goal: float | None  # the share within the suggested goal in ``month``
    month: date


def last_complete_month(month: date, as_of: datetime, tz: str) -> date:
    """``month`` when it has ended, else the month before: what a suggestion is tried on."""
    return month if phase(month, as_of, tz) == COMPLETE else _previous(month)


def suggest(con: duckdb.DuckDBPyConnection, a: Assumptions, month: date, as_of: datetime, tz: str,
            clock: BusinessHours | None) -> list[Suggestion]:
    """Per rule, a speed goal a step better than its baseline (the baseline's p75, ``sensible_hours``) and the
    share within it the segment would have had in the last complete month. The user accepts or edits it."""
    baseline = rows_by_rule(con, a, (month_window(months_before(month, BASELINE_MONTHS)[0], tz)[0],
                                     month_window(month, tz)[0]), as_of, tz, clock)
    proposed = []
    for n, rule in enumerate(a.goal_rules, start=1):
        p75 = (baseline.get(n) or {}).get("p75_hours")
        proposed.append((replace(rule, speed_goal_hours=sensible_hours(p75)) if p75 is not None else rule, p75))
    tried = last_complete_month(month, as_of, tz)
    trial = a.updated(goal_rules=GoalRules(tuple(rule for rule, _ in proposed)))
    shares = rows_by_rule(con, trial, month_window(tried, tz), as_of, tz, clock)
    return [Suggestion(rule, p75, (shares.get(n) or {}).get("pct_within_goal"), tried)
            for n, (rule, p75) in enumerate(proposed, start=1)]
