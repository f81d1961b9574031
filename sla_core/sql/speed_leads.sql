-- The drill-down list of the Sales SLA (SPEC 5 and 6): the leads handed in one local
-- $period starting $period_start (optionally only $owner's), each with its response time
-- on the chosen clock, its speed and depth status and why it breaches, oldest hand-off
-- first, $limit rows from $offset. `total` is the number of matching leads.
-- The lead/span/dst/day_raw/days/as_of_clock/clocked CTEs are those of speed_by_period.sql
-- (see the clock explained there), restricted to the period.
WITH lead AS (
    SELECT lead_id, coalesce(nullif(trim(owner), ''), '(no owner)') AS owner, attempts, connected,
           handed_at, touched_before_handoff,
           CASE WHEN mql_at <= handed_at THEN mql_at END AS mql_at,  -- a hand-off before the MQL date has no routing delay
           CASE WHEN first_touch_at <= $as_of::TIMESTAMPTZ THEN first_touch_at END AS touch_at,
           timezone($tz, handed_at) AS handed_local,
           timezone($clock_tz, handed_at) AS handed_clock
    FROM leads
    WHERE handed_at <= $as_of::TIMESTAMPTZ
      AND CAST(date_trunc($period, timezone($tz, handed_at)) AS DATE) = $period_start::DATE
      AND ($owner IS NULL OR coalesce(nullif(trim(owner), ''), '(no owner)') = $owner)
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
    SELECT l.lead_id, l.owner, l.attempts, l.connected, l.touched_before_handoff, l.handed_local, l.touch_at,
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
    SELECT c.*,
           c.f_touch - c.f_handed AS response_us,
           coalesce(c.f_touch - c.f_handed <= $goal_us, false) AS within,
           a.f_as_of - c.f_handed >= $goal_us AS window_closed
    FROM clocked c, as_of_clock a
),
labelled AS (
    SELECT *,
           CASE WHEN touched_before_handoff THEN 'touched before hand-off (excluded)'
                WHEN within THEN 'within goal'
                WHEN window_closed THEN 'missed'
                ELSE 'not yet due' END AS speed_status,
           CASE WHEN connected THEN 'connected'
                WHEN attempts >= $depth_goal THEN 'at goal'
                ELSE 'below goal' END AS depth_status
    FROM facts
),
breaching AS (
    SELECT *,
           concat_ws(', ', CASE WHEN speed_status = 'missed' THEN 'speed' END,
                     CASE WHEN depth_status = 'below goal' THEN 'depth' END) AS breach
    FROM labelled
)
SELECT lead_id, owner, handed_local, timezone($tz, touch_at) AS first_touch_local,
       response_us / 3600e6 AS response_hours, speed_status, attempts, connected, depth_status, breach,
       count(*) OVER () AS total
FROM breaching
WHERE NOT $breaching_only OR breach <> ''
ORDER BY handed_local, lead_id
LIMIT $limit OFFSET $offset;
