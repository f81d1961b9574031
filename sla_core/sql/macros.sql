-- The expressions several metric statements share, written once as DuckDB macros.
-- sla_core.db.create_macros runs this file on every session connection and on the store (whose
-- cursors serve shared workspaces), so every statement can call them. A macro cannot see bound
-- parameters: statements pass theirs ($tz, $as_of, $clock …) as arguments. A macro is expanded
-- into the statement before planning: per row it costs what the written-out expression costs, but
-- an argument is copied into every use of its parameter (see the clock below).

-- --- hand-offs, owners, periods ------------------------------------------------------------------

-- The instant if it happened by by_at, else NULL: a touch after the as-of time is not a touch yet,
-- an MQL after its hand-off has no routing delay.
CREATE OR REPLACE MACRO happened_by(instant, by_at) AS
    CASE WHEN instant <= by_at THEN instant END;

-- Whether an instant falls in [start_at, end_at); a NULL bound is open (hand-offs of one month, or all).
CREATE OR REPLACE MACRO in_span(instant, start_at, end_at) AS
    instant >= coalesce(start_at, '-infinity'::TIMESTAMPTZ) AND instant < coalesce(end_at, 'infinity'::TIMESTAMPTZ);

-- A rep as the tables show them: trimmed, and '(no owner)' for a lead without one.
CREATE OR REPLACE MACRO owner_name(owner) AS
    coalesce(nullif(trim(owner), ''), '(no owner)');

-- The rep a figure is split by: the owner's name with by_owner (the per-rep tables), else NULL (everyone).
CREATE OR REPLACE MACRO split_owner(by_owner, owner) AS
    CASE WHEN by_owner THEN owner_name(owner) END;

-- The local calendar day of an instant in zone tz.
CREATE OR REPLACE MACRO local_day(tz, instant) AS
    CAST(timezone(tz, instant) AS DATE);

-- The local day, week (Monday start) or month ('day' | 'week' | 'month') a local wall time falls in.
CREATE OR REPLACE MACRO period_of(period, local_at) AS
    CAST(date_trunc(period, local_at) AS DATE);

-- Every local period from first_period up to the as-of period, or to the period of the last instant
-- before end_at (NULL: open), so a period without hand-offs is still listed. No first period: no rows.
CREATE OR REPLACE MACRO period_spine(first_period, period, tz, as_of, end_at) AS TABLE
    SELECT CAST(p.range AS DATE) AS period_start
    FROM range(first_period,
               period_of(period, timezone(tz, least(as_of, coalesce(end_at - INTERVAL 1 MICROSECOND,
                                                                    'infinity'::TIMESTAMPTZ))))
                   + INTERVAL 1 DAY,
               CASE period WHEN 'day' THEN INTERVAL 1 DAY WHEN 'week' THEN INTERVAL 7 DAY ELSE INTERVAL 1 MONTH END) p;

-- --- goals per segment (sla_core.sales.goal_rules) ---------------------------------------------
-- `goals` is the struct GoalRules.sql_params binds as $goals: the default goals (speed_us, depth) and,
-- per rule in order, its match key ('field' || chr(31) || value), speed goal and depth goal (NULL: the
-- default). The lists are cast because an empty list binds without an element type.

-- A lead's value of a segment field ('source', 'tier' or 'region') as rules compare it
-- (goal_rules.match_value): trimmed, a tier in lower case; empty is NULL.
CREATE OR REPLACE MACRO segment_value(field, source, tier, region) AS
    nullif(CASE field WHEN 'source' THEN trim(source) WHEN 'tier' THEN lower(trim(tier))
                      WHEN 'region' THEN trim(region) END, '');

-- The 1-based number of the first rule matching a lead's source, tier or region, else NULL (the defaults).
CREATE OR REPLACE MACRO goal_rule(source, tier, region, goals) AS
    CASE WHEN len(goals.keys::VARCHAR[]) > 0
         THEN least(
             list_position(goals.keys::VARCHAR[], 'source' || chr(31) || segment_value('source', source, tier, region)),
             list_position(goals.keys::VARCHAR[], 'tier' || chr(31) || segment_value('tier', source, tier, region)),
             list_position(goals.keys::VARCHAR[], 'region' || chr(31) || segment_value('region', source, tier, region)))
         END;

