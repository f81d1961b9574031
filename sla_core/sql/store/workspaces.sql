-- The workspaces table: one row per saved workspace (sla_core/store/workspaces.py).

-- name: insert
INSERT INTO workspaces VALUES ($workspace_id, $name, $saved_at, $rows_saved, $dataset_json, $mapping_json);

-- name: get
SELECT workspace_id, name, saved_at, rows_saved, dataset_json, mapping_json FROM workspaces
WHERE workspace_id = $workspace_id;

-- name: list
SELECT workspace_id, name, saved_at, rows_saved FROM workspaces ORDER BY saved_at DESC, name;

-- name: delete
DELETE FROM workspaces WHERE workspace_id = $workspace_id;
