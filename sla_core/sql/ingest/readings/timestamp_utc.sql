-- A date/time read in UTC: the plain cast reads ISO cells untrimmed; only the cells it refuses are
-- trimmed and tried as ISO with spaces and with the $formats of the file's date order. A cell must
-- start with a digit, and the date must be plausible ($earliest … $latest); else it is reported.
-- @part scan
{{cell}} AS {{raw}}
-- @part cast
{{raw}}, CASE WHEN ingest_digit_first({{raw}}) THEN TRY_CAST({{raw}} AS TIMESTAMPTZ) END AS {{cast}}
-- @part trim
{{raw}}, {{cast}}, CASE WHEN {{cast}} IS NULL THEN ingest_trimmed({{raw}}) END AS {{text}}
-- @part parse
{{raw}}, {{cast}}, {{text}},
coalesce({{cast}}, CASE WHEN ingest_digit_first({{text}})
                        THEN coalesce(TRY_CAST({{text}} AS TIMESTAMPTZ),
                                      CAST(try_strptime({{text}}, $formats) AS TIMESTAMPTZ)) END) AS {{typed}}
-- @part final
CASE WHEN ingest_plausible({{typed}}, $earliest, $latest) THEN {{typed}} END AS {{field}},
CASE WHEN NOT coalesce(ingest_plausible({{typed}}, $earliest, $latest), false)
     THEN coalesce({{text}}, ingest_trimmed({{raw}})) END AS {{bad}}
