-- Distinct Lead IDs among kept rows.
SELECT count(DISTINCT lead_id) AS n FROM {{typed}} WHERE lead_id IS NOT NULL AND created_at IS NOT NULL;
