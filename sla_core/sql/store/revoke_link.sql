UPDATE share_links SET revoked_at = $revoked_at
WHERE token_sha256 = $token_sha256 AND workspace_id = $workspace_id AND revoked_at IS NULL
