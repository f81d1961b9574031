-- Job titles with the tier their leads get (given tier column first, then the first
-- matching rule, then $fallback_tier), so a user can check the editable rules.
WITH
-- @include marketing/tier_rule_ctes
SELECT coalesce(l.job_title, '(no title)') AS job_title,
       lead_tier(l.tier, tt.tier, $fallback_tier) AS tier,
       CASE WHEN nullif(trim(l.tier), '') IS NOT NULL THEN 'tier column'
            WHEN tt.tier IS NOT NULL THEN 'job title rule'
            ELSE 'no rule matched' END AS tier_from,
       count(*) AS leads
FROM leads l
LEFT JOIN title_tier tt ON tt.job_title = l.job_title
GROUP BY ALL
ORDER BY leads DESC, job_title, tier
LIMIT $limit;
