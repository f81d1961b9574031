"""Which export column feeds which canonical field, and which sources are sales-generated.

CRM exports name the same thing differently (HubSpot "Create Date", Salesforce
"Created Date", Pipedrive "Lead - Lead created"), so headers are matched on a
normalised form against known aliases; the user confirms or overrides the result.
"""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path

from sla_core import contract
from sla_core.ingest import decode
from sla_core.ingest.sniff import HEAD_BYTES, read_head_text, sniff_layout

# Canonical lead fields an export column can feed → known header spellings, best first (the contract's).
LEAD_ALIASES: dict[str, tuple[str, ...]] = {f.name: f.aliases for f in contract.LEAD_FIELDS if f.read_as is not None}

DEAL_ALIASES: dict[str, tuple[str, ...]] = {
    "lead_id": LEAD_ALIASES["lead_id"] + ("Contact ID", "Associated Contact ID"),
    "customer_at": LEAD_ALIASES["customer_at"] + ("Close Date", "Closed Date", "won_at"),
    "deal_amount": LEAD_ALIASES["deal_amount"] + ("Value",),
    "owner": LEAD_ALIASES["owner"] + ("Deal owner",),
}

ACTIVITY_ALIASES: dict[str, tuple[str, ...]] = {
    "lead_id": LEAD_ALIASES["lead_id"] + ("Associated Contact ID", "Who ID", "WhoId"),
    "activity_at": (
        "activity_at", "Activity date", "Activity Date", "Timestamp", "Date", "Created Date",
        "Create Date", "Due Date", "Done time", "Activity - Done time",
    ),
    "type": ("type", "Activity type", "Activity Type", "Type", "Task Subtype", "Activity - Type"),
    "outcome": ("outcome", "Call outcome", "Outcome", "Call Result", "Result", "Status", "Disposition"),
}

# Each file kind's fields (→ header spellings) and the fields a file of that kind cannot do without.
ALIASES_BY_KIND: dict[str, dict[str, tuple[str, ...]]] = {
    "leads": LEAD_ALIASES, "deals": DEAL_ALIASES, "activities": ACTIVITY_ALIASES}
REQUIRED_BY_KIND: dict[str, tuple[str, ...]] = {
    "leads": contract.REQUIRED, "deals": ("lead_id", "customer_at"), "activities": ("lead_id", "activity_at")}
EXAMPLE_ROWS = 50  # data rows read for an example value per column

# Sources whose leads sales generated itself (SPEC section 1); everything else is marketing.
DEFAULT_SALES_SOURCES: tuple[str, ...] = (
    "Outbound", "Offline Sources", "Sales", "Sales Generated", "Cold Call", "Prospecting")
# Values of a status / outcome column that mean a conversation happened.
DEFAULT_CONNECTED_VALUES: tuple[str, ...] = ("Connected", "Open Deal", "In Progress", "Meeting Booked", "Qualified")

# What the Data page and messages call each field: the lead fields as the contract names them,
# and the activity log's own.
FIELD_LABELS: dict[str, str] = {
    **{f.name: f.label for f in contract.LEAD_FIELDS},
    "activity_at": "Activity time", "type": "Activity type", "outcome": "Outcome",
}


def normalise_header(name: str) -> str:
    """Compare headers ignoring case, spacing and punctuation ("Create Date" ~ "createdate")."""
    return re.sub(r"[^0-9a-z]+", "", name.lower())


