-- A date/time read in UTC: the plain cast reads ISO cells untrimmed; only the cells it refuses are
-- trimmed and tried as ISO with spaces and with the $formats of the file's date order. A date outside
-- the plausible range ($earliest … $latest) is reported like text that is none; its typed value is
-- cleared after the scan (clear_implausible.sql), which costs the scan nothing when there is none.
-- @part scan
{{cell}} AS {{raw}}
-- @part cast
{{raw}}, TRY_CAST({{raw}} AS TIMESTAMPTZ) AS {{cast}}
-- @part trim
{{raw}}, {{cast}}, CASE WHEN {{cast}} IS NULL THEN ingest_trimmed({{raw}}) END AS {{text}}
-- @part parse
{{raw}}, {{cast}}, {{text}},
coalesce({{cast}}, TRY_CAST({{text}} AS TIMESTAMPTZ), CAST(try_strptime({{text}}, $formats) AS TIMESTAMPTZ)) AS {{typed}}
-- @part final
{{typed}} AS {{field}},
CASE WHEN ingest_plausible({{typed}}, $earliest, $latest)
     THEN NULL ELSE coalesce({{text}}, ingest_trimmed({{raw}})) END AS {{bad}}
