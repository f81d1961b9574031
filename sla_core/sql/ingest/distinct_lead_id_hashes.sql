-- Distinct Lead ID hashes among kept rows: as many as rows proves every id is unique.
SELECT count(DISTINCT hash(lead_id)) AS n FROM {{typed}} WHERE lead_id IS NOT NULL AND created_at IS NOT NULL;