def auto_map(headers: list[str], aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Map canonical fields to the best-matching headers; each header used at most once."""
    by_norm: dict[str, str] = {}
    for h in headers:
        by_norm.setdefault(normalise_header(h), h)
    taken: set[str] = set()
    result: dict[str, str] = {}
    for fld, names in aliases.items():
        for alias in names:
            header = by_norm.get(normalise_header(alias))
            if header is not None and header not in taken:
                result[fld] = header
                taken.add(header)
                break
    return result


@dataclass(frozen=True)
class Mapping:
    """The user's confirmed reading of an export: columns per file and the origin rules."""

    columns: dict[str, str] = field(default_factory=dict)
    sales_sources: tuple[str, ...] = DEFAULT_SALES_SOURCES
    connected_values: tuple[str, ...] = DEFAULT_CONNECTED_VALUES
    deals_columns: dict[str, str] = field(default_factory=dict)
    activities_columns: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(
            {
                "columns": self.columns,
                "sales_sources": list(self.sales_sources),
                "connected_values": list(self.connected_values),
                "deals_columns": self.deals_columns,
                "activities_columns": self.activities_columns,
            },
            indent=2,
            ensure_ascii=False,
        )

    @classmethod
    def from_dict(cls, raw: dict) -> "Mapping":
        if not isinstance(raw, dict):
            raise ValueError("mapping must be a JSON object")
        known = {"columns", "sales_sources", "connected_values", "deals_columns", "activities_columns"}
        unknown = set(raw) - known
        if unknown:
            raise ValueError(f"unknown mapping keys: {', '.join(sorted(unknown))}")
        for key in ("columns", "deals_columns", "activities_columns"):
            value = raw.get(key, {})
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise ValueError(f'"{key}" must map field names to column headers')
        for key, aliases, what in (("columns", LEAD_ALIASES, "lead"), ("deals_columns", DEAL_ALIASES, "deals"),
                                   ("activities_columns", ACTIVITY_ALIASES, "activities")):
            bad = set(raw.get(key, {})) - set(aliases)
            if bad:
                raise ValueError(f"unknown {what} fields in {key}: {', '.join(sorted(bad))}")
        for key in ("sales_sources", "connected_values"):
            value = raw.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f'"{key}" must be a list of values')
        return cls(
            columns=dict(raw.get("columns", {})),
            sales_sources=tuple(raw.get("sales_sources", DEFAULT_SALES_SOURCES)),
            connected_values=tuple(raw.get("connected_values", DEFAULT_CONNECTED_VALUES)),
            deals_columns=dict(raw.get("deals_columns", {})),
            activities_columns=dict(raw.get("activities_columns", {})),
        )

    @classmethod
    def from_file(cls, path: Path) -> "Mapping":
        try:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
        return cls.from_dict(raw)

    def resolved(self, headers: list[str]) -> dict[str, str]:
        """Auto-mapping overridden field by field by the user's choices (SPEC section 9)."""
        result = auto_map(headers, LEAD_ALIASES)
        for fld, header in self.columns.items():
            if header:
                result[fld] = header
            else:
                result.pop(fld, None)
        return result

    def with_columns(self, columns: dict[str, str]) -> "Mapping":
        return replace(self, columns=dict(columns))

    def without_columns(self) -> "Mapping":
        """The origin and connected rules kept, every file's columns left to the auto-mapping (a new upload)."""
        return replace(self, columns={}, deals_columns={}, activities_columns={})

    def columns_of(self, kind: str) -> dict[str, str]:
        return {"leads": self.columns, "deals": self.deals_columns, "activities": self.activities_columns}[kind]

    def resolve(self, kind: str, headers: list[str]) -> dict[str, str]:
        """Field → header of a file of ``kind`` as a load reads it: auto-mapped, the user's choices over it."""
        if kind == "leads":
            return self.resolved(headers)
        chosen = self.columns_of(kind)
        result = {fld: h for fld, h in auto_map(headers, ALIASES_BY_KIND[kind]).items() if fld not in chosen}
        return result | {fld: h for fld, h in chosen.items() if h}

    def problems(self, kind: str, headers: list[str]) -> list[str]:
        """The fields a file of ``kind`` with ``headers`` cannot be read with: required and unmapped, or
        mapped to a column the file does not have."""
        resolved = self.resolve(kind, headers)
        absent = [fld for fld in REQUIRED_BY_KIND[kind] if fld not in resolved]
        return absent + [fld for fld, h in resolved.items() if h not in headers and fld not in absent]

    def in_force(self, headers_by_kind: dict[str, list[str]]) -> "Mapping":
        """This mapping as it reads the files with these headers: every field spelled out, auto-mapped ones
        included, so the downloaded MAPPING.json reads the same files the same way (SPEC 9)."""
        spelled = {kind: self.resolve(kind, headers) for kind, headers in headers_by_kind.items()}
        cleared = {fld: "" for fld, h in self.columns.items() if not h}  # kept out of the auto-mapping
        return replace(self, columns=cleared | spelled.get("leads", self.columns),
                       deals_columns=spelled.get("deals", self.deals_columns),
                       activities_columns=spelled.get("activities", self.activities_columns))

    def with_choices(self, chosen: dict[str, dict[str, str]], connected_values: str | None = None) -> "Mapping":
        """The columns chosen in the Data page's editor (file kind → field → header, "" for none) over this mapping.

        Every lead field is spelled out ("" keeps it from the auto-mapping); a deals or activity field left
        empty falls back to the auto-mapping, as a load reads those files. ``connected_values`` is the
        editor's comma-separated list.
        """
        kept = {"leads": dict(chosen["leads"])} if "leads" in chosen else {}
        kept |= {kind: {fld: h for fld, h in chosen[kind].items() if h} for kind in ("deals", "activities")
                 if kind in chosen}
        changed = replace(self, columns=kept.get("leads", self.columns),
                          deals_columns=kept.get("deals", self.deals_columns),
                          activities_columns=kept.get("activities", self.activities_columns))
        if connected_values is None:
            return changed
        return replace(changed, connected_values=tuple(v.strip() for v in connected_values.split(",") if v.strip()))


