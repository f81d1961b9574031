"""The canonical lead table (SPEC 1), stated once.

Everything that needs the shape of a lead reads it from here: the session table's DDL,
the store's copy of it (and the column a newer app adds to an older store), the type
ingest reads each mapped export column as, the fields an export may lack and what they
fall back to, the labels the Data page shows, and the rows tests build. Adding a field
is one new ``Field`` here plus the code that computes with it (docs/architecture.md).
"""
from __future__ import annotations

from dataclasses import dataclass

# How ingest reads a mapped export column: 'id' and 'text' as text, the rest cast and checked.
READ_KINDS = ("id", "timestamp", "number", "integer", "boolean", "text")
SQL_TYPES = {"id": "VARCHAR", "timestamp": "TIMESTAMPTZ", "number": "DOUBLE", "integer": "INTEGER",
             "boolean": "BOOLEAN", "text": "VARCHAR"}


@dataclass(frozen=True)
class Field:
    """One column of ``leads``.

    ``read_as`` is how an export column mapped to it is read (None: ingest derives it);
    ``aliases`` are the export headers that feed it (CRMs spell them differently), best first;
    ``fallback`` is the field an absent column copies (SPEC 1); ``empty`` is the value
    ingest writes for a missing cell (NOT NULL columns) and tests use when a row omits it.
    """

    name: str
    label: str
    read_as: str | None
    sql_type: str
    required: bool = False
    not_null: bool = False
    fallback: str | None = None
    empty: object = None
    aliases: tuple[str, ...] = ()


