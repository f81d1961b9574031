-- Speed of follow-up (SPEC 5) per local day, week or month ($period) of hand-off: every
-- figure that does not depend on the speed goal (speed_summary_ctes.sql), so the Sales page
-- reads it once per dataset, period and clock; within/missed come from speed_goal_counts.sql.
-- $handed_from/$handed_to (NULL: open) narrow it to hand-offs in [from, to), e.g. one month.
-- With $by_owner each period is split by owner (the per-rep table), else owner is NULL.
-- Response times on the chosen clock come from clock_ctes.sql (included below).
WITH
-- @include sales/speed_lead
,
-- @include sales/clock_ctes
,
-- @include sales/speed_summary_ctes
SELECT * FROM summary
ORDER BY period_start, owner;
