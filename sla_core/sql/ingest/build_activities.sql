-- The activity log's usable rows (a Lead ID and a time); type and outcome are empty when the file lacks them.
CREATE OR REPLACE TABLE activities_next AS
SELECT lead_id, activity_at, type, outcome
FROM {{typed}}
WHERE lead_id IS NOT NULL AND activity_at IS NOT NULL;
