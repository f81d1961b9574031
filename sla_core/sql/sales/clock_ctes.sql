-- Fragment (included by the speed_*.sql statements after their `lead` CTE):
-- the local, as_of_local and clocked CTEs that put each lead's hand-off, touch and MQL
-- instants, and the as-of time, on the chosen clock as f_handed, f_touch, f_mql, f_as_of.
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
)
