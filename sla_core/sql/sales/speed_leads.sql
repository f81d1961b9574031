-- The drill-down list of the Sales SLA (SPEC 5 and 6): the leads handed in one local
-- $period starting $period_start (optionally only $owner's), each with its response time
-- on the chosen clock, its speed and depth status and why it breaches, oldest hand-off
-- first, $limit rows from $offset. `total` is the number of matching leads.
-- $near_from/$near_to bound the period's instants loosely (UTC dates two days around it, wider
-- than any zone offset), so the time-zone arithmetic runs only on the leads near the period.
--
-- Response times on the chosen clock come from clock_ctes.sql (included below).
WITH lead AS (
    SELECT lead_id, owner_name(owner) AS owner, attempts, connected,
           handed_at, touched_before_handoff,
           happened_by(mql_at, handed_at) AS mql_at,
           happened_by(first_touch_at, $as_of::TIMESTAMPTZ) AS touch_at,
           timezone($tz, handed_at) AS handed_local
    FROM leads
    WHERE handed_at <= $as_of::TIMESTAMPTZ
      AND in_span(handed_at, $near_from::TIMESTAMPTZ, $near_to::TIMESTAMPTZ)  -- a cheap prune before the exact test
      AND period_of($period, timezone($tz, handed_at)) = $period_start::DATE
      AND ($owner IS NULL OR owner_name(owner) = $owner)
),
-- @include sales/clock_ctes
,
labelled AS (
    SELECT *,
           f_touch - f_handed AS response_us,
           CASE WHEN touched_before_handoff THEN 'touched before hand-off (excluded)'
                WHEN f_touch - f_handed <= $goal_us THEN 'within goal'
                WHEN f_as_of - f_handed >= $goal_us OR f_touch IS NOT NULL THEN 'missed'
                ELSE 'not yet due' END AS speed_status,
           CASE WHEN connected THEN 'connected'
                WHEN attempts >= $depth_goal THEN 'at goal'
                ELSE 'below goal' END AS depth_status
    FROM clocked
),
breaching AS (
    SELECT *,
           concat_ws(', ', CASE WHEN speed_status = 'missed' THEN 'speed' END,
                     CASE WHEN depth_status = 'below goal' THEN 'depth' END) AS breach
    FROM labelled
)
SELECT lead_id, owner, handed_local, timezone($tz, touch_at) AS first_touch_local,
       response_us / 3600e6 AS response_hours, speed_status, attempts, connected, depth_status, breach,
       count(*) OVER () AS total
FROM breaching
WHERE NOT $breaching_only OR breach <> ''
ORDER BY handed_local, lead_id
LIMIT $limit OFFSET $offset;
