SELECT scenario_id, revision, name, saved_at, settings_json FROM scenarios
WHERE scenario_id = $scenario_id AND workspace_id = $workspace_id ORDER BY revision
