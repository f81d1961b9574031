-- Fragment (included by speed_goal_counts.sql and speed_by_period.sql after a `goaled` CTE of the speed
-- leads in scope, read from the per-lead table lead_goals.sql: handed_local, owner (as written, or NULL
-- without $by_owner), response_us, waited_us and the lead's own goal_us): the CTE `goal`, the only speed
-- figures that depend on the speed goal, per local $period of hand-off: within the goal, missed and
-- their share. With $by_owner a row per period and owner and also the period's total over
-- all owners (owner NULL). Missed: touched later than the goal, or still untouched once the
-- goal window has closed by $as_of; a lead still inside its window is neither.
-- @reads goaled
-- @defines by_written_owner, named, goal
by_written_owner AS (  -- counted per owner as written first: naming the owner then costs per group, not per lead
    SELECT period_of($period, handed_local) AS period_start, owner,
           sum(CAST(goal_within(response_us, goal_us) AS INTEGER)) AS within,
           sum(CAST(goal_missed(response_us, waited_us, goal_us) AS INTEGER)) AS missed
    FROM goaled
    GROUP BY ALL
),
named AS (
    SELECT period_start, split_owner($by_owner, owner) AS owner,
           within, missed
    FROM by_written_owner
),
goal AS (
    SELECT period_start, owner, sum(within) AS within, sum(missed) AS missed,
           sum(within) / nullif(sum(within) + sum(missed), 0) AS pct_within_goal
    FROM named
    GROUP BY GROUPING SETS ((period_start, owner), (period_start))
    HAVING $by_owner OR grouping(owner) = 1
)
