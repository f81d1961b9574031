-- The first rows of the typed leads without a Lead ID or a creation date (rejected).
SELECT rowid AS r
FROM {{typed}}
WHERE lead_id IS NULL OR created_at IS NULL
ORDER BY rowid
LIMIT $limit;
