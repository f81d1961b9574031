"""Everything the Marketing SLA page draws, loaded once per dataset and kept in the session's cache.

The page hands in plain values (connection, dataset, title rules, assumptions, the chosen
month and view) and gets back frames, rows and chart specs. Every query and every result
derived from queried data goes through the ``ResultCache``, so moving an assumption
re-runs only arithmetic: the targets and the goal's place in the charts.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import TYPE_CHECKING

import duckdb
import pandas as pd
import pyarrow as pa

from sla_core.assumptions import Assumptions
from sla_core.cache import ResultCache
from sla_core.formatting import is_missing
from sla_core.health import months as calendar_months
from sla_core.health import verdicts
from sla_core.marketing import (
    actuals,
    catch_up,
    charts,
    controls,
    display,
    goal_line,
    maturity,
    scenarios,
    targets,
)
from sla_core.marketing.tiers import TierRule, tier_actuals, title_tiers
from sla_core.store import workspaces as store

if TYPE_CHECKING:
    from sla_core.ingest.load import Dataset

ALL_LEADS = "All marketing leads"
VALUE_VIEW = "Lead value (value mode)"
VALUE_UNIT = "lead value"
TIERS_NOT_APPLIED = "Tier table not applied: {}"


@dataclass(frozen=True)
class GoalView:
    """The chosen month's goal line for one view (all leads, a tier, lead value), ready to draw."""

    line: goal_line.GoalLine
    unit: str
    chart: dict  # Vega-Lite spec, its data as Arrow bytes, the goal swapped in
    history: dict
    verdict: verdicts.Verdict  # the month against its goal (verdicts.marketing): the badge


@dataclass(frozen=True)
class CatchUpView:
    """The chosen month's catch-up plan (SPEC 8b) and its chart: shown while complete months left a deficit."""

    plan: catch_up.CatchUp
    chart: dict


