-- Fragment (included by the speed_*.sql statements after their `lead` CTE): each lead's hand-off,
-- touch and MQL instants, and the as-of time, on the chosen clock ($clock, see the clock macros
-- in macros.sql) as f_handed, f_touch, f_mql and f_as_of, whose differences are response times.
-- @reads lead
-- @defines local, clocked
local AS (  -- local wall times first, as columns: clock_us reads its wall time a dozen times
    SELECT *,
           clock_wall_us(handed_at, $clock) AS handed_wall_us,
           clock_wall_us(touch_at, $clock) AS touch_wall_us,
           clock_wall_us(mql_at, $clock) AS mql_wall_us
    FROM lead
),
clocked AS (
    SELECT *,
           clock_us(handed_at, handed_wall_us, $clock) AS f_handed,
           clock_us(touch_at, touch_wall_us, $clock) AS f_touch,
           clock_us(mql_at, mql_wall_us, $clock) AS f_mql,
           clock_us($as_of::TIMESTAMPTZ, clock_wall_us($as_of::TIMESTAMPTZ, $clock), $clock) AS f_as_of
    FROM local
)
