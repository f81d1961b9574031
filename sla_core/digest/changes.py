"""What changed since the last digest, and what to celebrate: the figures a digest sent against the last one's.

A digest records its month, the report's numbers (``figures.figure_values``), its verdict words and the
verdicts of each complete month it showed. The next digest of the same workspace and scenario compares
with that record. A goal met is celebrated once, in the first digest that shows its month complete; a
run of misses ends when a team's count of complete months missed in a row falls back to 0.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sla_core.digest.figures import FIGURES, PARTS, SIDES, figure_values, show, verdict_word
from sla_core.health.months import COMPLETE, label
from sla_core.health.verdicts import MET, MonthVerdicts
from sla_core.report import parse_month

CELEBRATED = ("marketing", "speed", "depth")  # each goal of the agreement met gets its own line
FIRST = "This is the first digest of this workspace and scenario: the next one says what changed since."


def record(report: Mapping, judged: Sequence[MonthVerdicts], sent_at: datetime) -> dict:
    """What this digest sent, as the next one reads it: ``judged`` holds the month shown (first) and the
    month that closed before it, when the digest showed one."""
    return {"sent_at": sent_at.isoformat(), "month": report["month"], "phase": report.get("month_phase"),
            "figures": figure_values(report),
            "verdicts": {part: verdict_word(judged[0].as_dict()[part]) for part in PARTS},
            "final": {f"{j.month:%Y-%m}": {part: j.as_dict()[part].verdict for part in PARTS}
                      for j in judged if j.stage == COMPLETE}}


def _when(previous: Mapping) -> str:
    sent = datetime.fromisoformat(previous["sent_at"])
    return f"{sent.day} {sent:%B %Y}"


def _figure_change(key: str, old, new, labels: Mapping[str, str]) -> str | None:
    if old == new:
        return None
    line = f"{labels[key]}: {show(key, old)} → {show(key, new)}"
    if isinstance(old, int) and isinstance(new, int):
        line += f" ({new - old:+,})"
    return line


def changes(previous: Mapping | None, current: Mapping, labels: Mapping[str, str]) -> tuple[str, ...]:
    """Lines saying what moved since ``previous`` (None: the first digest). When the month moved on, only the
    runs of misses compare; within a month, every figure and verdict does. ``labels``: figure key → label."""
    if previous is None:
        return (FIRST,)
    lines: list[str] = []
    same_month = previous["month"] == current["month"]
    if not same_month:
        lines.append(f"The last digest ({_when(previous)}) covered {label(parse_month(previous['month']))}; "
                     f"this one covers {label(parse_month(current['month']))}.")
    for spec in FIGURES:
        if same_month or spec.section == "Health":
            old, new = previous["figures"].get(spec.key), current["figures"].get(spec.key)
            lines.append(_figure_change(spec.key, old, new, labels))
    if same_month:
        lines += [f"{part.capitalize()}: {previous['verdicts'].get(part)} → {word}"
                  for part, word in current["verdicts"].items() if previous["verdicts"].get(part) != word]
    found = tuple(line for line in lines if line)
    return found if found else (f"Nothing changed since the last digest ({_when(previous)}).",)


def celebrations(previous: Mapping | None, current: Mapping, judged: Sequence[MonthVerdicts]) -> tuple[str, ...]:
    """A line per goal met in a complete month not celebrated before, and per run of misses that ended."""
    before = (previous or {}).get("final", {})
    lines = [f"Well done: {part.capitalize()} met its goal in {label(j.month)}: {j.as_dict()[part].detail}."
             for j in judged if j.stage == COMPLETE for part in CELEBRATED
             if j.as_dict()[part].verdict == MET and before.get(f"{j.month:%Y-%m}", {}).get(part) != MET]
    for side in SIDES:
        key = f"health.consecutive_misses.{side}"
        old, new = (previous or {}).get("figures", {}).get(key), current["figures"].get(key)
        if old and new == 0:
            lines.append(f"Well done: {side.capitalize()} ended a run of {old} missed month{'s' if old > 1 else ''}.")
    return tuple(lines)
