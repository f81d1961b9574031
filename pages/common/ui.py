"""Widgets every page uses, Markdown escaping, and the widget keys (the pages set them, the tests find widgets by them)."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, TypeVar

import pandas as pd
import streamlit as st

from sla_core import export
from sla_core.assumptions import Assumptions
from sla_core.marketing.controls import NUMBER_SUFFIX

if TYPE_CHECKING:
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
    bh_weekdays: str = "bh_weekdays"
    bh_open: str = "bh_open"
    bh_close: str = "bh_close"
    bh_holidays: str = "bh_holidays"
    bh_holidays_file: str = "bh_holidays_file"
    bh_country: str = "bh_country"
    bh_prefill: str = "bh_prefill"
    sales_month: str = "sales_month"
    sales_period: str = "sales_period"
    breach_owner: str = "breach_owner"
    breach_all: str = "breach_all"
    breach_page: str = "breach_page"
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
    def tier_table(version: int = 0) -> str:
        return f"tier_table_{version}"

    @staticmethod
    def upload(kind: str, round_: int = 0) -> str:
        """The Data page's uploader of ``kind`` (leads, deals, activities): a new key after each load."""
        return f"{kind}_file" if round_ == 0 else f"{kind}_file_{round_}"

    @staticmethod
    def agreement(field: str) -> str:
        """The text area of a written part of the agreement (an AgreementText field)."""
        return f"agreement_{field}"


KEYS = Keys()

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def literal(text: object) -> str:
    """Escape user/data text for st.markdown-based elements (errors, captions, labels).

    Streamlit already escapes HTML; this also stops a header like ``[x](javascript:…)``
    or ``![](https://evil/p.png)`` from becoming a link or a remote image.
    """
    return _MARKDOWN_SPECIALS.sub(r"\\\1", str(text))


def require_dataset(dataset: Dataset | None) -> Dataset | None:
    """The loaded dataset, or an empty-state message pointing to the Data page."""
    if dataset is None or dataset.rows_loaded == 0:
        st.info("No leads loaded yet. Upload a CRM lead export on the **Data** page.")
        return None
    return dataset


def built_while_open(label: str, key: str, build: Callable[[], T]) -> T | None:
    """A stateful expander (``key``, ``on_change="rerun"``) whose content ``build`` draws only while it
    is open; closed, it costs a what-if rerun one element instead of the widgets inside. None when closed."""
    with st.expander(label, key=key, on_change="rerun") as section:
        if section.open:
            return build()
    return None


def download_table(df: pd.DataFrame, filename: str, label: str = "Download CSV", key: str | None = None) -> None:
    """A CSV download of ``df`` with formula-injection protection, built only when clicked."""
    st.download_button(label, lambda: export.csv_bytes(df), filename, "text/csv", key=key, on_click="ignore")


def download_chart(chart, stem: str, key: str) -> None:
    """PNG and SVG downloads of an Altair chart (or its Vega-Lite dict), rendered only when clicked."""
    for column, fmt in zip(st.columns([1, 1, 4]), export.CHART_FORMATS, strict=False):  # a wide gap after
        column.download_button(f"Chart as {fmt.upper()}", lambda fmt=fmt: export.chart_bytes(chart, fmt),
                               f"{stem}.{fmt}", export.CHART_FORMATS[fmt], key=f"{key}_{fmt}", on_click="ignore")
