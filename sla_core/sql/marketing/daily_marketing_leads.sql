-- Marketing leads per local day and tier (SPEC 4), for every month at once: the goal line
-- of any month, tier or value goal is drawn from this without another query.
-- Tier: given tier column, else the first job-title rule that matches (tier_rule_ctes.sql),
-- else $fallback_tier (lead_tier); without $by_tier one row per day (tier NULL) and no rule is matched.
-- $month_from/$month_to (local month starts; NULL: every day) keep the days of those months,
-- reading only the MQLs near them (near_months; each row's day is taken from its local time).
WITH
-- @include marketing/tier_rule_ctes
,
daily AS (
    SELECT local_day($tz, l.mql_at) AS day,
           CASE WHEN $by_tier THEN lead_tier(l.tier, tt.tier, $fallback_tier) END AS tier,
           count(*) AS leads
    FROM leads l
    LEFT JOIN title_tier tt ON $by_tier AND tt.job_title = l.job_title
    WHERE l.origin = 'marketing' AND l.mql_at IS NOT NULL AND l.mql_at <= $as_of::TIMESTAMPTZ
      AND near_months(l.mql_at, $tz, $month_from::DATE, $month_to::DATE)
    GROUP BY ALL
)
SELECT * FROM daily
WHERE $month_from::DATE IS NULL OR day >= $month_from::DATE AND day < $month_to::DATE
ORDER BY day, tier;
