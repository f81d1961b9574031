-- The share_links table: one row per link, keyed by the SHA-256 of its token (sla_core/store/share.py).
-- data_version NULL: the link follows the workspace's latest data; month NULL: it opens on the month shown first.

-- name: insert
INSERT INTO share_links (token_sha256, workspace_id, scenario_id, revision, label, created_at, expires_at,
                         revoked_at, data_version, month)
VALUES ($token_sha256, $workspace_id, $scenario_id, $revision, $label, $created_at, $expires_at, NULL,
        $data_version, $month);

-- name: get
SELECT token_sha256, workspace_id, scenario_id, revision, label, created_at, expires_at, revoked_at, data_version,
       month
FROM share_links WHERE token_sha256 = $token_sha256;

-- name: list
SELECT l.token_sha256, l.label, s.name AS scenario, l.revision, l.data_version, l.month, l.created_at, l.expires_at,
       l.revoked_at
FROM share_links l LEFT JOIN scenarios s USING (scenario_id, revision)
WHERE l.workspace_id = $workspace_id ORDER BY l.created_at DESC;

-- name: revoke
UPDATE share_links SET revoked_at = $revoked_at
WHERE token_sha256 = $token_sha256 AND workspace_id = $workspace_id AND revoked_at IS NULL;

-- name: delete
DELETE FROM share_links WHERE workspace_id = $workspace_id;
