-- The latest revision of each scenario of a workspace.
SELECT scenario_id, revision, name, saved_at, settings_json FROM scenarios
WHERE workspace_id = $workspace_id
QUALIFY revision = max(revision) OVER (PARTITION BY scenario_id)
ORDER BY saved_at, name
