-- Fragment (included by speed_summary_ctes.sql and depth_by_period.sql): every local $period from the first
-- one in the CTE `periods` (a column period_start) up to the as-of period, or to the end of
-- $handed_to, so a period without hand-offs is still listed.
spine AS (
    SELECT CAST(p.range AS DATE) AS period_start
    FROM (SELECT min(period_start) AS first_period,
                 CAST(date_trunc($period, timezone($tz, least($as_of::TIMESTAMPTZ, coalesce($handed_to::TIMESTAMPTZ - INTERVAL 1 MICROSECOND, 'infinity'::TIMESTAMPTZ)))) AS DATE) AS last_period
          FROM periods) b,
         range(b.first_period, b.last_period + INTERVAL 1 DAY,
               CASE $period WHEN 'day' THEN INTERVAL 1 DAY WHEN 'week' THEN INTERVAL 7 DAY ELSE INTERVAL 1 MONTH END) p
)
