-- A count (attempts) in a file whose numbers use a decimal comma: a whole number ≥ 0, else reported.
-- @part scan
ingest_trimmed({{cell}}) AS {{text}}
-- @part cast
{{text}}
-- @part trim
{{text}}
-- @part parse
{{text}}, ingest_number_comma({{text}}) AS {{typed}}
-- @part final
CASE WHEN ingest_whole({{typed}}) THEN CAST({{typed}} AS INTEGER) END AS {{field}},
CASE WHEN ingest_whole({{typed}}) THEN NULL ELSE {{text}} END AS {{bad}}
