"""A CRM's monthly exports: the generator's export as it stood at the end of month 1 … 12 of 2024.

Each month's file holds the leads created by then, with only what had happened by then (a first touch,
a won deal after the cut is still blank), so a month's export repeats the month before, plus new leads
and the leads that moved on: what a refresh sees every month.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.csv as pacsv

from sla_core import generator

TIMESTAMPS = ("mql_at", "handed_at", "first_touch_at", "customer_at")


def cut(cols: dict[str, np.ndarray], at: int) -> dict[str, np.ndarray]:
    """The export as it stood at ``at`` (epoch seconds): later leads left out, later events blank."""
    kept = {name: values[cols["created_at"] <= at] for name, values in cols.items()}
    for name in TIMESTAMPS:
        kept[name] = np.where(kept[name] <= at, kept[name], -1)
    touched = kept["first_touch_at"] >= 0
    kept["attempts"] = np.where(touched, kept["attempts"], 0)
    kept["connected"] = kept["connected"] & touched
    kept["deal_amount"] = np.where(kept["customer_at"] >= 0, kept["deal_amount"], np.nan)
    return kept


def month_end(month: int) -> int:
    """Epoch seconds of the first instant after month ``month`` of 2024 (1 → 2024-02-01 00:00)."""
    return int((np.datetime64("2024-01", "M") + np.timedelta64(month, "M")).astype("datetime64[s]").astype(np.int64))


def monthly_exports(n: int, folder: Path, months: range = range(1, 13), seed: int = 42,
                    style: str = "hubspot") -> list[Path]:
    """One export file per month of ``months``, from one generated year of ``n`` leads."""
    folder.mkdir(parents=True, exist_ok=True)
    year = generator.generate(n, seed)
    paths = []
    for month in months:
        path = folder / f"leads_2024_{month:02d}.csv"
        pacsv.write_csv(generator.to_table(cut(year, month_end(month)), style), path,
                        pacsv.WriteOptions(quoting_style="needed"))
        paths.append(path)
    return paths
