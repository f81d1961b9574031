SELECT count(*) AS n FROM workspace_leads WHERE workspace_id = $workspace_id
