-- The monthly recalculation (SPEC 3) for every local calendar month from the first one
-- with a marketing MQL or any customer up to the as-of month; a month without leads is
-- still listed. Only events on or before $as_of count. A zero denominator gives NULL
-- ("n/a"). The sum columns at the end let "use my actuals" pool months as ratios of sums; which
-- months are mature is sla_core.marketing.maturity's (from conversion_cycles.sql).
-- The report reads one month's actuals from these rows too (one scan serves its month, its run of
-- misses and its catch-up plan).
WITH cohort AS (  -- marketing leads by the month they became MQLs, and what they have closed so far
    SELECT period_of('month', timezone($tz, mql_at)) AS month,
           count(*) AS marketing_leads,
           count(*) FILTER (WHERE customer_at <= $as_of::TIMESTAMPTZ) AS customers,
           sum(deal_amount) FILTER (WHERE customer_at <= $as_of::TIMESTAMPTZ) AS customer_revenue
    FROM leads
    WHERE origin = 'marketing' AND mql_at <= $as_of::TIMESTAMPTZ
    GROUP BY ALL
),
closed AS (  -- revenue by the month it closed, all origins
    SELECT period_of('month', timezone($tz, customer_at)) AS month,
           sum(deal_amount) AS closed_revenue,
           coalesce(sum(deal_amount) FILTER (WHERE origin = 'marketing'), 0) AS marketing_closed_revenue,
           sum(cycle_days) FILTER (WHERE origin = 'marketing') AS cycle_days_sum,
           count(cycle_days) FILTER (WHERE origin = 'marketing') AS cycle_customers
    FROM (SELECT customer_at, deal_amount, origin, days_between(mql_at, customer_at) AS cycle_days
          FROM leads
          WHERE customer_at <= $as_of::TIMESTAMPTZ)
    GROUP BY ALL
),
bounds AS (
    SELECT least((SELECT min(month) FROM cohort), (SELECT min(month) FROM closed)) AS first_month,
           period_of('month', timezone($tz, $as_of::TIMESTAMPTZ)) + INTERVAL 1 MONTH AS end_month,
           timezone($tz, $as_of::TIMESTAMPTZ) AS as_of_local
),
spine AS (
    SELECT CAST(m.range AS DATE) AS month, b.as_of_local
    FROM bounds b, range(b.first_month, b.end_month, INTERVAL 1 MONTH) m
)
SELECT s.month,
       coalesce(c.marketing_leads, 0) AS marketing_leads,
       coalesce(c.customers, 0) AS customers,
       c.customers / nullif(c.marketing_leads, 0) AS close_rate,
       c.customer_revenue / nullif(c.customers, 0) AS avg_deal_size,
       k.marketing_closed_revenue / nullif(k.closed_revenue, 0) AS marketing_revenue_share,
       k.cycle_days_sum / nullif(k.cycle_customers, 0) AS avg_cycle_days,
       s.month + INTERVAL 1 MONTH <= s.as_of_local AS complete,
       c.customer_revenue,
       coalesce(k.marketing_closed_revenue, 0) AS marketing_closed_revenue,
       k.closed_revenue,
       k.cycle_days_sum,
       coalesce(k.cycle_customers, 0) AS cycle_customers
FROM spine s
LEFT JOIN cohort c USING (month)
LEFT JOIN closed k USING (month)
ORDER BY s.month;
