SELECT * EXCLUDE (workspace_id) FROM workspace_leads WHERE workspace_id = $workspace_id