LEAD_FIELDS: tuple[Field, ...] = (
    Field("lead_id", "Lead ID", "id", "VARCHAR", required=True, not_null=True,
          aliases=("lead_id", "Record ID", "Contact ID", "Lead ID", "Id", "Lead - ID", "Deal - ID", "mql_id",
                   "hs_object_id", "vid", "ID")),
    Field("created_at", "Created", "timestamp", "TIMESTAMPTZ", required=True, not_null=True,
          aliases=("created_at", "Create Date", "Created Date", "Object create date/time",
                   "Lead - Lead created", "Deal - Deal created", "Deal - Deal created on", "createdate",
                   "CreatedDate", "add_time", "Date Created", "first_contact_date")),
    Field("mql_at", "Became MQL", "timestamp", "TIMESTAMPTZ", fallback="created_at",
          aliases=("mql_at", "Became a Marketing Qualified Lead Date",
                   'Date entered "Marketing Qualified Lead (Lifecycle Stage Pipeline)"', "MQL Date",
                   "Marketing Qualified Date", "MQL_Date__c", "hs_lifecyclestage_marketingqualifiedlead_date")),
    Field("source", "Source", "text", "VARCHAR",
          aliases=("source", "Original Source", "Lead Source", "Deal - Source", "LeadSource",
                   "hs_analytics_source", "Original Source Type", "Source", "origin", "Channel")),
    Field("origin", "Origin", None, "VARCHAR", not_null=True, empty="marketing"),
    Field("handed_at", "Handed to sales", "timestamp", "TIMESTAMPTZ", fallback="mql_at",
          aliases=("handed_at", "handed_to_sales_at", "Owner Assigned Date", "Assigned Date",
                   "Became a Sales Qualified Lead Date", "SQL Date", "SAL Date", "hubspot_owner_assigneddate",
                   "Handed To Sales At", "Date Assigned")),
    Field("first_touch_at", "First sales touch", "timestamp", "TIMESTAMPTZ",
          aliases=("first_touch_at", "first_follow_up_at", "Date of first engagement", "First Engagement Date",
                   "First Contacted", "First Touch", "First Activity Date", "First Call Date/Time",
                   "FirstCallDateTime", "First Response Date", "hs_sa_first_engagement_date",
                   "first_response_at")),
    Field("attempts", "Follow-up attempts", "integer", "INTEGER", not_null=True, empty=0,
          aliases=("attempts", "follow_up_attempts", "Number of Sales Activities", "Number of times contacted",
                   "Deal - Done activities", "Activity Count", "num_contacted_notes", "Call Attempts",
                   "Attempts")),
    Field("connected", "Connected", "boolean", "BOOLEAN", not_null=True, empty=False,
          aliases=("connected", "Connected", "Lead Status", "Status", "hs_lead_status", "Connected Date",
                   "is_connected")),
    Field("customer_at", "Became customer", "timestamp", "TIMESTAMPTZ",
          aliases=("customer_at", "became_customer_at", "Became a Customer Date", "Converted Date",
                   "Deal - Won time", "Recent Deal Close Date", "ConvertedDate", "won_date", "Closed Won Date")),
    Field("deal_amount", "Deal amount", "number", "DOUBLE",
          aliases=("deal_amount", "Recent Deal Amount", "Amount", "Deal - Value", "Total Revenue",
                   "Opportunity Amount", "Deal Amount", "declared_monthly_revenue", "amount")),
    Field("owner", "Sales rep", "text", "VARCHAR",
          aliases=("owner", "Contact owner", "Contact Owner", "Lead Owner", "Deal - Owner", "Lead - Owner",
                   "hubspot_owner_id", "OwnerId", "sr_id", "Sales Rep")),
    Field("tier", "Lead tier", "text", "VARCHAR",
          aliases=("tier", "Lead Tier", "Lead Quality", "Lead Rating", "Rating", "Seniority")),
    Field("job_title", "Job title", "text", "VARCHAR",
          aliases=("job_title", "Job Title", "Title", "jobtitle", "Person - Job title")),
    Field("region", "Region", "text", "VARCHAR",  # the lead's market: goals per segment (SPEC 5b)
          aliases=("region", "Country/Region", "Country", "Person - Address - Country",
                   "Organization - Address - Country", "Region", "Market", "MailingCountry", "Billing Country")),
    Field("touched_before_handoff", "Touched before hand-off", None, "BOOLEAN", not_null=True, empty=False),
)
BY_NAME = {f.name: f for f in LEAD_FIELDS}
COLUMNS = tuple(f.name for f in LEAD_FIELDS)
REQUIRED = tuple(f.name for f in LEAD_FIELDS if f.required)  # an export without them is refused
# The fields an export column can feed, and how it is read (ingest's typed scan).
MAPPED_TYPES = {f.name: f.read_as for f in LEAD_FIELDS if f.read_as is not None}
# Mapped fields an export may lack are added empty with their SQL_TYPES type, or as a copy of their fallback.
FALLBACKS = {f.name: f.fallback for f in LEAD_FIELDS if f.fallback}


def _column(f: Field, nullable: bool) -> str:
    return f"    {f.name} {f.sql_type}{'' if nullable or not f.not_null else ' NOT NULL'}"


def session_table_ddl(table: str = "leads") -> str:
    """CREATE statement of the session's canonical table (``table`` is a constant of the caller, never user text)."""
    columns = ",\n".join(_column(f, nullable=False) for f in LEAD_FIELDS)
    return f"CREATE OR REPLACE TABLE {table} (\n{columns}\n)"


def store_columns() -> dict[str, str]:
    """Column → type of the store's ``workspace_leads`` (besides its key): every lead field, all nullable,
    so a store written by an older app gains a new field's column with NULLs (``store`` adds it at start-up)."""
    return {f.name: f.sql_type for f in LEAD_FIELDS}


def test_row(**given) -> dict:
    """A full lead row from the fields given (tests): the rest empty and mql_at defaulting to created_at,
    as ingest does; touched_before_handoff is left to the insert, which derives it."""
    row = {f.name: f.empty for f in LEAD_FIELDS if f.name != "touched_before_handoff"}
    row.update(given)
    if "mql_at" not in given:
        row["mql_at"] = row["created_at"]
    return row
