-- The data_versions table: one row per load of a workspace's data (sla_core/store/versions.py).

-- name: insert
INSERT INTO data_versions (workspace_id, version, loaded_at, loaded_by, how, restored_from, files_json, rows_read,
                           rows_rejected, rows_loaded, rows_stored, rows_replaced, dataset_json, mapping_json)
VALUES ($workspace_id, $version, $loaded_at, $loaded_by, $how, $restored_from, $files_json, $rows_read,
        $rows_rejected, $rows_loaded, $rows_stored, $rows_replaced, $dataset_json, $mapping_json);

-- name: latest
SELECT * FROM data_versions WHERE workspace_id = $workspace_id ORDER BY version DESC LIMIT 1;

-- name: latest_number
-- The latest version's number alone: a shared view checks it on every rerun.
SELECT max(version) AS version FROM data_versions WHERE workspace_id = $workspace_id;

-- name: get
SELECT * FROM data_versions WHERE workspace_id = $workspace_id AND version = $version;

-- name: list
-- A workspace's kept versions, newest first, without the large JSON of each.
SELECT * EXCLUDE (dataset_json, mapping_json) FROM data_versions
WHERE workspace_id = $workspace_id ORDER BY version DESC;

-- name: unversioned
-- Start-up: the workspaces of a store from before data versions, whose saved data becomes their version 1.
SELECT workspace_id, saved_at, rows_saved, dataset_json, mapping_json FROM workspaces w
WHERE NOT EXISTS (SELECT 1 FROM data_versions v WHERE v.workspace_id = w.workspace_id)
ORDER BY workspace_id;

-- name: prune
-- Retention: the versions before $oldest_kept go, except one an active share link is pinned to.
DELETE FROM data_versions
WHERE workspace_id = $workspace_id AND version < $oldest_kept
  AND version NOT IN (
    SELECT data_version FROM share_links
    WHERE workspace_id = $workspace_id AND data_version IS NOT NULL AND revoked_at IS NULL
      AND (expires_at IS NULL OR expires_at > $now));

-- name: delete
DELETE FROM data_versions WHERE workspace_id = $workspace_id;
