-- Depth of follow-up (SPEC 6) per local day, week or month ($period) of hand-off, from the
-- first hand-off up to the as-of period (a period without hand-offs is still listed);
-- $handed_from/$handed_to (NULL: open) narrow it to hand-offs in [from, to), e.g. one month.
-- With $by_owner each period is split by owner, else owner is NULL. Hand-offs after
-- $as_of are left out; attempts and connected are the export's (or activity log's) values.
-- Leads touched before hand-off stay in: that exclusion is about response time only. Each lead is
-- held to its own depth goal: its first goal rule's, else the default ($goals), its rule read from the
-- per-lead table (lead_goals.sql, built first, which holds the hand-offs by $as_of).
WITH lead AS (
    SELECT period_of($period, handed_local) AS period_start,
           split_owner($by_owner, owner) AS owner,
           attempts, connected,
           lead_depth_goal(rule, $goals) AS depth_goal
    FROM lead_goals
    WHERE in_span(handed_at, $handed_from::TIMESTAMPTZ, $handed_to::TIMESTAMPTZ)
),
agg AS (
    SELECT period_start, owner,
           count(*) AS handed,
           count(*) FILTER (WHERE NOT connected) AS not_connected,
           avg(attempts) FILTER (WHERE NOT connected) AS avg_attempts,
           count(*) FILTER (WHERE NOT connected AND attempts >= depth_goal) AS at_goal,
           count(*) FILTER (WHERE attempts >= 1) AS worked
    FROM lead
    GROUP BY ALL
)
SELECT s.period_start, a.owner,
       coalesce(a.handed, 0) AS handed,
       coalesce(a.not_connected, 0) AS not_connected,
       a.avg_attempts,
       coalesce(a.at_goal, 0) AS at_goal,
       a.at_goal / nullif(a.not_connected, 0) AS pct_at_goal,
       coalesce(a.worked, 0) AS worked,
       a.worked / nullif(a.handed, 0) AS leads_worked_pct
FROM period_spine((SELECT min(period_start) FROM agg), $period, $tz, $as_of::TIMESTAMPTZ, $handed_to::TIMESTAMPTZ) s
LEFT JOIN agg a USING (period_start)
ORDER BY s.period_start, a.owner;
