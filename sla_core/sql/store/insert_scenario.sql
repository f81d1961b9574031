-- A new revision of a scenario (revision 1 when new); earlier revisions are kept.
INSERT INTO scenarios
SELECT $scenario_id, coalesce(max(revision), 0) + 1, $workspace_id, $scenario_name, $saved_at, $settings_json
FROM scenarios WHERE scenario_id = $scenario_id
RETURNING revision
