"""The sections of the Marketing SLA page (pages/marketing.py): widgets and drawing, the data from its view.

They live in an imported module, not in the page script, so Python compiles them once per
process: Streamlit compiles a page script again whenever its script cache is new (each
AppTest run), and a what-if rerun should cost only the drawing.
``ws.assumptions`` is the single source of truth: widgets show it and their callbacks
replace it (each callback is handed the workspace it changes), the URL mirrors it (a copied
link reopens the same view), and ``sla_core.marketing.view`` keeps every queried result in
the session's cache, so moving a slider never re-runs DuckDB.
"""
from __future__ import annotations

import streamlit as st

from pages.common.state import Workspace
from pages.common.ui import KEYS, built_while_open, literal
from pages.sections import marketing_goal as goal
from pages.sections.marketing_goal import markdown_table, note
from sla_core import formatting as fmt
from sla_core.assumptions import Assumptions
from sla_core.marketing import actuals, controls, display, targets
from sla_core.marketing import view as marketing
from sla_core.marketing.controls import INPUTS
from sla_core.report import parse_month

LINK_STATE = "marketing_link"  # the query parameters this page last sent to the browser
LINK_READ = "marketing_link_read"  # a link's parameters were applied (on the page's first run in the session)
PAGE_LINK_KEYS = ("month", "draft")  # "draft": this tab's draft (pages/common/access.py), not an assumption
INPUT_ERROR = "marketing_input_error"
ACTUALS_NOTE = "marketing_actuals_note"
POOL_SETTINGS = "marketing_pool"  # the months to pool: kept while their section is closed
RULES_VERSION, TABLE_VERSION = "tier_rules_version", "tier_table_version"  # a new editor key after each edit
ASSUMPTIONS = "Assumptions and targets for the month"
MONTHLY_SECTION = "The monthly recalculation"
READ_ONLY_NOTE = "Read-only shared view: the assumptions are fixed by whoever shared it."
PURPOSE = ("How many leads marketing owes sales each month, and whether it is on the goal line. Move an "
           "assumption and every number follows at once; the page address keeps your what-if view.")
READ_ONLY_PURPOSE = ("How many leads marketing owes sales each month, and whether it is on the goal line, under "
                     "the assumptions it was shared with.")
TIER_COLUMNS = {
    "Share of goal (%)": st.column_config.NumberColumn(min_value=0, max_value=100, format="%.1f %%"),
    "Avg deal size ($)": st.column_config.NumberColumn(min_value=0, format="$%.2f"),
    "Close rate (%)": st.column_config.NumberColumn(min_value=0, max_value=100, format="%.2f %%"),
    "Value per lead ($)": st.column_config.NumberColumn(
        min_value=0, format="$%.2f", help="Worth of one lead of this tier; n/a (left empty): close rate × deal size."),
}


def heading(title: str, text: str) -> str:
    """A subheader and its caption as one markdown element: every element costs on each what-if rerun."""
    return f"### {title}\n\n{note(text)}"


def read_link(ws: Workspace) -> None:
    """Apply a copied link's parameters once: on the page's first run in this session (opening a link, or
    reloading, starts a new session). After that the address only mirrors the session's state: each rerun
    brings the address the browser had when it asked for it, which a fast key press sends before the
    previous run's new address arrives, so reading it again would put an older value over a newer one."""
    if ws.read_only or st.session_state.get(LINK_READ):
        return
    st.session_state[LINK_READ] = True  # before the first element: a rerun may overtake this run at any
    params = st.query_params.to_dict()
    if not params:
        return
    ws.assumptions, warnings = Assumptions.from_query(params, base=ws.assumptions, other_keys=PAGE_LINK_KEYS)
    if "month" in params:
        try:
            st.session_state[KEYS.goal_month] = parse_month(params["month"])
        except ValueError as exc:
            warnings.append(f"ignored the link parameter month: {exc}")
    for warning in warnings:
        st.warning(f"Link: {literal(warning)}", icon="⚠️")


