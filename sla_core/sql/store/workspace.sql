SELECT workspace_id, name, saved_at, rows_saved, dataset_json, mapping_json FROM workspaces
WHERE workspace_id = $workspace_id
