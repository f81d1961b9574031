-- The workspace_leads table: the leads of every saved workspace, keyed by workspace_id (sla_core/store/).
-- A row is stored once and is valid from the data version that stored it (valid_from) up to the version that
-- replaced or dropped it (valid_to, exclusive; NULL while current): the rows of version v are those valid at v
-- (the macro row_valid_at). row_hash is the hash of the row's lead columns, in this table's column order, which
-- finds the rows a new version leaves unchanged.

-- name: create
-- Only the key: the lead columns are added from sla_core/contract.py at start-up (store/file.py), so a new
-- store and one written by an older app end up with the same columns.
CREATE TABLE IF NOT EXISTS workspace_leads (workspace_id VARCHAR NOT NULL);

-- name: columns
-- The columns the table has now: start-up adds the contract's lead fields it lacks.
SELECT name AS column_name FROM pragma_table_info('workspace_leads') ORDER BY cid;

-- name: add_valid_from
ALTER TABLE workspace_leads ADD COLUMN IF NOT EXISTS valid_from INTEGER;

-- name: add_valid_to
ALTER TABLE workspace_leads ADD COLUMN IF NOT EXISTS valid_to INTEGER;

-- name: add_row_hash
ALTER TABLE workspace_leads ADD COLUMN IF NOT EXISTS row_hash UBIGINT;

-- name: valid_at
-- Whether a stored row belongs to data version `version` (a store macro: every statement below uses it).
CREATE OR REPLACE MACRO row_valid_at(valid_from, valid_to, version) AS
    valid_from <= version AND (valid_to IS NULL OR version < valid_to);

-- name: migrate
-- A store from before data versions: its rows become version 1 of their workspace, with their hashes. Run at every
-- start: the outer valid_from IS NULL lets the scan skip every row group already versioned (by its statistics),
-- where the join alone read the whole table each time (0.13 s at 5M stored leads, for nothing to do).
UPDATE workspace_leads SET valid_from = 1, row_hash = migrated.row_hash
FROM (SELECT rowid AS stored_row, hash(*COLUMNS(* EXCLUDE (workspace_id, valid_from, valid_to, row_hash))) AS row_hash
      FROM workspace_leads WHERE valid_from IS NULL) migrated
WHERE workspace_leads.rowid = migrated.stored_row AND workspace_leads.valid_from IS NULL;

-- name: insert
-- The rows data version $version stores: `incoming` (an Arrow reader over the session's leads, registered for the
-- write) in this table's column order, each with its hash; a row identical to one of version $previous (the same
-- lead, the same hash) is not stored again: that row stays valid. A new workspace has no $previous rows (0).
INSERT INTO workspace_leads BY NAME
WITH arrived AS (
    SELECT *, hash(*COLUMNS(*)) AS row_hash
    FROM ((SELECT * EXCLUDE (workspace_id, valid_from, valid_to, row_hash) FROM workspace_leads LIMIT 0)
          UNION ALL BY NAME (SELECT * FROM incoming))
)
SELECT $workspace_id AS workspace_id, $version AS valid_from, arrived.*
FROM arrived
WHERE NOT EXISTS (
    SELECT 1 FROM workspace_leads kept
    WHERE kept.workspace_id = $workspace_id AND row_valid_at(kept.valid_from, kept.valid_to, $previous)
      AND kept.lead_id = arrived.lead_id AND kept.row_hash = arrived.row_hash);

-- name: close
-- The rows of version $previous that version $version replaced (it stored a new row for the lead) or dropped (the
-- lead is not in `incoming_ids`, an Arrow reader of the new export's lead ids): valid up to $previous only.
UPDATE workspace_leads SET valid_to = $version
WHERE workspace_id = $workspace_id AND row_valid_at(valid_from, valid_to, $previous)
  AND (lead_id IN (SELECT lead_id FROM workspace_leads WHERE workspace_id = $workspace_id AND valid_from = $version)
       OR lead_id NOT IN (SELECT lead_id FROM incoming_ids));

-- name: reinstate
-- Restoring version $restored as version $version: its rows that version $previous does not hold identically are
-- stored again from $version on (only those: the rows both hold stay valid).
INSERT INTO workspace_leads BY NAME
SELECT * REPLACE ($version AS valid_from, NULL AS valid_to)
FROM workspace_leads restored
WHERE restored.workspace_id = $workspace_id AND row_valid_at(restored.valid_from, restored.valid_to, $restored)
  AND NOT EXISTS (
    SELECT 1 FROM workspace_leads kept
    WHERE kept.workspace_id = $workspace_id AND row_valid_at(kept.valid_from, kept.valid_to, $previous)
      AND kept.lead_id = restored.lead_id AND kept.row_hash = restored.row_hash);

-- name: retire
-- Restoring version $restored as version $version: the rows of $previous that $restored does not hold identically end.
UPDATE workspace_leads SET valid_to = $version
WHERE workspace_id = $workspace_id AND row_valid_at(valid_from, valid_to, $previous)
  AND NOT EXISTS (
    SELECT 1 FROM workspace_leads restored
    WHERE restored.workspace_id = $workspace_id AND row_valid_at(restored.valid_from, restored.valid_to, $restored)
      AND restored.lead_id = workspace_leads.lead_id AND restored.row_hash = workspace_leads.row_hash);

-- name: prune
-- Retention: the rows no kept data version of the workspace holds any more.
DELETE FROM workspace_leads
WHERE workspace_id = $workspace_id AND valid_to IS NOT NULL
  AND NOT EXISTS (
    SELECT 1 FROM data_versions kept
    WHERE kept.workspace_id = $workspace_id
      AND row_valid_at(workspace_leads.valid_from, workspace_leads.valid_to, kept.version));

-- name: count
SELECT count(*) AS n FROM workspace_leads
WHERE workspace_id = $workspace_id AND row_valid_at(valid_from, valid_to, $version);

-- name: rows
-- One data version's rows, as the canonical table's columns (opening a saved workspace in an editing session).
SELECT * EXCLUDE (workspace_id, valid_from, valid_to, row_hash) FROM workspace_leads
WHERE workspace_id = $workspace_id AND row_valid_at(valid_from, valid_to, $version);

-- name: months
-- The local months with a marketing lead in one data version, newest first: a share link can open on one of them
-- (as marketing/latest_month.sql counts a marketing lead).
SELECT DISTINCT CAST(date_trunc('month', timezone($tz, mql_at)) AS DATE) AS month FROM workspace_leads
WHERE workspace_id = $workspace_id AND row_valid_at(valid_from, valid_to, $version)
  AND origin = 'marketing' AND mql_at <= $as_of::TIMESTAMPTZ
ORDER BY month DESC;

-- name: delete
DELETE FROM workspace_leads WHERE workspace_id = $workspace_id;
