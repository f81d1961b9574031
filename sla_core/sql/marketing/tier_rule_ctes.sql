-- Fragment (included by daily_marketing_leads.sql, tier_actuals.sql and title_tiers.sql):
-- the editable job-title rules ($rule_tiers, $rule_patterns in priority order) and, per
-- distinct job title, the tier of the first rule that matches (lead_tier in macros.sql puts
-- it after the given tier column).
-- @reads leads
-- @defines rules, title_tier
rules AS (
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
