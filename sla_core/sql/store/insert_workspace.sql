INSERT INTO workspaces VALUES ($workspace_id, $name, $saved_at, $rows_saved, $dataset_json, $mapping_json)
