DELETE FROM share_links WHERE workspace_id = $workspace_id
