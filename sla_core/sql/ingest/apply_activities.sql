-- First touch, attempts and connected from the activity log (SPEC section 1):
--   first_touch_at = first activity at or after handed_at;
--   attempts       = activities at or after handed_at up to and including the first connected one;
--   connected      = any activity whose outcome is one of $connected_values (lower case).
-- The log replaces whatever the lead file said about these three fields.
CREATE OR REPLACE TABLE leads_next AS
WITH acts AS (
    SELECT a.lead_id, a.activity_at,
           coalesce(list_contains($connected_values, lower(trim(a.outcome))), false) AS is_connected,
           a.activity_at >= l.handed_at AS after_handoff
    FROM activities_next a
    JOIN leads_next l USING (lead_id)
),
first_connect AS (
    SELECT lead_id, min(activity_at) FILTER (WHERE after_handoff AND is_connected) AS connected_at
    FROM acts
    GROUP BY lead_id
),
per_lead AS (
    SELECT a.lead_id,
           min(a.activity_at) FILTER (WHERE a.after_handoff) AS first_touch_at,
           count(*) FILTER (WHERE a.after_handoff AND (f.connected_at IS NULL OR a.activity_at <= f.connected_at))
               AS attempts,
           bool_or(a.is_connected) AS connected
    FROM acts a
    JOIN first_connect f USING (lead_id)
    GROUP BY a.lead_id
)
SELECT l.* REPLACE (
    p.first_touch_at AS first_touch_at,
    coalesce(p.attempts, 0) AS attempts,
    coalesce(p.connected, false) AS connected
)
FROM leads_next l
LEFT JOIN per_lead p USING (lead_id);
