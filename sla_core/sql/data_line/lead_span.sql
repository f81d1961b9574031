-- The first and last day a lead was created, in the workspace time zone: the span the data line of every page names.
SELECT min(local_day($tz, created_at)) AS first_day, max(local_day($tz, created_at)) AS last_day
FROM leads;
