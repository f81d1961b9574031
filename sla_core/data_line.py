"""The one line every page opens with: which data it shows (the files, or the bundled sample), the span of its
leads and its as-of time, in the workspace time zone. A figure is only as good as the data it was read from."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import duckdb

from sla_core import queries
from sla_core.cache import ResultCache
from sla_core.ingest.dataset import Dataset

KIND_ORDER = ("leads", "deals", "activities")


@dataclass(frozen=True)
class DataLine:
    files: tuple[str, ...]  # the file names, leads first (user text: escape before Markdown)
    first_day: date | None  # first and last day a lead was created
    last_day: date | None
    as_of: datetime | None  # in the workspace time zone
    tz: str


def data_line(con: duckdb.DuckDBPyConnection, dataset: Dataset, cache: ResultCache) -> DataLine:
    """What the data line says of ``dataset`` (its lead span queried once per data version)."""
    span = cache.get(dataset.version, queries.row, con, "data_line/lead_span", tz=dataset.tz)
    files = tuple(dataset.files[k] for k in KIND_ORDER if k in dataset.files)
    as_of = dataset.as_of.astimezone(ZoneInfo(dataset.tz)) if dataset.as_of else None
    return DataLine(files, span["first_day"], span["last_day"], as_of, dataset.tz)
