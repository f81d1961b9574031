-- Goals per segment (SPEC 5b): the speed and depth figures of each goal rule's leads handed in
-- [$handed_from, $handed_to) by $as_of, one row per rule (`rule`, its 1-based number; NULL for the leads
-- no rule matched, on the default goals). Each lead belongs to the first rule that matches it and is
-- held to that rule's goals ($goals). Speed as speed_by_period.sql counts it (leads touched before
-- their hand-off left out, touches after $as_of not yet touches), on the chosen clock ($clock), with
-- the p75 a suggested goal starts from; depth as depth_by_period.sql (those leads stay in).
WITH lead AS (
    SELECT goal_rule(source, tier, region, $goals) AS rule,
           handed_at,
           happened_by(mql_at, handed_at) AS mql_at,
           happened_by(first_touch_at, $as_of::TIMESTAMPTZ) AS touch_at,
           touched_before_handoff, attempts, connected, region
    FROM leads
    WHERE handed_at <= $as_of::TIMESTAMPTZ AND in_span(handed_at, $handed_from::TIMESTAMPTZ, $handed_to::TIMESTAMPTZ)
),
-- @include sales/clock_ctes
,
timed AS (
    SELECT rule, touched_before_handoff, attempts, connected,
           CASE WHEN NOT touched_before_handoff THEN f_touch - f_handed END AS response_us,
           f_as_of - f_handed AS waited_us,
           lead_speed_goal_us(rule, $goals) AS goal_us,
           lead_depth_goal(rule, $goals) AS depth_goal
    FROM clocked
)
SELECT rule,
       count(*) FILTER (WHERE NOT touched_before_handoff) AS handed,
       count(response_us) AS touched,
       avg(response_us) / 3600e6 AS mean_hours,
       quantile_cont(response_us, 0.5) / 3600e6 AS median_hours,
       quantile_cont(response_us, 0.75) / 3600e6 AS p75_hours,
       quantile_cont(response_us, 0.9) / 3600e6 AS p90_hours,
       count(*) FILTER (WHERE NOT touched_before_handoff AND goal_within(response_us, goal_us)) AS within,
       count(*) FILTER (WHERE NOT touched_before_handoff AND goal_missed(response_us, waited_us, goal_us)) AS missed,
       within / nullif(within + missed, 0) AS pct_within_goal,
       count(*) AS depth_handed,
       count(*) FILTER (WHERE NOT connected) AS not_connected,
       avg(attempts) FILTER (WHERE NOT connected) AS avg_attempts,
       count(*) FILTER (WHERE NOT connected AND attempts >= depth_goal) AS at_goal,
       at_goal / nullif(not_connected, 0) AS pct_at_goal,
       count(*) FILTER (WHERE attempts >= 1) AS worked,
       worked / nullif(depth_handed, 0) AS leads_worked_pct
FROM timed
GROUP BY rule
ORDER BY rule NULLS LAST;
