-- What a speed verdict is judged on (SPEC 8), per local $period of hand-off: the speed hand-offs, within the
-- goal, missed and their share, read from the per-lead table alone (lead_goals.sql, built first). The same
-- leads and goal counts as speed_by_period.sql, without its goal-free summary (quantiles, bands, routing),
-- which would run the clock over every lead a second time: the report's run of misses reads every month.
-- A period without hand-offs has no row (speed_by_period lists it with 0 handed and n/a: the same verdict).
-- Not split by owner ($by_owner false).
WITH
-- @include sales/speed_goaled
,
-- @include sales/speed_goal_ctes
,
handed AS (
    SELECT period_of($period, handed_local) AS period_start, count(*) AS handed
    FROM goaled
    GROUP BY ALL
)
SELECT h.period_start, h.handed, coalesce(g.within, 0) AS within, coalesce(g.missed, 0) AS missed, g.pct_within_goal
FROM handed h
LEFT JOIN goal g USING (period_start)
ORDER BY h.period_start;
