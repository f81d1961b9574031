-- Fragment (included first by speed_goal_counts.sql and speed_by_period.sql): the CTE `goaled`, the leads the
-- speed goal counts read from the per-lead table (lead_goals.sql, which sla_core.sales.lead_goals.ensure
-- builds first), each at its own goal from $goals (its first goal rule's, else the default). The same leads
-- as speed_lead.sql: handed by $as_of (the table's), not touched before hand-off, in [$handed_from,
-- $handed_to) (NULL: open); owner as written with $by_owner, else NULL.
-- @reads lead_goals
-- @defines goaled
goaled AS (
    SELECT handed_local, CASE WHEN $by_owner THEN owner END AS owner, response_us, waited_us,
           lead_speed_goal_us(rule, $goals) AS goal_us
    FROM lead_goals
    WHERE NOT touched_before_handoff AND in_span(handed_at, $handed_from::TIMESTAMPTZ, $handed_to::TIMESTAMPTZ)
)