def write_link(ws: Workspace, month) -> None:
    """Make the page address show the state this run drew: every parameter, whenever the address this rerun
    came with or the one this session last sent differs from it. The browser applies addresses in the order
    they were sent, so it ends on the last run's, never on an older run's still on its way."""
    wanted = {**ws.assumptions.to_query(), **({"month": f"{month:%Y-%m}"} if month else {})}
    came_with, sent = st.query_params.to_dict(), st.session_state.get(LINK_STATE, {})
    if any(came_with.get(k) != v or sent.get(k) != v for k, v in wanted.items()):
        st.query_params.update(wanted)
        st.session_state[LINK_STATE] = st.query_params.to_dict()


def pool_months() -> int:
    """The complete, mature months "use my actuals" pools, as last chosen (SPEC 3: 3)."""
    return st.session_state.get(POOL_SETTINGS, actuals.DEFAULT_POOL)


def _on_input(ws: Workspace, field: str, widget_key: str) -> None:
    if ws.read_only:  # disabled in the browser; refuse a crafted change on the server too
        return
    try:
        ws.assumptions = controls.from_shown(ws.assumptions, {field: st.session_state[widget_key]})
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
    if ws.read_only:
        st.markdown(f"{note(READ_ONLY_PURPOSE)}\n\n{heading(ASSUMPTIONS, READ_ONLY_NOTE)}")
    else:
        st.markdown(f"{note(PURPOSE)}\n\n### {ASSUMPTIONS}")


def assumption_inputs(ws: Workspace, data: marketing.Marketing | None, pooled) -> None:
    """A slider per assumption (a read-only view shows their values instead); under them a section (built
    while open) with a number input per assumption, use my actuals (given ``pooled``) and the monthly
    recalculation (given months in ``data``). Widgets show ``ws.assumptions`` and their callbacks replace it."""
    with_monthly = data is not None and not data.monthly.empty
    monthly = data if with_monthly else None
    if ws.read_only:
        values = controls.shown_values(ws.assumptions)
        st.markdown(markdown_table(["Assumption", "Value"], values))  # one per row: a phone shows them all
        if monthly is not None:
            built_while_open(MONTHLY_SECTION, KEYS.exact_values_open, lambda: _monthly_table(monthly))
        return
    with st.container(horizontal=True):
        for spec in INPUTS:
            shown = _show_assumption(ws, spec.key, spec)
            st.slider(spec.label, min_value=spec.slider_low(shown), max_value=spec.slider_high(shown), step=spec.step,
                      format=spec.slider_format, help=spec.help, key=KEYS.assumption(spec.key),
                      on_change=_on_input, args=(ws, spec.key, spec.key))
    label = controls.exact_values_label(pooled is not None, with_monthly)
    built_while_open(label, KEYS.exact_values_open, lambda: _exact_inputs(ws, pooled, monthly))
    if INPUT_ERROR in st.session_state:
        st.error(f"Not applied: {literal(st.session_state[INPUT_ERROR])}")


def _exact_inputs(ws: Workspace, pooled, data: marketing.Marketing | None) -> None:
    """A number input per assumption (also beyond the sliders' ranges), in the sliders' order and widths;
    then use my actuals and the monthly recalculation it pools."""
    with st.container(horizontal=True, vertical_alignment="bottom"):  # labels wrap unevenly: align the inputs
        for spec in INPUTS:
            number_key = KEYS.exact(spec.key)
            _show_assumption(ws, number_key, spec)
            st.number_input(f"{spec.label}, exact value", min_value=spec.input_low, max_value=spec.upper_limit,
                            step=spec.step, format=spec.input_format, key=number_key,
                            on_change=_on_input, args=(ws, spec.key, number_key))
    if pooled is not None:
        _use_my_actuals(ws, pooled)
    if data is not None:
        _monthly_table(data)


def _apply_actuals(ws: Workspace, pooled: actuals.PooledActuals) -> None:
    if ws.read_only:
        return
    done = controls.apply_actuals(ws.assumptions, pooled)
    ws.assumptions = done.assumptions
    st.session_state[ACTUALS_NOTE] = done.message(pooled.months)


