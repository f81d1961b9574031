-- The scenarios table: every revision of every scenario of a workspace (sla_core/store/scenarios.py).

-- name: insert
-- A new revision of a scenario (revision 1 when new); earlier revisions are kept.
INSERT INTO scenarios
SELECT $scenario_id, coalesce(max(revision), 0) + 1, $workspace_id, $scenario_name, $saved_at, $settings_json
FROM scenarios WHERE scenario_id = $scenario_id
RETURNING revision;

-- name: get
SELECT scenario_id, revision, workspace_id, name, saved_at, settings_json FROM scenarios
WHERE scenario_id = $scenario_id AND workspace_id = $workspace_id AND revision = $revision;

-- name: latest
-- The latest revision of each scenario of a workspace.
SELECT scenario_id, revision, name, saved_at, settings_json FROM scenarios
WHERE workspace_id = $workspace_id
QUALIFY revision = max(revision) OVER (PARTITION BY scenario_id)
ORDER BY saved_at, name;

-- name: revisions
SELECT scenario_id, revision, name, saved_at, settings_json FROM scenarios
WHERE scenario_id = $scenario_id AND workspace_id = $workspace_id ORDER BY revision;

-- name: claim
-- Inside a write that needs this revision to stay (a new share link): rewrites its key to itself, which DuckDB
-- runs as a delete and an insert, so a delete of the row by another open or newer write is a conflict that
-- fails one of the two. No row: the revision is not (or no longer) there.
UPDATE scenarios SET revision = revision
WHERE scenario_id = $scenario_id AND workspace_id = $workspace_id AND revision = $revision
RETURNING revision;

-- name: delete
DELETE FROM scenarios WHERE workspace_id = $workspace_id;
