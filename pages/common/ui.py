"""Widgets every page uses, Markdown escaping, and the widget keys (the pages set them, the tests find widgets
by them)."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, TypeVar

import pandas as pd
import streamlit as st

from pages.common.state import Workspace, is_sample
from sla_core import export
from sla_core.data_line import data_line
from sla_core.assumptions import Assumptions
from sla_core.health import verdicts
from sla_core.html_table import Table
from sla_core.marketing.controls import NUMBER_SUFFIX

if TYPE_CHECKING:
    from datetime import date

    from sla_core.ingest.load import Dataset

T = TypeVar("T")
_ASSUMPTIONS = frozenset(f.name for f in fields(Assumptions))


@dataclass(frozen=True)
class Keys:
    """The widget keys of the pages. An assumption's widget is keyed by its ``Assumptions`` field name."""

    # Marketing SLA
    exact_values_open: str = "exact_values_open"  # the section with exact values, use my actuals, the monthly table
    tiers_open: str = "tiers_open"  # the lead-quality tiers section
    pool_months: str = "pool_months"
    use_actuals: str = "use_actuals"
    use_tier_actuals: str = "use_tier_actuals"
    goal_month: str = "goal_month"
    goal_view: str = "goal_view"
    download_monthly: str = "download_monthly"
    # Sales SLA
    sales_clock: str = "sales_clock"
    # Sales: sections built only while open (their editors and the lead grid cost an arrival most of its drawing)
    hours_section_open: str = "hours_section_open"
    calendars_section_open: str = "calendars_section_open"
    rules_section_open: str = "rules_section_open"
    work_first_open: str = "work_first_open"
    rep_hours_open: str = "rep_hours_open"
    breaches_open: str = "breaches_open"
    bh_weekdays: str = "bh_weekdays"
    bh_open: str = "bh_open"
    bh_close: str = "bh_close"
    bh_holidays: str = "bh_holidays"
    bh_holidays_file: str = "bh_holidays_file"
    bh_country: str = "bh_country"
    bh_prefill: str = "bh_prefill"
    # Sales: a business calendar per region (the add form; ``region_calendar_remove`` per listed calendar)
    rc_region: str = "rc_region"
    rc_tz: str = "rc_tz"
    rc_weekdays: str = "rc_weekdays"
    rc_open: str = "rc_open"
    rc_close: str = "rc_close"
    rc_holidays: str = "rc_holidays"
    rc_country: str = "rc_country"
    rc_prefill: str = "rc_prefill"
    rc_add: str = "rc_add"
    sales_month: str = "sales_month"
    sales_period: str = "sales_period"
    breach_owner: str = "breach_owner"
    breach_all: str = "breach_all"
    breach_page: str = "breach_page"
    sales_statistic: str = "sales_statistic"  # the response chart's average, median or p90
    sales_charts: str = "sales_charts"  # which by-period charts are drawn: speed, delays or depth
    download_work_first: str = "download_work_first"
    suggest_goals: str = "suggest_goals"  # goals per segment: suggest, then accept
    accept_goals: str = "accept_goals"
    goal_rule_segment: str = "goal_rule_segment"  # the add-a-rule form: segment, goals, its button
    goal_rule_speed: str = "goal_rule_speed"
    goal_rule_depth: str = "goal_rule_depth"
    add_goal_rule: str = "add_goal_rule"
    # Data: a warehouse source instead of an upload
    spark_url: str = "spark_url"
    warehouse_leads: str = "warehouse_leads"
    warehouse_deals: str = "warehouse_deals"
    warehouse_activities: str = "warehouse_activities"
    warehouse_mapping: str = "warehouse_mapping"
    warehouse_tz: str = "warehouse_tz"
    warehouse_connect: str = "warehouse_connect"
    # Data: sections built only while open (a visit to the page draws their grids and selectboxes only then)
    mapping_open: str = "mapping_open"
    quality_open: str = "quality_open"
    preview_open: str = "preview_open"
    # Save & share
    workspace_name: str = "workspace_name"
    save_workspace: str = "save_workspace"
    saved_pick: str = "saved_pick"
    open_scenario: str = "open_scenario"
    open_workspace: str = "open_workspace"
    confirm_delete: str = "confirm_delete"
    delete_workspace: str = "delete_workspace"
    scenario_name: str = "scenario_name"
    save_scenario: str = "save_scenario"
    revise_pick: str = "revise_pick"
    revise_scenario: str = "revise_scenario"
    compare_first: str = "compare_first"
    compare_second: str = "compare_second"
    link_scenario: str = "link_scenario"
    link_label: str = "link_label"
    link_expiry: str = "link_expiry"
    create_link: str = "create_link"
    revoke_pick: str = "revoke_pick"
    revoke_link: str = "revoke_link"
    # Overview and Agreement (the month picked on one is kept for the other: ``month_picker``)
    overview_month: str = "overview_month"
    agreement_month: str = "agreement_month"
    overview_report: str = "overview_report"
    link_data_version: str = "link_data_version"
    link_month: str = "link_month"
    # Save & share: data versions
    refresh_data: str = "refresh_data"
    refresh_confirm: str = "refresh_confirm"
    refresh_cancel: str = "refresh_cancel"
    restore_pick: str = "restore_pick"
    restore_version: str = "restore_version"
    save_keep_versions: str = "save_keep_versions"

    def assumption(self, field: str) -> str:
        """The slider or input of an assumption (Marketing and Sales pages)."""
        if field not in _ASSUMPTIONS:
            raise KeyError(f"no assumption {field!r}")
        return field

    def exact(self, field: str) -> str:
        """The number input beside a Marketing assumption's slider."""
        return self.assumption(field) + NUMBER_SUFFIX

    @staticmethod
    def tier_rules(version: int = 0) -> str:
        """The title-rules editor: a new key after each applied edit, so the editor shows the rules afresh."""
        return f"tier_rules_{version}"

    @staticmethod
    def goal_rules(version: int = 0) -> str:
        """The Sales page's goal rules editor: a new key after each applied edit."""
        return f"goal_rules_{version}"

    @staticmethod
    def region_calendar_remove(number: int) -> str:
        """The remove button of the ``number``-th region calendar listed."""
        return f"rc_remove_{number}"

    @staticmethod
    def tier_table(version: int = 0) -> str:
        return f"tier_table_{version}"

    @staticmethod
    def sales_days(month) -> str:
        """The day view's date range, one per month chosen (it opens on that month's days)."""
        return f"sales_days_{month:%Y-%m}"

    @staticmethod
    def rep_hours(version: int = 0) -> str:
        """The per-rep hours editor: a new key after each applied edit."""
        return f"rep_hours_{version}"

    @staticmethod
    def upload(kind: str, round_: int = 0) -> str:
        """The Data page's uploader of ``kind`` (leads, deals, activities): a new key after each load."""
        return f"{kind}_file" if round_ == 0 else f"{kind}_file_{round_}"

    @staticmethod
    def mapping(kind: str, field: str) -> str:
        """The Data page's choice of the column of ``kind``'s file (leads, deals, activities) feeding ``field``."""
        return f"map_{kind}_{field}"

    @staticmethod
    def refresh_upload(kind: str, round_: int = 0) -> str:
        """Save & share's uploader of ``kind`` for a refresh: a new key after each refresh is checked."""
        return f"refresh_{kind}_file_{round_}"

    @staticmethod
    def refresh_mapping(round_: int = 0) -> str:
        """The mapping editor of a refresh whose headers changed: afresh for each checked refresh."""
        return f"refresh_mapping_{round_}"

    @staticmethod
    def keep_versions(workspace_id: str) -> str:
        """How many data versions a saved workspace keeps (one input per workspace, showing its own setting)."""
        return f"keep_versions_{workspace_id}"

    @staticmethod
    def agreement(field: str) -> str:
        """The text area of a written part of the agreement (an AgreementText field)."""
        return f"agreement_{field}"


