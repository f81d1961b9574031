"""Every named statement of ``sla_core/sql/store/``, run on a real store: given rows → the rows it returns or leaves."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pyarrow as pa
import pytest
from store_sql_support import (HISTORY, HISTORY_ROWS, LINK_COLUMNS, MIGRATE, RESTORING, ROWS_BY_VERSION, STORED, T0, T1,
                               T2, VERSION_COLUMNS, Case, _given, _rows, _store_files, data_version, lead, link,
                               scenario, stored)

from sla_core import contract, queries
from sla_core.store import file as store_file


CASES = [
    # --- the store file -------------------------------------------------------------------------
    Case("file:checkpoint", given={"workspaces": [{"workspace_id": "w1"}]},
         then="SELECT workspace_id FROM workspaces", expected=[{"workspace_id": "w1"}]),
    # --- workspaces -----------------------------------------------------------------------------
    Case("workspaces:insert",
         params={"workspace_id": "w1", "name": "Q1 plan", "saved_at": T1, "rows_saved": 3,
                 "dataset_json": '{"v": 1}', "mapping_json": '{"m": 2}'},
         then="SELECT * FROM workspaces",
         expected=[{"workspace_id": "w1", "name": "Q1 plan", "saved_at": T1, "rows_saved": 3,
                    "dataset_json": '{"v": 1}', "mapping_json": '{"m": 2}'}]),
    Case("workspaces:insert",  # a new workspace keeps the default retention
         params={"workspace_id": "w1", "name": "A", "saved_at": T1, "rows_saved": 0, "dataset_json": "{}",
                 "mapping_json": "{}"},
         then="SELECT keep_versions FROM workspaces", expected=[{"keep_versions": None}]),
    Case("workspaces:get", given={"workspaces": [{"workspace_id": "w1", "name": "A", "dataset_json": '{"a": 1}',
                                                  "keep_versions": 6},
                                                 {"workspace_id": "w2", "name": "B"}]},
         params={"workspace_id": "w1"},
         columns=("workspace_id", "name", "saved_at", "rows_saved", "dataset_json", "mapping_json", "keep_versions"),
         expected=[{"workspace_id": "w1", "name": "A", "dataset_json": '{"a": 1}', "keep_versions": 6}]),
    Case("workspaces:get", given={"workspaces": [{"workspace_id": "w1"}]}, params={"workspace_id": "gone"},
         expected=[]),
    Case("workspaces:list",  # newest first, then by name; never the JSON columns; the latest data version's number
         given={"workspaces": [{"workspace_id": "w1", "name": "A", "saved_at": T0},
                               {"workspace_id": "w2", "name": "C", "saved_at": T1, "rows_saved": 7},
                               {"workspace_id": "w3", "name": "B", "saved_at": T1}],
                "data_versions": [data_version("w2", 1, loaded_at=T1), data_version("w2", 3, loaded_at=T2),
                                  data_version("w2", 2, loaded_at=T0), data_version("w1", 1, loaded_at=T0)]},
         columns=("workspace_id", "name", "saved_at", "rows_saved", "data_version", "data_loaded_at"),
         expected=[{"workspace_id": "w3", "name": "B", "data_version": None},
                   {"workspace_id": "w2", "name": "C", "rows_saved": 7, "data_version": 3, "data_loaded_at": T2},
                   {"workspace_id": "w1", "name": "A", "saved_at": T0, "data_version": 1, "data_loaded_at": T0}]),
    Case("workspaces:show_data",
         given={"workspaces": [{"workspace_id": "w1", "rows_saved": 5}, {"workspace_id": "w2", "rows_saved": 6}]},
         params={"workspace_id": "w1", "rows_saved": 9, "dataset_json": '{"d": 2}', "mapping_json": '{"m": 2}'},
         then="SELECT workspace_id, rows_saved, dataset_json, mapping_json FROM workspaces ORDER BY workspace_id",
         expected=[{"workspace_id": "w1", "rows_saved": 9, "dataset_json": '{"d": 2}', "mapping_json": '{"m": 2}'},
                   {"workspace_id": "w2", "rows_saved": 6, "dataset_json": "{}"}]),
    Case("workspaces:keep_versions", given={"workspaces": [{"workspace_id": "w1"}, {"workspace_id": "w2"}]},
         params={"workspace_id": "w2", "keep_versions": 3},
         then="SELECT workspace_id, keep_versions FROM workspaces ORDER BY workspace_id",
         expected=[{"workspace_id": "w1", "keep_versions": None}, {"workspace_id": "w2", "keep_versions": 3}]),
    Case("workspaces:delete", given={"workspaces": [{"workspace_id": "w1"}, {"workspace_id": "w2"}]},
         params={"workspace_id": "w1"}, then="SELECT workspace_id FROM workspaces", expected=[{"workspace_id": "w2"}]),
    # --- workspace_leads ------------------------------------------------------------------------
    Case("workspace_leads:create",  # at every start-up: an existing table and its rows stay
         given={"workspace_leads": [lead("w1", lead_id="L1")]},
         then="SELECT workspace_id, lead_id FROM workspace_leads", expected=[{"workspace_id": "w1", "lead_id": "L1"}]),
    Case("workspace_leads:columns",  # only this table's
         columns=("column_name",), expected=[{"column_name": name} for name in STORED]),
    Case("workspace_leads:add_valid_from",  # at every start-up: the column and its values stay
         given={"workspace_leads": [stored("w1", "L1", 3)]},
         then="SELECT valid_from FROM workspace_leads", expected=[{"valid_from": 3}]),
    Case("workspace_leads:add_valid_to", given={"workspace_leads": [stored("w1", "L1", 3, 4)]},
         then="SELECT valid_to FROM workspace_leads", expected=[{"valid_to": 4}]),
    Case("workspace_leads:add_row_hash", given={"workspace_leads": [stored("w1", "L1", row_hash=9)]},
         then="SELECT row_hash FROM workspace_leads", expected=[{"row_hash": 9}]),
    Case("workspace_leads:valid_at",  # from its first version up to (not including) the version that ended it
         then="SELECT row_valid_at(2, NULL, 5) AS current, row_valid_at(2, 5, 5) AS ended, "
              "row_valid_at(6, NULL, 5) AS later, row_valid_at(2, 6, 5) AS within, row_valid_at(5, 6, 5) AS first",
         expected=[{"current": True, "ended": False, "later": False, "within": True, "first": True}]),
    Case("workspace_leads:migrate",  # only rows without a version: version 1, hashed over the lead columns
         given={"workspace_leads": [stored("w1", "L1", None, attempts=3), stored("w1", "L2", 2, row_hash=7)]},
         then="SELECT lead_id, valid_from, valid_to, row_hash, row_hash = hash(*COLUMNS(* EXCLUDE (workspace_id, "
              "valid_from, valid_to, row_hash))) AS hashed FROM workspace_leads ORDER BY lead_id",
         expected=[{"lead_id": "L1", "valid_from": 1, "valid_to": None, "hashed": True},
                   {"lead_id": "L2", "valid_from": 2, "row_hash": 7, "hashed": False}]),
    Case("workspace_leads:insert",  # a new workspace: every row, by name (the reader's column order does not matter)
         given={"workspace_leads": [lead("w0", lead_id="L0", attempts=5)]},
         incoming=[{"attempts": 2, "lead_id": "L2"}, {"attempts": 0, "lead_id": "L1"}],
         params={"workspace_id": "w1", "version": 1, "previous": 0},
         then="SELECT workspace_id, lead_id, attempts, owner, valid_from, valid_to, row_hash IS NOT NULL AS hashed "
              "FROM workspace_leads ORDER BY lead_id",
         expected=[{"workspace_id": "w0", "lead_id": "L0", "attempts": 5, "owner": None},
                   {"workspace_id": "w1", "lead_id": "L1", "attempts": 0, "owner": None, "valid_from": 1,
                    "valid_to": None, "hashed": True},
                   {"workspace_id": "w1", "lead_id": "L2", "attempts": 2, "owner": None, "valid_from": 1,
                    "valid_to": None, "hashed": True}]),
    Case("workspace_leads:insert",  # a refresh: an identical row of the previous version is not stored again
         given={"workspace_leads": [stored("w1", "L1", None, attempts=1), stored("w1", "L2", None, attempts=2),
                                    stored("w2", "L1", None, attempts=1)]},
         before=MIGRATE, incoming=[{"lead_id": "L1", "attempts": 1}, {"lead_id": "L2", "attempts": 5},
                                   {"lead_id": "L3", "attempts": 0}],
         params={"workspace_id": "w1", "version": 2, "previous": 1}, then=ROWS_BY_VERSION,
         expected=[{"workspace_id": "w1", "lead_id": "L1", "attempts": 1, "valid_from": 1, "valid_to": None},
                   {"workspace_id": "w1", "lead_id": "L2", "attempts": 2, "valid_from": 1, "valid_to": None},
                   {"workspace_id": "w1", "lead_id": "L2", "attempts": 5, "valid_from": 2, "valid_to": None},
                   {"workspace_id": "w1", "lead_id": "L3", "attempts": 0, "valid_from": 2, "valid_to": None},
                   {"workspace_id": "w2", "lead_id": "L1", "attempts": 1, "valid_from": 1, "valid_to": None}]),
    Case("workspace_leads:insert",  # an identical row that an earlier version ended is stored again
         given={"workspace_leads": [stored("w1", "L1", None, 2, attempts=1)]}, before=MIGRATE,
         incoming=[{"lead_id": "L1", "attempts": 1}], params={"workspace_id": "w1", "version": 3, "previous": 2},
         then=ROWS_BY_VERSION,
         expected=[{"lead_id": "L1", "valid_from": 1, "valid_to": 2}, {"lead_id": "L1", "valid_from": 3,
                                                                       "valid_to": None}]),
    Case("workspace_leads:close",  # replaced (a new row at the version) or dropped (not exported): ended
         given={"workspace_leads": [stored("w1", "L1"), stored("w1", "L2"), stored("w1", "L2", 2),
                                    stored("w1", "L3"), stored("w1", "L4", 1, 1), stored("w2", "L3")]},
         incoming_ids=[{"lead_id": "L1"}, {"lead_id": "L2"}],
         params={"workspace_id": "w1", "version": 2, "previous": 1},
         then="SELECT workspace_id, lead_id, valid_from, valid_to FROM workspace_leads ORDER BY ALL",
         expected=[{"lead_id": "L1", "valid_from": 1, "valid_to": None},
                   {"lead_id": "L2", "valid_from": 1, "valid_to": 2},
                   {"lead_id": "L2", "valid_from": 2, "valid_to": None},
                   {"lead_id": "L3", "valid_from": 1, "valid_to": 2},
                   {"lead_id": "L4", "valid_from": 1, "valid_to": 1},
                   {"workspace_id": "w2", "lead_id": "L3", "valid_from": 1, "valid_to": None}]),
    Case("workspace_leads:reinstate",  # B and D again from version 4; A is in both versions and stays as it is
         given={"workspace_leads": HISTORY}, params=RESTORING, then=HISTORY_ROWS,
         expected=[{"lead_id": "L1", "row_hash": 11, "valid_from": 1, "valid_to": None},
                   {"lead_id": "L2", "row_hash": 21, "valid_from": 1, "valid_to": 3},
                   {"lead_id": "L2", "row_hash": 21, "valid_from": 4, "valid_to": None},
                   {"lead_id": "L2", "row_hash": 22, "valid_from": 3, "valid_to": None},
                   {"lead_id": "L3", "row_hash": 31, "valid_from": 1, "valid_to": 2},
                   {"lead_id": "L3", "row_hash": 31, "valid_from": 4, "valid_to": None},
                   {"lead_id": "L4", "row_hash": 41, "valid_from": 2, "valid_to": None}]),
    Case("workspace_leads:retire",  # after reinstate: C and E end at version 4, A and the reinstated rows stay
         given={"workspace_leads": HISTORY}, before=(("workspace_leads:reinstate", RESTORING),), params=RESTORING,
         then=HISTORY_ROWS,
         expected=[{"lead_id": "L1", "row_hash": 11, "valid_from": 1, "valid_to": None},
                   {"lead_id": "L2", "row_hash": 21, "valid_from": 1, "valid_to": 3},
                   {"lead_id": "L2", "row_hash": 21, "valid_from": 4, "valid_to": None},
                   {"lead_id": "L2", "row_hash": 22, "valid_from": 3, "valid_to": 4},
                   {"lead_id": "L3", "row_hash": 31, "valid_from": 1, "valid_to": 2},
                   {"lead_id": "L3", "row_hash": 31, "valid_from": 4, "valid_to": None},
                   {"lead_id": "L4", "row_hash": 41, "valid_from": 2, "valid_to": 4}]),
    Case("workspace_leads:prune",  # kept versions 3 and 5: rows valid at neither go, current rows always stay
         given={"data_versions": [data_version("w1", 3), data_version("w1", 5)],
                "workspace_leads": [stored("w1", "L1", 1, 2), stored("w1", "L2", 1, 4), stored("w1", "L3", 1),
                                    stored("w1", "L4", 2, 3), stored("w1", "L5", 4, 5), stored("w1", "L6", 5),
                                    stored("w2", "L1", 1, 2)]},
         params={"workspace_id": "w1"},
         then="SELECT workspace_id, lead_id FROM workspace_leads ORDER BY ALL",
         expected=[{"workspace_id": "w1", "lead_id": "L2"}, {"workspace_id": "w1", "lead_id": "L3"},
                   {"workspace_id": "w1", "lead_id": "L6"}, {"workspace_id": "w2", "lead_id": "L1"}]),
    Case("workspace_leads:count",  # the rows of one version
         given={"workspace_leads": [stored("w1", "L1"), stored("w1", "L2", 1, 2), stored("w1", "L2", 2),
                                    stored("w1", "L3", 2), stored("w2", "L4")]},
         params={"workspace_id": "w1", "version": 2}, expected=[{"n": 3}]),
    Case("workspace_leads:count", params={"workspace_id": "w1", "version": 1}, expected=[{"n": 0}]),
    Case("workspace_leads:rows",  # one version's rows, as the canonical table's columns
         given={"workspace_leads": [stored("w1", "L1", 1, 2, attempts=3),
                                    stored("w1", "L1", 2, attempts=4, owner="ana"), stored("w2", "L2")]},
         params={"workspace_id": "w1", "version": 2}, columns=contract.COLUMNS,
         expected=[{"lead_id": "L1", "attempts": 4, "owner": "ana", "connected": None}]),
    Case("workspace_leads:months",  # local months with a marketing lead by the as-of time, in one version
         given={"workspace_leads": [
             stored("w1", "L1", origin="marketing", mql_at=datetime(2024, 2, 1, 3, tzinfo=timezone.utc)),  # NY: Jan
             stored("w1", "L2", origin="marketing", mql_at=datetime(2024, 1, 5, tzinfo=timezone.utc)),
             stored("w1", "L3", origin="marketing", mql_at=datetime(2024, 3, 2, 12, tzinfo=timezone.utc)),
             stored("w1", "L4", origin="sales", mql_at=datetime(2024, 4, 2, tzinfo=timezone.utc)),
             stored("w1", "L5", origin="marketing", mql_at=datetime(2024, 6, 2, tzinfo=timezone.utc)),  # after as-of
             stored("w1", "L6", 2, origin="marketing", mql_at=datetime(2024, 5, 2, tzinfo=timezone.utc)),
             stored("w2", "L7", origin="marketing", mql_at=datetime(2024, 5, 2, tzinfo=timezone.utc))]},
         params={"workspace_id": "w1", "version": 1, "tz": "America/New_York",
                 "as_of": datetime(2024, 5, 31, tzinfo=timezone.utc)},
         columns=("month",), expected=[{"month": date(2024, 3, 1)}, {"month": date(2024, 1, 1)}]),
    Case("workspace_leads:delete",
         given={"workspace_leads": [lead("w1", lead_id="L1"), lead("w2", lead_id="L2"), lead("w1", lead_id="L3")]},
         params={"workspace_id": "w1"}, then="SELECT workspace_id, lead_id FROM workspace_leads",
         expected=[{"workspace_id": "w2", "lead_id": "L2"}]),
    # --- the `leads` a session or a shared cursor sees ------------------------------------------
    Case("leads:session_rows", given={"leads": [lead(lead_id="L1", attempts=1), lead(lead_id="L2", connected=True)]},
         columns=contract.COLUMNS,
         expected=[{"lead_id": "L1", "attempts": 1, "connected": False}, {"lead_id": "L2", "connected": True}]),
    Case("leads:restore", given={"leads": [lead(lead_id="L9")]},
         incoming=[{"lead_id": "L1", "attempts": 4}, {"lead_id": "L2", "attempts": 0}],
         then="SELECT lead_id, attempts FROM leads ORDER BY lead_id",
         expected=[{"lead_id": "L1", "attempts": 4}, {"lead_id": "L2", "attempts": 0}]),
    Case("leads:session_ids", given={"leads": [lead(lead_id="L1"), lead(lead_id="L2")]}, columns=("lead_id",),
         expected=[{"lead_id": "L1"}, {"lead_id": "L2"}]),
    Case("leads:bind", params={"workspace_id": "w7", "version": 3}, then="SELECT getvariable('shown_data') AS shown",
         expected=[{"shown": {"workspace_id": "w7", "version": 3}}]),
    Case("leads:view",  # one workspace's rows of one data version
         given={"workspace_leads": [lead("w1", lead_id="L1"), stored("w2", "L3", attempts=1),
                                    stored("w2", "L2", 1, 2, attempts=2), stored("w2", "L2", 2, attempts=5),
                                    stored("w2", "L4", 3)]},
         before=(("leads:bind", {"workspace_id": "w2", "version": 2}),), then="SELECT * FROM leads ORDER BY lead_id",
         columns=contract.COLUMNS, expected=[{"lead_id": "L2", "attempts": 5}, {"lead_id": "L3", "attempts": 1}]),
    Case("leads:view", given={"workspace_leads": [lead("w1", lead_id="L1")]},
         before=(("leads:bind", {"workspace_id": "gone", "version": 1}),), then="SELECT * FROM leads", expected=[]),
    # --- scenarios ------------------------------------------------------------------------------
    Case("scenarios:insert",  # the next revision of an existing scenario
         given={"scenarios": [scenario("s1", "w1", revision=1), scenario("s1", "w1", revision=2),
                              scenario("s2", "w1", revision=5)]},
         params={"scenario_id": "s1", "workspace_id": "w1", "scenario_name": "Stretch", "saved_at": T2,
                 "settings_json": '{"q": 1}'},
         expected=[{"revision": 3}]),
    Case("scenarios:insert",  # a new scenario starts at revision 1, next to the others
         given={"scenarios": [scenario("s1", "w1", revision=4)]},
         params={"scenario_id": "s9", "workspace_id": "w1", "scenario_name": "New", "saved_at": T1,
                 "settings_json": "{}"},
         then="SELECT scenario_id, revision, workspace_id, name, saved_at FROM scenarios ORDER BY scenario_id",
         expected=[{"scenario_id": "s1", "revision": 4},
                   {"scenario_id": "s9", "revision": 1, "workspace_id": "w1", "name": "New", "saved_at": T1}]),
    Case("scenarios:get",
         given={"scenarios": [scenario("s1", "w1", revision=1, settings_json="{1}"),
                              scenario("s1", "w1", revision=2, settings_json="{2}")]},
         params=scenario("s1", "w1", revision=2),
         columns=("scenario_id", "revision", "workspace_id", "name", "saved_at", "settings_json"),
         expected=[{"revision": 2, "settings_json": "{2}"}]),
    Case("scenarios:get",  # never another workspace's scenario
         given={"scenarios": [scenario("s1", "w1", revision=1)]},
         params=scenario("s1", "w2", revision=1), expected=[]),
    Case("scenarios:latest",  # the latest revision of each, ordered by when that revision was saved
         given={"scenarios": [scenario("s1", "w1", revision=1, name="Stretch", saved_at=T0),
                              scenario("s1", "w1", revision=2, name="Stretch", saved_at=T2),
                              scenario("s2", "w1", revision=1, name="Baseline", saved_at=T1),
                              scenario("s3", "w2", revision=1)]},
         params={"workspace_id": "w1"}, columns=("scenario_id", "revision", "name", "saved_at", "settings_json"),
         expected=[{"scenario_id": "s2", "revision": 1, "name": "Baseline"},
                   {"scenario_id": "s1", "revision": 2, "name": "Stretch", "saved_at": T2}]),
    Case("scenarios:revisions",
         given={"scenarios": [scenario("s1", "w1", revision=2, saved_at=T1),
                              scenario("s1", "w1", revision=1, saved_at=T0),
                              scenario("s2", "w1", revision=1)]},
         params=scenario("s1", "w1"),
         columns=("scenario_id", "revision", "name", "saved_at", "settings_json"),
         expected=[{"revision": 1, "saved_at": T0}, {"revision": 2, "saved_at": T1}]),
    Case("scenarios:revisions", given={"scenarios": [scenario("s1", "w1")]},
         params=scenario("s1", "w2"), expected=[]),
    Case("scenarios:claim",  # the revision is there: returned, and left as it was
         given={"scenarios": [scenario("s1", "w1", revision=1, name="Baseline", settings_json="{1}"),
                              scenario("s1", "w1", revision=2, name="Baseline", settings_json="{2}")]},
         params=scenario("s1", "w1", revision=2), expected=[{"revision": 2}]),
    Case("scenarios:claim",
         given={"scenarios": [scenario("s1", "w1", revision=2, name="Baseline", settings_json="{2}")]},
         params=scenario("s1", "w1", revision=2),
         then="SELECT scenario_id, revision, workspace_id, name, settings_json FROM scenarios",
         expected=[scenario("s1", "w1", revision=2, name="Baseline", settings_json="{2}")]),
    Case("scenarios:claim",  # another workspace's scenario, or a revision not saved: nothing
         given={"scenarios": [scenario("s1", "w1", revision=1)]},
         params=scenario("s1", "w2", revision=1), expected=[]),
    Case("scenarios:delete",
         given={"scenarios": [scenario("s1", "w1"), scenario("s1", "w1", revision=2), scenario("s2", "w2")]},
         params={"workspace_id": "w1"}, then="SELECT scenario_id FROM scenarios", expected=[{"scenario_id": "s2"}]),
    # --- share_links ----------------------------------------------------------------------------
    Case("share_links:insert",  # never revoked when created
         params=link("h1", "w1", revision=2, label="board", created_at=T0, expires_at=T2, data_version=None,
                     month=None),
         then="SELECT * FROM share_links", columns=LINK_COLUMNS,
         expected=[link("h1", "w1", revision=2, label="board", created_at=T0, expires_at=T2, revoked_at=None,
                        data_version=None, month=None)]),
    Case("share_links:insert",  # pinned to a data version and a month
         params=link("h1", "w1", revision=1, label="", created_at=T0, expires_at=None, data_version=3,
                     month=date(2024, 6, 1)),
         then="SELECT data_version, month FROM share_links", expected=[{"data_version": 3, "month": date(2024, 6, 1)}]),
    Case("share_links:get",
         given={"share_links": [link("h1", "w1", revoked_at=T1, data_version=2), link("h2", "w1")]},
         params={"token_sha256": "h1"}, columns=LINK_COLUMNS,
         expected=[link("h1", "w1", revision=1, revoked_at=T1, data_version=2, month=None)]),
    Case("share_links:get", params={"token_sha256": "unknown"}, expected=[]),
    Case("share_links:list",  # newest first, named by the scenario revision they pin (none if it is gone)
         given={"scenarios": [scenario("s1", "w1", revision=1, name="Stretch")],
                "share_links": [link("h1", "w1", label="a", created_at=T0, month=date(2024, 5, 1)),
                                link("h2", "w1", revision=2, label="b", created_at=T1, data_version=4),
                                link("h3", "w2", created_at=T2)]},
         params={"workspace_id": "w1"},
         columns=("token_sha256", "label", "scenario", "revision", "data_version", "month", "created_at",
                  "expires_at", "revoked_at"),
         expected=[{"token_sha256": "h2", "label": "b", "scenario": None, "revision": 2, "data_version": 4},
                   {"token_sha256": "h1", "label": "a", "scenario": "Stretch", "revision": 1, "data_version": None,
                    "month": date(2024, 5, 1)}]),
    Case("share_links:revoke",
         given={"share_links": [link("h1", "w1"), link("h2", "w1")]},
         params={"token_sha256": "h1", "workspace_id": "w1", "revoked_at": T2},
         then="SELECT token_sha256, revoked_at FROM share_links ORDER BY token_sha256",
         expected=[{"token_sha256": "h1", "revoked_at": T2}, {"token_sha256": "h2", "revoked_at": None}]),
    Case("share_links:revoke",  # revoked once: the first time stays
         given={"share_links": [link("h1", "w1", revoked_at=T0)]},
         params={"token_sha256": "h1", "workspace_id": "w1", "revoked_at": T2},
         then="SELECT revoked_at FROM share_links", expected=[{"revoked_at": T0}]),
    Case("share_links:revoke",  # only from the workspace the link belongs to
         given={"share_links": [link("h1", "w2")]},
         params={"token_sha256": "h1", "workspace_id": "w1", "revoked_at": T2},
         then="SELECT revoked_at FROM share_links", expected=[{"revoked_at": None}]),
    Case("share_links:delete",
         given={"share_links": [link("h1", "w1"), link("h2", "w2")]},
         params={"workspace_id": "w1"}, then="SELECT token_sha256 FROM share_links", expected=[{"token_sha256": "h2"}]),
    # --- data_versions ----------------------------------------------------------------------------
    Case("data_versions:insert",
         params={"workspace_id": "w1", "version": 2, "loaded_at": T1, "loaded_by": "ana@example.com",
                 "how": "refreshed", "restored_from": None, "files_json": '{"leads": "feb.csv"}', "rows_read": 10,
                 "rows_rejected": 1, "rows_loaded": 9, "rows_stored": 3, "rows_replaced": 2, "dataset_json": '{"d": 1}',
                 "mapping_json": '{"m": 1}'},
         then="SELECT * FROM data_versions", columns=VERSION_COLUMNS,
         expected=[{"workspace_id": "w1", "version": 2, "loaded_at": T1, "loaded_by": "ana@example.com",
                    "how": "refreshed", "restored_from": None, "files_json": '{"leads": "feb.csv"}', "rows_read": 10,
                    "rows_rejected": 1, "rows_loaded": 9, "rows_stored": 3, "rows_replaced": 2,
                    "dataset_json": '{"d": 1}', "mapping_json": '{"m": 1}'}]),
    Case("data_versions:latest",
         given={"data_versions": [data_version("w1", 1), data_version("w1", 3, rows_loaded=7), data_version("w1", 2),
                                  data_version("w2", 5)]},
         params={"workspace_id": "w1"}, columns=VERSION_COLUMNS,
         expected=[{"workspace_id": "w1", "version": 3, "rows_loaded": 7}]),
    Case("data_versions:latest", params={"workspace_id": "gone"}, expected=[]),
    Case("data_versions:latest_number",
         given={"data_versions": [data_version("w1", 1), data_version("w1", 3), data_version("w2", 5)]},
         params={"workspace_id": "w1"}, columns=("version",), expected=[{"version": 3}]),
    Case("data_versions:latest_number", params={"workspace_id": "gone"}, expected=[{"version": None}]),
    Case("data_versions:get",
         given={"data_versions": [data_version("w1", 1, how="saved"), data_version("w1", 2, how="restored",
                                                                                    restored_from=1)]},
         params={"workspace_id": "w1", "version": 2}, columns=VERSION_COLUMNS,
         expected=[{"version": 2, "how": "restored", "restored_from": 1}]),
    Case("data_versions:get", given={"data_versions": [data_version("w1", 1)]},
         params={"workspace_id": "w2", "version": 1}, expected=[]),
    Case("data_versions:list",  # newest first, without the JSON of each
         given={"data_versions": [data_version("w1", 1), data_version("w1", 2), data_version("w2", 1)]},
         params={"workspace_id": "w1"}, columns=tuple(c for c in VERSION_COLUMNS if not c.endswith("_json")
                                                      or c == "files_json"),
         expected=[{"version": 2}, {"version": 1}]),
    Case("data_versions:unversioned",  # workspaces saved before data versions
         given={"workspaces": [{"workspace_id": "w1"}, {"workspace_id": "w2", "rows_saved": 4, "saved_at": T1}],
                "data_versions": [data_version("w1", 1)]},
         columns=("workspace_id", "saved_at", "rows_saved", "dataset_json", "mapping_json"),
         expected=[{"workspace_id": "w2", "saved_at": T1, "rows_saved": 4}]),
    Case("data_versions:prune",  # before version 4 only what an active link pins stays (1); 2 revoked, 3 expired
         given={"data_versions": [data_version("w1", v) for v in range(1, 6)] + [data_version("w2", 1)],
                "share_links": [link("h1", "w1", data_version=1), link("h2", "w1", data_version=2, revoked_at=T0),
                                link("h3", "w1", data_version=3, expires_at=T1), link("h4", "w2", data_version=2)]},
         params={"workspace_id": "w1", "oldest_kept": 4, "now": T2},
         then="SELECT workspace_id, version FROM data_versions ORDER BY ALL",
         expected=[{"workspace_id": "w1", "version": 1}, {"workspace_id": "w1", "version": 4},
                   {"workspace_id": "w1", "version": 5}, {"workspace_id": "w2", "version": 1}]),
    Case("data_versions:delete",
         given={"data_versions": [data_version("w1", 1), data_version("w1", 2), data_version("w2", 1)]},
         params={"workspace_id": "w1"}, then="SELECT workspace_id FROM data_versions",
         expected=[{"workspace_id": "w2"}]),
]


@pytest.fixture
def store(tmp_path):
    db = store_file.open_store(tmp_path / "store.duckdb")
    yield db.cursor()
    db.close()


@pytest.mark.parametrize("case", CASES, ids=str)
def test_store_statement(store, case: Case):
    _given(store, case.given)
    if case.incoming is not None:
        store.register("incoming", pa.Table.from_pylist(case.incoming))
    if case.incoming_ids is not None:
        store.register("incoming_ids", pa.Table.from_pylist(case.incoming_ids))
    for name, params in case.before:
        store.execute(queries.sql(f"store/{name}"), params)
    store.execute(queries.sql(f"store/{case.statement}"), case.params)
    columns, rows = _rows(store.execute(case.then) if case.then else store)
    assert [{k: row[k] for k in want} for row, want in zip(rows, case.expected, strict=False)] == case.expected
    assert len(rows) == len(case.expected)
    if case.columns is not None:
        assert columns == list(case.columns)


def test_every_store_statement_has_a_case():
    named = {f"{file}:{name}" for file in _store_files() for name in queries._named_statements(f"store/{file}")}
    assert named == {case.statement for case in CASES}
