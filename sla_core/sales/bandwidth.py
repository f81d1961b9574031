"""Rep bandwidth: can each rep honour the depth goal on the leads they really got in a month?

The team check (``capacity``, SPEC 7) plans on the leads *needed*. This one reads each rep's
real hand-offs of the month (``rep_bandwidth.sql``): marketing- and sales-generated leads, the
time spent on each, and the attempts still missing on the marketing leads not connected yet,
against the hours the rep has for marketing leads. The query does not depend on the depth goal
or the hours, so a page keeps it per dataset and month and a what-if move is Python arithmetic.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

import duckdb

from sla_core import queries
from sla_core.assumptions import Assumptions
from sla_core.sales.capacity import Capacity, hours_in_month, rep_capacity
from sla_core.sales.goal_rules import NO_RULES, GoalRule, GoalRules
from sla_core.sales.speed import month_window

NO_OWNER = "(no owner)"  # as the other sales statements name leads without an owner
HOURS_IN_A_WEEK = 168.0
TEAM = "Team"
OTHER_REPS = "Other reps ({count:,})"  # the reps past a table's limit, as one row
LABELS = {  # as_dict key → the column a page shows
    "rep": "Rep", "marketing_handed": "Marketing leads", "sales_handed": "Sales-generated leads",
    "marketing_hours_spent": "Hours on marketing leads", "sales_hours_spent": "Hours on sales leads",
    "unconnected_marketing": "Marketing leads not connected", "below_goal": "Below the depth goal",
    "missing_attempts": "Missing attempts", "needed_hours": "Hours needed", "hours_per_week": "Hours a week",
    "available_hours": "Hours available", "minutes_per_lead": "Minutes per marketing lead",
    "gap_hours": "Gap (h)", "overloaded": "Overloaded",
}


def _override(entry) -> tuple[str, float]:
    """One (rep, hours a week) pair, checked: a name, and a number of hours a week can hold."""
    if not isinstance(entry, (tuple, list)) or len(entry) != 2:
        raise ValueError("each rep's hours must be a pair: rep name and hours a week")
    rep, hours = entry
    if not isinstance(rep, str) or not rep.strip():
        raise ValueError("a rep's hours need the rep's name")
    if isinstance(hours, bool) or not isinstance(hours, (int, float)) or not math.isfinite(hours):
        raise ValueError(f'hours a week for "{rep.strip()}" must be a number')
    if not 0 <= hours <= HOURS_IN_A_WEEK:
        raise ValueError(f'hours a week for "{rep.strip()}" must be between 0 and {HOURS_IN_A_WEEK:g}')
    return rep.strip(), float(hours)


@dataclass(frozen=True)
class RepHours:
    """Hours a week on marketing leads for the reps whose time differs from the team setting.

    Validated once here and kept sorted by rep; saved with a workspace's settings in the
    store's JSON form (``to_dict``/``from_dict``). A rep not listed has the team setting.
    """

    overrides: tuple[tuple[str, float], ...] = ()

    def __post_init__(self) -> None:
        cleaned: dict[str, float] = {}
        for entry in self.overrides:
            rep, hours = _override(entry)
            if rep in cleaned:
                raise ValueError(f'"{rep}" has two hours-a-week settings')
            cleaned[rep] = hours
        object.__setattr__(self, "overrides", tuple(sorted(cleaned.items())))

    @classmethod
    def of(cls, hours: Mapping[str, float]) -> RepHours:
        """From a rep → hours-a-week mapping (a page's editor)."""
        return cls(tuple(hours.items()))

    def to_dict(self) -> dict:
        return {"overrides": [[rep, hours] for rep, hours in self.overrides]}

    @classmethod
    def from_dict(cls, raw) -> RepHours:
        if not isinstance(raw, dict) or set(raw) - {"overrides"} or not isinstance(raw.get("overrides", []), list):
            raise ValueError('rep hours must look like {"overrides": [["rep", hours], ...]}')
        return cls(tuple(raw.get("overrides", [])))

    def hours_for(self, rep: str, team_hours: float) -> float:
        """The rep's hours a week on marketing leads: the override, else the team setting."""
        return dict(self.overrides).get(rep, team_hours)

    def edited(self, shown: Mapping[str, float | None], team_hours: float) -> RepHours:
        """These hours after an editor showed ``shown`` (rep → hours a week, None for a cleared cell).

        A rep at the team setting, or cleared, follows the team setting (an override is kept only
        where it differs); reps the editor did not show keep theirs. Validated like any RepHours.
        """
        kept = {rep: hours for rep, hours in self.overrides if rep not in shown}
        for rep, hours in shown.items():
            if hours is not None and not (isinstance(hours, float) and math.isnan(hours)) and hours != team_hours:
                kept[rep] = hours
        return RepHours.of(kept)


@dataclass(frozen=True)
class RepLoad:
    """What one owner got in the month, whatever the goals: the query's row."""

    owner: str
    marketing_handed: int
    sales_handed: int
    marketing_attempts: int
    sales_attempts: int
    unconnected: tuple[tuple[int, int], ...] = ()  # (attempts made, marketing leads not connected with that many)
    # the same for the leads a goal rule matched: (rule number, attempts made, leads); the rest are ``unconnected``
    unconnected_ruled: tuple[tuple[int, int, int], ...] = ()

    def _short(self, depth_goal: int, rule_goals: tuple[int | None, ...]) -> list[tuple[int, int]]:
        """(attempts short of the lead's own goal, leads) for every group below it: a rule's depth goal, else
        ``depth_goal``."""
        goals = [(depth_goal, attempts, leads) for attempts, leads in self.unconnected]
        goals += [(rule_goals[rule - 1] or depth_goal, attempts, leads)
                  for rule, attempts, leads in self.unconnected_ruled]
        return [(goal - attempts, leads) for goal, attempts, leads in goals if attempts < goal]

    def below_goal(self, depth_goal: int, rule_goals: tuple[int | None, ...] = ()) -> int:
        """Marketing leads not connected with fewer attempts than their goal (``rule_goals``: each rule's, None:
        the default)."""
        return sum(leads for _, leads in self._short(depth_goal, rule_goals))

    def missing_attempts(self, depth_goal: int, rule_goals: tuple[int | None, ...] = ()) -> int:
        """Σ max(0, the lead's depth goal − attempts) over the marketing leads not connected."""
        return sum(short * leads for short, leads in self._short(depth_goal, rule_goals))


@dataclass(frozen=True)
class RepBandwidth:
    """One rep's load against their hours (the team total and the leads without an owner have the same shape)."""

    rep: str
    marketing_handed: int
    sales_handed: int
    marketing_hours_spent: float  # attempts made × minutes per attempt ÷ 60
    sales_hours_spent: float
    unconnected_marketing: int
    below_goal: int
    missing_attempts: int
    needed_hours: float  # missing attempts × minutes per attempt ÷ 60
    hours_per_week: float | None  # None: leads without an owner, or the team (reps differ)
    available_hours: float | None  # hours a week × weeks in the month; None: nobody's hours

    @property
    def gap_hours(self) -> float | None:
        """Hours short (positive) or to spare (negative); n/a without hours."""
        return None if self.available_hours is None else self.needed_hours - self.available_hours

    @property
    def overloaded(self) -> bool | None:
        """Cannot make the depth goal's missing attempts in the hours they have (n/a without hours)."""
        return None if self.available_hours is None else self.needed_hours > self.available_hours

    @property
    def minutes_per_lead(self) -> float | None:
        """The article's "how much time they have for each one": hours available per marketing lead, in minutes."""
        if self.available_hours is None or not self.marketing_handed:
            return None
        return self.available_hours * 60 / self.marketing_handed

    def as_dict(self) -> dict:
        return {key: getattr(self, key) for key in LABELS}


def _rule_goals(a: Assumptions) -> tuple[int | None, ...]:
    return tuple(r.depth_goal_attempts for r in a.goal_rules)


def _rep_figures(load: RepLoad, a: Assumptions, hours_per_week: float | None, month: date) -> RepBandwidth:
    minutes, goal, rule_goals = a.minutes_per_attempt, a.depth_goal_attempts, _rule_goals(a)
    missing = load.missing_attempts(goal, rule_goals)
    return RepBandwidth(
        rep=load.owner, marketing_handed=load.marketing_handed, sales_handed=load.sales_handed,
        marketing_hours_spent=load.marketing_attempts * minutes / 60,
        sales_hours_spent=load.sales_attempts * minutes / 60,
        unconnected_marketing=sum(leads for *_, leads in (*load.unconnected, *load.unconnected_ruled)),
        below_goal=load.below_goal(goal, rule_goals),
        missing_attempts=missing, needed_hours=missing * minutes / 60, hours_per_week=hours_per_week,
        available_hours=None if hours_per_week is None else hours_in_month(hours_per_week, month))


def _total(rows: list[RepBandwidth], reps: list[RepBandwidth]) -> RepBandwidth:
    """Every lead's load (with or without an owner) against the reps' hours together."""
    def total(key: str):
        return sum(getattr(r, key) for r in rows)
    return RepBandwidth(
        rep=TEAM, marketing_handed=total("marketing_handed"), sales_handed=total("sales_handed"),
        marketing_hours_spent=total("marketing_hours_spent"), sales_hours_spent=total("sales_hours_spent"),
        unconnected_marketing=total("unconnected_marketing"), below_goal=total("below_goal"),
        missing_attempts=total("missing_attempts"), needed_hours=total("needed_hours"), hours_per_week=None,
        available_hours=sum(r.available_hours for r in reps))


@dataclass(frozen=True)
class Bandwidth:
    """The month's bandwidth per rep (most hours short first), the team total and today's team check beside it."""

    month: date
    depth_goal: int
    minutes_per_attempt: float
    reps: tuple[RepBandwidth, ...]
    unassigned: RepBandwidth | None  # marketing and sales leads handed without an owner: nobody's hours
    team: RepBandwidth
    capacity: Capacity  # SPEC 7 at the leads needed, with the team's rep count and hours setting
    own_goals: bool = False  # a goal rule sets a depth goal: each lead is held to its own

    @property
    def goal_words(self) -> str:
        """The depth goal the leads are held to, in words."""
        if self.own_goals:
            return f"their own depth goal ({self.depth_goal} attempts unless a goal rule sets another)"
        return f"the depth goal of {self.depth_goal} attempts"

    @property
    def overloaded(self) -> tuple[RepBandwidth, ...]:
        return tuple(r for r in self.reps if r.overloaded)

    def table_rows(self, limit: int | None = None) -> list[dict]:
        """One row per rep, then the leads without an owner and the team total, under the page's labels.

        With ``limit``, the first ``limit`` reps (the most hours short) one by one and the others
        summed in one row ("Other reps (N)", their hours together).
        """
        shown, rest = (self.reps, ()) if limit is None else (self.reps[:limit], self.reps[limit:])
        grouped = [replace(_total(list(rest), list(rest)), rep=OTHER_REPS.format(count=len(rest)))] if rest else []
        rows = [*shown, *grouped, *([self.unassigned] if self.unassigned else []), self.team]
        return [{LABELS[k]: v for k, v in r.as_dict().items()} for r in rows]

    def overload_sentences(self) -> list[str]:
        """One sentence per rep whose depth misses come with an overload: the attempts goal needs hours first."""
        month = f"{self.month:%B %Y}"
        return [f"{r.rep} has {r.below_goal:,} marketing lead(s) below {self.goal_words}: "
                f"the {r.missing_attempts:,} missing attempts take {r.needed_hours:,.1f} h at "
                f"{self.minutes_per_attempt:g} min each, but {r.rep} has {r.available_hours:,.1f} h for marketing "
                f"leads in {month} ({r.gap_hours:,.1f} h short). An attempts goal is useless without bandwidth: "
                f"route fewer leads to {r.rep} or free more of their hours." for r in self.overloaded]


NO_OVERRIDES = RepHours()


def bandwidth(loads: tuple[RepLoad, ...], a: Assumptions, month: date, rep_hours: RepHours = NO_OVERRIDES) -> Bandwidth:
    """Each rep's load of ``month`` against their hours, at the assumptions' depth goal and minutes per attempt."""
    team_hours = a.hours_per_week_on_marketing_leads
    reps = [_rep_figures(load, a, rep_hours.hours_for(load.owner, team_hours), month)
            for load in loads if load.owner != NO_OWNER]
    unassigned = [_rep_figures(load, a, None, month) for load in loads if load.owner == NO_OWNER]
    reps.sort(key=lambda r: (-r.gap_hours, r.rep))
    return Bandwidth(month=month, depth_goal=a.depth_goal_attempts, minutes_per_attempt=a.minutes_per_attempt,
                     reps=tuple(reps), unassigned=unassigned[0] if unassigned else None,
                     team=_total(reps + unassigned, reps), capacity=rep_capacity(a, month),
                     own_goals=any(g is not None for g in _rule_goals(a)))


def rep_loads(con: duckdb.DuckDBPyConnection, month: date, as_of: datetime | None, tz: str,
              rules: GoalRules = NO_RULES) -> tuple[RepLoad, ...]:
    """Per owner, the leads handed in the local ``month`` by the as-of time, the unconnected ones by the goal rule
    they match (no goal's value: keep it per dataset, month and rules' order, ``rule_keys``)."""
    if as_of is None:
        return ()
    handed_from, handed_to = month_window(month, tz)
    found = queries.records(con, "sales/rep_bandwidth", as_of=as_of, handed_from=handed_from, handed_to=handed_to,
                            **rules.sql_params())
    return tuple(_load(r) for r in found)


def _load(row: dict) -> RepLoad:
    groups = row["unconnected_marketing"]
    return RepLoad(owner=row["owner"], marketing_handed=int(row["marketing_handed"]),
                   sales_handed=int(row["sales_handed"]), marketing_attempts=int(row["marketing_attempts"]),
                   sales_attempts=int(row["sales_attempts"]),
                   unconnected=tuple((int(u["attempts"]), int(u["leads"])) for u in groups if u["rule"] is None),
                   unconnected_ruled=tuple((int(u["rule"]), int(u["attempts"]), int(u["leads"]))
                                           for u in groups if u["rule"] is not None))


def rule_keys(rules: GoalRules) -> GoalRules:
    """``rules`` with only what the loads read (each rule's field and value, in order): a goal edit keeps the key."""
    return GoalRules(tuple(GoalRule(r.field, r.value, depth_goal_attempts=1) for r in rules))


def rep_bandwidth(con: duckdb.DuckDBPyConnection, a: Assumptions, month: date, as_of: datetime | None, tz: str,
                  rep_hours: RepHours = NO_OVERRIDES) -> Bandwidth:
    """The month's bandwidth per rep in one call (``rep_loads`` then ``bandwidth``)."""
    return bandwidth(rep_loads(con, month, as_of, tz, a.goal_rules), a, month, rep_hours)