@dataclass(frozen=True)
class Marketing:
    """The Marketing page's data on one dataset: the queried frames and the results derived from them."""

    con: duckdb.DuckDBPyConnection
    dataset: Dataset
    tier_rules: tuple[TierRule, ...]
    run: Callable  # ResultCache.get bound to this dataset's version
    monthly: pd.DataFrame  # the monthly recalculation (one query per dataset)
    daily: pd.DataFrame  # daily marketing leads per tier (one query per dataset and title rules)
    maturity: maturity.Maturity  # which months are mature, the conversion curve, the projections

    @property
    def months(self) -> tuple[date, ...]:
        return self.run(_months, self.monthly)

    @property
    def month_shown_first(self) -> date:
        """The month the page opens on: the latest with a marketing lead (SPEC 8), else the last month."""
        found = self.run(calendar_months.month_shown_first, self.con, self.dataset.tz, self.dataset.as_of)
        return found if found in self.months else self.months[-1]

    def in_progress(self, month: date) -> bool:
        """Whether ``month`` holds the as-of time (it is not over yet)."""
        return calendar_months.phase(month, self.dataset.as_of, self.dataset.tz) == calendar_months.IN_PROGRESS

    def month_label(self, month: date) -> str:
        """"Jan 2025", and "Jan 2025 (in progress)" for the month that holds the as-of time."""
        return f"{month:%b %Y}{' (in progress)' if self.in_progress(month) else ''}"

    def pooled(self, months: int) -> actuals.PooledActuals:
        """The rates of the last ``months`` complete, mature months with leads, pooled as ratios of sums."""
        return self.run(actuals.pooled_actuals, self.monthly, self.maturity.mature_months, months)

    def tier_table(self, a: Assumptions, tiers: tuple[targets.TierAssumption, ...] | None):
        """The user's tier table, or the default tiers (of the data's tier names) on the current rates."""
        return tiers or targets.default_tiers(a, self.run(_tier_names, self.daily))

    def tier_actuals_applied(self, tiers, months: tuple[date, ...]) -> tuple[targets.TierAssumption, ...]:
        """``tiers`` with each tier's share, deal size and close rate over ``months`` from the data."""
        start, end = actuals.month_span(months)
        per_tier = self.run(tier_actuals, self.con, self.dataset.tz, self.dataset.as_of, self.tier_rules, start, end)
        return controls.apply_tier_actuals(tiers, per_tier)

    def rules_check(self) -> tuple[pd.DataFrame, pa.Table]:
        """The title rules as the editor shows them, and the rules applied to the most common job titles."""
        check = self.run(title_tiers, self.con, self.tier_rules)
        return self.run(display.rules_frame, self.tier_rules), self.run(_title_check_table, check)

    def monthly_table(self) -> pa.Table:
        """The monthly recalculation as shown (SPEC 3), as Arrow: a rerun sends it without converting again."""
        return self.run(_monthly_table, self.monthly, self.maturity)

    def monthly_csv(self) -> bytes:
        return display.monthly_csv(self.monthly, self.maturity)

    def curve_chart(self) -> dict | None:
        """The mature cohorts' conversion curve F(t) with the maturing months on it; None before any month is mature."""
        return self.run(_curve_spec, self.maturity) if self.maturity.curve.cycle_days else None

    def catch_up(self, month: date, a: Assumptions) -> CatchUpView | None:
        """``month``'s catch-up goal, deficit and revenue at risk; None while no complete month left a deficit."""
        rows = self.run(catch_up.month_rows, self.monthly)
        plan = self.run(catch_up.catch_up_plan, rows, month, a, a.catch_up_months)
        if not plan.deficit_leads:
            return None
        line = self._goal_line(self.run(goal_line.daily_series, self.daily), month)
        return CatchUpView(plan, self.run(_catch_up_spec, plan, line))

    def goal_view(self, view: str, month: date, t: targets.Targets, tier_result) -> GoalView:
        """The goal line of ``month`` for all leads, one tier (by name) or lead value (``VALUE_VIEW``)."""
        if view == VALUE_VIEW:
            values = tuple(sorted((tt.name, tt.value_per_lead) for tt in tier_result))
            series, goal = self.run(_value_series, self.daily, values), targets.value_goal(tier_result)
            unit = VALUE_UNIT
        else:
            tier = next((tt for tt in tier_result if tt.name == view), None)
            if tier is None:
                series, goal, unit = self.run(goal_line.daily_series, self.daily), t.leads_needed, "leads"
            else:
                series, goal, unit = self._tier_series(tier.name), tier.leads_needed, f"{tier.name} leads"
        line = self._goal_line(series, month)
        spec = self.run(_goal_chart_spec, line, unit)
        history = self.run(_attainment_spec, series, self.dataset.as_of, self.months, self.dataset.tz)
        shown = line.with_goal(goal)
        stage = calendar_months.phase(month, self.dataset.as_of, self.dataset.tz)
        return GoalView(shown, unit, charts.with_goal(spec, goal), charts.with_goal(history, goal),
                        _verdict(shown, stage, counts=view != VALUE_VIEW))

    def tier_goal_rows(self, month: date, tier_result) -> list[tuple[str, ...]]:
        """Per tier: its goals and where ``month`` stands against them, every cell as shown."""
        lines = {tt.name: self._goal_line(self._tier_series(tt.name), month).with_goal(tt.leads_needed)
                 for tt in tier_result}
        return display.tier_goal_rows(tier_result, lines)

    def _tier_series(self, tier: str) -> pd.Series:
        return self.run(goal_line.tier_series, self.daily, tier)

    def _goal_line(self, series: pd.Series, month: date) -> goal_line.GoalLine:
        return self.run(goal_line.goal_line, series, month, None, self.dataset.as_of, tz=self.dataset.tz)


def load(con: duckdb.DuckDBPyConnection, dataset: Dataset, tier_rules: tuple[TierRule, ...],
         cache: ResultCache) -> Marketing:
    """The Marketing page's data on ``dataset`` (queried on the first call, then from ``cache``)."""
    run = partial(cache.get, dataset.version)
    monthly = run(actuals.monthly_actuals, con, dataset.tz, dataset.as_of)
    daily = run(actuals.daily_marketing_leads, con, dataset.tz, dataset.as_of, tier_rules)
    cycles = run(maturity.conversion_cycles, con, dataset.tz, dataset.as_of)
    return Marketing(con, dataset, tier_rules, run, monthly, daily,
                     run(maturity.assess, monthly, cycles, dataset.as_of, dataset.tz))


