-- The drill-down list of the Sales SLA (SPEC 5 and 6): the leads handed in one local
-- $period starting $period_start (optionally only $owner's), each with its response time
-- on the chosen clock, its speed and depth status and why it breaches, oldest hand-off
-- first, $limit rows from $offset. `total` is the number of matching leads. Each lead is held to its
-- own goals (its first goal rule's, else the defaults in $goals), shown beside its status.
-- $untouched_only keeps the leads past their speed goal without a first touch (the list to work first).
-- $near_from/$near_to bound the period's instants loosely (UTC dates two days around it, wider
-- than any zone offset): a cheap prune before the exact test on the local hand-off.
--
-- Response times on the chosen clock and each lead's goal rule come from the per-lead table
-- (lead_goals.sql, built first, which holds the hand-offs by $as_of).
WITH goaled AS (
    SELECT lead_id, owner_name(owner) AS owner, attempts, connected, handed_local, touch_at,
           touched_before_handoff, response_us, waited_us,
           lead_speed_goal_us(rule, $goals) AS goal_us, lead_depth_goal(rule, $goals) AS depth_goal
    FROM lead_goals
    WHERE in_span(handed_at, $near_from::TIMESTAMPTZ, $near_to::TIMESTAMPTZ)
      AND period_of($period, handed_local) = $period_start::DATE
      AND ($owner IS NULL OR owner_name(owner) = $owner)
),
labelled AS (
    SELECT *,
           CASE WHEN touched_before_handoff THEN 'touched before hand-off (excluded)'
                WHEN goal_within(response_us, goal_us) THEN 'within goal'
                WHEN goal_missed(response_us, waited_us, goal_us) THEN 'missed'
                ELSE 'not yet due' END AS speed_status,
           CASE WHEN connected THEN 'connected'
                WHEN attempts >= depth_goal THEN 'at goal'
                ELSE 'below goal' END AS depth_status
    FROM goaled
),
breaching AS (
    SELECT *,
           concat_ws(', ', CASE WHEN speed_status = 'missed' THEN 'speed' END,
                     CASE WHEN depth_status = 'below goal' THEN 'depth' END) AS breach
    FROM labelled
)
SELECT lead_id, owner, handed_local, timezone($tz, touch_at) AS first_touch_local,
       response_us / 3600e6 AS response_hours, goal_us / 3600e6 AS speed_goal_hours, speed_status, attempts,
       connected, depth_goal, depth_status, breach,
       count(*) OVER () AS total
FROM breaching
WHERE (NOT $breaching_only OR breach <> '')
  AND (NOT $untouched_only OR (speed_status = 'missed' AND touch_at IS NULL))
ORDER BY handed_local, lead_id
LIMIT $limit OFFSET $offset;
