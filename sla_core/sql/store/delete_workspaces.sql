DELETE FROM workspaces WHERE workspace_id = $workspace_id
