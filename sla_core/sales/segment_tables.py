"""The Sales page's goal-rule tables: the rules as an editable frame and back, the segment table, suggestions.

Each segment is offered as one choice, "region = Germany (58 leads)", from the data's own values
with their counts (``options``), so a rule never names a value by a typo. Rows are ordered by their
"Order" number (ties keep their row order): the editor cannot drag rows, so a rule moves up by
getting a smaller number.
"""
from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

from sla_core.health.verdicts import Measured
from sla_core.sales.goal_rules import FIELDS, GoalRule, GoalRules
from sla_core.sales.segments import Segment, Suggestion

ORDER, SEGMENT, SPEED, DEPTH = "Order", "Segment", "Speed goal (h)", "Depth goal (attempts)"
RULE_COLUMNS = (ORDER, SEGMENT, SPEED, DEPTH)


def option_label(field: str, value: str, leads: int | None) -> str:
    counted = "not in the data" if leads is None else f"{leads:,} lead{'' if leads == 1 else 's'}"
    return f"{field} = {value} ({counted})"


def options(values: dict[str, Iterable[tuple[str, int]]], rules: GoalRules) -> dict[str, tuple[str, str]]:
    """Choice label → (field, value): every value of each field in the data (``values``: field → (value, leads),
    most leads first), and the value of any rule the data does not hold."""
    found = {option_label(f, v, n): (f, v) for f in FIELDS for v, n in values.get(f, ())}
    taken = set(found.values())
    found |= {option_label(r.field, r.value, None): (r.field, r.value)
              for r in rules if (r.field, r.value) not in taken}
    return found


def rules_frame(rules: GoalRules, labels: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """The rules as the editor shows them, in order (Order 1, 2, …); an unset goal is empty."""
    by_segment = {pair: label for label, pair in labels.items()}
    return pd.DataFrame({
        ORDER: pd.Series(range(1, len(rules) + 1), dtype="Int64"),
        SEGMENT: pd.Series([by_segment[(r.field, r.value)] for r in rules], dtype="object"),
        SPEED: pd.Series([r.speed_goal_hours for r in rules], dtype="Float64"),
        DEPTH: pd.Series([r.depth_goal_attempts for r in rules], dtype="Int64"),
    }, columns=list(RULE_COLUMNS))


def with_rule(rules: GoalRules, field: str, value: str, speed_goal_hours: float | None,
              depth_goal_attempts: int | None) -> GoalRules:
    """``rules`` with this segment's goals: its rule's goals replaced where it has one (a second rule on one segment
    would never apply: the first match wins), else a new rule last. Refused in words (``ValueError``)."""
    rule = GoalRule(field, value, speed_goal_hours, depth_goal_attempts)
    kept = [rule if (r.field, r.value) == (rule.field, rule.value) else r for r in rules]
    return GoalRules(tuple(kept if rule in kept else [*kept, rule]))


def _cell(value):
    """An editor cell as a value or None (empty cells arrive as None, NaN or pandas' NA)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def rules_from_frame(frame: pd.DataFrame, labels: dict[str, tuple[str, str]]) -> GoalRules:
    """The edited frame as rules, by Order (ties in row order, an empty Order last); an empty row is dropped.
    A row with goals but no segment, or a goal out of range, is refused in words (``ValueError``)."""
    rows = [{c: _cell(v) for c, v in row.items()} for row in frame.to_dict("records")]
    rows = [r for r in rows if any(r[c] is not None for c in (SEGMENT, SPEED, DEPTH))]
    rows.sort(key=lambda r: (r[ORDER] is None, r[ORDER] or 0))  # sort is stable: ties keep their row order
    rules = []
    for number, row in enumerate(rows, start=1):
        if row[SEGMENT] not in labels:
            raise ValueError(f"rule {number}: pick a segment")
        field, value = labels[row[SEGMENT]]
        try:
            rules.append(GoalRule(field, value, row[SPEED], row[DEPTH]))
        except ValueError as exc:
            raise ValueError(f"rule {number}: {exc}") from None
    return GoalRules(tuple(rules))


def _percent(share) -> float | None:
    return None if share is None else share * 100


def segment_frame(found: list[Segment], measured: Measured) -> pd.DataFrame:
    """The segment table: per rule (then the default's leads) this month's figures and verdicts beside the
    baseline's; a figure the data cannot measure is empty and its verdict says so."""
    rows = []
    for s in found:
        now, base = s.now, s.baseline
        rows.append({
            "Segment": s.label, "Speed goal (h)": s.speed_goal_hours, "Depth goal": s.depth_goal_attempts,
            "Handed": now["handed"],
            "Median (h)": now["median_hours"] if measured.speed else None,
            "P90 (h)": now["p90_hours"] if measured.speed else None,
            "Within goal (%)": _percent(now["pct_within_goal"]) if measured.speed else None,
            "At depth goal (%)": _percent(now["pct_at_goal"]) if measured.depth else None,
            "Speed": s.speed.verdict or "no verdict", "Depth": s.depth.verdict or "no verdict",
            "Baseline median (h)": base["median_hours"] if measured.speed else None,
            "Baseline p90 (h)": base["p90_hours"] if measured.speed else None,
            "Baseline within (%)": _percent(base["pct_within_goal"]) if measured.speed else None,
        })
    return pd.DataFrame(rows)


def suggestion_frame(found: list[Suggestion], current: GoalRules) -> pd.DataFrame:
    """Each rule's suggested speed goal beside its current one, its baseline p75 and the share within it."""
    return pd.DataFrame([{
        "Segment": s.rule.label, "Speed goal now (h)": r.speed_goal_hours,
        "Baseline p75 (h)": s.baseline_p75_hours, "Suggested speed goal (h)": s.rule.speed_goal_hours,
        f"Within it in {s.month:%b %Y} (%)": _percent(s.pct_within_goal),
    } for s, r in zip(found, current, strict=True)])


def accepted(found: list[Suggestion]) -> GoalRules:
    return GoalRules(tuple(s.rule for s in found))
