"""Tables for the data-quality report, shaped for display and download."""
from __future__ import annotations

import pandas as pd

from sla_core.ingest.dataset import Dataset
from sla_core.ingest.mapping import FIELD_LABELS, LEAD_ALIASES


def issues_frame(dataset: Dataset) -> pd.DataFrame:
    """Row-level findings: file, line, column, reason, value, action."""
    rows = [i.as_dict() for i in dataset.quality.issues]
    frame = pd.DataFrame(rows, columns=["file", "line", "column", "reason", "value", "action"])
    return frame.astype({"line": "Int64"})


def missing_frame(dataset: Dataset) -> pd.DataFrame:
    """Empty cells per canonical field, and which fields the export does not have at all."""
    rows = []
    loaded = max(dataset.quality.rows_read, 1)
    for fld in LEAD_ALIASES:
        header = dataset.columns.get(fld)
        if header is None:
            rows.append({"field": FIELD_LABELS[fld], "column": "(not in export)", "missing": None, "missing %": None})
        else:
            n = dataset.quality.missing.get(fld, 0)
            rows.append({"field": FIELD_LABELS[fld], "column": header, "missing": n,
                         "missing %": round(100 * n / loaded, 1)})
    return pd.DataFrame(rows)


def mapping_frame(dataset: Dataset) -> pd.DataFrame:
    """One editable row per canonical field with the header currently feeding it."""
    return pd.DataFrame(
        [{"field": fld, "meaning": FIELD_LABELS[fld], "column": dataset.columns.get(fld, "")} for fld in LEAD_ALIASES]
    )


def columns_from_editor(edited: pd.DataFrame) -> dict[str, str]:
    """The user's mapping as field → header; an empty cell means 'not in this export'."""
    return {row["field"]: (row["column"] or "") for _, row in edited.iterrows()}
