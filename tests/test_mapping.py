"""Real CRM export shapes map with no edits; MAPPING.json overrides behave as SPEC section 9 says."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from ingest_support import Loader, csv_bytes, export_text
from sla_core import contract, generator
from sla_core.ingest.decode import InputError
from sla_core.ingest.mapping import DEAL_ALIASES, DEFAULT_SALES_SOURCES, FIELD_LABELS, LEAD_ALIASES, Mapping, auto_map

UTC = timezone.utc
CANONICAL = ("created_at", "mql_at", "handed_at", "first_touch_at", "attempts", "connected", "customer_at",
             "deal_amount", "source", "owner", "job_title")


@pytest.fixture
def loader(con, tmp_path):
    return Loader(con, tmp_path / "session")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_aliases_and_labels_cover_the_contracts_mapped_fields():
    """The lead table is stated once (contract.py): mapping adds header spellings, not fields."""
    assert tuple(LEAD_ALIASES) == tuple(contract.MAPPED_TYPES)
    assert set(DEAL_ALIASES) <= set(contract.MAPPED_TYPES)  # a deals file feeds lead fields
    assert all(FIELD_LABELS[f.name] == f.label for f in contract.LEAD_FIELDS)
    assert all(contract.SQL_TYPES[f.read_as] == f.sql_type for f in contract.LEAD_FIELDS if f.read_as)


@pytest.mark.parametrize("style", ["hubspot", "salesforce", "snake"])
def test_generated_crm_styles_auto_map_every_field(loader, style):
    ds = loader.load(export_text(300, style=style, seed=11))
    names = generator.STYLES[style]
    market = {"region": names["country"]}  # HubSpot "Country/Region", Salesforce "Country"
    assert ds.columns == {fld: names[fld] for fld in ("lead_id", *CANONICAL)} | market
    assert ds.rows_loaded == 300 and not ds.quality.issues and not ds.date_order_ambiguous


def test_the_three_styles_load_the_same_leads(loader):
    """Same seed, three CRMs' spellings: the canonical table agrees (to the minute exports keep)."""
    cols = ", ".join(f"date_trunc('minute', {c})" if c.endswith("_at") else c for c in CANONICAL)
    tables = {}
    for style in ("snake", "hubspot", "salesforce"):
        loader.load(export_text(500, style=style, seed=5))
        # ordered by the generator's row number
        tables[style] = loader.rows(f"SELECT {cols}, origin FROM leads ORDER BY right(lead_id, 6)")
    assert tables["hubspot"] == tables["salesforce"] == tables["snake"]


def test_salesforce_us_dates_and_dollar_amounts(loader):
    data = csv_bytes([["Lead ID", "Lead Owner", "Lead Source", "Created Date", "Converted Date", "Amount", "Title"],
                      ["00Q5g000001", "Ann Lee", "Web", "03/05/2024 2:22 PM", "03/28/2024 9:05 AM", "$1,250.00", "CFO"],
                      ["00Q5g000002", "Bo Kim", "Outbound", "3/6/2024 11:40 AM", "", "", "Director of IT"]])
    ds = loader.load(data)
    assert loader.rows("SELECT lead_id, created_at, customer_at, deal_amount, origin FROM leads ORDER BY lead_id") == [
        ("00Q5g000001", at(2024, 3, 5, 14, 22), at(2024, 3, 28, 9, 5), 1250.0, "marketing"),
        ("00Q5g000002", at(2024, 3, 6, 11, 40), None, None, "sales")]
    assert ds.columns["owner"] == "Lead Owner" and ds.columns["job_title"] == "Title"


def test_salesforce_report_with_title_rows_and_footer(loader):
    rows = [["Lead ID", "Lead Owner", "Lead Status", "Create Date", "Lead Source"]]
    rows += [[f"00Q{i:06d}", "Ann Lee", "Open", f"10/{1 + i % 28:02d}/2026 8:00 AM", "Web"] for i in range(40)]
    body = csv_bytes(rows).decode()
    data = ('"Leads by Source"\n"As of 2026-10-02 08:00"\n""\n' + body +
            '""\n"Confidential Information - Do Not Distribute"\n'
            '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\n')
    ds = loader.load(data)
    assert ds.rows_loaded == 40 and ds.headers[0] == "Lead ID"
    assert ds.quality.rows_read == 40 and ds.quality.rows_rejected == 0 and not ds.quality.issues
    assert any("title line" in n and "line 4" in n for n in ds.quality.notices)
    assert any("footer" in n for n in ds.quality.notices)
    assert loader.value("SELECT min(created_at) FROM leads") == at(2026, 10, 1, 8)


PIPEDRIVE = ["Deal - ID", "Deal - Title", "Deal - Value", "Deal - Currency of Value", "Deal - Status",
             "Deal - Pipeline", "Deal - Stage", "Deal - Owner", "Deal - Organization", "Deal - Contact person",
             "Deal - Source", "Deal - Deal created", "Deal - Update time", "Deal - Won time", "Deal - Lost time",
             "Deal - Total activities", "Deal - Done activities", "Person - Name", "Person - Email"]


