-- The `leads` the metric SQL reads, as the store fills or shows it (sla_core/store/workspaces.py).

-- name: session_rows
-- Every row of the session's canonical table, streamed as Arrow batches into the store on save.
SELECT * FROM leads;

-- name: restore
-- Reopening a saved workspace for editing: the stored rows (an Arrow reader `incoming`) become the session's leads.
CREATE OR REPLACE TABLE leads AS SELECT * FROM incoming;

-- name: bind
-- The workspace a per-session store cursor shows as `leads` (a session variable, so the view needs no SQL text from values).
SET VARIABLE shown_workspace = $workspace_id;

-- name: view
-- The metric SQL reads the unqualified table `leads`: in a shared view it is this cursor-local view over the
-- stored rows of one workspace, queried in place (no copy back into memory).
CREATE OR REPLACE TEMP VIEW leads AS
SELECT * EXCLUDE (workspace_id) FROM workspace_leads WHERE workspace_id = getvariable('shown_workspace');
