-- Speed of follow-up (SPEC 5) per local day, week or month ($period) of hand-off, from the
-- first hand-off up to the as-of period (a period without hand-offs is still listed);
-- $handed_from/$handed_to (NULL: open) narrow it to hand-offs in [from, to), e.g. one month.
-- With $by_owner each period is split by owner (the per-rep table), else owner is NULL.
-- Only what happened by $as_of counts: later hand-offs are left out, later touches are
-- not touches yet. Leads touched before their hand-off are a data-quality exclusion:
-- counted in touched_before_handoff, left out of every other figure.
--
-- The clock: a cumulative count F(instant) in microseconds whose differences are response
-- times. Calendar ($business false): F = epoch. Business hours (local wall time of the clock's zone,
-- day n counted from Monday 1900-01-01): working days before day n × opening length,
-- minus working-day holidays before it ($hol_cum, a running count from day $hol_first),
-- plus on an open day the clamped part of the day since opening, plus the DST corrections
-- of sla_core.clock.dst_corrections ($dst_cum before the day, $dst_at/$dst_us on it).
-- Local time is the instant plus the zone's UTC offset ($tz_* from sla_core.clock.zone_params).
-- All of it is arithmetic and list look-ups per row: no join, no time-zone library call, and
-- no work at all on the calendar clock. sla_core.clock.BusinessHours.sql_params builds the lists.
-- The lead/local/as_of_local/clocked CTEs are the same in speed_leads.sql.
WITH lead AS (
    SELECT CASE WHEN $by_owner THEN coalesce(nullif(trim(owner), ''), '(no owner)') END AS owner,
           handed_at,
           CASE WHEN mql_at <= handed_at THEN mql_at END AS mql_at,  -- a hand-off before the MQL date has no routing delay
           CASE WHEN first_touch_at <= $as_of::TIMESTAMPTZ THEN first_touch_at END AS touch_at,
           timezone($tz, handed_at) AS handed_local
    FROM leads
    WHERE handed_at <= $as_of::TIMESTAMPTZ AND NOT touched_before_handoff
      AND handed_at >= coalesce($handed_from::TIMESTAMPTZ, '-infinity'::TIMESTAMPTZ) AND handed_at < coalesce($handed_to::TIMESTAMPTZ, 'infinity'::TIMESTAMPTZ)
),
local AS (  -- business mode: local wall times (instant + UTC offset) as microseconds and day numbers
    SELECT *,
           (h_us - h_sod) // 86400000000 + 25567 AS h_n,
           (t_us - t_sod) // 86400000000 + 25567 AS t_n,
           (m_us - m_sod) // 86400000000 + 25567 AS m_n
    FROM (
        SELECT *,
               (h_us % 86400000000 + 86400000000) % 86400000000 AS h_sod,
               (t_us % 86400000000 + 86400000000) % 86400000000 AS t_sod,
               (m_us % 86400000000 + 86400000000) % 86400000000 AS m_sod
        FROM (
            SELECT *,
                   CASE WHEN $business THEN epoch_us(handed_at) + CASE WHEN epoch_us(handed_at) >= ($tz_switch_us::BIGINT[])[least(greatest(epoch_us(handed_at) // $tz_block_us - $tz_first, 0), $tz_blocks - 1) + 1]
                        THEN ($tz_after_us::BIGINT[])[least(greatest(epoch_us(handed_at) // $tz_block_us - $tz_first, 0), $tz_blocks - 1) + 1] ELSE ($tz_before_us::BIGINT[])[least(greatest(epoch_us(handed_at) // $tz_block_us - $tz_first, 0), $tz_blocks - 1) + 1] END END AS h_us,
                   CASE WHEN $business THEN epoch_us(touch_at) + CASE WHEN epoch_us(touch_at) >= ($tz_switch_us::BIGINT[])[least(greatest(epoch_us(touch_at) // $tz_block_us - $tz_first, 0), $tz_blocks - 1) + 1]
                        THEN ($tz_after_us::BIGINT[])[least(greatest(epoch_us(touch_at) // $tz_block_us - $tz_first, 0), $tz_blocks - 1) + 1] ELSE ($tz_before_us::BIGINT[])[least(greatest(epoch_us(touch_at) // $tz_block_us - $tz_first, 0), $tz_blocks - 1) + 1] END END AS t_us,
                   CASE WHEN $business THEN epoch_us(mql_at) + CASE WHEN epoch_us(mql_at) >= ($tz_switch_us::BIGINT[])[least(greatest(epoch_us(mql_at) // $tz_block_us - $tz_first, 0), $tz_blocks - 1) + 1]
                        THEN ($tz_after_us::BIGINT[])[least(greatest(epoch_us(mql_at) // $tz_block_us - $tz_first, 0), $tz_blocks - 1) + 1] ELSE ($tz_before_us::BIGINT[])[least(greatest(epoch_us(mql_at) // $tz_block_us - $tz_first, 0), $tz_blocks - 1) + 1] END END AS m_us
            FROM lead
        )
    )
),
as_of_local AS (
    SELECT *, (a_us - a_sod) // 86400000000 + 25567 AS a_n
    FROM (SELECT *, (a_us % 86400000000 + 86400000000) % 86400000000 AS a_sod
          FROM (SELECT as_of_at, epoch_us(as_of_at) + CASE WHEN epoch_us(as_of_at) >= ($tz_switch_us::BIGINT[])[least(greatest(epoch_us(as_of_at) // $tz_block_us - $tz_first, 0), $tz_blocks - 1) + 1]
                        THEN ($tz_after_us::BIGINT[])[least(greatest(epoch_us(as_of_at) // $tz_block_us - $tz_first, 0), $tz_blocks - 1) + 1] ELSE ($tz_before_us::BIGINT[])[least(greatest(epoch_us(as_of_at) // $tz_block_us - $tz_first, 0), $tz_blocks - 1) + 1] END AS a_us FROM (SELECT $as_of::TIMESTAMPTZ AS as_of_at)))
),
clocked AS (
    SELECT l.*,
           CASE WHEN $business THEN
               (l.h_n // 7 * $week_count + $week_prefix[l.h_n % 7 + 1]
                - $hol_cum[least(greatest(l.h_n - $hol_first, 0), $hol_days) + 1]) * $open_len_us
               + CASE WHEN $week_open[l.h_n % 7 + 1]
                           AND NOT coalesce(l.h_n >= $hol_first AND $hol_cum[least(l.h_n - $hol_first, $hol_days) + 2]
                                            > $hol_cum[least(l.h_n - $hol_first, $hol_days) + 1], false)
                      THEN least(greatest(l.h_sod - $open_us, 0), $open_len_us) ELSE 0 END
               + $dst_cum[least(greatest(l.h_n - $dst_first, 0), $dst_days) + 1]
               + CASE WHEN l.h_n >= $dst_first AND l.h_n - $dst_first < $dst_days AND l.handed_at >= ($dst_at::TIMESTAMPTZ[])[l.h_n - $dst_first + 1]
                      THEN ($dst_us::BIGINT[])[l.h_n - $dst_first + 1] ELSE 0 END
           ELSE epoch_us(l.handed_at) END AS f_handed,
           CASE WHEN $business THEN
               (l.t_n // 7 * $week_count + $week_prefix[l.t_n % 7 + 1]
                - $hol_cum[least(greatest(l.t_n - $hol_first, 0), $hol_days) + 1]) * $open_len_us
               + CASE WHEN $week_open[l.t_n % 7 + 1]
                           AND NOT coalesce(l.t_n >= $hol_first AND $hol_cum[least(l.t_n - $hol_first, $hol_days) + 2]
                                            > $hol_cum[least(l.t_n - $hol_first, $hol_days) + 1], false)
                      THEN least(greatest(l.t_sod - $open_us, 0), $open_len_us) ELSE 0 END
               + $dst_cum[least(greatest(l.t_n - $dst_first, 0), $dst_days) + 1]
               + CASE WHEN l.t_n >= $dst_first AND l.t_n - $dst_first < $dst_days AND l.touch_at >= ($dst_at::TIMESTAMPTZ[])[l.t_n - $dst_first + 1]
                      THEN ($dst_us::BIGINT[])[l.t_n - $dst_first + 1] ELSE 0 END
           ELSE epoch_us(l.touch_at) END AS f_touch,
           CASE WHEN $business THEN
               (l.m_n // 7 * $week_count + $week_prefix[l.m_n % 7 + 1]
                - $hol_cum[least(greatest(l.m_n - $hol_first, 0), $hol_days) + 1]) * $open_len_us
               + CASE WHEN $week_open[l.m_n % 7 + 1]
                           AND NOT coalesce(l.m_n >= $hol_first AND $hol_cum[least(l.m_n - $hol_first, $hol_days) + 2]
                                            > $hol_cum[least(l.m_n - $hol_first, $hol_days) + 1], false)
                      THEN least(greatest(l.m_sod - $open_us, 0), $open_len_us) ELSE 0 END
               + $dst_cum[least(greatest(l.m_n - $dst_first, 0), $dst_days) + 1]
               + CASE WHEN l.m_n >= $dst_first AND l.m_n - $dst_first < $dst_days AND l.mql_at >= ($dst_at::TIMESTAMPTZ[])[l.m_n - $dst_first + 1]
                      THEN ($dst_us::BIGINT[])[l.m_n - $dst_first + 1] ELSE 0 END
           ELSE epoch_us(l.mql_at) END AS f_mql,
           CASE WHEN $business THEN
               (a.a_n // 7 * $week_count + $week_prefix[a.a_n % 7 + 1]
                - $hol_cum[least(greatest(a.a_n - $hol_first, 0), $hol_days) + 1]) * $open_len_us
               + CASE WHEN $week_open[a.a_n % 7 + 1]
                           AND NOT coalesce(a.a_n >= $hol_first AND $hol_cum[least(a.a_n - $hol_first, $hol_days) + 2]
                                            > $hol_cum[least(a.a_n - $hol_first, $hol_days) + 1], false)
                      THEN least(greatest(a.a_sod - $open_us, 0), $open_len_us) ELSE 0 END
               + $dst_cum[least(greatest(a.a_n - $dst_first, 0), $dst_days) + 1]
               + CASE WHEN a.a_n >= $dst_first AND a.a_n - $dst_first < $dst_days AND a.as_of_at >= ($dst_at::TIMESTAMPTZ[])[a.a_n - $dst_first + 1]
                      THEN ($dst_us::BIGINT[])[a.a_n - $dst_first + 1] ELSE 0 END
           ELSE epoch_us(a.as_of_at) END AS f_as_of
    FROM local l, as_of_local a
),
facts AS (
    SELECT CAST(date_trunc($period, handed_local) AS DATE) AS period_start, owner,
           f_touch - f_handed AS response_us,
           f_handed - f_mql AS routing_us,
           CAST(coalesce(f_touch - f_handed <= $goal_us, false) AS INTEGER) AS within,
           CAST(f_touch IS NULL AND f_as_of - f_handed >= $goal_us OR f_touch - f_handed > $goal_us AS INTEGER) AS missed
    FROM clocked
),
agg AS (
    SELECT period_start, owner,
           count(*) AS handed,
           count(response_us) AS touched,
           avg(response_us) / 3600e6 AS mean_hours,
           quantile_cont(response_us, [0.5, 0.9]) AS quantiles,
           sum(within) AS within,
           sum(missed) AS missed,
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
    SELECT CAST(date_trunc($period, timezone($tz, handed_at)) AS DATE) AS period_start,
           CASE WHEN $by_owner THEN coalesce(nullif(trim(owner), ''), '(no owner)') END AS owner,
           count(*) AS touched_before_handoff
    FROM leads
    WHERE handed_at <= $as_of::TIMESTAMPTZ AND touched_before_handoff
      AND handed_at >= coalesce($handed_from::TIMESTAMPTZ, '-infinity'::TIMESTAMPTZ) AND handed_at < coalesce($handed_to::TIMESTAMPTZ, 'infinity'::TIMESTAMPTZ)
    GROUP BY ALL
),
groups AS (
    SELECT period_start, owner FROM agg
    UNION
    SELECT period_start, owner FROM excluded
),
spine AS (
    SELECT CAST(p.range AS DATE) AS period_start
    FROM (SELECT min(period_start) AS first_period,
                 CAST(date_trunc($period, timezone($tz, least($as_of::TIMESTAMPTZ, coalesce($handed_to::TIMESTAMPTZ - INTERVAL 1 MICROSECOND, 'infinity'::TIMESTAMPTZ)))) AS DATE) AS last_period
          FROM groups) b,
         range(b.first_period, b.last_period + INTERVAL 1 DAY,
               CASE $period WHEN 'day' THEN INTERVAL 1 DAY WHEN 'week' THEN INTERVAL 7 DAY ELSE INTERVAL 1 MONTH END) p
)
SELECT s.period_start, g.owner,
       coalesce(a.handed, 0) AS handed, coalesce(a.touched, 0) AS touched,
       a.mean_hours, a.quantiles[1] / 3600e6 AS median_hours, a.quantiles[2] / 3600e6 AS p90_hours,
       coalesce(a.within, 0) AS within, coalesce(a.missed, 0) AS missed,
       a.within / nullif(a.within + a.missed, 0) AS pct_within_goal,
       coalesce(a.band_0_5m, 0) AS band_0_5m, coalesce(a.band_5_15m, 0) AS band_5_15m,
       coalesce(a.band_15_60m, 0) AS band_15_60m, coalesce(a.band_1_4h, 0) AS band_1_4h,
       coalesce(a.band_4_24h, 0) AS band_4_24h, coalesce(a.band_over_24h, 0) AS band_over_24h,
       coalesce(a.band_never, 0) AS band_never,
       coalesce(a.routed, 0) AS routed, a.routing_mean_hours, a.routing_median_hours,
       coalesce(e.touched_before_handoff, 0) AS touched_before_handoff
FROM spine s
LEFT JOIN groups g USING (period_start)
LEFT JOIN agg a ON a.period_start = s.period_start AND a.owner IS NOT DISTINCT FROM g.owner
LEFT JOIN excluded e ON e.period_start = s.period_start AND e.owner IS NOT DISTINCT FROM g.owner
ORDER BY s.period_start, g.owner;
