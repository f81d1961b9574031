"""The sections of the Marketing SLA page (pages/marketing.py), each drawn from ``ws``.

They live in an imported module, not in the page script, so Python compiles them once per
process: Streamlit compiles a page script again whenever its script cache is new (each
AppTest run), and a what-if rerun should cost only the drawing.
``ws.assumptions`` is the single source of truth: widgets show it and their callbacks
replace it, the URL mirrors it (a copied link reopens the same view), and data-only
query results are memoised so moving a slider never re-runs DuckDB.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TypeVar

import pyarrow as pa
import streamlit as st

from streamlit.dataframe_util import convert_anything_to_arrow_bytes

from pages.session import Workspace, literal
from sla_core.marketing import actuals
from sla_core.marketing import charts
from sla_core.marketing import goal_line
from sla_core.marketing import controls as marketing_inputs
from sla_core.marketing import targets
from sla_core import formatting as fmt
from sla_core.marketing import display as tables
from sla_core.assumptions import Assumptions
from sla_core.marketing.controls import INPUTS, NUMBER_SUFFIX
from sla_core.report import parse_month
from sla_core.marketing.tiers import tier_actuals, title_tiers

T = TypeVar("T")
LINK_STATE = "marketing_link"  # the query parameters this page last wrote
PAGE_LINK_KEYS = ("month",)
INPUT_ERROR = "marketing_input_error"
ACTUALS_NOTE = "marketing_actuals_note"
# Sections whose widgets are built only while open (a stateful expander, see built_while_open)
TIERS_OPEN = "tiers_open"
EXACT_OPEN = "exact_values_open"  # exact values, use my actuals and the monthly recalculation
POOL_SETTINGS = "marketing_pool"  # (months to pool, skip maturing months): kept while their section is closed
DEFAULT_POOL = (3, False)  # SPEC 3: the last 3 complete months
TIERS_NOT_APPLIED = "Tier table not applied: {}"
ASSUMPTIONS = "Assumptions and targets for the month"
READ_ONLY_NOTE = "Read-only shared view: the assumptions are fixed by whoever shared it."
PURPOSE = ("How many leads marketing owes sales each month, and whether it is on the goal line. Move an "
           "assumption and every number follows at once; the page address keeps your what-if view.")
ALL_LEADS = "All marketing leads"
GOAL_TO_DATE = "goal to date"
MONTH_GOAL = "goal for the month"
VALUE_VIEW = "Lead value (value mode)"
VALUE_UNIT = "lead value"
VALUE_MODE_STATE = "marketing_value_mode"  # the latest value-mode series, goal line and charts
TIER_COLUMNS = {
    "Share of goal (%)": st.column_config.NumberColumn(min_value=0, max_value=100, format="%.1f %%"),
    "Avg deal size ($)": st.column_config.NumberColumn(min_value=0, format="$%.2f"),
    "Close rate (%)": st.column_config.NumberColumn(min_value=0, max_value=100, format="%.2f %%"),
    "Value per lead ($)": st.column_config.NumberColumn(
        min_value=0, format="$%.2f", help="Worth of one lead of this tier; empty: close rate × deal size."),
}
FIELD_NAMES = {"close_rate": "close rate", "avg_deal_size": "average deal size", "marketing_share": "marketing share"}


def note(text: str) -> str:
    """``text`` as markdown that looks like st.caption, to share a markdown element with a heading."""
    return f":small[:gray[{text}]]"


def heading(title: str, text: str) -> str:
    """A subheader and its caption as one markdown element: every element costs on each what-if rerun."""
    return f"### {title}\n\n{note(text)}"


def markdown_table(header, rows) -> str:
    """A small static table as markdown (first column left, figures right), every cell escaped: drawn inside
    the heading's markdown it costs a rerun no element of its own and no Arrow serialisation."""
    lines = ["| " + " | ".join(map(literal, header)) + " |", "|---|" + "---:|" * (len(header) - 1)]
    lines += ["| " + " | ".join(map(literal, row)) + " |" for row in rows]
    return "\n".join(lines)


def built_while_open(label: str, key: str, build: Callable[[], T]) -> T | None:
    """A stateful expander (``key``, ``on_change="rerun"``) whose content ``build`` draws only while it
    is open; closed, it costs a what-if rerun one element instead of the widgets inside. None when closed."""
    with st.expander(label, key=key, on_change="rerun") as section:
        if section.open:
            return build()
    return None


