-- Rep bandwidth (docs/metrics.md): the leads each rep really got in one local month, i.e. the
-- hand-offs in [$handed_from, $handed_to) (the month's bounds in the workspace time zone,
-- speed.month_window) up to $as_of, one row per owner ("(no owner)" for leads without one):
-- marketing- and sales-generated leads handed and the attempts made on each, and, for the
-- marketing leads not connected yet, how many sit at each attempt count and goal rule (the number of
-- the first rule of $goals matching the lead, NULL: none; only the rules' order and values are read).
-- No depth goal is a parameter: the missing attempts of any goal, a rule's or the default, are
-- arithmetic on those counts, so a goal move runs no query. Attempts and connected are the export's
-- (or activity log's) values.
WITH lead AS (
    SELECT coalesce(nullif(trim(owner), ''), '(no owner)') AS owner, origin, attempts, connected,
           goal_rule(source, tier, region, $goals) AS rule
    FROM leads
    WHERE handed_at <= $as_of::TIMESTAMPTZ
      AND handed_at >= $handed_from::TIMESTAMPTZ AND handed_at < $handed_to::TIMESTAMPTZ
),
per_owner AS (
    SELECT owner,
           count(*) FILTER (WHERE origin = 'marketing') AS marketing_handed,
           count(*) FILTER (WHERE origin = 'sales') AS sales_handed,
           coalesce(sum(attempts) FILTER (WHERE origin = 'marketing'), 0) AS marketing_attempts,
           coalesce(sum(attempts) FILTER (WHERE origin = 'sales'), 0) AS sales_attempts
    FROM lead
    GROUP BY owner
),
unconnected AS (  -- marketing leads not connected yet, by attempts made and rule: [{attempts, rule, leads}, ...]
    SELECT owner, list({'attempts': attempts, 'rule': rule, 'leads': leads} ORDER BY rule NULLS FIRST, attempts)
               AS unconnected_marketing
    FROM (SELECT owner, attempts, rule, count(*) AS leads
          FROM lead
          WHERE origin = 'marketing' AND NOT connected
          GROUP BY owner, attempts, rule)
    GROUP BY owner
)
SELECT p.owner, p.marketing_handed, p.sales_handed, p.marketing_attempts, p.sales_attempts,
       coalesce(u.unconnected_marketing, []) AS unconnected_marketing
FROM per_owner p
LEFT JOIN unconnected u USING (owner)
ORDER BY p.owner;