def test_pipedrive_deal_export_auto_maps(loader):
    rows = [["101", "Acme deal", "4500", "EUR", "won", "Sales", "Closed", "Marta Silva", "Acme", "Jo Doe", "Webinar",
             "2024-03-04 09:15:00", "2024-03-30 10:00:00", "2024-03-29 16:45:00", "", "7", "5", "Jo Doe",
             "jo@acme.test"],
            ["102", "Beta deal", "1200.50", "EUR", "open", "Sales", "Demo", "Liam Kim", "Beta", "Al Roe", "Outbound",
             "2024-03-06 11:00:00", "2024-03-07 10:00:00", "", "", "2", "2", "Al Roe", "al@beta.test"]]
    ds = loader.load(csv_bytes([PIPEDRIVE, *rows]))
    assert ds.columns == {"lead_id": "Deal - ID", "created_at": "Deal - Deal created", "customer_at": "Deal - Won time",
                          "deal_amount": "Deal - Value", "owner": "Deal - Owner", "source": "Deal - Source",
                          "attempts": "Deal - Done activities"}
    assert loader.rows("SELECT lead_id, created_at, customer_at, deal_amount, owner, attempts, origin FROM leads "
                       "ORDER BY lead_id") == [
        ("101", at(2024, 3, 4, 9, 15), at(2024, 3, 29, 16, 45), 4500.0, "Marta Silva", 5, "marketing"),
        ("102", at(2024, 3, 6, 11), None, 1200.5, "Liam Kim", 2, "sales")]


@pytest.mark.parametrize("headers,expected", [
    (["Contact ID", "Create Date", "Contact Owner", "Original Source"],
     {"lead_id": "Contact ID", "created_at": "Create Date", "owner": "Contact Owner", "source": "Original Source"}),
    (["hs_object_id", "createdate", "hubspot_owner_id", "hs_analytics_source", "jobtitle", "hs_lead_status"],
     {"lead_id": "hs_object_id", "created_at": "createdate", "owner": "hubspot_owner_id",
      "source": "hs_analytics_source", "job_title": "jobtitle", "connected": "hs_lead_status"}),
    (["Record ID", 'Date entered "Marketing Qualified Lead (Lifecycle Stage Pipeline)"', "Create Date"],
     {"lead_id": "Record ID", "created_at": "Create Date",
      "mql_at": 'Date entered "Marketing Qualified Lead (Lifecycle Stage Pipeline)"'}),
])
def test_header_variants(headers, expected):
    assert auto_map(headers, LEAD_ALIASES) == expected


# MAPPING.json (SPEC section 9)
def test_columns_override_field_by_field(loader):
    text = export_text(50, style="hubspot", seed=3)
    mapping = Mapping(columns={"created_at": "Became a Marketing Qualified Lead Date", "owner": "",
                               "job_title": "Country/Region"})
    ds = loader.load(text, mapping=mapping)
    assert ds.columns["created_at"] == "Became a Marketing Qualified Lead Date"
    assert "owner" not in ds.columns and ds.columns["job_title"] == "Country/Region"
    assert ds.columns["mql_at"] == "Became a Marketing Qualified Lead Date"  # left out → still auto-mapped
    assert loader.value("SELECT count(owner) FROM leads") == 0
    assert loader.value("SELECT count(*) FROM leads WHERE created_at <> mql_at") == 0


def test_sales_sources_and_connected_values(loader):
    data = csv_bytes([["Record ID", "Create Date", "Original Source", "Lead Status"],
                      ["1", "2024-03-01", "Partner", "Talked"], ["2", "2024-03-01", "Outbound", "Connected"],
                      ["3", "2024-03-01", "", "New"]])
    loader.load(data)
    assert loader.rows("SELECT origin, connected FROM leads ORDER BY lead_id") == [
        ("marketing", False), ("sales", True), ("marketing", False)]
    loader.load(data, mapping=Mapping(sales_sources=("partner",), connected_values=("Talked",)))
    assert loader.rows("SELECT origin, connected FROM leads ORDER BY lead_id") == [
        ("sales", True), ("marketing", False), ("marketing", False)]


def test_mapping_file_round_trip_and_validation(tmp_path):
    path = tmp_path / "MAPPING.json"
    path.write_text(json.dumps({"columns": {"created_at": "Create Date"}, "sales_sources": ["Outbound"],
                                "deals_columns": {"customer_at": "Closed On"},
                                "activities_columns": {"outcome": "Result"},
                                "connected_values": ["Connected"]}))
    mapping = Mapping.from_file(path)
    assert mapping.columns == {"created_at": "Create Date"} and mapping.sales_sources == ("Outbound",)
    assert Mapping.from_dict(json.loads(mapping.to_json())) == mapping
    assert Mapping().sales_sources == DEFAULT_SALES_SOURCES
    for bad, message in (({"colums": {}}, "unknown mapping keys"),
                         ({"columns": {"revenue": "X"}}, "unknown lead fields"),
                         ({"deals_columns": {"stage": "X"}}, "unknown deals fields"), ({"columns": ["x"]}, "must map"),
                         ({"sales_sources": "Outbound"}, "list")):
        with pytest.raises(ValueError, match=message):
            Mapping.from_dict(bad)
    path.write_text('{"columns": {"created_at": }')
    with pytest.raises(ValueError, match="line 1, column 28"):
        Mapping.from_file(path)


