-- Fragment (included by the speed_*.sql statements after their `lead` CTE, which carries `region`): each
-- lead's hand-off, touch and MQL instants, and the as-of time, on the chosen clock ($clock, see the clock
-- macros in macros.sql) as f_handed, f_touch, f_mql and f_as_of, whose differences are response times.
-- Each lead counts on its own calendar (its region's, else the default): the calendar, then wall time,
-- then day and time of day, then the clock, each step a CTE of its own (macros.sql says why). The as-of
-- time is counted once per calendar and each lead takes its calendar's.
-- @reads lead
-- @defines calendar, local, days, as_of_local, as_of_days, as_of, clocked
calendar AS (
    SELECT *, clock_calendar(region, $clock) AS calendar_no
    FROM lead
),
local AS (
    SELECT *,
           clock_wall_us(handed_at, clock_cal(calendar_no, $clock), $clock) AS handed_wall_us,
           clock_wall_us(touch_at, clock_cal(calendar_no, $clock), $clock) AS touch_wall_us,
           clock_wall_us(mql_at, clock_cal(calendar_no, $clock), $clock) AS mql_wall_us
    FROM calendar
),
days AS (
    SELECT *,
           clock_day(handed_wall_us) AS handed_day, clock_time_of_day(handed_wall_us) AS handed_sod,
           clock_day(touch_wall_us) AS touch_day, clock_time_of_day(touch_wall_us) AS touch_sod,
           clock_day(mql_wall_us) AS mql_day, clock_time_of_day(mql_wall_us) AS mql_sod
    FROM local
),
as_of_local AS (  -- the as-of instant on each calendar, a row per calendar
    SELECT cal, $as_of::TIMESTAMPTZ AS as_of_at, clock_wall_us($as_of::TIMESTAMPTZ, cal, $clock) AS wall_us
    FROM (SELECT range AS cal FROM range(len($clock.regions) + 1))  -- named as both engines name range()'s column
),
as_of_days AS (
    SELECT cal, as_of_at, clock_day(wall_us) AS as_of_day, clock_time_of_day(wall_us) AS as_of_sod
    FROM as_of_local
),
as_of AS (  -- one row: F(as-of) per calendar, in calendar order
    SELECT list(clock_us(as_of_at, as_of_day, as_of_sod, cal, $clock) ORDER BY cal) AS f_as_of_by_calendar
    FROM as_of_days
),
clocked AS (
    SELECT d.*,
           clock_us(d.handed_at, d.handed_day, d.handed_sod, clock_cal(d.calendar_no, $clock), $clock) AS f_handed,
           clock_us(d.touch_at, d.touch_day, d.touch_sod, clock_cal(d.calendar_no, $clock), $clock) AS f_touch,
           clock_us(d.mql_at, d.mql_day, d.mql_sod, clock_cal(d.calendar_no, $clock), $clock) AS f_mql,
           a.f_as_of_by_calendar[clock_cal(d.calendar_no, $clock) + 1] AS f_as_of
    FROM days d, as_of a
)
