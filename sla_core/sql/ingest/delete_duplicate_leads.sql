-- Keep the first row of each Lead ID (run after delete_invalid_leads.sql: every row has one).
DELETE FROM {{typed}} WHERE rowid NOT IN (SELECT min(rowid) FROM {{typed}} GROUP BY lead_id);