def read_link(ws: Workspace) -> None:
    """Apply the URL's parameters when they are not the ones this page wrote (a copied link)."""
    params = st.query_params.to_dict()
    if ws.read_only or not params or params == st.session_state.get(LINK_STATE):
        return
    ws.assumptions, warnings = Assumptions.from_query(params, base=ws.assumptions, other_keys=PAGE_LINK_KEYS)
    if "month" in params:
        try:
            st.session_state["goal_month"] = parse_month(params["month"])
        except ValueError as exc:
            warnings.append(f"ignored the link parameter month: {exc}")
    for warning in warnings:
        st.warning(f"Link: {literal(warning)}", icon="⚠️")


def write_link(ws: Workspace, month) -> None:
    wanted = {**ws.assumptions.to_query(), **({"month": f"{month:%Y-%m}"} if month else {})}
    shown = st.query_params.to_dict()
    changed = {k: v for k, v in wanted.items() if shown.get(k) != v}
    if changed:
        st.query_params.update(changed)
        shown = {**shown, **changed}
    st.session_state[LINK_STATE] = shown


def _on_input(ws: Workspace, field: str, widget_key: str) -> None:
    if ws.read_only:  # disabled in the browser; refuse a crafted change on the server too
        return
    try:
        ws.assumptions = marketing_inputs.from_shown(ws.assumptions, {field: st.session_state[widget_key]})
        st.session_state.pop(INPUT_ERROR, None)
    except ValueError as exc:
        st.session_state[INPUT_ERROR] = str(exc)


def _show_assumption(ws: Workspace, key: str, spec) -> float:
    """The value a widget of ``spec`` shows, written to its state only when stale (each write costs every rerun)."""
    shown = spec.shown(ws.assumptions)
    if st.session_state.get(key) != shown:
        st.session_state[key] = shown
    return shown


def title(ws: Workspace) -> None:
    """The page's title (st.title: how every page is recognised), then what the page is for and the heading
    of its first section as one markdown element."""
    st.title("Marketing SLA")
    section = heading(ASSUMPTIONS, READ_ONLY_NOTE) if ws.read_only else f"### {ASSUMPTIONS}"
    st.markdown(f"{note(PURPOSE)}\n\n{section}")


def assumption_inputs(ws: Workspace, pooled: actuals.PooledActuals | None, monthly) -> None:
    """A slider per assumption; under them a section (built while open) with a number input per assumption,
    use my actuals (given ``pooled``) and the monthly recalculation (given ``monthly``). Widgets show
    ``ws.assumptions`` and their callbacks replace it."""
    with st.container(horizontal=True):
        for spec in INPUTS:
            shown = _show_assumption(ws, spec.key, spec)
            st.slider(spec.label, min_value=spec.slider_low(shown), max_value=spec.slider_high(shown), step=spec.step,
                      format=spec.slider_format, help=spec.help, key=spec.key, disabled=ws.read_only,
                      on_change=_on_input, args=(ws, spec.key, spec.key))
    parts = ["Exact values", *(["use my actuals"] if pooled is not None else []),
             *(["the monthly recalculation"] if monthly is not None and not monthly.empty else [])]
    label = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
    built_while_open(label, EXACT_OPEN, lambda: _exact_inputs(ws, pooled, monthly))
    if INPUT_ERROR in st.session_state:
        st.error(f"Not applied: {literal(st.session_state[INPUT_ERROR])}")


def _exact_inputs(ws: Workspace, pooled: actuals.PooledActuals | None, monthly) -> None:
    """A number input per assumption (also beyond the sliders' ranges), in the sliders' order and widths;
    then use my actuals and the monthly recalculation it pools."""
    with st.container(horizontal=True, vertical_alignment="bottom"):  # labels wrap unevenly: align the inputs
        for spec in INPUTS:
            number_key = spec.key + NUMBER_SUFFIX
            _show_assumption(ws, number_key, spec)
            st.number_input(f"{spec.label}, exact value", min_value=spec.input_low, max_value=spec.upper_limit,
                            step=spec.step, format=spec.input_format, key=number_key, disabled=ws.read_only,
                            on_change=_on_input, args=(ws, spec.key, number_key))
    if pooled is not None:
        _use_my_actuals(ws, pooled)
    if monthly is not None and not monthly.empty:
        _monthly_table(ws, monthly)


