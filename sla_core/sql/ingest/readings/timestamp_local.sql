-- A date/time in the workspace zone $tz: an offset in the cell decides the instant; a bare clock
-- time (ISO or in the $formats of the file's date order) is read in $tz, if it starts with a digit.
-- A date outside the plausible range ($earliest … $latest) is reported like text that is none (its
-- typed value cleared after the scan). Zones with daylight saving add the gap part: a clock time
-- that never happened there (it is read one hour later).
-- @part scan
ingest_trimmed({{cell}}) AS {{text}}
-- @part cast
{{text}}
-- @part trim
{{text}}
-- @part parse
{{text}},
ingest_has_offset({{text}}) AS {{zoned}},
CASE WHEN ingest_digit_first({{text}})
     THEN coalesce(TRY_CAST({{text}} AS TIMESTAMP), try_strptime({{text}}, $formats)) END AS {{naive}}
-- @part final
ingest_instant({{zoned}}, {{text}}, {{naive}}, $tz) AS {{field}},
CASE WHEN ingest_plausible(ingest_instant({{zoned}}, {{text}}, {{naive}}, $tz), $earliest, $latest)
     THEN NULL ELSE {{text}} END AS {{bad}}
-- @part gap
CASE WHEN {{zoned}} OR NOT ingest_clock_safe({{naive}}) THEN NULL
     WHEN timezone($tz, timezone($tz, {{naive}})) <> {{naive}} THEN {{text}} END AS {{gap}}
