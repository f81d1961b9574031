"""One upload on its way to a typed table: its bytes made a UTF-8 CSV, its layout sniffed, its
columns mapped to canonical fields (checked before any scan), and what the scans found."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sla_core.ingest import decode
from sla_core.ingest.decode import InputError
from sla_core.ingest.mapping import FIELD_LABELS
from sla_core.ingest.sniff import Layout, sniff_layout

MAX_LINE_BYTES = 2 * 1024 * 1024
NULL_TOKENS = ["", "N/A", "n/a", "NA", "#N/A", "None", "none", "NULL", "null", "-", "--"]
# Kinds whose cells are cast and checked (the rest are kept as text).
CHECKED_KINDS = ("timestamp", "number", "integer", "boolean")


@dataclass(frozen=True)
class Reject:
    """A record DuckDB could not use."""

    line: int  # physical line where the record starts
    kind: str  # DuckDB's error type
    message: str
    raw: str
    byte: int  # byte offset of the error in the scanned file


@dataclass
class Staged:
    """One upload on its way to a typed temp table ``typed_<kind>``."""

    kind: str  # 'leads' | 'deals' | 'activities'
    name: str  # what the user called the file
    prepared: decode.Prepared
    layout: Layout
    types: dict[str, str]  # canonical field → read kind (contract.READ_KINDS)
    fields: dict[str, str]  # canonical field → scanned column (c0, c1 …)
    headers_by_field: dict[str, str]
    rows: int = 0
    rejects: list[Reject] = field(default_factory=list)  # every record DuckDB could not use
    footer: int = 0  # of those, a report's footer lines (title, copyright) after the last row

    @property
    def table(self) -> str:
        return f"typed_{self.kind}"

    def checked(self, kind: str | None = None) -> list[str]:
        """Mapped fields that are cast and checked (of one read kind, if given), in mapping order."""
        return [f for f in self.fields
                if self.types[f] in CHECKED_KINDS and (kind is None or self.types[f] == kind)]

    def scan_params(self) -> dict:
        """The bound options of ``export_csv.sql``: every column read as text."""
        return {"path": str(self.prepared.path), "delim": self.layout.delimiter, "skip": self.layout.skip,
                "columns": {f"c{i}": "VARCHAR" for i in range(len(self.layout.headers))},
                "nulls": NULL_TOKENS, "max_line": MAX_LINE_BYTES}


def _check_mapping(name: str, kind: str, layout: Layout, field_headers: dict[str, str], types: dict[str, str],
                   required: tuple[str, ...]) -> None:
    """Refuse a mapping that names unknown fields or absent columns, or leaves a required field unmapped."""
    unknown = sorted(set(field_headers) - set(types))
    if unknown:
        raise InputError(name, f"the mapping names unknown field(s) {', '.join(unknown)} for the {kind} file")
    for fld, header in field_headers.items():
        if header not in layout.headers:
            raise InputError(name, f"the mapping reads {FIELD_LABELS[fld]} from column {header!r}, "
                                   "which is not in the file", line=layout.header_line)
    absent = [f for f in required if f not in field_headers]
    if absent:
        labels = ", ".join(FIELD_LABELS[f] for f in absent)
        raise InputError(name, f"no column found for {labels}; map it on the Data page or with --mapping "
                               f"(headers seen: {', '.join(layout.headers[:12])})", line=layout.header_line)


def stage(kind: str, upload_name: str, path: Path, types: dict[str, str],
          resolve: Callable[[list[str]], dict[str, str]], required: tuple[str, ...], work_dir: Path,
          notices: list[str], scratch: decode.Scratch | None = None) -> Staged:
    """Check the bytes, find the header and map the columns; the user's notices go to ``notices``, copies
    of the upload to ``scratch`` (by default one in ``work_dir``)."""
    prepared = decode.prepare(upload_name, path, work_dir, scratch)
    layout = sniff_layout(upload_name, prepared.path)
    notices += [f"{upload_name}: {n}" for n in prepared.notices + layout.notices]
    field_headers = resolve(layout.headers)
    _check_mapping(upload_name, kind, layout, field_headers, types, required)
    position = {h: i for i, h in enumerate(layout.headers)}
    return Staged(kind, upload_name, prepared, layout, types,
                  {fld: f"c{position[h]}" for fld, h in field_headers.items()}, dict(field_headers))
