-- Fragment (included first by speed_summary.sql, speed_goal_counts.sql and speed_by_period.sql):
-- the `lead` CTE of the speed figures, so the goal-free summary and the goal counts read
-- exactly the same leads.
-- Only what happened by $as_of counts: later hand-offs are left out, later touches are not
-- touches yet. Leads touched before their hand-off are a data-quality exclusion, left out here.
-- $handed_from/$handed_to (NULL: open) narrow it to hand-offs in [from, to), e.g. one month.
-- With $by_owner each lead keeps its owner as written (the per-rep figures), else owner is NULL;
-- the statements name it (owner_name) themselves, the counts only after grouping. The segment fields
-- (source, tier, region) ride along for the goal rules (speed_goal_ctes.sql).
-- @reads leads
-- @defines lead
lead AS (
    SELECT CASE WHEN $by_owner THEN owner END AS owner,
           handed_at,
           happened_by(mql_at, handed_at) AS mql_at,  -- a hand-off before the MQL date has no routing delay
           happened_by(first_touch_at, $as_of::TIMESTAMPTZ) AS touch_at,
           timezone($tz, handed_at) AS handed_local,
           source, tier, region
    FROM leads
    WHERE handed_at <= $as_of::TIMESTAMPTZ AND NOT touched_before_handoff
      AND in_span(handed_at, $handed_from::TIMESTAMPTZ, $handed_to::TIMESTAMPTZ)
)
