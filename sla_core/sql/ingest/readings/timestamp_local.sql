-- A date/time in the workspace zone $tz: an offset in the cell decides the instant; a bare clock
-- time (ISO or in the $formats of the file's date order) is read in $tz. Zones with daylight
-- saving add the gap part: a clock time that never happened there (it is read one hour later).
-- @part scan
ingest_trimmed({{cell}}) AS {{text}}
-- @part cast
{{text}}
-- @part trim
{{text}}
-- @part parse
{{text}},
ingest_has_offset({{text}}) AS {{zoned}},
coalesce(TRY_CAST({{text}} AS TIMESTAMP), try_strptime({{text}}, $formats)) AS {{naive}}
-- @part final
ingest_instant({{zoned}}, {{text}}, {{naive}}, $tz) AS {{field}},
CASE WHEN ingest_instant({{zoned}}, {{text}}, {{naive}}, $tz) IS NULL THEN {{text}} END AS {{bad}}
-- @part gap
CASE WHEN NOT {{zoned}} AND timezone($tz, timezone($tz, {{naive}})) <> {{naive}} THEN {{text}} END AS {{gap}}
