INSERT INTO share_links VALUES ($token_sha256, $workspace_id, $scenario_id, $revision, $label, $created_at, $expires_at, NULL)
