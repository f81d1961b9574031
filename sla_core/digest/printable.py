"""The Overview's "Download this month's report": the weekly e-mail's content as one printable HTML page, so what
leadership prints and what it is mailed say the same."""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import duckdb

from sla_core.cache import ResultCache
from sla_core.digest import build, render
from sla_core.health.view import Settings

if TYPE_CHECKING:
    from sla_core.ingest.dataset import Dataset


def month_page(con: duckdb.DuckDBPyConnection, dataset: Dataset, settings: Settings, month: date,
               cache: ResultCache) -> bytes:
    """``month``'s status page (print it to PDF). Built on click, in the session's turn on ``con``; not kept."""
    request = build.Request(settings.assumptions, settings.sales_clock, month=month,
                            business_hours=settings.business_hours)
    return cache.alone(_page, con, dataset, request)


def _page(con: duckdb.DuckDBPyConnection, dataset: Dataset, request: build.Request) -> bytes:
    return render.page_html(build.build(con, dataset, request)).encode("utf-8")
