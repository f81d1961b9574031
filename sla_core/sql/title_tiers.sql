-- Job titles with the tier their leads get (given tier column first, then the first
-- matching rule, then $fallback_tier), so a user can check the editable rules.
-- The rules CTE is shared with daily_marketing_leads.sql and tier_actuals.sql: keep them in step.
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
SELECT coalesce(l.job_title, '(no title)') AS job_title,
       coalesce(nullif(lower(trim(l.tier)), ''), tt.tier, $fallback_tier) AS tier,
       CASE WHEN nullif(trim(l.tier), '') IS NOT NULL THEN 'tier column'
            WHEN tt.tier IS NOT NULL THEN 'job title rule'
            ELSE 'no rule matched' END AS tier_from,
       count(*) AS leads
FROM leads l
LEFT JOIN title_tier tt ON tt.job_title = l.job_title
GROUP BY ALL
ORDER BY leads DESC, job_title, tier
LIMIT $limit;
