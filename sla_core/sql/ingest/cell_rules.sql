-- How a cell's text is read, written once: macros the sample's evidence, the typed scan and the
-- refusals share (created on the session's connection at the start of every load). A macro is
-- expanded where it is called, so the scan's plan is the same as with the expressions inlined.

-- The cell without surrounding spaces, '' as NULL. trim() runs only on the cells that need it:
-- copying every cell through trim costs about a tenth of the scan at 5M rows.
CREATE OR REPLACE TEMP MACRO ingest_trimmed(cell) AS
    CASE WHEN cell LIKE ' %' OR cell LIKE '% ' THEN nullif(trim(cell), '') ELSE nullif(cell, '') END;

-- Dates: a slashed (or dotted, dashed) day/month/year; its first and second number; a UTC offset
-- after a clock time ("…T14:22:00Z", "…14:22-05:00"; a dashed date such as 20-10-2017 is not one).
CREATE OR REPLACE TEMP MACRO ingest_slashed_pattern() AS '^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})';
CREATE OR REPLACE TEMP MACRO ingest_slashed(v) AS regexp_matches(v, ingest_slashed_pattern());
CREATE OR REPLACE TEMP MACRO ingest_slashed_part(v, n) AS
    TRY_CAST(regexp_extract(v, ingest_slashed_pattern(), n) AS INTEGER);
CREATE OR REPLACE TEMP MACRO ingest_day_first(v) AS ingest_slashed_part(v, 1) > 12 AND ingest_slashed_part(v, 2) <= 12;
CREATE OR REPLACE TEMP MACRO ingest_month_first(v) AS ingest_slashed_part(v, 2) > 12 AND ingest_slashed_part(v, 1) <= 12;
CREATE OR REPLACE TEMP MACRO ingest_has_offset(v) AS
    regexp_matches(v, '\d:\d\d(:\d\d(\.\d+)?)?\s*(Z|z|UTC|[+-]\d\d(:?\d\d)?)$');
-- A date starts with a digit: DuckDB's casts also read 'epoch', 'infinity' and '-infinity' (any case),
-- which no CRM writes for a date (a string compare on DuckDB's inlined prefix).
CREATE OR REPLACE TEMP MACRO ingest_digit_first(v) AS v >= '0' AND v < ':';
-- A wall-clock time the zone rules can convert (far outside, ICU overflows and the scan would fail);
-- every plausible date is inside.
CREATE OR REPLACE TEMP MACRO ingest_clock_safe(naive) AS naive BETWEEN TIMESTAMP '0002-01-01' AND TIMESTAMP '9998-12-31';
-- A zoned cell is the instant its offset says; a bare clock time is read in the workspace zone.
CREATE OR REPLACE TEMP MACRO ingest_instant(zoned, v, naive, tz) AS
    CASE WHEN zoned THEN TRY_CAST(v AS TIMESTAMPTZ) WHEN ingest_clock_safe(naive) THEN timezone(tz, naive) END;
-- A date is kept only inside the load's plausible range ($earliest … $latest, from ReadOptions), so a
-- typo (20244-06-03), a placeholder (1900-01-01, 9999-12-31) or a far-future date is reported, never
-- loaded: pages would stretch their month axes to it, and it could set the as-of time. The Unix zero
-- instant is a placeholder at any configured range: DuckDB's casts read the word 'epoch' as it.
CREATE OR REPLACE TEMP MACRO ingest_plausible(t, earliest, latest) AS
    t BETWEEN earliest AND latest AND t <> TIMESTAMPTZ '1970-01-01 00:00:00+00';
-- Whether the text of a reported cell reads as a date in any range: an implausible date, not text.
CREATE OR REPLACE TEMP MACRO ingest_reads_as_date(v, formats) AS
    ingest_digit_first(v) AND (TRY_CAST(v AS TIMESTAMPTZ) IS NOT NULL OR try_strptime(v, formats) IS NOT NULL);

-- Yes/no: the spellings a "connected" column uses; anything else is NULL.
CREATE OR REPLACE TEMP MACRO ingest_yes_no(v) AS
    CASE WHEN list_contains(['true', 't', 'yes', 'y', '1', 'x'], lower(v)) THEN true
         WHEN list_contains(['false', 'f', 'no', 'n', '0'], lower(v)) THEN false END;
-- What a column that is not yes/no may hold instead: dates (a "connected on" date).
CREATE OR REPLACE TEMP MACRO ingest_date_like(v) AS TRY_CAST(v AS TIMESTAMP) IS NOT NULL OR ingest_slashed(v);

-- Amounts. Only the digits and separators; a sign as "(86)", "-86" or "86-"; currency marks.
CREATE OR REPLACE TEMP MACRO ingest_digits(v) AS regexp_replace(v, '[^0-9.,]', '', 'g');
CREATE OR REPLACE TEMP MACRO ingest_signed(v, magnitude) AS
    CASE WHEN (regexp_matches(v, '^\s*\(.*\)\s*$') OR regexp_matches(v, '^[^0-9]*-|-[^0-9]*$')) THEN -1 ELSE 1 END
    * magnitude;
CREATE OR REPLACE TEMP MACRO ingest_currency_pattern() AS
    'R\$|US\$|[$€£¥₹]|\b(USD|EUR|GBP|BRL|JPY|CNY|INR|CAD|AUD|NZD|CHF|SEK|NOK|DKK|PLN|MXN|ZAR|SGD|HKD)\b';
CREATE OR REPLACE TEMP MACRO ingest_currency_mark(v) AS nullif(regexp_extract(v, ingest_currency_pattern()), '');
CREATE OR REPLACE TEMP MACRO ingest_only_currency_letters(v) AS
    NOT regexp_matches(regexp_replace(v, ingest_currency_pattern(), '', 'g'), '[A-Za-z]');

-- Text → DOUBLE with a decimal point (1,234.56): the plain cast ``plain`` when it read a finite
-- number, else digits grouped by commas with currency marks and signs around them; else NULL.
CREATE OR REPLACE TEMP MACRO ingest_number_point(v, plain) AS
    CASE WHEN isfinite(plain) THEN plain
         WHEN regexp_matches(ingest_digits(v), '^\d{1,3}(,\d{3})+(\.\d+)?$|^\d+(\.\d+)?$|^\.\d+$')
              AND ingest_only_currency_letters(v)
         THEN ingest_signed(v, CAST(replace(ingest_digits(v), ',', '') AS DOUBLE)) END;
-- Text → DOUBLE with a decimal comma (1.234,56); else NULL.
CREATE OR REPLACE TEMP MACRO ingest_number_comma(v) AS
    CASE WHEN regexp_matches(ingest_digits(v), '^\d{1,3}(\.\d{3})+(,\d+)?$|^\d+(,\d+)?$|^,\d+$')
              AND ingest_only_currency_letters(v)
         THEN ingest_signed(v, CAST(replace(replace(ingest_digits(v), '.', ''), ',', '.') AS DOUBLE)) END;
-- A count: a whole number from 0 to INTEGER's largest.
CREATE OR REPLACE TEMP MACRO ingest_whole(n) AS n >= 0 AND n = floor(n) AND n <= 2147483647;

-- Evidence of the decimal mark in the sample: only a decimal comma reads these as written …
CREATE OR REPLACE TEMP MACRO ingest_shows_decimal_comma(v) AS
    regexp_matches(ingest_digits(v), '^\d{1,3}(\.\d{3})*,\d+$|^\d+,(\d{1,2}|\d{4,})$|^\d{1,3}(\.\d{3}){2,}$');
-- … and only a decimal point these.
CREATE OR REPLACE TEMP MACRO ingest_shows_decimal_point(v) AS
    regexp_matches(ingest_digits(v), '^\d{1,3}(,\d{3})*\.\d+$|^\d+\.(\d{1,2}|\d{4,})$|^\d{1,3}(,\d{3}){2,}$');
-- An amount that failed to parse, written in the convention the file is not read with: a comma
-- decimal (9.986.000, 1.234,56, 12,5) when amounts are read with a point, and the reverse.
CREATE OR REPLACE TEMP MACRO ingest_written_other_way(v, mark) AS
    CASE WHEN mark = '.'
         THEN regexp_matches(ingest_digits(v), '^\d{1,3}(\.\d{3}){2,}(,\d+)?$|^\d{1,3}(\.\d{3})+,\d+$|^\d+,\d{1,2}$')
         ELSE regexp_matches(ingest_digits(v), '^\d{1,3}(,\d{3}){2,}(\.\d+)?$|^\d{1,3}(,\d{3})+\.\d+$|^\d+\.\d{1,2}$') END;

-- Which text of these rules the connection holds ($version: a hash of this file), so a later load
-- on the same connection skips redefining them (cell_rules_version.sql).
SET VARIABLE ingest_cell_rules = $version;
