-- The workspace_leads table: the leads of every saved workspace, keyed by workspace_id (sla_core/store/).

-- name: create
-- Only the key: the lead columns are added from sla_core/contract.py at start-up (store/file.py), so a new
-- store and one written by an older app end up with the same columns.
CREATE TABLE IF NOT EXISTS workspace_leads (workspace_id VARCHAR NOT NULL);

-- name: columns
-- The columns the table has now: start-up adds the contract's lead fields it lacks.
SELECT name AS column_name FROM pragma_table_info('workspace_leads') ORDER BY cid;

-- name: insert
-- `incoming` is the Arrow reader over the session's leads, registered for the duration of the save.
INSERT INTO workspace_leads BY NAME SELECT $workspace_id AS workspace_id, * FROM incoming;

-- name: count
SELECT count(*) AS n FROM workspace_leads WHERE workspace_id = $workspace_id;

-- name: rows
SELECT * EXCLUDE (workspace_id) FROM workspace_leads WHERE workspace_id = $workspace_id;

-- name: delete
DELETE FROM workspace_leads WHERE workspace_id = $workspace_id;