-- A lead's speed goal in microseconds on the chosen clock: its rule's, else the default.
CREATE OR REPLACE MACRO lead_speed_goal_us(rule, goals) AS
    coalesce((goals.rule_speed_us::BIGINT[])[rule], goals.speed_us::BIGINT);

-- A lead's depth goal in attempts: its rule's, else the default.
CREATE OR REPLACE MACRO lead_depth_goal(rule, goals) AS
    coalesce((goals.rule_depth::INTEGER[])[rule], goals.depth::INTEGER);

-- Whether a lead was first touched within its goal (response and goal in microseconds on one clock).
CREATE OR REPLACE MACRO goal_within(response_us, goal_us) AS
    coalesce(response_us <= goal_us, false);

-- Whether a lead missed its goal: touched later than the goal, or untouched once its window closed
-- (waited_us: as-of minus hand-off on the same clock). A lead still inside its window is neither (false, or
-- NULL when it is untouched: a sum of only such leads is NULL, which the callers read as 0).
CREATE OR REPLACE MACRO goal_missed(response_us, waited_us, goal_us) AS
    response_us IS NULL AND waited_us >= goal_us OR response_us > goal_us;

-- --- marketing -----------------------------------------------------------------------------------

-- A lead's tier: the tier column as given (lower case), else the tier of the first job-title rule
-- that matched, else the fallback ('other').
CREATE OR REPLACE MACRO lead_tier(given_tier, rule_tier, fallback_tier) AS
    coalesce(nullif(lower(trim(given_tier)), ''), rule_tier, fallback_tier);

-- The days from one instant to another, as a fraction (a marketing sales cycle: mql_at → customer_at).
CREATE OR REPLACE MACRO days_between(from_at, to_at) AS
    (epoch_us(to_at) - epoch_us(from_at)) / 86400e6;

-- Whether an instant may belong to the local months [month_from, month_to) (month starts as DATE;
-- a NULL month_from: every month). The bounds are a day wider on each side, so no UTC offset moves
-- a lead across; the caller still takes each row's month from its local time. A cheap prune.
CREATE OR REPLACE MACRO near_months(instant, tz, month_from, month_to) AS
    month_from IS NULL
    OR instant >= timezone(tz, month_from::TIMESTAMP) - INTERVAL 1 DAY
       AND instant < timezone(tz, month_to::TIMESTAMP) + INTERVAL 1 DAY;

