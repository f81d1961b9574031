SELECT workspace_id, name, saved_at, rows_saved FROM workspaces ORDER BY saved_at DESC, name