def test_mapping_naming_a_missing_column_is_refused(loader):
    err = None
    with pytest.raises(InputError) as info:
        loader.load(export_text(10), mapping=Mapping(columns={"created_at": "Created On"}))
    err = info.value
    assert "leads.csv" in str(err) and "Created On" in str(err) and err.line == 1
    deals = csv_bytes([["lead_id", "won_date"], ["5000000001", "2024-05-01"]])
    with pytest.raises(InputError, match="deals.csv.*Closed On"):
        loader.load(export_text(10), deals=deals, mapping=Mapping(deals_columns={"customer_at": "Closed On"}))
    with pytest.raises(InputError, match="activities.csv.*Result"):
        loader.load(export_text(10), activities=csv_bytes([["lead_id", "Activity date"], ["1", "2024-03-01"]]),
                    mapping=Mapping(activities_columns={"outcome": "Result"}))


def test_required_columns_missing_names_the_headers(loader):
    with pytest.raises(InputError, match="no column found for Created.*headers seen: Record ID, Email"):
        loader.load(csv_bytes([["Record ID", "Email"], ["1", "a@b.test"]]))


# The deals upload (merge_deals.sql), on an Olist-funnel look-alike
def _olist_like() -> tuple[bytes, bytes]:
    leads = [["mql_id", "first_contact_date", "landing_page_id", "origin"]]
    for i in range(30):
        leads.append([f"{i:032x}", f"{1 + i % 28:02d}-{1 + i % 6:02d}-2018", f"lp{i % 4}",
                      ["social", "paid_search", "organic_search", "unknown", ""][i % 5]])
    deals = [["mql_id", "seller_id", "sdr_id", "sr_id", "won_date", "business_segment", "lead_type",
              "lead_behaviour_profile", "has_company", "has_gtin", "average_stock", "business_type",
              "declared_product_catalog_size", "declared_monthly_revenue"],
             [f"{3:032x}", "s1", "sdr1", "rep_a", "26-04-2018 19:58", "pet", "online_medium", "cat", "", "", "",
              "reseller", "", "0"],
             [f"{5:032x}", "s2", "sdr2", "rep_b", "14-06-2018 10:00", "car", "industry", "eagle", "TRUE", "", "01-May",
              "reseller", "", "150000"],
             [f"{5:032x}", "s3", "sdr2", "rep_c", "20-07-2018 10:00", "car", "industry", "eagle", "", "", "",
              "reseller", "", "99"],
             [f"{8:032x}", "s4", "sdr3", "rep_a", "01-01-2018 09:00", "toys", "online_big", "wolf", "", "", "May-20",
              "manufacturer", "10", "5000"],
             ["f" * 32, "s5", "sdr3", "rep_a", "02-05-2018 09:00", "toys", "online_big", "wolf", "", "", "",
              "reseller", "", "1"]]
    return csv_bytes(leads), csv_bytes(deals)


def test_deals_upload_first_won_deal_and_owner(loader):
    leads, deals = _olist_like()
    ds = loader.load(leads, deals=deals)
    assert ds.date_order == "dmy"
    assert ds.columns == {"lead_id": "mql_id", "created_at": "first_contact_date", "source": "origin"}
    got = {r[0]: r[1:] for r in loader.rows("SELECT lead_id, created_at, customer_at, deal_amount, owner FROM leads")}
    assert got[f"{3:032x}"] == (at(2018, 4, 4), at(2018, 4, 26, 19, 58), 0.0, "rep_a")
    assert got[f"{5:032x}"] == (at(2018, 6, 6), at(2018, 6, 14, 10), 150000.0, "rep_b")  # the first of two won deals
    assert got[f"{8:032x}"][1:] == (None, None, "rep_a")  # won before it was created: not a customer (flagged)
    assert got[f"{1:032x}"] == (at(2018, 2, 2), None, None, None)
    assert ds.rows_loaded == 30 and ds.has_deals
    assert any("more than one won deal" in n for n in ds.quality.notices)
    assert any("1 deal(s) name a Lead ID that is not in the leads file" in n for n in ds.quality.notices)
    checks = {s["check"]: s["rows"] for s in ds.quality.suspicious}
    assert checks["became customer before the lead was created"] == 1


def test_lead_owner_wins_over_deal_owner(loader):
    leads = csv_bytes([["lead_id", "created_at", "owner"], ["L1", "2024-03-01", "Lead Rep"], ["L2", "2024-03-01", ""]])
    deals = csv_bytes([["lead_id", "won_date", "amount", "Deal owner"], ["L1", "2024-03-20", "10", "Deal Rep"],
                       ["L2", "2024-03-21", "20", "Deal Rep"]])
    loader.load(leads, deals=deals)
    assert loader.rows("SELECT owner, deal_amount FROM leads ORDER BY lead_id") == [
        ("Lead Rep", 10.0), ("Deal Rep", 20.0)]
