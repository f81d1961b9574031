-- Speed of follow-up (SPEC 5) per local day, week or month ($period) of hand-off, from the
-- first hand-off up to the as-of period (a period without hand-offs is still listed).
-- With $by_owner each period is split by owner (the per-rep table), else owner is NULL.
-- Only what happened by $as_of counts: later hand-offs are left out, later touches are
-- not touches yet. Leads touched before their hand-off are a data-quality exclusion:
-- counted in touched_before_handoff, left out of every other figure.
--
-- The clock: a cumulative count F(instant) in microseconds, differences of which are
-- response times. Calendar ($business false): F = epoch. Business hours (local days and
-- times in $clock_tz, the clock's zone; periods are in $tz): per local day
-- of the spine, open_days_before × opening length + DST correction before that day
-- (from sla_core.clock.dst_corrections), plus, on an open day, the clamped part of the
-- day up to the instant, plus that day's own DST correction once its instant has passed.
-- The lead/span/dst/day_raw/days/clocked CTEs are the same in speed_leads.sql.
WITH lead AS (
    SELECT CASE WHEN $by_owner THEN coalesce(nullif(trim(owner), ''), '(no owner)') END AS owner,
           handed_at, touched_before_handoff,
           CASE WHEN mql_at <= handed_at THEN mql_at END AS mql_at,  -- a hand-off before the MQL date has no routing delay
           CASE WHEN first_touch_at <= $as_of::TIMESTAMPTZ THEN first_touch_at END AS touch_at,
           timezone($tz, handed_at) AS handed_local,
           timezone($clock_tz, handed_at) AS handed_clock
    FROM leads
    WHERE handed_at <= $as_of::TIMESTAMPTZ
),
span AS (
    SELECT CAST(min(timezone($clock_tz, coalesce(mql_at, handed_at))) AS DATE) AS first_day,
           CAST(timezone($clock_tz, $as_of::TIMESTAMPTZ) AS DATE) AS last_day
    FROM lead
),
dst AS (
    SELECT unnest($dst_days::DATE[]) AS day, unnest($dst_at::TIMESTAMPTZ[]) AS dst_at,
           unnest($dst_seconds::BIGINT[]) * 1000000 AS dst_us
),
day_raw AS (
    SELECT CAST(r.range AS DATE) AS day,
           list_contains($open_weekdays::INTEGER[], isodow(r.range))
               AND NOT list_contains($holidays::DATE[], CAST(r.range AS DATE)) AS open_day
    FROM span s, range(s.first_day, s.last_day + INTERVAL 1 DAY, INTERVAL 1 DAY) r
),
days AS (
    SELECT d.day, d.open_day, t.dst_at, coalesce(t.dst_us, 0) AS dst_us,
           coalesce(sum(CAST(d.open_day AS BIGINT)) OVER w, 0) * ($close_us::BIGINT - $open_us::BIGINT)
               + coalesce(sum(t.dst_us) OVER w, 0) AS base_us
    FROM day_raw d
    LEFT JOIN dst t USING (day)
    WINDOW w AS (ORDER BY d.day ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
),
as_of_clock AS (
    SELECT CASE WHEN $business THEN
               d.base_us + CASE WHEN d.open_day THEN least(greatest(
                   epoch_us(a.local) - epoch_us(date_trunc('day', a.local)) - $open_us::BIGINT, 0),
                   ($close_us::BIGINT - $open_us::BIGINT)) ELSE 0 END
               + CASE WHEN a.at >= d.dst_at THEN d.dst_us ELSE 0 END
           ELSE epoch_us(a.at) END AS f_as_of
    FROM (SELECT $as_of::TIMESTAMPTZ AS at, timezone($clock_tz, $as_of::TIMESTAMPTZ) AS local) a
    LEFT JOIN days d ON d.day = CAST(a.local AS DATE)
),
clocked AS (
    SELECT l.owner, l.touched_before_handoff, l.touch_at IS NOT NULL AS touched, l.mql_at IS NOT NULL AS routed,
           CAST(date_trunc($period, l.handed_local) AS DATE) AS period_start,
           CASE WHEN $business THEN
               dh.base_us + CASE WHEN dh.open_day THEN least(greatest(
                   epoch_us(l.handed_clock) - epoch_us(date_trunc('day', l.handed_clock)) - $open_us::BIGINT, 0),
                   ($close_us::BIGINT - $open_us::BIGINT)) ELSE 0 END
               + CASE WHEN l.handed_at >= dh.dst_at THEN dh.dst_us ELSE 0 END
           ELSE epoch_us(l.handed_at) END AS f_handed,
           CASE WHEN $business THEN
               dt.base_us + CASE WHEN dt.open_day THEN least(greatest(
                   epoch_us(timezone($clock_tz, l.touch_at)) - epoch_us(date_trunc('day', timezone($clock_tz, l.touch_at)))
                       - $open_us::BIGINT, 0), ($close_us::BIGINT - $open_us::BIGINT)) ELSE 0 END
               + CASE WHEN l.touch_at >= dt.dst_at THEN dt.dst_us ELSE 0 END
           ELSE epoch_us(l.touch_at) END AS f_touch,
           CASE WHEN $business THEN
               dm.base_us + CASE WHEN dm.open_day THEN least(greatest(
                   epoch_us(timezone($clock_tz, l.mql_at)) - epoch_us(date_trunc('day', timezone($clock_tz, l.mql_at)))
                       - $open_us::BIGINT, 0), ($close_us::BIGINT - $open_us::BIGINT)) ELSE 0 END
               + CASE WHEN l.mql_at >= dm.dst_at THEN dm.dst_us ELSE 0 END
           ELSE epoch_us(l.mql_at) END AS f_mql
    FROM lead l
    LEFT JOIN days dh ON dh.day = CAST(l.handed_clock AS DATE)
    LEFT JOIN days dt ON dt.day = CAST(timezone($clock_tz, l.touch_at) AS DATE)
    LEFT JOIN days dm ON dm.day = CAST(timezone($clock_tz, l.mql_at) AS DATE)
),
facts AS (
    SELECT c.period_start, c.owner, c.touched_before_handoff, c.touched,
           c.f_touch - c.f_handed AS response_us,
           c.f_handed - c.f_mql AS routing_us,
           coalesce(c.f_touch - c.f_handed <= $goal_us, false) AS within,
           a.f_as_of - c.f_handed >= $goal_us AS window_closed
    FROM clocked c, as_of_clock a
),
agg AS (
    SELECT period_start, owner,
           count(*) FILTER (WHERE NOT touched_before_handoff) AS handed,
           count(*) FILTER (WHERE NOT touched_before_handoff AND touched) AS touched,
           avg(response_us) FILTER (WHERE NOT touched_before_handoff) / 3600e6 AS mean_hours,
           quantile_cont(response_us, 0.5) FILTER (WHERE NOT touched_before_handoff) / 3600e6 AS median_hours,
           quantile_cont(response_us, 0.9) FILTER (WHERE NOT touched_before_handoff) / 3600e6 AS p90_hours,
           count(*) FILTER (WHERE NOT touched_before_handoff AND within) AS within,
           count(*) FILTER (WHERE NOT touched_before_handoff AND NOT within AND window_closed) AS missed,
           count(*) FILTER (WHERE NOT touched_before_handoff AND response_us <= 300e6) AS band_0_5m,
           count(*) FILTER (WHERE NOT touched_before_handoff AND response_us > 300e6 AND response_us <= 900e6) AS band_5_15m,
           count(*) FILTER (WHERE NOT touched_before_handoff AND response_us > 900e6 AND response_us <= 3600e6) AS band_15_60m,
           count(*) FILTER (WHERE NOT touched_before_handoff AND response_us > 3600e6 AND response_us <= 14400e6) AS band_1_4h,
           count(*) FILTER (WHERE NOT touched_before_handoff AND response_us > 14400e6 AND response_us <= 86400e6) AS band_4_24h,
           count(*) FILTER (WHERE NOT touched_before_handoff AND response_us > 86400e6) AS band_over_24h,
           count(*) FILTER (WHERE NOT touched_before_handoff AND NOT touched) AS band_never,
           count(routing_us) FILTER (WHERE NOT touched_before_handoff) AS routed,
           avg(routing_us) FILTER (WHERE NOT touched_before_handoff) / 3600e6 AS routing_mean_hours,
           quantile_cont(routing_us, 0.5) FILTER (WHERE NOT touched_before_handoff) / 3600e6 AS routing_median_hours,
           count(*) FILTER (WHERE touched_before_handoff) AS touched_before_handoff
    FROM facts
    GROUP BY ALL
),
spine AS (
    SELECT CAST(p.range AS DATE) AS period_start
    FROM (SELECT min(period_start) AS first_period,
                 CAST(date_trunc($period, timezone($tz, $as_of::TIMESTAMPTZ)) AS DATE) AS last_period
          FROM agg) b,
         range(b.first_period, b.last_period + INTERVAL 1 DAY,
               CASE $period WHEN 'day' THEN INTERVAL 1 DAY WHEN 'week' THEN INTERVAL 7 DAY ELSE INTERVAL 1 MONTH END) p
)
SELECT s.period_start, a.owner,
       coalesce(a.handed, 0) AS handed, coalesce(a.touched, 0) AS touched,
       a.mean_hours, a.median_hours, a.p90_hours,
       coalesce(a.within, 0) AS within, coalesce(a.missed, 0) AS missed,
       a.within / nullif(a.within + a.missed, 0) AS pct_within_goal,
       coalesce(a.band_0_5m, 0) AS band_0_5m, coalesce(a.band_5_15m, 0) AS band_5_15m,
       coalesce(a.band_15_60m, 0) AS band_15_60m, coalesce(a.band_1_4h, 0) AS band_1_4h,
       coalesce(a.band_4_24h, 0) AS band_4_24h, coalesce(a.band_over_24h, 0) AS band_over_24h,
       coalesce(a.band_never, 0) AS band_never,
       coalesce(a.routed, 0) AS routed, a.routing_mean_hours, a.routing_median_hours,
       coalesce(a.touched_before_handoff, 0) AS touched_before_handoff
FROM spine s
LEFT JOIN agg a USING (period_start)
ORDER BY s.period_start, a.owner;
