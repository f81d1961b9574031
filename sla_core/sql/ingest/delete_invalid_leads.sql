-- Drop the rows without a Lead ID or a creation date.
DELETE FROM {{typed}} WHERE lead_id IS NULL OR created_at IS NULL;
