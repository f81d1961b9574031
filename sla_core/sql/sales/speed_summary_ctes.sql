-- Fragment (after the clock CTEs; included by speed_summary.sql and speed_by_period.sql):
-- the CTE `summary`, every speed figure that does not depend on the speed goal, per local
-- $period of hand-off (and owner with $by_owner) from the first hand-off up to the as-of
-- period (a period without hand-offs is still listed). Leads touched before their hand-off
-- are counted in touched_before_handoff and left out of every other figure.
-- @reads clocked, leads
-- @defines facts, agg, excluded, periods, summary
facts AS (
    SELECT period_of($period, handed_local) AS period_start,
           split_owner($by_owner, owner) AS owner,
           f_touch - f_handed AS response_us,
           f_handed - f_mql AS routing_us
    FROM clocked
),
agg AS (
    SELECT period_start, owner,
           count(*) AS handed,
           count(response_us) AS touched,
           avg(response_us) / 3600e6 AS mean_hours,
           quantile_cont(response_us, [0.5, 0.9]) AS quantiles,
           count(*) FILTER (WHERE response_us <= 300e6) AS band_0_5m,
           count(*) FILTER (WHERE response_us > 300e6 AND response_us <= 900e6) AS band_5_15m,
           count(*) FILTER (WHERE response_us > 900e6 AND response_us <= 3600e6) AS band_15_60m,
           count(*) FILTER (WHERE response_us > 3600e6 AND response_us <= 14400e6) AS band_1_4h,
           count(*) FILTER (WHERE response_us > 14400e6 AND response_us <= 86400e6) AS band_4_24h,
           count(*) FILTER (WHERE response_us > 86400e6) AS band_over_24h,
           count(*) - count(response_us) AS band_never,
           count(routing_us) AS routed,
           avg(routing_us) / 3600e6 AS routing_mean_hours,
           quantile_cont(routing_us, 0.5) / 3600e6 AS routing_median_hours
    FROM facts
    GROUP BY ALL
),
excluded AS (  -- the data-quality exclusion, counted per period (and owner)
    SELECT period_of($period, timezone($tz, handed_at)) AS period_start,
           split_owner($by_owner, owner) AS owner,
           count(*) AS touched_before_handoff
    FROM leads
    WHERE handed_at <= $as_of::TIMESTAMPTZ AND touched_before_handoff
      AND in_span(handed_at, $handed_from::TIMESTAMPTZ, $handed_to::TIMESTAMPTZ)
    GROUP BY ALL
),
periods AS (
    SELECT period_start, owner FROM agg
    UNION
    SELECT period_start, owner FROM excluded
),
summary AS (
    SELECT s.period_start, g.owner,
           coalesce(a.handed, 0) AS handed, coalesce(a.touched, 0) AS touched,
           a.mean_hours, a.quantiles[1] / 3600e6 AS median_hours, a.quantiles[2] / 3600e6 AS p90_hours,
           coalesce(a.band_0_5m, 0) AS band_0_5m, coalesce(a.band_5_15m, 0) AS band_5_15m,
           coalesce(a.band_15_60m, 0) AS band_15_60m, coalesce(a.band_1_4h, 0) AS band_1_4h,
           coalesce(a.band_4_24h, 0) AS band_4_24h, coalesce(a.band_over_24h, 0) AS band_over_24h,
           coalesce(a.band_never, 0) AS band_never,
           coalesce(a.routed, 0) AS routed, a.routing_mean_hours, a.routing_median_hours,
           coalesce(e.touched_before_handoff, 0) AS touched_before_handoff
    FROM period_spine((SELECT min(period_start) FROM periods), $period, $tz, $as_of::TIMESTAMPTZ,
                      $handed_to::TIMESTAMPTZ) s
    LEFT JOIN periods g USING (period_start)
    LEFT JOIN agg a ON a.period_start = s.period_start AND a.owner IS NOT DISTINCT FROM g.owner
    LEFT JOIN excluded e ON e.period_start = s.period_start AND e.owner IS NOT DISTINCT FROM g.owner
)