def _apply_actuals(ws: Workspace, pooled: actuals.PooledActuals) -> None:
    if ws.read_only:
        return
    done = marketing_inputs.apply_actuals(ws.assumptions, pooled)
    ws.assumptions = done.assumptions
    months = ", ".join(f"{m:%b %Y}" for m in pooled.months) or "no complete month"
    message = f"Filled from {months}: {', '.join(FIELD_NAMES[f] for f in done.applied) or 'nothing'}."
    if done.skipped:
        message += f" Kept your {', '.join(FIELD_NAMES[f] for f in done.skipped)}: the data gives no usable value."
    st.session_state[ACTUALS_NOTE] = message


def pooled_actuals(ws: Workspace, monthly) -> actuals.PooledActuals:
    """The rates of the last k complete months, pooled as ratios of sums (k and skip as last chosen)."""
    k, skip = st.session_state.get(POOL_SETTINGS, DEFAULT_POOL)
    return ws.memo(_monthly_key(ws) + ("pooled", k, skip), lambda: actuals.pooled_actuals(monthly, k, skip))


def _on_pool_setting() -> None:
    st.session_state[POOL_SETTINGS] = (int(st.session_state["pool_months"]), st.session_state["pool_skip_maturing"])


def _use_my_actuals(ws: Workspace, pooled: actuals.PooledActuals) -> None:
    """Fill the rate assumptions from ``pooled``; choose the months it pools."""
    st.markdown("**Use my actuals**")
    for key, value in zip(("pool_months", "pool_skip_maturing"), st.session_state.get(POOL_SETTINGS, DEFAULT_POOL)):
        if st.session_state.get(key) != value:  # the widgets are dropped while the section is closed
            st.session_state[key] = value
    with st.container(horizontal=True, vertical_alignment="bottom"):  # the note wraps to a line of its own
        st.number_input("Complete months to pool", min_value=1, max_value=24, step=1, key="pool_months",
                        on_change=_on_pool_setting,
                        help="Use my actuals pools these months as ratios of sums (all their customers ÷ "
                             "all their leads), not an average of monthly rates.")
        st.checkbox("Skip months still maturing", key="pool_skip_maturing", on_change=_on_pool_setting,
                    help="A month younger than the average sales cycle may still gain customers, "
                         "so its close rate is too low for now.")
        st.button("Use my actuals", key="use_actuals", type="secondary", on_click=_apply_actuals, args=(ws, pooled),
                  disabled=not pooled.months, help="Replace close rate, deal size and marketing share with the data's.")
        if pooled.months:
            used = ", ".join(f"{m:%b %Y}" for m in pooled.months)
            maturing = ", ".join(f"{m:%b %Y}" for m in pooled.maturing_months)
            st.caption(f"Months used: {used}{f' (still maturing: {maturing})' if maturing else ''}. "
                       f"Close rate {fmt.percent(pooled.close_rate, 2)}, deal size {fmt.money(pooled.avg_deal_size)}, "
                       f"marketing share {fmt.percent(pooled.marketing_revenue_share)}.", width="stretch")
        else:
            st.caption("No complete month in the data yet: nothing to pool.", width="stretch")
    if ACTUALS_NOTE in st.session_state:
        st.success(st.session_state.pop(ACTUALS_NOTE))


def target_metrics(t: targets.Targets) -> None:
    """The targets, right under the assumptions' inputs (one heading for both: an element less per rerun)."""
    row = st.container(horizontal=True)
    row.metric("Marketing revenue goal", fmt.money(t.marketing_revenue_goal), border=True,
               help="Quota × marketing share of revenue.")
    row.metric("Customers needed", fmt.count(t.customers_needed), border=True,
               help="Revenue goal ÷ average deal size, rounded up.")
    row.metric("Leads needed", fmt.count(t.leads_needed), border=True,
               help="Customers needed ÷ close rate, rounded up: the marketing SLA.")


def _apply_tier_actuals(ws: Workspace, tiers, months) -> None:
    if ws.read_only:
        return
    dataset = ws.dataset
    start, end = actuals.month_span(months)
    per_tier = ws.memo(("marketing/tier_actuals", ws.tier_rules, start, end), lambda: tier_actuals(
        ws.con, dataset.tz, dataset.as_of, ws.tier_rules, start, end))
    ws.tiers = marketing_inputs.apply_tier_actuals(tiers, per_tier)
    st.session_state["tier_table_version"] = st.session_state.get("tier_table_version", 0) + 1


