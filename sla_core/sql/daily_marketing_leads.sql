-- Marketing leads per local day and tier (SPEC 4), for every month at once: the goal line
-- of any month, tier or value goal is drawn from this without another query.
-- Tier: given tier column, else the first job-title rule that matches (tier_rule_ctes.sql),
-- else $fallback_tier.
WITH
-- @include tier_rule_ctes
SELECT CAST(timezone($tz, l.mql_at) AS DATE) AS day,
       coalesce(nullif(lower(trim(l.tier)), ''), tt.tier, $fallback_tier) AS tier,
       count(*) AS leads
FROM leads l
LEFT JOIN title_tier tt ON tt.job_title = l.job_title
WHERE l.origin = 'marketing' AND l.mql_at IS NOT NULL AND l.mql_at <= $as_of::TIMESTAMPTZ
GROUP BY ALL
ORDER BY day, tier;