def goal_views(tier_result) -> list[str]:
    """The goal line's views: all leads, each tier, and lead value once there are tier goals."""
    return [ALL_LEADS, *(tt.name for tt in tier_result), *([VALUE_VIEW] if tier_result else [])]


def tier_targets(a: Assumptions, tiers) -> tuple[list[targets.TierTarget], str | None]:
    """The tier targets of ``tiers``, or none and why the table cannot be applied."""
    try:
        return targets.tier_targets(a, tiers), None
    except ValueError as exc:
        return [], TIERS_NOT_APPLIED.format(exc)


def saved_daily_leads(cur: duckdb.DuckDBPyConnection, workspace_id: str, cache: ResultCache,
                      version: object) -> pd.Series:
    """Daily marketing leads of a saved workspace (to compare scenarios' goal lines), read once per session
    data ``version``: a saved workspace's rows never change."""
    return cache.get(version, _saved_daily, cur, workspace_id)


def _saved_daily(cur: duckdb.DuckDBPyConnection, workspace_id: str) -> pd.Series:
    return scenarios.stored_daily_leads(cur, workspace_id, store.get_workspace(cur, workspace_id).dataset)


# --- results derived from the queried frames (module-level functions: the cache keys on them) ----------------

def _months(monthly: pd.DataFrame) -> tuple[date, ...]:
    return tuple(monthly["month"])


def _tier_names(daily: pd.DataFrame) -> tuple[str, ...]:
    return tuple(daily["tier"].unique())


def _value_series(daily: pd.DataFrame, values: tuple[tuple[str, float | None], ...]) -> pd.Series:
    return goal_line.value_series(daily, dict(values))


def _goal_chart_spec(line: goal_line.GoalLine, unit: str) -> dict:
    return _arrow_spec(charts.goal_line_chart(line, unit))


def _attainment_spec(series: pd.Series, as_of, months: tuple[date, ...], tz: str) -> dict:
    history = goal_line.month_attainments(series, None, as_of, months, tz=tz)
    stages = [calendar_months.phase(month, as_of, tz) for month in months]
    return _arrow_spec(charts.attainment_chart(history.assign(stage=stages), None))


def _verdict(line: goal_line.GoalLine, stage: str, counts: bool) -> verdicts.Verdict:
    """The month against the goal line's goal, by the one marketing verdict rule; leads are counted as
    whole leads (``counts``), lead value as it is."""
    if is_missing(line.goal):
        return verdicts.Verdict(None, "no goal")
    actual = line.actual or 0
    return verdicts.marketing(line.month, stage, int(actual) if counts else actual, line.goal, line.as_of_day)


def _monthly_table(monthly: pd.DataFrame, m: maturity.Maturity) -> pa.Table:
    return pa.Table.from_pandas(display.monthly_display(monthly, m), preserve_index=False)


def _curve_spec(m: maturity.Maturity) -> dict:
    return _arrow_spec(charts.conversion_curve_chart(m))


def _catch_up_spec(plan: catch_up.CatchUp, line: goal_line.GoalLine) -> dict:
    return _arrow_spec(charts.catch_up_chart(plan, line))


def _title_check_table(check: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(display.title_check_display(check), preserve_index=False)


def _arrow_spec(chart) -> dict:
    """The chart's spec with its datasets as Arrow IPC bytes, which Streamlit sends as they are: cached, a
    rerun neither rebuilds the chart nor serialises its data again (the goal is a parameter swapped in)."""
    spec = chart.to_dict()
    return {**spec, "datasets": {name: _arrow_bytes(values) for name, values in spec.get("datasets", {}).items()}}


def _arrow_bytes(records: list[dict]) -> bytes:
    table = pa.Table.from_pandas(pd.DataFrame(records))
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()