KEYS = Keys()
TIME_ZONES = ["UTC", "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
              "America/Sao_Paulo", "Europe/London", "Europe/Berlin", "Europe/Paris", "Asia/Kolkata",
              "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney"]  # the workspace zones offered on the Data page

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def literal(text: object) -> str:
    """Escape user/data text for st.markdown-based elements (errors, captions, labels).

    Streamlit already escapes HTML; this also stops a header like ``[x](javascript:…)``
    or ``![](https://evil/p.png)`` from becoming a link or a remote image.
    """
    return _MARKDOWN_SPECIALS.sub(r"\\\1", str(text))


def static_table(table: Table | pd.DataFrame) -> None:
    """A small table that is only read (``sla_core.html_table``): one HTML element, every cell escaped. An
    interactive grid cost a visit to its page 0.3 s of the browser's drawing, ``st.table`` a Markdown element
    per cell."""
    st.html((table if isinstance(table, Table) else Table(table)).html())


def require_dataset(dataset: Dataset | None) -> Dataset | None:
    """The loaded dataset, or an empty-state message pointing to the Data page."""
    if dataset is None or dataset.rows_loaded == 0:
        st.info("No leads loaded yet. Upload a CRM lead export on the **Data** page.")
        return None
    return dataset


SAMPLE_LINE = "Sample data — upload your export on the Data page"
SHARED_SAMPLE_LINE = "Sample data — the demo export bundled with the app, not a CRM's"  # a shared view has no Data page


