-- The given tiers of leads_next as lead_tier (macros.sql) reads them, lower case and trimmed: how many
-- there are, the $kept most common (most leads first, then by name) and the leads of all the others.
WITH counted AS (
    SELECT lower(trim(tier)) AS tier, count(*) AS leads
    FROM leads_next
    WHERE nullif(trim(tier), '') IS NOT NULL
    GROUP BY 1
),
ranked AS (
    SELECT tier, leads, row_number() OVER (ORDER BY leads DESC, tier) AS k
    FROM counted
)
SELECT count(*) AS tiers,
       coalesce(list(tier ORDER BY k) FILTER (WHERE k <= $kept), []) AS kept,
       coalesce(sum(leads) FILTER (WHERE k > $kept), 0) AS grouped_leads
FROM ranked;
