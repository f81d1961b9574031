-- Speed of follow-up (SPEC 5) per local $period of hand-off, every figure in one pass: the
-- goal-free summary (speed_summary_ctes.sql) with the goal's within/missed/share
-- (speed_goal_ctes.sql, on the per-lead table lead_goals.sql, built first) joined on, as
-- sla_core.speed.with_goal joins the Sales page's two statements (a period without a count row
-- has 0 within, 0 missed, n/a share). For the report and share links, which read one month
-- ($handed_from/$handed_to) once: one statement instead of two. Not split by owner ($by_owner false).
WITH
-- @include sales/speed_lead
,
-- @include sales/clock_ctes
,
-- @include sales/speed_summary_ctes
,
-- @include sales/speed_goaled
,
-- @include sales/speed_goal_ctes
SELECT summary.*, coalesce(goal.within, 0) AS within, coalesce(goal.missed, 0) AS missed, goal.pct_within_goal
FROM summary
LEFT JOIN goal USING (period_start)
ORDER BY period_start;
