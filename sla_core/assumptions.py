"""The what-if inputs of the agreement (SPEC section 2), validated once on the way in.

Every field has a range (``RANGES``): a value inside it cannot overflow a target, a capacity
figure or a widget, whichever door it came through (a page, a deep link, ``--assumptions``).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, fields, replace
from pathlib import Path

from sla_core.sales.goal_rules import DEPTH_ATTEMPTS, SPEED_HOURS, GoalRules
from sla_core.sales.region_calendars import RegionCalendars


@dataclass(frozen=True)
class Assumptions:
    """Quota-side inputs plus the sales follow-up goals, their target shares and rep capacity.

    Defaults fit the bundled sample export (a mid-market B2B team); "use my actuals"
    on the Marketing SLA page replaces the rate assumptions with the data's own.
    """

    quota: float = 200_000.0
    marketing_share: float = 0.7
    avg_deal_size: float = 15_000.0
    close_rate: float = 0.05
    speed_goal_hours: float = 1.0
    depth_goal_attempts: int = 6
    speed_target_share: float = 0.8  # share of due leads that must be followed up within the speed goal
    reps: int = 6
    hours_per_week_on_marketing_leads: float = 10.0
    minutes_per_attempt: float = 10.0
    depth_target_share: float = 0.8  # share of unconnected leads that must reach the depth goal
    catch_up_months: int = 1  # months a marketing deficit is spread over (SPEC 8b)
    goal_rules: GoalRules = GoalRules()  # segments held to their own speed or depth goal (SPEC 5b)
    region_calendars: RegionCalendars = RegionCalendars()  # regions on a business calendar of their own (SPEC 5b)

    def __post_init__(self) -> None:
        problems = validation_errors(self)
        if problems:
            raise ValueError("; ".join(problems))

    def to_dict(self) -> dict:
        calendars = {CALENDARS: self.region_calendars.to_list()} if self.region_calendars else {}
        return {**{name: getattr(self, name) for name in RANGES}, "goal_rules": self.goal_rules.to_list(), **calendars}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, raw: dict) -> "Assumptions":
        """Build from a partial dict: missing keys take the defaults, unknown keys are an error.

        The SPEC's ASSUMPTIONS.json names (``speed_target``, ``depth_target``) are accepted
        for the fields they stand for (``FILE_NAMES``).
        """
        if not isinstance(raw, dict):
            raise ValueError("assumptions must be a JSON object")
        known = {f.name: f for f in fields(cls)}
        unknown = {key for key in raw if key not in known and key not in FILE_NAMES}
        if unknown:
            raise ValueError(f"unknown assumption keys: {', '.join(sorted(unknown))}")
        values, given_as = {}, {}
        for key, value in raw.items():
            if key == RULES:
                values[key] = GoalRules.from_list(value)
                continue
            if key == CALENDARS:
                values[key] = RegionCalendars.from_list(value)
                continue
            name = FILE_NAMES.get(key, key)
            if name in given_as:
                first, second = sorted((given_as[name], key))
                raise ValueError(f'"{first}" and "{second}" are the same assumption: give only one')
            given_as[name] = key
            values[name] = _number(key, value, known[name].type in (int, "int"))
        return cls(**values)

    @classmethod
    def from_file(cls, path: Path) -> "Assumptions":
        try:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
        try:
            return cls.from_dict(raw)
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from exc

    def updated(self, **changes) -> "Assumptions":
        return replace(self, **changes)

    def to_query(self) -> dict[str, str]:
        """URL query parameters that reopen this what-if view (a deep link), one per number, and the goal rules
        as one compact parameter when there are any, and so the region calendars."""
        numbers = {name: _query_number(getattr(self, name)) for name in RANGES}
        rules = {RULES: self.goal_rules.to_link()} if self.goal_rules else {}
        calendars = {CALENDARS: self.region_calendars.to_link()} if self.region_calendars else {}
        return {**numbers, **rules, **calendars}

    @classmethod
    def from_query(cls, params, base: "Assumptions | None" = None,
                   other_keys: frozenset[str] | tuple[str, ...] = ()) -> "tuple[Assumptions, list[str]]":
        """Assumptions from URL query parameters over ``base``, plus a warning per ignored parameter.

        A link is user text: an unknown name (other than ``other_keys``), a value that is not
        a number or one outside its range is skipped with a warning, never an exception.
        """
        result = base or cls()
        known = {f.name: f for f in fields(cls)}
        warnings = []
        for key in params:
            raw = params[key]
            text = str(raw[-1] if isinstance(raw, (list, tuple)) and raw else raw).strip()
            if key in other_keys:
                continue
            if key == RULES:
                result, warnings = _link_rules(result, text, warnings)
                continue
            if key == CALENDARS:
                result, warnings = _link_calendars(result, text, warnings)
                continue
            if key not in known:
                warnings.append(f'ignored the unknown link parameter "{key}"')
                continue
            try:
                number = float(text)
            except ValueError:
                warnings.append(f'ignored the link parameter {key}="{text[:40]}": not a number')
                continue
            try:
                result = result.updated(**{key: _number(key, number, known[key].type in (int, "int"))})
            except ValueError as exc:
                warnings.append(f'ignored the link parameter {key}="{text[:40]}": {exc}')
        return result, warnings


RULES = "goal_rules"  # the field (and ASSUMPTIONS.json key, link parameter) of the goal rules
CALENDARS = "region_calendars"  # the field (and ASSUMPTIONS.json key, link parameter) of the region calendars


def _link_rules(result: Assumptions, text: str, warnings: list[str]) -> tuple[Assumptions, list[str]]:
    try:
        return result.updated(goal_rules=GoalRules.from_link(text)), warnings
    except ValueError as exc:
        return result, [*warnings, f"ignored the link's goal rules: {exc}"]


def _link_calendars(result: Assumptions, text: str, warnings: list[str]) -> tuple[Assumptions, list[str]]:
    try:
        return result.updated(region_calendars=RegionCalendars.from_link(text)), warnings
    except ValueError as exc:
        return result, [*warnings, f"ignored the link's region calendars: {exc}"]


# ASSUMPTIONS.json names of SPEC 9 → field names (both spellings are accepted in a file).
FILE_NAMES = {"speed_target": "speed_target_share", "depth_target": "depth_target_share"}


@dataclass(frozen=True)
class Range:
    """The values a field accepts: ``low`` (excluded when ``low_open``) to ``high``, and 0 itself when ``zero_ok``."""

    low: float
    high: float
    words: str  # the rule as a user reads it
    low_open: bool = False
    zero_ok: bool = False

    def holds(self, value: float) -> bool:
        above = value > self.low if self.low_open else value >= self.low
        return (above and value <= self.high) or (self.zero_ok and value == 0)


# Each range keeps every derived figure finite (at most 10^16 leads needed, a capacity far below overflow)
# and inside the widgets that show the value (the Marketing inputs' lowest values, the Sales sliders).
SHARE = Range(0.0, 1.0, "above 0 and at most 1", low_open=True)
RANGES: dict[str, Range] = {
    "quota": Range(0.0, 1e12, "between 0 and 1,000,000,000,000"),
    "marketing_share": Range(0.001, 1.0, "at least 0.001 (0.1 %) and at most 1"),
    "avg_deal_size": Range(1.0, 1e12, "between 1 and 1,000,000,000,000"),
    "close_rate": Range(0.0001, 1.0, "at least 0.0001 (0.01 %) and at most 1"),
    "speed_goal_hours": Range(*SPEED_HOURS, "between 0.25 hours (15 minutes) and 720 hours (30 days)"),
    "depth_goal_attempts": Range(*DEPTH_ATTEMPTS, "between 1 and 100 attempts"),
    "speed_target_share": SHARE,
    "reps": Range(0, 100_000, "between 0 and 100,000"),
    "hours_per_week_on_marketing_leads": Range(0.01, 168.0, "0, or between 0.01 and 168 (the hours in a week)",
                                               zero_ok=True),
    "minutes_per_attempt": Range(0.0, 1440.0, "between 0 and 1,440 (a day)"),
    "depth_target_share": SHARE,
    "catch_up_months": Range(1, 3, "between 1 and 3 months"),
}


def _number(key: str, value, whole: bool) -> int | float:
    """A JSON or link value as the field's type, refused in words when it is not a finite number of that kind."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f'"{key}" must be a number, got {value!r}')
    if not math.isfinite(value):
        raise ValueError(f"{key} must be a finite number")
    if whole:
        if not float(value).is_integer():
            raise ValueError(f"{key} must be a whole number")
        return int(value)
    return float(value)


def _query_number(value: float | int) -> str:
    """Short, exact text for a number in a URL: 200000 rather than 200000.0."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def validation_errors(a: Assumptions) -> list[str]:
    """Every rule an assumption breaks, in words a user can act on."""
    problems = []
    for name, allowed in RANGES.items():
        value = getattr(a, name)
        if not math.isfinite(value):
            problems.append(f"{name} must be a finite number")
        elif not allowed.holds(value):
            problems.append(f"{name} must be {allowed.words}, got {value:g}")
    return problems