@dataclass(frozen=True)
class ExportHead:
    """What the mapping editor shows of one export: its headers and an example value of each column."""

    headers: tuple[str, ...]
    examples: dict[str, str] = field(default_factory=dict)  # header → first non-empty value in the first rows

    def to_dict(self) -> dict:
        return {"headers": list(self.headers), "examples": self.examples}

    @classmethod
    def from_dict(cls, raw: dict) -> "ExportHead":
        return cls(tuple(str(h) for h in raw["headers"]), {str(k): str(v) for k, v in raw["examples"].items()})

    def dates_written(self, columns: dict[str, str], date_order: str) -> str:
        """How the dates of the columns read as timestamps are written: YYYY-MM-DD when no example is written
        05/13/2024 or 13.05.2024, else the order they were read in."""
        slashed = any(SLASHED_DATE.match(self.examples.get(h, "")) for fld, h in columns.items()
                      if contract.MAPPED_TYPES.get(fld) == "timestamp")
        return DATE_ORDER_WRITTEN[date_order] if slashed else "YYYY-MM-DD"


DATE_ORDER_WRITTEN = {"mdy": "MM/DD/YYYY", "dmy": "DD/MM/YYYY"}
SLASHED_DATE = re.compile(r"\s*\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}")


def read_head(name: str, path: Path, work_dir: Path) -> ExportHead:
    """The headers and example values of an upload, read as a load reads them (any encoding or archive).

    ``work_dir`` is scratch space for a converted copy (a gzip or Windows-1252 export), removed after.
    Raises InputError as a load would for a file that cannot be read.
    """
    try:
        prepared = decode.prepare(name, path, work_dir)
        layout = sniff_layout(name, prepared.path)
        text, _ = read_head_text(prepared.path, HEAD_BYTES)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    reader = csv.reader(io.StringIO(text), delimiter=layout.delimiter)
    records = [r for _, r in zip(range(layout.skip + EXAMPLE_ROWS), reader, strict=False)][layout.skip:]
    examples: dict[str, str] = {}
    for record in records[:-1] if len(records) > 1 else records:  # the head may cut the last record short
        for header, value in zip(layout.headers, record, strict=False):
            if value.strip() and header not in examples:
                examples[header] = value.strip()
    return ExportHead(tuple(layout.headers), examples)
