-- The `leads` the metric SQL reads, as the store fills or shows it (sla_core/store/workspaces.py, versions.py).

-- name: session_rows
-- Every row of the session's canonical table, streamed as Arrow batches into the store on save or refresh.
SELECT * FROM leads;

-- name: session_ids
-- The lead ids of the session's canonical table: a refresh ends the stored rows of leads no longer exported.
SELECT lead_id FROM leads;

-- name: restore
-- Reopening a saved workspace for editing: the stored rows (an Arrow reader `incoming`) become the session's leads.
CREATE OR REPLACE TABLE leads AS SELECT * FROM incoming;

-- name: bind
-- The workspace and data version a per-session store cursor shows as `leads`: one session variable, set at once,
-- so the view needs no SQL text from values and every query of a view reads one version.
SET VARIABLE shown_data = {'workspace_id': $workspace_id, 'version': $version::INTEGER};

-- name: view
-- The metric SQL reads the unqualified table `leads`: in a shared view it is this cursor-local view over the
-- stored rows of one workspace's data version, queried in place (no copy back into memory).
CREATE OR REPLACE TEMP VIEW leads AS
SELECT * EXCLUDE (workspace_id, valid_from, valid_to, row_hash) FROM workspace_leads
WHERE workspace_id = getvariable('shown_data').workspace_id
  AND row_valid_at(valid_from, valid_to, getvariable('shown_data').version);
