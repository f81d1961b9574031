"""The what-if inputs of the agreement (SPEC section 2), validated once on the way in."""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path


@dataclass(frozen=True)
class Assumptions:
    """Quota-side inputs plus the sales follow-up goals and rep capacity.

    Defaults fit the bundled sample export (a mid-market B2B team); "use my actuals"
    on the Marketing SLA page replaces the rate assumptions with the data's own.
    """

    quota: float = 200_000.0
    marketing_share: float = 0.7
    avg_deal_size: float = 15_000.0
    close_rate: float = 0.05
    speed_goal_hours: float = 1.0
    depth_goal_attempts: int = 6
    speed_target_share: float = 0.8  # share of leads that must be followed up within the speed goal
    reps: int = 6
    hours_per_week_on_marketing_leads: float = 10.0
    minutes_per_attempt: float = 10.0

    def __post_init__(self) -> None:
        problems = validation_errors(self)
        if problems:
            raise ValueError("; ".join(problems))

    def to_dict(self) -> dict:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, raw: dict) -> "Assumptions":
        """Build from a partial dict: missing keys take the defaults, unknown keys are an error."""
        if not isinstance(raw, dict):
            raise ValueError("assumptions must be a JSON object")
        known = {f.name: f for f in fields(cls)}
        unknown = set(raw) - set(known)
        if unknown:
            raise ValueError(f"unknown assumption keys: {', '.join(sorted(unknown))}")
        values = {}
        for key, value in raw.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f'"{key}" must be a number, got {value!r}')
            values[key] = int(value) if known[key].type in (int, "int") else float(value)
        return cls(**values)

    @classmethod
    def from_file(cls, path: Path) -> "Assumptions":
        try:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
        return cls.from_dict(raw)

    def updated(self, **changes) -> "Assumptions":
        return replace(self, **changes)

    def to_query(self) -> dict[str, str]:
        """URL query parameters that reopen this what-if view (a deep link), one per field."""
        return {name: _query_number(value) for name, value in self.to_dict().items()}

    @classmethod
    def from_query(cls, params, base: "Assumptions | None" = None,
                   other_keys: frozenset[str] | tuple[str, ...] = ()) -> "tuple[Assumptions, list[str]]":
        """Assumptions from URL query parameters over ``base``, plus a warning per ignored parameter.

        A link is user text: an unknown name (other than ``other_keys``), a value that is not
        a number or one that breaks a rule is skipped with a warning, never an exception.
        """
        result = base or cls()
        known = {f.name: f for f in fields(cls)}
        warnings = []
        for key in params:
            raw = params[key]
            text = str(raw[-1] if isinstance(raw, (list, tuple)) and raw else raw).strip()
            if key in other_keys:
                continue
            if key not in known:
                warnings.append(f'ignored the unknown link parameter "{key}"')
                continue
            try:
                number = float(text)
                if known[key].type in (int, "int"):
                    if not number.is_integer():
                        raise ValueError(f"{key} must be a whole number")
                    number = int(number)
                result = result.updated(**{key: number})
            except (ValueError, OverflowError) as exc:
                reason = str(exc) if key in str(exc) else "not a number"
                warnings.append(f'ignored the link parameter {key}="{text[:40]}": {reason}')
        return result, warnings


def _query_number(value: float | int) -> str:
    """Short, exact text for a number in a URL: 200000 rather than 200000.0."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def validation_errors(a: Assumptions) -> list[str]:
    """Every rule an assumption breaks, in words a user can act on."""
    problems = []
    for name in ("quota", "marketing_share", "avg_deal_size", "close_rate", "speed_goal_hours",
                 "hours_per_week_on_marketing_leads", "minutes_per_attempt", "speed_target_share"):
        if not math.isfinite(getattr(a, name)):
            problems.append(f"{name} must be a finite number")
    if a.quota < 0:
        problems.append("quota must be 0 or more")
    if not 0 < a.marketing_share <= 1:
        problems.append("marketing_share must be above 0 and at most 1")
    if not a.avg_deal_size > 0:
        problems.append("avg_deal_size must be above 0")
    if not 0 < a.close_rate <= 1:
        problems.append("close_rate must be above 0 and at most 1")
    if not a.speed_goal_hours > 0:
        problems.append("speed_goal_hours must be above 0")
    if a.depth_goal_attempts < 1:
        problems.append("depth_goal_attempts must be at least 1")
    if not 0 < a.speed_target_share <= 1:
        problems.append("speed_target_share must be above 0 and at most 1")
    if a.reps < 0 or a.hours_per_week_on_marketing_leads < 0 or a.minutes_per_attempt < 0:
        problems.append("reps, hours per week and minutes per attempt must be 0 or more")
    return problems
