-- The only speed figures that depend on the speed goal (speed_goal_ctes.sql): within the
-- goal, missed and their share per local $period of hand-off, from the per-lead table
-- (lead_goals.sql, built first). The rest comes from speed_summary.sql, which the Sales page
-- reads once per dataset and clock, so a move of the goal slider or of a rule's goal
-- re-aggregates only that narrow table. With $by_owner there is a row per period and
-- owner and also the period's total over all owners (owner NULL): the page's rep table and
-- headline from one pass. A period (or owner) without a row has nothing within or missed
-- (sla_core.speed.with_goal fills 0 and n/a).
WITH
-- @include sales/speed_goaled
,
-- @include sales/speed_goal_ctes
SELECT * FROM goal
ORDER BY period_start, owner NULLS FIRST;