def show_data_line(ws: Workspace) -> None:
    """Say what the page shows: the files (or the bundled sample), the first and last lead date and the as-of
    time, in the workspace time zone. Called once at the top of every page."""
    dataset = ws.dataset
    if dataset is None or dataset.rows_loaded == 0:
        return
    line = data_line(ws.db, dataset, ws.cache)
    span = f"leads {line.first_day:%Y-%m-%d} to {line.last_day:%Y-%m-%d}" if line.first_day else "no leads"
    as_of = f"as of {line.as_of:%Y-%m-%d %H:%M}" if line.as_of else "as of n/a"
    when = f"{span} · {as_of} ({literal(line.tz)})"
    if is_sample(dataset):
        st.info(f"**{SHARED_SAMPLE_LINE if ws.read_only else SAMPLE_LINE}** · {when}", icon=":material/info:")
    else:
        st.caption(f":material/description: Data: {literal(', '.join(line.files))} · {when}")


# For a widget inside a section built only while open: its value outlives the section's closing (Streamlit drops
# the value of a widget a run does not draw) for as long as the user stays on the page.
KEEP = {"persist_state": "page"}


def built_while_open(label: str, key: str, build: Callable[[], T], expanded: bool = False) -> T | None:
    """A stateful expander (``key``, ``on_change="rerun"``, open at first when ``expanded``) whose content
    ``build`` draws only while it is open; closed, it costs a what-if rerun one element instead of the widgets
    inside. None when closed."""
    with st.expander(label, expanded=expanded, key=key, on_change="rerun") as section:
        if section.open:
            return build()
    return None


def download_table(df: pd.DataFrame, filename: str, label: str = "Download CSV", key: str | None = None) -> None:
    """A CSV download of ``df`` with formula-injection protection, built only when clicked."""
    st.download_button(label, lambda: export.csv_bytes(df), filename, "text/csv", key=key, on_click="ignore")


def download_chart(chart, stem: str, key: str) -> None:
    """PNG and SVG downloads of an Altair chart (or its Vega-Lite dict, or a function that builds either: built
    only when a download is asked for), rendered only when clicked."""
    def rendered(fmt: str) -> bytes:
        return export.chart_bytes(chart() if callable(chart) else chart, fmt)

    for column, fmt in zip(st.columns([1, 1, 4]), export.CHART_FORMATS, strict=False):  # a wide gap after
        column.download_button(f"Chart as {fmt.upper()}", lambda fmt=fmt: rendered(fmt),
                               f"{stem}.{fmt}", export.CHART_FORMATS[fmt], key=f"{key}_{fmt}", on_click="ignore")


# Streamlit's named colours are set to the verdict palette (theme.VERDICT) in .streamlit/config.toml, so a pill
# here is the same colour as the verdict's points in the charts and its cells in the tables.
VERDICT_BADGES = {verdicts.MET: "green", verdicts.MISSED: "red", verdicts.IN_PROGRESS: "blue"}


def verdict_badge(verdict: verdicts.Verdict, pace: bool = True) -> str:
    """A judged verdict as an inline Markdown pill, ``:red-badge[missed]``, ``:blue-badge[behind]`` (the month in
    progress says its pace, or "in progress" with ``pace=False``); not measured or nothing to judge gets no badge
    (SPEC 8): ``verdict_text`` says why instead."""
    colour = VERDICT_BADGES.get(verdict.verdict)
    return f":{colour}-badge[{literal(verdict.short if pace else verdict.verdict)}]" if colour else ""


def verdict_text(text: str, verdict: verdicts.Verdict) -> str:
    """``text`` then its pill; an unjudged figure's text in grey, without a badge."""
    badge = verdict_badge(verdict)
    return f"{literal(text)} {badge}" if badge else f":gray[{literal(text)}]"


PICKED_MONTH = "picked_month"  # the session's last picked month (not a widget key: it outlives a page switch)


def month_picker(months: list[date], first: date, in_progress: date | None, key: str) -> date:
    """The month a page shows, opening on ``first`` (the month shown first); the month in progress is labelled
    so. The pick is kept for the session, so the Overview and the Agreement open on the month last picked."""
    if st.session_state.get(key) not in months:
        picked = st.session_state.get(PICKED_MONTH)
        st.session_state[key] = picked if picked in months else first if first in months else months[-1]

    def label(month: date) -> str:
        return f"{month:%B %Y}" + (" (in progress)" if month == in_progress else "")

    st.session_state[PICKED_MONTH] = st.selectbox("Month", months, key=key, format_func=label, width=260)
    return st.session_state[PICKED_MONTH]
