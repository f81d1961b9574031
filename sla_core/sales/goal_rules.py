"""Goals per segment (SPEC 5b): an ordered list of rules giving some leads their own speed or depth goal.

A rule names a segment field (source, tier or region), one value of it, and a speed goal, a depth
goal or both. Each lead takes its goals from the first rule that matches it; a goal the rule leaves
unset, and every goal of a lead no rule matches, is the default (the Sales page's sliders). The
rules travel inside ``Assumptions`` (``goal_rules``), so a saved workspace or scenario, a deep link
and ``--assumptions`` carry them. Each lead's goal is worked out in SQL from ``sql_params``: the
rules' match keys and goals as bound lists (the macros ``goal_rule``, ``lead_speed_goal_us`` and
``lead_depth_goal``), never text assembled from a value.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import unquote

FIELDS = ("source", "tier", "region")
SPEED_HOURS = (0.25, 720.0)  # the speed goal's range, for the default and every rule
DEPTH_ATTEMPTS = (1, 100)
MAX_RULES = 50
MAX_VALUE = 200  # characters of a rule's value
KEY_SEPARATOR = "\x1f"  # between a rule's field and value in its match key; never in a CRM value
LINK_RULES, LINK_PARTS = ";", ":"  # a deep link's compact text: rules by ';', a rule's parts by ':'


def match_value(field: str, value: str) -> str:
    """The form a value is compared in: trimmed, and a tier in lower case as the tier columns are read."""
    text = value.strip()
    return text.lower() if field == "tier" else text


def _speed(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"a rule's speed goal must be a number of hours, got {value!r}")
    low, high = SPEED_HOURS
    if not low <= value <= high:
        raise ValueError(f"a rule's speed goal must be between {low:g} and {high:g} hours, got {value:g}")
    return float(value)


def _depth(value) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not float(value).is_integer():
        raise ValueError(f"a rule's depth goal must be a whole number of attempts, got {value!r}")
    low, high = DEPTH_ATTEMPTS
    if not low <= value <= high:
        raise ValueError(f"a rule's depth goal must be between {low} and {high} attempts, got {value:g}")
    return int(value)


@dataclass(frozen=True)
class GoalRule:
    """One segment's goals; ``value`` is kept in its compared form (``match_value``)."""

    field: str
    value: str
    speed_goal_hours: float | None = None
    depth_goal_attempts: int | None = None

    def __post_init__(self) -> None:
        if self.field not in FIELDS:
            raise ValueError(f"a rule's field must be one of {', '.join(FIELDS)}, got {self.field!r}")
        if not isinstance(self.value, str) or not self.value.strip():
            raise ValueError(f"a rule on {self.field} needs a value")
        if len(self.value) > MAX_VALUE:
            raise ValueError(f"a rule's value must be at most {MAX_VALUE} characters")
        if self.speed_goal_hours is None and self.depth_goal_attempts is None:
            raise ValueError(f'the rule {self.field} = "{self.value.strip()}" sets neither a speed nor a depth goal')
        object.__setattr__(self, "value", match_value(self.field, self.value))
        object.__setattr__(self, "speed_goal_hours", _speed(self.speed_goal_hours))
        object.__setattr__(self, "depth_goal_attempts", _depth(self.depth_goal_attempts))

    @property
    def key(self) -> str:
        return f"{self.field}{KEY_SEPARATOR}{self.value}"

    @property
    def label(self) -> str:
        return f"{self.field} = {self.value}"

    def describe(self) -> str:
        """The rule in a sentence: "region Germany: within 8 h and at least 3 attempts"."""
        goals = [f"within {self.speed_goal_hours:g} h" if self.speed_goal_hours is not None else "",
                 f"at least {self.depth_goal_attempts} attempts" if self.depth_goal_attempts is not None else ""]
        return f"{self.field} {self.value}: {' and '.join(g for g in goals if g)}"

    def to_dict(self) -> dict:
        """The ASSUMPTIONS.json form: a goal the rule leaves to the default is left out."""
        out: dict = {"field": self.field, "value": self.value}
        if self.speed_goal_hours is not None:
            out["speed_goal_hours"] = self.speed_goal_hours
        if self.depth_goal_attempts is not None:
            out["depth_goal_attempts"] = self.depth_goal_attempts
        return out

    @classmethod
    def from_dict(cls, raw) -> GoalRule:
        if not isinstance(raw, dict):
            raise ValueError(f"a goal rule must be an object, got {raw!r}")
        unknown = set(raw) - {"field", "value", "speed_goal_hours", "depth_goal_attempts"}
        if unknown:
            raise ValueError(f"unknown goal rule keys: {', '.join(sorted(unknown))}")
        return cls(raw.get("field"), raw.get("value"), raw.get("speed_goal_hours"), raw.get("depth_goal_attempts"))


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace(LINK_PARTS, "%3A").replace(LINK_RULES, "%3B")


