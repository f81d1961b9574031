-- The month shown first (SPEC 8): the latest local month with at least one marketing lead
-- (an MQL on or before $as_of). NULL when the data has no marketing lead at all.
SELECT CAST(date_trunc('month', timezone($tz, max(mql_at))) AS DATE) AS month
FROM leads
WHERE origin = 'marketing' AND mql_at <= $as_of::TIMESTAMPTZ;
