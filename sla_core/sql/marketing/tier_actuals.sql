-- Per-tier actuals pooled over local months [$from_month, $to_month): the tier's share of
-- marketing revenue closed, and its cohort close rate and deal size (ratios of sums, NULL
-- for a zero denominator). Tiers from tier_rule_ctes.sql and lead_tier.
WITH
-- @include marketing/tier_rule_ctes
,
ev AS (
    SELECT lead_tier(l.tier, tt.tier, $fallback_tier) AS tier,
           l.deal_amount,
           local_day($tz, happened_by(l.mql_at, $as_of::TIMESTAMPTZ)) AS mql_day,
           local_day($tz, happened_by(l.customer_at, $as_of::TIMESTAMPTZ)) AS customer_day
    FROM leads l
    LEFT JOIN title_tier tt ON tt.job_title = l.job_title
    WHERE l.origin = 'marketing'
),
cohort AS (  -- the cohort of the months: MQLs in [from, to), customers among them if closed by $as_of
    SELECT *, mql_day >= $from_month AND mql_day < $to_month AS in_cohort
    FROM ev
),
per_tier AS (
    SELECT tier,
           count(*) FILTER (WHERE in_cohort) AS marketing_leads,
           count(*) FILTER (WHERE in_cohort AND customer_day IS NOT NULL) AS customers,
           sum(deal_amount) FILTER (WHERE in_cohort AND customer_day IS NOT NULL) AS customer_revenue,
           coalesce(sum(deal_amount) FILTER (WHERE customer_day >= $from_month AND customer_day < $to_month), 0)
               AS closed_revenue
    FROM cohort
    GROUP BY tier
)
SELECT tier, marketing_leads, customers,
       customers / nullif(marketing_leads, 0) AS close_rate,
       customer_revenue / nullif(customers, 0) AS avg_deal_size,
       closed_revenue / nullif(sum(closed_revenue) OVER (), 0) AS revenue_share
FROM per_tier
ORDER BY tier;
