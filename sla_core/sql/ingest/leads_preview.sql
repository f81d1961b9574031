-- The first rows of the canonical table, in the workspace time zone, for a visual check.
SELECT lead_id,
       timezone($tz, created_at) AS created_at, timezone($tz, mql_at) AS mql_at, source, origin,
       timezone($tz, handed_at) AS handed_at, timezone($tz, first_touch_at) AS first_touch_at,
       attempts, connected, timezone($tz, customer_at) AS customer_at, deal_amount, owner, tier, job_title
FROM leads
LIMIT $limit;