def _on_pool_setting() -> None:
    st.session_state[POOL_SETTINGS] = int(st.session_state[KEYS.pool_months])


def _use_my_actuals(ws: Workspace, pooled: actuals.PooledActuals) -> None:
    """Fill the rate assumptions from ``pooled``; choose how many months it pools."""
    st.markdown("**Use my actuals**")
    if st.session_state.get(KEYS.pool_months) != pool_months():  # the widget is dropped while the section is closed
        st.session_state[KEYS.pool_months] = pool_months()
    with st.container(horizontal=True, vertical_alignment="bottom"):  # the note wraps to a line of its own
        st.number_input("Complete months to pool", min_value=1, max_value=24, step=1, key=KEYS.pool_months,
                        on_change=_on_pool_setting,
                        help="The latest complete months that are mature and have marketing leads, pooled as "
                             "ratios of sums (all their customers ÷ all their leads), not an average of monthly "
                             "rates. A month still maturing is skipped: its close rate is still rising.")
        st.button("Use my actuals", key=KEYS.use_actuals, type="secondary", on_click=_apply_actuals,
                  args=(ws, pooled), disabled=not pooled.months,
                  help="Replace close rate, deal size and marketing share with the data's.")
        st.caption(display.pool_note(pooled, pool_months()), width="stretch")
    if ACTUALS_NOTE in st.session_state:
        st.success(st.session_state.pop(ACTUALS_NOTE))


def target_metrics(t: targets.Targets) -> None:
    """The targets, right under the assumptions' inputs (one heading for both: an element less per rerun)."""
    row = st.container(horizontal=True)
    row.metric("Marketing revenue goal", fmt.money(t.marketing_revenue_goal), border=True,
               help="Quota × marketing share of revenue. The tiers' value goal is another figure: what the "
                    "leads needed are worth, rounded up to whole customers in each tier.")
    row.metric("Customers needed", fmt.count(t.customers_needed), border=True,
               help="Revenue goal ÷ average deal size, rounded up.")
    row.metric("Leads needed", fmt.count(t.leads_needed), border=True,
               help="Customers needed ÷ close rate, rounded up: the marketing SLA.")


def _apply_tier_actuals(ws: Workspace, data: marketing.Marketing, tiers, months) -> None:
    if ws.read_only:
        return
    ws.tiers = data.tier_actuals_applied(tiers, months)
    _next_editor(TABLE_VERSION)


def _next_editor(version_key: str) -> None:
    st.session_state[version_key] = st.session_state.get(version_key, 0) + 1


def _rules_editor(ws: Workspace, data: marketing.Marketing) -> None:
    """The title → tier rules and how they tier the most common job titles; an edit applies them."""
    st.markdown("**Job title → tier rules** (first match wins; a given tier column always wins; no match → other)")
    shown_rules, check = data.rules_check()
    edited_rules = st.data_editor(shown_rules, key=KEYS.tier_rules(st.session_state.setdefault(RULES_VERSION, 0)),
                                  num_rows="dynamic", hide_index=True, disabled=ws.read_only, width="stretch",
                                  placeholder=fmt.NA)
    if not edited_rules.equals(shown_rules) and not ws.read_only:  # an edit: apply it, then show a fresh editor
        ws.tier_rules = display.rules_from_frame(edited_rules)
        _next_editor(RULES_VERSION)
        st.rerun()
    with st.expander("Check the rules on the most common job titles"):
        st.dataframe(check, hide_index=True, width="stretch", placeholder=fmt.NA)


