-- The marketing sales cycle (SPEC 3): one row per marketing lead that became a customer by
-- $as_of, with the local month it became an MQL (its cohort) and the days from MQL to customer.
-- A customer date before the MQL date counts as a cycle of 0 days. sla_core.marketing.maturity
-- takes from these rows the maturity threshold (their 90th percentile) and the cohort conversion
-- curve F(t) of the mature months.
SELECT period_of('month', timezone($tz, mql_at)) AS month,
       greatest(days_between(mql_at, customer_at), 0) AS cycle_days
FROM leads
WHERE origin = 'marketing' AND mql_at <= $as_of::TIMESTAMPTZ AND customer_at <= $as_of::TIMESTAMPTZ
ORDER BY cycle_days, month;
