DELETE FROM scenarios WHERE workspace_id = $workspace_id