def _tier_names(ws: Workspace, daily) -> tuple[str, ...]:
    return ws.memo(("tier_names", *_daily_key(ws)), lambda: tuple(daily["tier"].unique()))


def _tier_table(ws: Workspace, daily) -> tuple[targets.TierAssumption, ...]:
    """The user's tier table, or the default tiers on the current rates."""
    return ws.tiers or targets.default_tiers(ws.assumptions, _tier_names(ws, daily))


def _current_tier_targets(ws: Workspace, daily) -> tuple[list[targets.TierTarget], str | None]:
    """The tier targets of the tier table as it is: what a closed tiers section gives."""
    try:
        return targets.tier_targets(ws.assumptions, _tier_table(ws, daily)), None
    except ValueError as exc:
        return [], TIERS_NOT_APPLIED.format(exc)


def _tier_setup(ws: Workspace, daily, pooled) -> tuple[list[targets.TierTarget], str | None]:
    """Editors for the title rules and the tier table; the tier targets (or an error) from them."""
    st.markdown("**Job title → tier rules** (first match wins; a given tier column always wins; no match → other)")
    rules_key = f"tier_rules_{st.session_state.setdefault('tier_rules_version', 0)}"
    shown_rules = ws.memo(("rules_frame", ws.tier_rules), lambda: tables.rules_frame(ws.tier_rules))
    edited_rules = st.data_editor(shown_rules, key=rules_key, num_rows="dynamic",
                                  hide_index=True, disabled=ws.read_only, width="stretch")
    if not edited_rules.equals(shown_rules) and not ws.read_only:  # an edit: apply it, then show a fresh editor
        ws.tier_rules = tables.rules_from_frame(edited_rules)
        st.session_state["tier_rules_version"] += 1
        st.rerun()
    with st.expander("Check the rules on the most common job titles"):
        check = ws.memo(("marketing/title_tiers", ws.tier_rules), lambda: title_tiers(ws.con, ws.tier_rules))
        shown_check = ws.memo(("title_check_display", ws.tier_rules),
                              lambda: _arrow_table(tables.title_check_display(check)))
        st.dataframe(shown_check, hide_index=True, width="stretch")

    st.markdown("**Tier goals** (shares of the marketing revenue goal add up to 100 %; "
                "an empty value per lead means close rate × deal size)")
    tiers = _tier_table(ws, daily)
    tiers_key = f"tier_table_{st.session_state.setdefault('tier_table_version', 0)}"
    shown_tiers = tables.tiers_frame(tiers)  # not memoised: default tiers follow the rate sliders (a key per value)
    edited = st.data_editor(shown_tiers, key=tiers_key, num_rows="dynamic", hide_index=True,
                            disabled=ws.read_only, width="stretch", column_config=TIER_COLUMNS)
    changed = not edited.equals(shown_tiers) and not ws.read_only
    try:
        new_tiers = tables.tiers_from_frame(edited) if changed else tiers
        result = targets.tier_targets(ws.assumptions, new_tiers)
    except ValueError as exc:
        return [], TIERS_NOT_APPLIED.format(exc)
    if pooled is not None and pooled.months and not ws.read_only:
        st.button("Use my actuals for the tiers", key="use_tier_actuals", on_click=_apply_tier_actuals,
                  args=(ws, tiers, pooled.months),
                  help="Each tier's share of marketing revenue closed, close rate and deal size over the "
                       "months Use my actuals pools (listed under it, in the exact values section).")
    if changed:
        ws.tiers = new_tiers
        st.session_state["tier_table_version"] += 1
        st.rerun()
    return result, None


def tiers_section(ws: Workspace, daily, pooled) -> tuple[list[targets.TierTarget], str | None]:
    """The tiers section; its editors are built only while it is open (they cost most of a what-if rerun)."""
    shown = built_while_open("Lead-quality tiers: rules, per-tier goals and value mode", TIERS_OPEN,
                             lambda: _tier_setup(ws, daily, pooled))
    return shown if shown is not None else _current_tier_targets(ws, daily)


