SELECT l.token_sha256, l.label, s.name AS scenario, l.revision, l.created_at, l.expires_at, l.revoked_at
FROM share_links l LEFT JOIN scenarios s USING (scenario_id, revision)
WHERE l.workspace_id = $workspace_id ORDER BY l.created_at DESC
