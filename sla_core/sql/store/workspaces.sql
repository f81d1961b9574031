-- The workspaces table: one row per saved workspace (sla_core/store/workspaces.py); rows_saved, dataset_json and
-- mapping_json are those of its latest data version.

-- name: insert
INSERT INTO workspaces (workspace_id, name, saved_at, rows_saved, dataset_json, mapping_json)
VALUES ($workspace_id, $name, $saved_at, $rows_saved, $dataset_json, $mapping_json);

-- name: get
SELECT workspace_id, name, saved_at, rows_saved, dataset_json, mapping_json, keep_versions FROM workspaces
WHERE workspace_id = $workspace_id;

-- name: list
-- With the number and load time of each workspace's latest data version.
SELECT w.workspace_id, w.name, w.saved_at, w.rows_saved, v.version AS data_version, v.loaded_at AS data_loaded_at
FROM workspaces w
LEFT JOIN (SELECT workspace_id, max(version) AS version, arg_max(loaded_at, version) AS loaded_at
           FROM data_versions GROUP BY workspace_id) v USING (workspace_id)
ORDER BY w.saved_at DESC, w.name;

-- name: show_data
-- A new latest data version: the workspace's row repeats its facts (in the version's own write).
UPDATE workspaces SET rows_saved = $rows_saved, dataset_json = $dataset_json, mapping_json = $mapping_json
WHERE workspace_id = $workspace_id;

-- name: keep_versions
UPDATE workspaces SET keep_versions = $keep_versions WHERE workspace_id = $workspace_id;

-- name: delete
DELETE FROM workspaces WHERE workspace_id = $workspace_id;
