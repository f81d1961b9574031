-- The first kept rows whose Lead ID an earlier row already has (the first row is kept).
SELECT r, lead_id
FROM (
    SELECT rowid AS r, lead_id, row_number() OVER (PARTITION BY lead_id ORDER BY rowid) AS k
    FROM {{typed}}
    WHERE lead_id IS NOT NULL AND created_at IS NOT NULL
)
WHERE k > 1
ORDER BY r
LIMIT $limit;
