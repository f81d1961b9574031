"""Ingest SQL over typed stages and built tables: cell reports, rejected leads, merges, the swap; each has cases."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from ingest_sql_support import COVERED, covers, run
from sql_cases import given, rows, table, tables, ts
import test_ingest_sql_scan  # noqa: F401 (its @covers marks count in test_every_statement_has_cases)

from sla_core import queries
from sla_core.ingest import sql_text


# --- reporting over a typed stage -----------------------------------------------------------------
STAGE = table("lead_id VARCHAR, created_at TIMESTAMPTZ, _bad_created_at VARCHAR, _gap_created_at VARCHAR, "
              "deal_amount DOUBLE, _bad_deal_amount VARCHAR, _cur_deal_amount VARCHAR",
              ("A", "2024-03-01", None, None, 10, None, "$"),
              ("B", None, "soon", None, None, "9.986.000", None),
              (None, "2024-03-02", None, "2024-03-10 02:30", 5, None, "€"),
              ("A", "2024-03-03", None, None, None, None, None))


@covers("cell_stats")
def test_cell_stats_counts_per_field_in_one_pass(con):
    given(con, typed=STAGE)
    stats = sql_text.joined([
        sql_text.fill("cell_stats", "present", field="created_at", present="n_created_at"),
        sql_text.fill("cell_stats", "bad", bad="_bad_created_at", bad_count="bad_created_at"),
        sql_text.fill("cell_stats", "gap", gap="_gap_created_at", gap_count="gap_created_at"),
        sql_text.fill("cell_stats", "mixed", currency="_cur_deal_amount", mixed="mixed_deal_amount"),
        sql_text.fill("cell_stats", "invalid"),
    ])
    assert run(con, "cell_stats", typed="typed", stats=stats) == [(3, 1, 1, True, 2)]


@covers("unread_date_stats", "clear_implausible")
@pytest.mark.parametrize("order_check", [True, False])
def test_unread_dates_are_told_apart_and_implausible_values_cleared(rules, order_check):
    given(rules, typed=table("won_at TIMESTAMPTZ, _bad_at VARCHAR, other TIMESTAMPTZ, _bad_other VARCHAR",
                             (None, "soon", None, None), ("1899-12-31", "1899-12-31", None, None),
                             (None, "13/05/2024", None, None), (None, "05/13/2024", None, "x"),
                             (None, "14/06/2024", None, None), ("2024-03-01", None, None, None)))
    counts = [sql_text.fill("unread_date_stats", "dated", bad="_bad_at", field="won_at", dated="dated",
                            typed_count="typed")]
    if order_check:
        counts.append(sql_text.fill("unread_date_stats", "order", bad="_bad_at", day_first="day_first",
                                    month_first="month_first"))
    found = run(rules, "unread_date_stats", {"formats": ["%m/%d/%Y"]}, typed="typed", counts=sql_text.joined(counts),
                columns=["_bad_at", "_bad_other"])
    assert found == [(2, 1, 2, 1) if order_check else (2, 1)]
    run(rules, "clear_implausible", typed="typed", field="won_at", bad="_bad_at")
    assert rows(rules, "SELECT won_at, _bad_at FROM typed WHERE won_at IS NOT NULL OR _bad_at = '1899-12-31'") == [
        (None, "1899-12-31"), (ts("2024-03-01T00:00"), None)]


@covers("order_evidence_rows")
@pytest.mark.parametrize("day_first,expected", [(True, [(1, "13/05/2024")]), (False, [(3, "05/13/2024")])])
def test_order_evidence_rows_finds_the_first_cell_showing_an_order(rules, day_first, expected):
    given(rules, typed=table("_bad_at VARCHAR", ("soon",), ("13/05/2024",), ("14/05/2024",), ("05/13/2024",), (None,)))
    assert run(rules, "order_evidence_rows", {"day_first": day_first}, typed="typed", bad="_bad_at") == expected


@covers("dated_values")
def test_dated_values_tells_dates_from_text(rules):
    values = ["20244-06-03", "soon", "31/12/1899", "epoch"]
    found = run(rules, "dated_values", {"values": values, "formats": ["%d/%m/%Y"]})
    assert found == [("20244-06-03", True), ("soon", False), ("31/12/1899", True), ("epoch", False)]


@covers("tier_counts", "group_tiers")
def test_rare_tiers_are_counted_and_grouped(con):
    given(con, leads_next=table("tier VARCHAR", ("Gold",), (" gold ",), ("silver",), ("silver",), ("bronze",),
                                ("zinc",), ("",), (None,)))
    assert run(con, "tier_counts", {"kept": 2}) == [(4, ["gold", "silver"], 2)]
    assert run(con, "tier_counts", {"kept": 5}) == [(4, ["gold", "silver", "bronze", "zinc"], 0)]
    run(con, "group_tiers", {"kept": ["gold", "silver"], "other": "other"})
    assert rows(con, "SELECT tier FROM leads_next") == [("Gold",), (" gold ",), ("silver",), ("silver",), ("other",),
                                                       ("other",), ("",), (None,)]


@covers("flagged_cells")
@pytest.mark.parametrize("columns,limit,expected", [
    (["_bad_created_at", "_bad_deal_amount"], 10,
     [(1, "_bad_created_at", "soon"), (1, "_bad_deal_amount", "9.986.000")]),
    (["_bad_deal_amount", "_bad_created_at"], 1, [(1, "_bad_deal_amount", "9.986.000")]),
    (["_gap_created_at"], 10, [(2, "_gap_created_at", "2024-03-10 02:30")]),
])
def test_flagged_cells_in_row_then_column_order(con, columns, limit, expected):
    given(con, typed=STAGE)
    assert run(con, "flagged_cells", {"columns": columns, "limit": limit}, typed="typed", columns=columns) == expected


@covers("currency_marks", "other_currency_rows")
def test_currency_marks_and_the_rows_of_the_minority(con):
    given(con, typed=table("_cur_x VARCHAR", ("$",), ("€",), ("$",), (None,), ("EUR",)))
    assert run(con, "currency_marks", typed="typed", currency="_cur_x") == [("$", 2), ("EUR", 1), ("€", 1)]
    assert run(con, "other_currency_rows", {"marks": ["€", "EUR"], "limit": 1}, typed="typed",
               currency="_cur_x") == [(1,)]


@covers("misread_amount_rows")
@pytest.mark.parametrize("decimal,expected", [(".", [(0,), (2,)]), (",", [(1,)])])
def test_misread_amount_rows_are_written_the_other_way(rules, decimal, expected):
    given(rules, typed=table("_bad_x VARCHAR", ("9.986.000",), ("1,234.56",), ("12,5",), ("abc",), (None,)))
    assert run(rules, "misread_amount_rows", {"decimal": decimal, "limit": 10}, typed="typed", bad="_bad_x") == expected


@covers("lead_id_hashes", "distinct_lead_id_hashes", "distinct_lead_ids")
def test_lead_id_counts_skip_rows_without_id_or_date(con):
    given(con, typed=STAGE)
    assert len(run(con, "lead_id_hashes", typed="typed")) == 2
    assert run(con, "distinct_lead_id_hashes", typed="typed") == [(1,)]
    assert run(con, "distinct_lead_ids", typed="typed") == [(1,)]


@covers("invalid_lead_rows", "duplicate_lead_rows")
def test_rejected_lead_rows_are_listed_in_file_order(con):
    given(con, typed=STAGE)
    assert run(con, "invalid_lead_rows", {"limit": 10}, typed="typed") == [(1,), (2,)]
    assert run(con, "duplicate_lead_rows", {"limit": 10}, typed="typed") == [(3, "A")]


@covers("delete_invalid_leads", "delete_duplicate_leads")
def test_deleting_rejected_leads_keeps_the_first_row_per_id(con):
    given(con, typed=STAGE)
    run(con, "delete_invalid_leads", typed="typed")
    run(con, "delete_duplicate_leads", typed="typed")
    assert rows(con, "SELECT lead_id, created_at FROM typed") == [("A", ts("2024-03-01T00:00"))]


# --- building the canonical tables ----------------------------------------------------------------
@covers("add_column", "copy_column", "drop_column")
def test_absent_fields_are_added_copied_and_diagnostics_dropped(con):
    given(con, typed=table("created_at TIMESTAMPTZ, _bad_created_at VARCHAR", ("2024-03-01 09:00", None)))
    run(con, "add_column", table="typed", column="mql_at", type="TIMESTAMPTZ")
    run(con, "copy_column", table="typed", column="mql_at", source="created_at")
    run(con, "drop_column", table="typed", column="_bad_created_at")
    assert rows(con, "SELECT * FROM typed") == [(ts("2024-03-01T09:00"), ts("2024-03-01T09:00"))]
    assert rows(con, "SELECT data_type FROM duckdb_columns() WHERE column_name = 'mql_at'") == [
        ("TIMESTAMP WITH TIME ZONE",)]


@covers("build_leads")
def test_build_leads_fills_counts_and_connected_and_becomes_leads_next(con):
    given(con, typed=table("lead_id VARCHAR, attempts INTEGER, connected BOOLEAN", ("A", None, None), ("B", 2, True)),
          leads_next=table("stale INTEGER"))
    run(con, "build_leads", typed="typed")
    assert rows(con, "SELECT * FROM leads_next ORDER BY lead_id") == [("A", 0, False), ("B", 2, True)]
    assert "typed" not in tables(con)


LEADS_NEXT = table("lead_id VARCHAR, created_at TIMESTAMPTZ, mql_at TIMESTAMPTZ, handed_at TIMESTAMPTZ, "
                   "first_touch_at TIMESTAMPTZ, attempts INTEGER, connected BOOLEAN, customer_at TIMESTAMPTZ, "
                   "deal_amount DOUBLE, owner VARCHAR",
                   ("A", "2024-03-01", "2024-03-01", "2024-03-01 10:00", "2024-03-01 09:00", 1, False, None, None,
                    None),
                   ("B", "2024-03-05", "2024-03-05", "2024-03-05 10:00", None, 0, False, "2024-03-01", -5, "Bo"),
                   ("C", "2024-03-05", "2024-03-05", "2024-03-05 10:00", None, 0, False, None, 7, None))
DEALS = table("lead_id VARCHAR, customer_at TIMESTAMPTZ, deal_amount DOUBLE, owner VARCHAR",
              ("A", "2024-04-02", 200, "Ann"), ("A", "2024-04-01", 100, "Al"), ("Z", "2024-04-01", 1, None),
              (None, "2024-04-01", 1, None), ("B", None, 9, None))


@covers("deal_counts")
def test_deal_counts_what_the_merge_ignores_or_chooses(con):
    given(con, leads_next=LEADS_NEXT, typed_deals=DEALS)
    assert run(con, "deal_counts", typed="typed_deals") == [(1, 1, 1)]


@covers("merge_deals")
def test_merge_deals_takes_each_leads_first_won_deal(con):
    given(con, leads_next=LEADS_NEXT, typed_deals=DEALS)
    run(con, "merge_deals", typed="typed_deals")
    assert rows(con, "SELECT lead_id, customer_at, deal_amount, owner FROM leads_next ORDER BY 1") == [
        ("A", ts("2024-04-01T00:00"), 100.0, "Al"), ("B", ts("2024-03-01T00:00"), -5.0, "Bo"), ("C", None, 7.0, None)]


@covers("build_activities", "apply_activities")
def test_activities_give_first_touch_attempts_and_connected(con):
    given(con, leads_next=LEADS_NEXT, typed_activities=table(
        "lead_id VARCHAR, activity_at TIMESTAMPTZ, type VARCHAR, outcome VARCHAR",
        ("A", "2024-03-01 09:30", "call", "No answer"), ("A", "2024-03-01 11:00", "call", "No answer"),
        ("A", "2024-03-01 12:00", "call", " connected "), ("A", "2024-03-01 13:00", "email", "Sent"),
        ("B", None, "call", "Connected"), (None, "2024-03-05 11:00", "call", "Connected")))
    run(con, "build_activities", typed="typed_activities")
    assert len(rows(con, "SELECT * FROM activities_next")) == 4
    sql_text.script(con, "apply_activities", {"connected_values": ["connected"]})
    assert rows(con, "SELECT lead_id, first_touch_at, attempts, connected FROM leads_next ORDER BY 1") == [
        ("A", ts("2024-03-01T11:00"), 2, True), ("B", None, 0, False), ("C", None, 0, False)]


@covers("suspicious_counts", "finalize_leads")
def test_suspicious_rows_are_counted_then_the_rules_applied(con):
    given(con, leads_next=LEADS_NEXT)
    # loaded on 3 March: B and C (created 5 March) are dated after the moment of loading
    assert queries.records(con, "ingest/suspicious_counts", loaded_at=ts("2024-03-03T00:00")) == [
        {"touched_before_handoff": 1, "customer_before_created": 1, "negative_amount": 1, "after_loading": 2}]
    sql_text.script(con, "finalize_leads")
    assert rows(con, "SELECT lead_id, touched_before_handoff, customer_at, deal_amount FROM leads_next ORDER BY 1") == [
        ("A", True, None, None), ("B", False, None, None), ("C", False, None, 7.0)]


@covers("drop_table", "drop_staged", "swap_in")
@pytest.mark.parametrize("with_activities", [True, False])
def test_swap_in_replaces_the_loaded_tables(con, with_activities):
    given(con, leads=table("v INTEGER", (1,)), activities=table("v INTEGER", (1,)), leads_next=table("v INTEGER", (2,)),
          typed_leads=table("v INTEGER"))
    run(con, "drop_table", table="typed_leads")
    if with_activities:
        given(con, activities_next=table("v INTEGER", (2,)))
    run(con, "swap_in")
    assert rows(con, "SELECT v FROM leads") == [(2,)]
    assert ("activities" in tables(con)) == with_activities
    assert not {"leads_next", "activities_next", "typed_leads"} & tables(con)
    given(con, leads_next=table("v INTEGER"), activities_next=table("v INTEGER"))
    run(con, "drop_staged")
    assert "leads" in tables(con) and not {"leads_next", "activities_next"} & tables(con)


# --- what pages and the load ask of the loaded leads ----------------------------------------------
@covers("latest_timestamp", "leads_preview", "source_counts")
def test_questions_asked_of_the_loaded_leads(make_leads):
    con = make_leads([
        {"lead_id": "A", "created_at": "2024-03-01T09:00:00Z", "source": "Web", "customer_at": "2024-04-01T00:00:00Z"},
        {"lead_id": "B", "created_at": "2024-03-02T09:00:00Z", "source": "Web", "handed_at": "2024-03-05T00:00:00Z"},
        {"lead_id": "C", "created_at": "2024-03-03T09:00:00Z", "source": None, "origin": "sales"},
    ])
    assert queries.row(con, "ingest/latest_timestamp", loaded_at=ts("2025-01-01T00:00")) == {
        "as_of": ts("2024-04-01T00:00")}
    # a date after the moment of loading does not move as_of (SPEC 8)
    assert queries.row(con, "ingest/latest_timestamp", loaded_at=ts("2024-03-10T00:00")) == {
        "as_of": ts("2024-03-05T00:00")}
    assert queries.records(con, "ingest/source_counts") == [
        {"source": "Web", "origin": "marketing", "leads": 2}, {"source": "(no source)", "origin": "sales", "leads": 1}]
    preview = queries.records(con, "ingest/leads_preview", tz="America/New_York", limit=1)
    assert [(r["lead_id"], str(r["created_at"])) for r in preview] == [("A", "2024-03-01 04:00:00")]


def test_every_statement_has_cases():
    folder = resources.files("sla_core").joinpath("sql", "ingest")
    names = {str(Path(p.name).with_suffix("")) for p in folder.iterdir() if p.name.endswith(".sql")}
    names |= {f"readings/{Path(p.name).stem}" for p in folder.joinpath("readings").iterdir() if p.name.endswith(".sql")}
    assert names - COVERED == set()