def _status(line: goal_line.GoalLine, unit: str) -> None:
    """The goal line's figures in one row, each goal as the badge under the figure it is compared with (the
    goal to date under the actual, the month's goal under the projection; whether the month is on track under
    the attainment): three metrics where five would cost more on every what-if rerun."""
    shown = fmt.money if unit == VALUE_UNIT else fmt.count
    row = st.container(horizontal=True)
    day = f"day {line.as_of_day} of {line.days_in_month}" if line.as_of_day else "not started"
    row.metric(f"Actual to date ({unit})", shown(line.actual), delta=f"{GOAL_TO_DATE} {shown(line.goal_to_date)}",
               delta_color="gray", delta_arrow="off",
               help=f"As of {day}. Goal to date: the goal spread evenly over the month's days, up to the as-of day.")
    if line.on_track is True:
        track, color, arrow = "On track", "green", "up"
    elif line.on_track is False:
        track, color, arrow = "Behind the goal line", "red", "down"
    else:
        track, color, arrow = "n/a: " + ("month not started" if line.as_of_day is None else "no goal"), "gray", "off"
    row.metric("Attainment", fmt.percent(line.attainment, 0), delta=track, delta_color=color, delta_arrow=arrow,
               help="Actual to date ÷ goal to date; on track when it is at least 100 %.")
    row.metric(f"Projection ({unit})", shown(line.projection), delta=f"{MONTH_GOAL} {shown(line.goal)}",
               delta_color="gray", delta_arrow="off",
               help="Month-end projection: actual to date × days in month ÷ days elapsed, against the month's goal.")


def goal_line_section(ws: Workspace, dataset, monthly, daily, t: targets.Targets, tier_result, tier_error):
    """The chosen month's goal line for all leads, one tier or lead value; returns the month."""
    st.subheader("Goal line")
    months = ws.memo(_monthly_key(ws) + ("months",), lambda: list(monthly["month"]))
    if st.session_state.get("goal_month") not in months:
        st.session_state["goal_month"] = months[-1]
    month = st.select_slider("Month", options=months, format_func=lambda m: f"{m:%b %Y}", key="goal_month",
                             help="Flip through months; the last one is the as-of month.")
    views = [ALL_LEADS, *(tt.name for tt in tier_result), *([VALUE_VIEW] if tier_result else [])]
    view = st.radio("Goal line for", views, horizontal=True, key="goal_view")
    values = {tt.name: tt.value_per_lead for tt in tier_result}
    memo = ws.memo
    if view == VALUE_VIEW:  # values per lead follow the rate sliders: keep only the latest results
        memo = partial(_latest, ws)
        series_key = ("value", ws.tier_rules, tuple(sorted(values.items())))
        series = memo(("series", *series_key), lambda: goal_line.value_series(daily, values))
        goal, unit = targets.value_goal(tier_result), VALUE_UNIT
    elif view == ALL_LEADS or view not in views:
        series_key = ("all", ws.tier_rules)
        series = ws.memo(("series", *series_key), lambda: goal_line.daily_series(daily))
        goal, unit = t.leads_needed, "leads"
    else:
        tier = next(tt for tt in tier_result if tt.name == view)
        series_key = ("tier", ws.tier_rules, tier.name)
        series = _tier_series(ws, daily, tier.name)
        goal, unit = tier.leads_needed, f"{tier.name} leads"
    line = memo(("goal_line", *series_key, month), lambda: goal_line.goal_line(
        series, month, None, dataset.as_of, tz=dataset.tz)).with_goal(goal)
    _status(line, unit)
    # chart specs depend on the data only; the goal is a parameter swapped in on each rerun
    spec = memo(("goal_chart", *series_key, month, unit), lambda: _arrow_spec(charts.goal_line_chart(line, unit)))
    st.vega_lite_chart(spec=charts.with_goal(spec, goal), width="stretch")
    history = memo(("attainment_chart", *series_key), lambda: _arrow_spec(charts.attainment_chart(
        goal_line.month_attainments(series, None, dataset.as_of, months, tz=dataset.tz), None)))
    st.vega_lite_chart(spec=charts.with_goal(history, goal), width="stretch")
    if tier_error:
        st.error(literal(tier_error))
    return month


