-- Marketing leads per local day and tier (SPEC 4), for every month at once: the goal line
-- of any month, tier or value goal is drawn from this without another query.
-- Tier: given tier column, else the first job-title rule that matches, else $fallback_tier
-- (same CTEs as title_tiers.sql).
WITH rules AS (
    SELECT unnest($rule_tiers::VARCHAR[]) AS tier,
           unnest($rule_patterns::VARCHAR[]) AS pattern,
           unnest(range(len($rule_tiers::VARCHAR[]))) AS priority
),
title_tier AS (
    SELECT t.job_title, arg_min(r.tier, r.priority) AS tier
    FROM (SELECT DISTINCT job_title FROM leads WHERE job_title IS NOT NULL) t
    JOIN rules r ON regexp_matches(t.job_title, r.pattern)
    GROUP BY t.job_title
)
SELECT CAST(timezone($tz, l.mql_at) AS DATE) AS day,
       coalesce(nullif(lower(trim(l.tier)), ''), tt.tier, $fallback_tier) AS tier,
       count(*) AS leads
FROM leads l
LEFT JOIN title_tier tt ON tt.job_title = l.job_title
WHERE l.origin = 'marketing' AND l.mql_at IS NOT NULL AND l.mql_at <= $as_of::TIMESTAMPTZ
GROUP BY ALL
ORDER BY day, tier;