def _tier_setup(ws: Workspace, data: marketing.Marketing, pooled) -> tuple[list[targets.TierTarget], str | None]:
    """Editors for the title rules and the tier table; the tier targets (or an error) from them."""
    _rules_editor(ws, data)
    st.markdown("**Tier goals** (shares of the marketing revenue goal add up to 100 %; "
                "an empty value per lead means close rate × deal size)")
    tiers = data.tier_table(ws.assumptions, ws.tiers)
    shown_tiers = display.tiers_frame(tiers)  # not cached: default tiers follow the rate sliders
    edited = st.data_editor(shown_tiers, key=KEYS.tier_table(st.session_state.setdefault(TABLE_VERSION, 0)),
                            num_rows="dynamic", hide_index=True, disabled=ws.read_only, width="stretch",
                            column_config=TIER_COLUMNS, placeholder=fmt.NA)
    changed = not edited.equals(shown_tiers) and not ws.read_only
    try:
        new_tiers = display.tiers_from_frame(edited) if changed else tiers
    except ValueError as exc:
        return [], marketing.TIERS_NOT_APPLIED.format(exc)
    result, problem = marketing.tier_targets(ws.assumptions, new_tiers)
    if problem:
        return result, problem
    if pooled is not None and pooled.months and not ws.read_only:
        st.button("Use my actuals for the tiers", key=KEYS.use_tier_actuals, on_click=_apply_tier_actuals,
                  args=(ws, data, tiers, pooled.months),
                  help="Each tier's share of marketing revenue closed, close rate and deal size over the "
                       "months Use my actuals pools (listed under it, in the exact values section).")
    if changed:
        ws.tiers = new_tiers
        _next_editor(TABLE_VERSION)
        st.rerun()
    return result, None


def tiers_section(ws: Workspace, data: marketing.Marketing, pooled) -> tuple[list[targets.TierTarget], str | None]:
    """The tiers section; its editors are built only while it is open (they cost most of a what-if rerun)."""
    shown = built_while_open("Lead-quality tiers: rules, per-tier goals and value mode", KEYS.tiers_open,
                             lambda: _tier_setup(ws, data, pooled))
    return shown if shown is not None else marketing.tier_targets(ws.assumptions,
                                                                  data.tier_table(ws.assumptions, ws.tiers))


def month_sections(ws: Workspace, data: marketing.Marketing | None, pooled, target: targets.Targets):
    """Tiers, the goal line (with the catch-up plan) and the tier goals of the chosen month (returned); None
    without a month to show."""
    if data is None:
        return None
    if data.monthly.empty:
        st.info("The loaded data has no marketing leads or customers up to its as-of time, so there is no month "
                "to show.")
        return None
    tier_targets, tier_problem = tiers_section(ws, data, pooled)
    month = goal.goal_line_section(ws, data, target, tier_targets, tier_problem)
    if tier_targets:
        goal.tier_goals(data, month, tier_targets, target.marketing_revenue_goal)
    return month


def _monthly_table(data: marketing.Marketing) -> None:
    """The monthly recalculation with each maturing month's projected close rate, its CSV, and the conversion
    curve the projections come from (SPEC 3)."""
    m = data.maturity
    st.markdown("**Monthly recalculation**")
    st.caption("Marketing leads by the month they became MQLs and the customers they have produced so far; revenue "
               f"share and sales cycle by the month deals closed. A month is mature {m.threshold_days:,.0f} days "
               f"after it ends ({m.threshold_from}); until then its close rate is a rate \"so far\" and the "
               "projected close rate says where it is heading.")
    st.dataframe(data.monthly_table(), hide_index=True, width="stretch", placeholder=fmt.NA,
                 column_config={name: st.column_config.TextColumn(help=text)
                                for name, text in display.MONTHLY_HELP.items()})
    st.download_button("Download the monthly table (CSV)", data.monthly_csv, file_name="marketing_monthly_actuals.csv",
                       mime="text/csv", key=KEYS.download_monthly, on_click="ignore")
    curve = data.curve_chart()
    if curve is None:
        st.caption("No month is mature yet, so there is no conversion curve to project a close rate from.")
        return
    st.vega_lite_chart(spec=curve, width="stretch")
    st.caption(f"The curve: of the customers the mature months won ({len(m.curve.cycle_days):,}), the share won "
               "within so many days of becoming an MQL. A maturing month (a dot, at its age: the as-of time − "
               "the middle of the month) should have won that share of its customers by now, so its projected "
               "close rate is its close rate so far ÷ that share. Observed, not modelled; below 20 % it is too "
               "early to tell.")
