-- Each lead's goal facts (SPEC 5b), built once per session connection for one data version, as-of time, time
-- zone, clock and order of goal rules (sla_core.sales.lead_goals): the temp table `lead_goals`, one row per
-- lead handed by $as_of with the number of the first goal rule it matches (NULL: the defaults), its response
-- and waiting time on the chosen clock, its hand-off in local time and its depth facts. Nothing in it depends
-- on a goal's value, so a move of the default goal or of a rule's goal re-aggregates this narrow table
-- (speed_goal_counts, speed_by_period, depth_by_period, speed_leads, segment_figures) and never re-scans
-- `leads` or re-runs the clock. The connection's variable `lead_goals_built` holds what the table was built from.

-- name: state
-- What the session's `leads` is now (its catalog entries change whenever it is replaced, a shared view's
-- data version is a session variable) and what `lead_goals` was built from.
SELECT (SELECT string_agg(oid::VARCHAR, ',' ORDER BY oid)
        FROM (SELECT table_oid AS oid FROM duckdb_tables() WHERE table_name = 'leads'
              UNION ALL
              SELECT view_oid FROM duckdb_views() WHERE view_name = 'leads'))
       || '/' || coalesce(getvariable('shown_data')::VARCHAR, '') AS source,
       getvariable('lead_goals_built') AS built;

-- name: build
-- The table itself: the clock as the speed statements count it (sales/clock_ctes), the rule as goal_rule
-- finds it. Not sorted: the rows keep the export's order (CRM exports list leads by creation, so one month's
-- hand-offs are already together); sorting by hand-off cost a quarter to a third of the build (40-50 ms of CPU
-- at 1M leads, every build) and saved a one-month statement 0.3-2 ms even on rows in random order.
CREATE OR REPLACE TEMP TABLE lead_goals AS
WITH lead AS (
    SELECT lead_id, owner, handed_at,
           happened_by(mql_at, handed_at) AS mql_at,
           happened_by(first_touch_at, $as_of::TIMESTAMPTZ) AS touch_at,
           timezone($tz, handed_at) AS handed_local,
           touched_before_handoff, attempts, connected, source, tier, region,
           goal_rule(source, tier, region, $goals) AS rule
    FROM leads
    WHERE handed_at <= $as_of::TIMESTAMPTZ
),
-- @include sales/clock_ctes
SELECT lead_id, owner, handed_at, handed_local, touch_at, touched_before_handoff, attempts, connected, rule,
       f_touch - f_handed AS response_us, f_as_of - f_handed AS waited_us
FROM clocked;

-- name: mark
-- Record what the table was just built from (a variable of this connection, as the table is its own).
SET VARIABLE lead_goals_built = $key::VARCHAR;
