-- The 64-bit hash of every kept row's Lead ID (equal ids share a hash).
SELECT hash(lead_id) AS h FROM {{typed}} WHERE lead_id IS NOT NULL AND created_at IS NOT NULL;
