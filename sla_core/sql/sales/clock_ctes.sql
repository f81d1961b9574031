-- Fragment (included by the speed_*.sql statements after their `lead` CTE): each lead's hand-off,
-- touch and MQL instants, and the as-of time, on the chosen clock ($clock, see the clock macros
-- in macros.sql) as f_handed, f_touch, f_mql and f_as_of, whose differences are response times.
-- Wall time, then day and time of day, then the clock, each step a CTE of its own (macros.sql says why).
-- @reads lead
-- @defines local, days, as_of, clocked
local AS (
    SELECT *,
           clock_wall_us(handed_at, $clock) AS handed_wall_us,
           clock_wall_us(touch_at, $clock) AS touch_wall_us,
           clock_wall_us(mql_at, $clock) AS mql_wall_us
    FROM lead
),
days AS (
    SELECT *,
           clock_day(handed_wall_us) AS handed_day, clock_time_of_day(handed_wall_us) AS handed_sod,
           clock_day(touch_wall_us) AS touch_day, clock_time_of_day(touch_wall_us) AS touch_sod,
           clock_day(mql_wall_us) AS mql_day, clock_time_of_day(mql_wall_us) AS mql_sod
    FROM local
),
as_of AS (  -- the as-of instant, one row
    SELECT as_of_at, clock_day(wall_us) AS as_of_day, clock_time_of_day(wall_us) AS as_of_sod
    FROM (SELECT $as_of::TIMESTAMPTZ AS as_of_at, clock_wall_us($as_of::TIMESTAMPTZ, $clock) AS wall_us)
),
clocked AS (
    SELECT d.*,
           clock_us(d.handed_at, d.handed_day, d.handed_sod, $clock) AS f_handed,
           clock_us(d.touch_at, d.touch_day, d.touch_sod, $clock) AS f_touch,
           clock_us(d.mql_at, d.mql_day, d.mql_sod, $clock) AS f_mql,
           clock_us(a.as_of_at, a.as_of_day, a.as_of_sod, $clock) AS f_as_of
    FROM days d, as_of a
)
