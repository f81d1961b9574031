-- An amount written with a decimal point (1,234.56): the plain cast reads most cells untrimmed;
-- only the cells it refuses are trimmed and parsed for grouping, currency marks and signs.
-- @part scan
{{cell}} AS {{raw}}
-- @part cast
{{raw}}, TRY_CAST({{raw}} AS DOUBLE) AS {{cast}}
-- @part trim
{{raw}}, {{cast}}, CASE WHEN isfinite({{cast}}) THEN NULL ELSE ingest_trimmed({{raw}}) END AS {{text}}
-- @part parse
{{raw}}, {{cast}}, {{text}}, ingest_number_point({{text}}, {{cast}}) AS {{typed}}
-- @part final
{{typed}} AS {{field}},
CASE WHEN {{typed}} IS NULL THEN {{text}} END AS {{bad}},
CASE WHEN {{typed}} IS NOT NULL AND {{cast}} IS NULL THEN ingest_currency_mark({{text}}) END AS {{currency}}
