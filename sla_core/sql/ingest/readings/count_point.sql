-- A count (attempts) in a file whose numbers use a decimal point: a whole number ≥ 0, else reported.
-- The plain cast reads "-1" and "2.5" fine, so a refused cell's text comes from the raw copy.
-- @part scan
{{cell}} AS {{raw}}
-- @part cast
{{raw}}, TRY_CAST({{raw}} AS DOUBLE) AS {{cast}}
-- @part trim
{{raw}}, {{cast}}, CASE WHEN isfinite({{cast}}) THEN NULL ELSE ingest_trimmed({{raw}}) END AS {{text}}
-- @part parse
{{raw}}, {{cast}}, {{text}}, ingest_number_point({{text}}, {{cast}}) AS {{typed}}
-- @part final
CASE WHEN ingest_whole({{typed}}) THEN CAST({{typed}} AS INTEGER) END AS {{field}},
CASE WHEN ingest_whole({{typed}}) THEN NULL ELSE coalesce({{text}}, ingest_trimmed({{raw}})) END AS {{bad}}
