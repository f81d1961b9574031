-- A date/time read in UTC: the plain cast reads ISO cells untrimmed; only the cells it refuses are
-- trimmed and tried as ISO with spaces and with the $formats of the file's date order.
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
CASE WHEN {{typed}} IS NULL THEN {{text}} END AS {{bad}}