def _link_number(value: float | int | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _rule_from_link(text: str) -> GoalRule:
    parts = text.split(LINK_PARTS)
    if len(parts) != 4:
        raise ValueError(f'"{text[:40]}" is not field:value:speed:depth')
    field, value, speed, depth = parts
    try:
        speed_hours = float(speed) if speed else None
        attempts = float(depth) if depth else None
    except ValueError:
        raise ValueError(f'"{text[:40]}" has a goal that is not a number') from None
    return GoalRule(field, unquote(value), speed_hours, attempts)


@dataclass(frozen=True)
class GoalRules:
    """The ordered rules; the first that matches a lead wins. Empty: every lead on the default goals."""

    rules: tuple[GoalRule, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "rules", tuple(self.rules))
        if len(self.rules) > MAX_RULES:
            raise ValueError(f"at most {MAX_RULES} goal rules, got {len(self.rules)}")
        if not all(isinstance(r, GoalRule) for r in self.rules):
            raise ValueError("goal rules must be GoalRule values")

    def __bool__(self) -> bool:
        return bool(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def __iter__(self):
        return iter(self.rules)

    def sentence(self) -> str:
        """The rules for the written agreement and a shared view's goals ("" without rules)."""
        if not self.rules:
            return ""
        return (" Per segment, each lead held to the first rule that matches it (a goal a rule leaves out, and every "
                "other lead, as above): " + "; ".join(r.describe() for r in self.rules) + ".")

    def to_list(self) -> list[dict]:
        return [r.to_dict() for r in self.rules]

    @classmethod
    def from_list(cls, raw) -> GoalRules:
        """From ASSUMPTIONS.json's ``goal_rules`` (a list of rule objects), refused in words when malformed."""
        if not isinstance(raw, (list, tuple)):
            raise ValueError(f"goal_rules must be a list of rules, got {raw!r}")
        rules = []
        for number, item in enumerate(raw, start=1):
            try:
                rules.append(GoalRule.from_dict(item))
            except ValueError as exc:
                raise ValueError(f"goal rule {number}: {exc}") from None
        return cls(tuple(rules))

    def to_link(self) -> str:
        """Compact text for a deep link: ``source:Paid Search:1:;region:Germany:8:``."""
        return LINK_RULES.join(LINK_PARTS.join((r.field, _escape(r.value), _link_number(r.speed_goal_hours),
                                                _link_number(r.depth_goal_attempts))) for r in self.rules)

    @classmethod
    def from_link(cls, text: str) -> GoalRules:
        if not text.strip():
            return cls()
        rules = []
        for number, part in enumerate(text.split(LINK_RULES), start=1):
            try:
                rules.append(_rule_from_link(part))
            except ValueError as exc:
                raise ValueError(f"rule {number}: {exc}") from None
        return cls(tuple(rules))

    def sql_params(self, speed_goal_hours: float | None = None, depth_goal_attempts: int | None = None) -> dict:
        """The bound ``$goals`` struct the goal macros read: the default goals and, per rule in order, its match
        key and goals (NULL: the default). One struct, because a macro sees only its arguments; a statement
        about speed only needs no default depth goal (None), and the other way round."""
        return {"goals": {
            "speed_us": None if speed_goal_hours is None else round(speed_goal_hours * 3600e6),
            "depth": None if depth_goal_attempts is None else int(depth_goal_attempts),
            "keys": [r.key for r in self.rules],
            "rule_speed_us": [None if r.speed_goal_hours is None else round(r.speed_goal_hours * 3600e6)
                              for r in self.rules],
            "rule_depth": [r.depth_goal_attempts for r in self.rules],
        }}


NO_RULES = GoalRules()  # every lead on the default goals