def _latest(ws: Workspace, key: tuple, compute):
    """``ws.memo`` for results that follow a slider (value mode): one kept per kind, the latest.

    In ``ws.memo`` each slider value would add entries until it is cleared, and clearing it
    drops the DuckDB results too, so the next rerun would query the data again.
    """
    held = st.session_state.setdefault(VALUE_MODE_STATE, {})
    full_key = (ws.dataset.version, *key)
    kind = key[0]
    if kind not in held or held[kind][0] != full_key:
        held[kind] = (full_key, compute())
    return held[kind][1]


def _arrow_spec(chart) -> dict:
    """The chart's spec with its datasets as Arrow bytes, which Streamlit sends as they are:
    memoised, a rerun does not re-serialise the chart data."""
    spec = chart.to_dict()
    return {**spec, "datasets": {name: convert_anything_to_arrow_bytes(values)
                                 for name, values in spec.get("datasets", {}).items()}}


def _arrow_table(frame) -> pa.Table:
    """A memoised table as Arrow, so a rerun sends it without converting from pandas again."""
    return pa.Table.from_pandas(frame, preserve_index=False)


def marketing_data(ws: Workspace, dataset):
    """The monthly recalculation, the daily marketing leads (queried once per dataset) and, in an editable
    view with months to pool, the pooled actuals; all None without data."""
    if dataset is None:
        return None, None, None
    monthly = ws.memo(_monthly_key(ws), lambda: actuals.monthly_actuals(ws.con, dataset.tz, dataset.as_of))
    daily = ws.memo(_daily_key(ws),
                    lambda: actuals.daily_marketing_leads(ws.con, dataset.tz, dataset.as_of, ws.tier_rules))
    pooled = pooled_actuals(ws, monthly) if not monthly.empty and not ws.read_only else None
    return monthly, daily, pooled


def month_sections(ws: Workspace, dataset, monthly, daily, pooled, target: targets.Targets):
    """Tiers, the goal line and the tier goals of the chosen month (returned); None without a month to show."""
    if monthly is None:
        return None
    if monthly.empty:
        st.info("The loaded data has no marketing leads or customers up to its as-of time, so there is no month "
                "to show.")
        return None
    tier_targets, tier_problem = tiers_section(ws, daily, pooled)
    month = goal_line_section(ws, dataset, monthly, daily, target, tier_targets, tier_problem)
    if tier_targets:
        tier_goals(ws, dataset, daily, month, tier_targets)
    return month


def _monthly_key(ws: Workspace) -> tuple:
    return ("marketing/monthly_actuals", ws.dataset.tz, ws.dataset.as_of)


def _daily_key(ws: Workspace) -> tuple:
    return ("marketing/daily_marketing_leads", ws.dataset.tz, ws.dataset.as_of, ws.tier_rules)


def _tier_series(ws: Workspace, daily, tier: str):
    return ws.memo(("series", "tier", ws.tier_rules, tier), lambda: goal_line.tier_series(daily, tier))


def tier_goals(ws: Workspace, dataset, daily, month, tier_result) -> None:
    """Per tier: its goals and where the chosen month stands, a static table in its heading's markdown."""
    lines = {tt.name: ws.memo(("goal_line", "tier", ws.tier_rules, tt.name, month), lambda tt=tt: goal_line.goal_line(
        _tier_series(ws, daily, tt.name), month, None, dataset.as_of, tz=dataset.tz)).with_goal(tt.leads_needed)
             for tt in tier_result}
    value = (f"Value goal for the month: {literal(fmt.money(targets.value_goal(tier_result)))} "
             "(Σ leads needed × value per lead).")
    st.markdown(heading("Tier goals for the chosen month", value) + "\n\n"
                + markdown_table(tables.TIER_GOAL_COLUMNS, tables.tier_goal_rows(tier_result, lines)))


def _monthly_table(ws: Workspace, monthly) -> None:
    """The monthly recalculation and its CSV (SPEC 3)."""
    st.markdown("**Monthly recalculation**")
    st.caption("Marketing leads by the month they became MQLs and the customers they have produced so far; "
               "revenue share and sales cycle by the month deals closed. A maturing month is younger than "
               "the average sales cycle, so its close rate may still rise.")
    st.dataframe(ws.memo(_monthly_key(ws) + ("display",), lambda: _arrow_table(tables.monthly_display(monthly))),
                 hide_index=True, width="stretch")
    st.download_button("Download the monthly table (CSV)", lambda: tables.monthly_csv(monthly),
                       file_name="marketing_monthly_actuals.csv", mime="text/csv", key="download_monthly",
                       on_click="ignore")