-- --- the clock of response times (sla_core.sales.clock) ------------------------------------------
-- A cumulative count F(instant) in microseconds whose differences are response times. `clock` is
-- the struct sla_core.sales.speed.clock_params binds as $clock. Calendar (clock.business false):
-- F = epoch. Business hours, on local wall time (the instant plus the zone's UTC offset) with day
-- n counted from Monday 1900-01-01: working days before day n × opening length, minus working-day
-- holidays before it (hol_cum, a running count from day hol_first), plus on an open day the
-- clamped part of the day since opening, plus the DST corrections of
-- sla_core.sales.clock.dst_corrections (dst_cum before the day, dst_at/dst_us on it). All of it is
-- arithmetic and list look-ups per row: no join and no time-zone library call.
-- The struct holds several calendars (sla_core.sales.region_calendars): calendar 0, the default,
-- then one per entry of clock.regions. Every calendar's lists sit end to end on a common span of
-- days (tz_first/tz_blocks, hol_first/hol_days, dst_first/dst_days), so calendar `cal` (0-based,
-- clock_calendar) reads its own stretch at a fixed offset; open_us, open_len_us and week_count have
-- one entry per calendar. With no region calendar, cal (clock_cal) folds to the constant 0.
-- A statement takes four steps, each in its own CTE (sales/clock_ctes.sql): clock_calendar, then
-- clock_wall_us, then clock_day and clock_time_of_day of that column, then clock_us. A macro's argument
-- is copied into every use, and clock_us uses the day a dozen times: nested calls would bind a tree that
-- large, which costs about 20 ms per statement even when the whole of it folds to a constant.

-- The calendar a lead is measured on: its region's (1, 2 …, by clock.regions), else the default (0).
-- Region values match as the goal rules compare them (segment_value: trimmed), as the editor offers them.
CREATE OR REPLACE MACRO clock_calendar(region, clock) AS
    CASE WHEN len(clock.regions) = 0 THEN 0
         ELSE coalesce(list_position(clock.regions::VARCHAR[], segment_value('region', NULL, NULL, region)), 0) END;

-- A lead's calendar as the other clock macros take it: the constant 0 when no region has a calendar, so
-- their per-calendar look-ups fold into constants as on a clock of one calendar.
CREATE OR REPLACE MACRO clock_cal(cal, clock) AS
    CASE WHEN len(clock.regions) = 0 THEN 0 ELSE cal END;

-- The block of days (sla_core.sales.clock.zone_params) an instant's UTC offset is looked up in, as a
-- 1-based position in the zone lists of calendar `cal`.
CREATE OR REPLACE MACRO clock_block(instant, cal, clock) AS
    cal * clock.tz_blocks
    + least(greatest(epoch_us(instant) // clock.tz_block_us - clock.tz_first, 0), clock.tz_blocks - 1) + 1;

-- Local wall time as microseconds since 1970-01-01 00:00; NULL on the calendar clock, which needs none.
CREATE OR REPLACE MACRO clock_wall_us(instant, cal, clock) AS
    CASE WHEN clock.business
         THEN epoch_us(instant)
              + CASE WHEN epoch_us(instant) >= (clock.tz_switch_us::BIGINT[])[clock_block(instant, cal, clock)]
                     THEN (clock.tz_after_us::BIGINT[])[clock_block(instant, cal, clock)]
                     ELSE (clock.tz_before_us::BIGINT[])[clock_block(instant, cal, clock)] END
    END;

-- Microseconds since local midnight of a wall time (also before 1970).
CREATE OR REPLACE MACRO clock_time_of_day(wall_us) AS
    (wall_us % 86400000000 + 86400000000) % 86400000000;

-- The local day number of a wall time, day 0 being Monday 1900-01-01 (weekday = n % 7).
CREATE OR REPLACE MACRO clock_day(wall_us) AS
    (wall_us - clock_time_of_day(wall_us)) // 86400000000 + 25567;

-- F(instant) on calendar `cal` of the chosen clock, given the clock_day (n) and clock_time_of_day (sod)
-- of its wall time.
CREATE OR REPLACE MACRO clock_us(instant, n, sod, cal, clock) AS
    CASE WHEN clock.business
         THEN (n // 7 * clock.week_count[cal + 1] + clock.week_prefix[cal * 8 + n % 7 + 1]
               - clock.hol_cum[cal * (clock.hol_days + 1) + least(greatest(n - clock.hol_first, 0), clock.hol_days) + 1])
              * clock.open_len_us[cal + 1]
              + CASE WHEN clock.week_open[cal * 7 + n % 7 + 1]
                          AND NOT (n >= clock.hol_first AND n - clock.hol_first < clock.hol_days
                                   AND clock.hol_cum[cal * (clock.hol_days + 1) + n - clock.hol_first + 2]
                                       > clock.hol_cum[cal * (clock.hol_days + 1) + n - clock.hol_first + 1])
                     THEN least(greatest(sod - clock.open_us[cal + 1], 0), clock.open_len_us[cal + 1]) ELSE 0 END
              + clock.dst_cum[cal * (clock.dst_days + 1) + least(greatest(n - clock.dst_first, 0), clock.dst_days) + 1]
              + CASE WHEN n >= clock.dst_first AND n - clock.dst_first < clock.dst_days
                          AND instant >= (clock.dst_at::TIMESTAMPTZ[])[cal * clock.dst_days + n - clock.dst_first + 1]
                     THEN (clock.dst_us::BIGINT[])[cal * clock.dst_days + n - clock.dst_first + 1] ELSE 0 END
         ELSE epoch_us(instant) END;
