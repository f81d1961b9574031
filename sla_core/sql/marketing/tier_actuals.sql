-- Per-tier actuals pooled over local months [$from_month, $to_month): the tier's share of
-- marketing revenue closed, and its cohort close rate and deal size (ratios of sums, NULL
-- for a zero denominator). Tiers from tier_rule_ctes.sql.
WITH
-- @include marketing/tier_rule_ctes
, ev AS (
    SELECT coalesce(nullif(lower(trim(l.tier)), ''), tt.tier, $fallback_tier) AS tier,
           l.deal_amount,
           CASE WHEN l.mql_at <= $as_of::TIMESTAMPTZ THEN CAST(timezone($tz, l.mql_at) AS DATE) END AS mql_day,
           CASE WHEN l.customer_at <= $as_of::TIMESTAMPTZ THEN CAST(timezone($tz, l.customer_at) AS DATE) END AS customer_day
    FROM leads l
    LEFT JOIN title_tier tt ON tt.job_title = l.job_title
    WHERE l.origin = 'marketing'
),
per_tier AS (
    SELECT tier,
           count(*) FILTER (WHERE mql_day >= $from_month AND mql_day < $to_month) AS marketing_leads,
           count(*) FILTER (WHERE mql_day >= $from_month AND mql_day < $to_month AND customer_day IS NOT NULL) AS customers,
           sum(deal_amount) FILTER (WHERE mql_day >= $from_month AND mql_day < $to_month AND customer_day IS NOT NULL)
               AS customer_revenue,
           coalesce(sum(deal_amount) FILTER (WHERE customer_day >= $from_month AND customer_day < $to_month), 0)
               AS closed_revenue
    FROM ev
    GROUP BY tier
)
SELECT tier, marketing_leads, customers,
       customers / nullif(marketing_leads, 0) AS close_rate,
       customer_revenue / nullif(customers, 0) AS avg_deal_size,
       closed_revenue / nullif(sum(closed_revenue) OVER (), 0) AS revenue_share
FROM per_tier
ORDER BY tier;
