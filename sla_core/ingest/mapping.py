"""Which export column feeds which canonical field, and which sources are sales-generated.

CRM exports name the same thing differently (HubSpot "Create Date", Salesforce
"Created Date", Pipedrive "Lead - Lead created"), so headers are matched on a
normalised form against known aliases; the user confirms or overrides the result.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from sla_core import contract

# Canonical lead fields an export column can feed (contract.MAPPED_TYPES, SPEC section 1) → known
# header spellings, best first.
LEAD_ALIASES: dict[str, tuple[str, ...]] = {
    "lead_id": (
        "lead_id", "Record ID", "Contact ID", "Lead ID", "Id", "Lead - ID", "Deal - ID",
        "mql_id", "hs_object_id", "vid", "ID",
    ),
    "created_at": (
        "created_at", "Create Date", "Created Date", "Object create date/time",
        "Lead - Lead created", "Deal - Deal created", "Deal - Deal created on",
        "createdate", "CreatedDate", "add_time", "Date Created", "first_contact_date",
    ),
    "mql_at": (
        "mql_at", "Became a Marketing Qualified Lead Date",
        'Date entered "Marketing Qualified Lead (Lifecycle Stage Pipeline)"',
        "MQL Date", "Marketing Qualified Date", "MQL_Date__c",
        "hs_lifecyclestage_marketingqualifiedlead_date",
    ),
    "source": (
        "source", "Original Source", "Lead Source", "Deal - Source", "LeadSource",
        "hs_analytics_source", "Original Source Type", "Source", "origin", "Channel",
    ),
    "handed_at": (
        "handed_at", "handed_to_sales_at", "Owner Assigned Date", "Assigned Date",
        "Became a Sales Qualified Lead Date", "SQL Date", "SAL Date",
        "hubspot_owner_assigneddate", "Handed To Sales At", "Date Assigned",
    ),
    "first_touch_at": (
        "first_touch_at", "first_follow_up_at", "Date of first engagement",
        "First Engagement Date", "First Contacted", "First Touch", "First Activity Date",
        "First Call Date/Time", "FirstCallDateTime", "First Response Date",
        "hs_sa_first_engagement_date", "first_response_at",
    ),
    "attempts": (
        "attempts", "follow_up_attempts", "Number of Sales Activities",
        "Number of times contacted", "Deal - Done activities", "Activity Count",
        "num_contacted_notes", "Call Attempts", "Attempts",
    ),
    "connected": (
        "connected", "Connected", "Lead Status", "Status", "hs_lead_status",
        "Connected Date", "is_connected",
    ),
    "customer_at": (
        "customer_at", "became_customer_at", "Became a Customer Date", "Converted Date",
        "Deal - Won time", "Recent Deal Close Date", "ConvertedDate", "won_date",
        "Closed Won Date",
    ),
    "deal_amount": (
        "deal_amount", "Recent Deal Amount", "Amount", "Deal - Value", "Total Revenue",
        "Opportunity Amount", "Deal Amount", "declared_monthly_revenue", "amount",
    ),
    "owner": (
        "owner", "Contact owner", "Contact Owner", "Lead Owner", "Deal - Owner",
        "Lead - Owner", "hubspot_owner_id", "OwnerId", "sr_id", "Sales Rep",
    ),
    "tier": ("tier", "Lead Tier", "Lead Quality", "Lead Rating", "Rating", "Seniority"),
    "job_title": ("job_title", "Job Title", "Title", "jobtitle", "Person - Job title"),
}

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
