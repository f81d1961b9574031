SELECT token_sha256, workspace_id, scenario_id, revision, label, created_at, expires_at, revoked_at
FROM share_links WHERE token_sha256 = $token_sha256
